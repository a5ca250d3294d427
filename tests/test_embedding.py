"""embedding: the bundled WordLlama model, on real abstracts; TF-IDF fallback when it is missing."""

from __future__ import annotations

import json

import numpy as np
import pytest

from graphx.build import embedding, similarity
from graphx.build.pipeline import build_graph
from graphx.options import BuildOptions
from graphx.paper import Paper

DEFAULTS = BuildOptions()


def edges(papers, **kwargs):
    """:func:`similarity.similarity_edges` with the build defaults, except ``kwargs``."""
    options = {
        "top_k": DEFAULTS.top_k,
        "min_score": DEFAULTS.min_similarity,
        "embedding_weight": DEFAULTS.embedding_weight,
        "text_embedding_weight": DEFAULTS.text_embedding_weight,
    }
    return similarity.similarity_edges(papers, **{**options, **kwargs})


@pytest.fixture(scope="module")
def iclr(shared_data):
    path = shared_data / "zeta-alpha-iclr2022-similarity" / "Zeta-Alpha_ICLR2022.json"
    with open(path, encoding="utf-8") as fh:
        items = json.load(fh)["network"]["items"]
    return [(Paper(id=i["id"], title=i["title"], abstract=i["abstract"]), int(i["cluster"])) for i in items]


def test_vectors_are_normalised_and_deterministic(iclr):
    texts = [f"{p.title}. {p.abstract}" for p, _ in iclr[:200]]
    E = embedding.embed_texts(texts)
    assert E.shape == (200, embedding.MODEL_DIM) and E.dtype == np.float32
    assert np.allclose(np.linalg.norm(E, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(E, embedding.embed_texts(texts))


def test_same_cluster_papers_are_closer(iclr):
    E = embedding.embed_texts([f"{p.title}. {p.abstract}" for p, _ in iclr])
    clusters = np.array([c for _, c in iclr])
    S = E @ E.T
    same = clusters[:, None] == clusters[None, :]
    np.fill_diagonal(same, False)
    assert S[same].mean() > S[~same].mean() + 0.05


def test_blend_finds_neighbours_tfidf_misses(iclr):
    papers = [p for p, _ in iclr]
    clusters = {p.id: c for p, c in iclr}

    def purity(weight: float) -> float:
        found = edges(papers, top_k=10, text_embedding_weight=weight)
        return float(np.mean([clusters[u] == clusters[v] for u, v, _ in found]))

    assert purity(0.3) > purity(0.0) + 0.01


def test_missing_package_degrades_to_tfidf_with_a_warning(iclr, monkeypatch):
    monkeypatch.setattr(embedding, "_MODEL", None)
    monkeypatch.setattr(embedding, "_WHY_NOT", "semantic embedding skipped: wordllama is not installed")
    papers = [p for p, _ in iclr[:150]]
    assert embedding.embed_texts(["anything"]) is None
    G = build_graph(papers, BuildOptions(seed=1))
    assert G.graph["meta"]["warnings"] == ["semantic embedding skipped: wordllama is not installed"]
    tfidf_only = edges(papers, text_embedding_weight=0.0)
    assert sorted(edges(papers)) == sorted(tfidf_only)


def test_words_are_numbered_as_split_text_by_text(iclr):
    texts = [similarity.paper_text(p) for p, _ in iclr[:300]]
    for case in (
        texts,
        ["", *texts[:3], "", "one"],
        ["only one text"],
        [""],
        [texts[0], "a \x00 b", texts[1]],
    ):
        words, codes, lengths = embedding._words(case)
        split = [t.split() for t in case]
        assert words == list(dict.fromkeys(w for ws in split for w in ws))
        assert lengths.tolist() == [len(ws) for ws in split]
        assert [words[c] for c in codes.tolist()] == [w for ws in split for w in ws]
