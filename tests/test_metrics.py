"""metrics: PageRank, in-set citations and degree agree with networkx's own definitions on real data."""

from __future__ import annotations

import networkx as nx
import pytest

from graphx.build import metrics
from graphx.build.citations import citation_graph
from graphx.build.similarity import add_similarity_edges


@pytest.fixture(scope="module")
def annotated(neurips_papers):
    papers = neurips_papers[:2500]
    G = citation_graph(papers, top_k=10, min_strength=0.1)
    add_similarity_edges(G, papers, top_k=10, min_score=0.1, embedding_weight=0.5, text_embedding_weight=0.3)
    metrics.annotate(G)
    return G


def test_pagerank_matches_networkx_on_citations(annotated):
    C = nx.DiGraph()
    C.add_nodes_from(annotated)
    C.add_edges_from((u, v) for u, v, k in annotated.edges(keys=True) if k == "cites")
    expected = nx.pagerank(C, alpha=metrics.PAGERANK_ALPHA, tol=1e-12)
    for n, pr in annotated.nodes(data="pagerank"):
        assert pr == pytest.approx(expected[n], rel=1e-5)


def test_in_citations_and_degree(annotated):
    for n, attrs in annotated.nodes(data=True):
        cited_by = {u for u, _, k in annotated.in_edges(n, keys=True) if k == "cites"}
        assert attrs["in_citations"] == len(cited_by)
        assert attrs["degree"] == len(set(annotated.successors(n)) | set(annotated.predecessors(n)))
        assert attrs["citation_count"] >= 0
