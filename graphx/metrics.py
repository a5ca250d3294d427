"""Per-paper measures: PageRank on citations, in-set citation count, degree."""

from __future__ import annotations

import networkx as nx

PAGERANK_ALPHA = 0.85


def annotate(G: nx.MultiDiGraph) -> None:
    """Set ``pagerank``, ``in_citations``, ``degree`` (and ``citation_count`` where unknown) on every node.

    PageRank runs on the ``cites`` edges only: a citation is a vote, a similarity is not. Papers
    with no citation edges share the teleport mass evenly.
    """
    C = nx.DiGraph()
    C.add_nodes_from(G)
    C.add_edges_from((u, v) for u, v, k in G.edges(keys=True) if k == "cites")
    pagerank = nx.pagerank(C, alpha=PAGERANK_ALPHA) if C.number_of_nodes() else {}
    for n, attrs in G.nodes(data=True):
        attrs["pagerank"] = float(pagerank.get(n, 0.0))
        attrs["in_citations"] = C.in_degree(n)
        attrs["degree"] = len(set(G.successors(n)) | set(G.predecessors(n)))
        if attrs.get("citation_count") is None:
            attrs["citation_count"] = attrs["in_citations"]
