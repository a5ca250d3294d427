"""citations: cites / cocited / coupled edges, exact strengths and invariants on the real corpus."""

from __future__ import annotations

import math

import pytest

from graphx.build.citations import citation_edges, citation_graph, cocitation_edges, coupling_edges
from graphx.paper import Paper


def small_set() -> list[Paper]:
    # a and b cite c, d; b also cites e; f cites outside works x, y shared with a.
    return [
        Paper(id="a", title="A", references=("c", "d", "x", "y")),
        Paper(id="b", title="B", references=("c", "d", "e")),
        Paper(id="c", title="C"),
        Paper(id="d", title="D", citations=("z1", "z2")),
        Paper(id="e", title="E"),
        Paper(id="f", title="F", references=("x", "y")),
    ]


def test_cites_edges_only_between_papers_of_the_set():
    edges = citation_edges(small_set())
    assert sorted(edges) == [("a", "c"), ("a", "d"), ("b", "c"), ("b", "d"), ("b", "e")]


def test_coupling_counts_outside_references_with_salton_strength():
    strengths = {frozenset((u, v)): s for u, v, s in coupling_edges(small_set(), top_k=10, min_strength=0.0)}
    assert strengths[frozenset(("a", "b"))] == pytest.approx(2 / math.sqrt(4 * 3))
    assert strengths[frozenset(("a", "f"))] == pytest.approx(2 / math.sqrt(4 * 2))  # x, y are outside
    assert frozenset(("b", "f")) not in strengths


def test_cocitation_counts_outside_citers():
    strengths = {
        frozenset((u, v)): s for u, v, s in cocitation_edges(small_set(), top_k=10, min_strength=0.0)
    }
    # c is cited by {a, b}; d by {a, b, z1, z2}.
    assert strengths[frozenset(("c", "d"))] == pytest.approx(2 / math.sqrt(2 * 4))
    assert strengths[frozenset(("c", "e"))] == pytest.approx(1 / math.sqrt(2 * 1))


def test_floor_drops_weak_links():
    edges = coupling_edges(small_set(), top_k=10, min_strength=0.6)
    assert {frozenset((u, v)) for u, v, _ in edges} == {frozenset(("a", "f"))}


def test_real_corpus_invariants(neurips_papers):
    G = citation_graph(neurips_papers, top_k=10, min_strength=0.1)
    assert G.number_of_nodes() == 6545
    cites = [(u, v) for u, v, k in G.edges(keys=True) if k == "cites"]
    assert len(cites) == 30762
    assert all(u != v for u, v in cites)
    for kind in ("cocited", "coupled"):
        pairs = [(u, v, w) for u, v, k, w in G.edges(keys=True, data="weight") if k == kind]
        assert pairs, kind
        assert all(0.1 < w <= 1.0 + 1e-6 for _, _, w in pairs)
        assert len({frozenset((u, v)) for u, v, _ in pairs}) == len(pairs), "symmetric kinds stored once"
