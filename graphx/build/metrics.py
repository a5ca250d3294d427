"""Per-paper measures: PageRank on citations, in-set citation count, degree."""

from __future__ import annotations

import igraph as ig
import networkx as nx
import numpy as np

from graphx.build.edgearrays import EdgeArrays, edge_arrays, unique_sorted

PAGERANK_ALPHA = 0.85


def measures(arrays: EdgeArrays) -> dict[str, np.ndarray]:
    """``pagerank``, ``in_citations`` and ``degree`` of every node of ``arrays`` (arrays in node order).

    PageRank runs on the ``cites`` edges only: a citation is a vote, a similarity is not. Papers
    that cite nothing in the set spread their mass over all papers, as in networkx's ``pagerank``
    (igraph's PRPACK solver computes the same vector, 30x faster at 100k papers). ``degree`` counts
    distinct neighbours over every edge kind.
    """
    n = len(arrays.nodes)
    src, dst = arrays.src, arrays.dst
    is_cite = arrays.of_kind("cites")
    citing, cited = src[is_cite], dst[is_cite]
    C = ig.Graph(n=n, edges=np.column_stack([citing, cited]).tolist(), directed=True)
    pagerank = np.asarray(C.pagerank(damping=PAGERANK_ALPHA), dtype=float) if n else np.zeros(0)
    linked = src != dst
    pairs = unique_sorted(np.minimum(src, dst)[linked] * n + np.maximum(src, dst)[linked])
    degree = np.bincount(pairs // max(n, 1), minlength=n) + np.bincount(pairs % max(n, 1), minlength=n)
    return {"pagerank": pagerank, "in_citations": np.bincount(cited, minlength=n), "degree": degree}


def annotate(G: nx.MultiDiGraph, *, arrays: EdgeArrays | None = None) -> None:
    """Set ``pagerank``, ``in_citations``, ``degree`` (and ``citation_count`` where unknown) on every node
    (:func:`measures`). ``arrays`` are the graph's edges if the caller has them (``edge_arrays(G)``
    otherwise); their nodes must be the nodes of ``G``.
    """
    arrays = arrays if arrays is not None else edge_arrays(G)
    found = measures(arrays)
    pagerank = found["pagerank"].tolist()
    in_citations = found["in_citations"].tolist()
    degree = found["degree"].tolist()
    nodes = G.nodes
    for i, n in enumerate(arrays.nodes):
        attrs = nodes[n]
        attrs["pagerank"] = pagerank[i]
        attrs["in_citations"] = in_citations[i]
        attrs["degree"] = degree[i]
        if attrs.get("citation_count") is None:
            attrs["citation_count"] = in_citations[i]
