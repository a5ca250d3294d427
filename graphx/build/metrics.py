"""Per-paper measures: PageRank on citations, in-set citation count, degree."""

from __future__ import annotations

import igraph as ig
import networkx as nx
import numpy as np

from graphx.build.edgearrays import EdgeArrays, edge_arrays

PAGERANK_ALPHA = 0.85


def annotate(G: nx.MultiDiGraph, *, arrays: EdgeArrays | None = None) -> None:
    """Set ``pagerank``, ``in_citations``, ``degree`` (and ``citation_count`` where unknown) on every node.

    PageRank runs on the ``cites`` edges only: a citation is a vote, a similarity is not. Papers
    that cite nothing in the set spread their mass over all papers, as in networkx's ``pagerank``
    (igraph's PRPACK solver computes the same vector, 30x faster at 100k papers). ``degree`` counts
    distinct neighbours over every edge kind. ``arrays`` is ``edge_arrays(G)`` if the caller has it.
    """
    arrays = arrays if arrays is not None else edge_arrays(G)
    n = len(arrays.nodes)
    src_a, dst_a = arrays.src, arrays.dst
    is_cite = arrays.kinds == "cites"

    citing, cited = src_a[is_cite], dst_a[is_cite]
    C = ig.Graph(n=n, edges=np.column_stack([citing, cited]).tolist(), directed=True)
    pagerank = np.asarray(C.pagerank(damping=PAGERANK_ALPHA), dtype=float) if n else np.zeros(0)
    in_citations = np.bincount(cited, minlength=n)

    linked = src_a != dst_a
    pairs = np.unique(np.minimum(src_a, dst_a)[linked] * n + np.maximum(src_a, dst_a)[linked])
    degree = np.bincount(pairs // max(n, 1), minlength=n) + np.bincount(pairs % max(n, 1), minlength=n)

    for i, (_, attrs) in enumerate(G.nodes(data=True)):
        attrs["pagerank"] = float(pagerank[i])
        attrs["in_citations"] = int(in_citations[i])
        attrs["degree"] = int(degree[i])
        if attrs.get("citation_count") is None:
            attrs["citation_count"] = attrs["in_citations"]
