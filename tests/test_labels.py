"""labels: class-based distinctive terms, supported by papers of their area, phrases, distinct per level."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from graphx.build.labels import (
    UNCLUSTERED,
    complete_phrase,
    label_communities,
    label_set,
    min_term_papers,
    node_texts,
    pick_terms,
    term_papers,
)
from graphx.build.text import BOILERPLATE_WORDS

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

TEXTS = [
    "graph neural networks for molecules. We propose message passing on molecular graphs.",
    "message passing graph neural networks are expressive. Our results show gains.",
    "a study of graph neural networks over-smoothing in deep message passing",
    "policy gradient reinforcement learning with a novel critic. We show results.",
    "offline reinforcement learning policy constraints for robotic control",
    "model-based reinforcement learning policy search in continuous control",
]


def test_exact_labels_on_small_corpus():
    labels = label_communities(TEXTS, [0, 0, 0, 1, 1, 1], max_terms=3)
    assert labels == {
        0: ["graph neural networks", "message passing"],
        1: ["reinforcement learning", "policy", "control"],
    }


def test_labels_skip_boilerplate_and_overlaps():
    labels = label_communities(TEXTS, [0, 0, 0, 1, 1, 1], max_terms=3)
    for terms in labels.values():
        assert 2 <= len(terms) <= 4
        for term in terms:
            assert not set(term.split()) & {"propose", "results", "show", "novel", "paper"}


def test_phrase_preferred_to_its_word_and_exclude_respected():
    ranked = [("reinforcement", 1.0), ("learning", 0.9), ("reinforcement learning", 0.8), ("policy", 0.5)]
    assert pick_terms(ranked, max_terms=3) == ["reinforcement learning", "policy"]
    assert pick_terms(ranked, exclude={"reinforcement learning"}, max_terms=3) == ["policy"]
    assert pick_terms([*ranked, ("rl", 0.4), ("policies", 0.3), ("bandits", 0.2)], max_terms=4) == [
        "reinforcement learning", "policy", "bandits"
    ]  # fmt: skip


def test_max_terms_bounds_the_label():
    texts = [*TEXTS, "graph neural networks message passing on molecules and proteins"]
    labels = label_communities(texts, [0, 0, 0, 1, 1, 1, 0], max_terms=2)
    assert all(len(terms) <= 2 for terms in labels.values())
    assert labels[0] == ["graph neural networks", "message passing"]


def test_phrase_completed_as_papers_write_it():
    texts = [
        t.lower()
        for t in ("Large language models reason", "large language models act", "Large language models")
    ]
    assert complete_phrase("language models", texts, min_papers=3) == "large language models"
    assert complete_phrase("language models", texts[:2], min_papers=3) == "language models"


def test_terms_need_support_and_tiny_areas_are_unclustered():
    texts = [
        "bandits regret exploration bandits", "contextual bandits regret bounds", "bandits with regret",
        "quantum chip deliverables appealing", "graph neural networks", "graph neural networks pooling",
        "graph neural networks for chemistry",
    ]  # fmt: skip
    labels = label_communities(texts, [0, 0, 0, 1, 2, 2, 2], max_terms=3)
    assert labels[1] == [UNCLUSTERED]
    for key, members in ((0, texts[:3]), (2, texts[4:])):
        assert labels[key] and all(term_papers(t, members) >= min_term_papers(3) for t in labels[key])
    assert "exploration" not in labels[0] and "pooling" not in labels[2]


def test_centroid_closeness_reranks_candidates():
    # "kernel" and "sketch" are equally frequent and distinctive; only the embeddings tell them apart.
    texts = ["kernel", "kernel", "kernel", "sketch", "sketch", "sketch"] + ["vision transformers"] * 6
    membership = [0] * 6 + [1] * 6
    center, fringe = [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]
    others = [[0.0, 0.0, 1.0]] * 6
    kernel_central = np.array([center] * 4 + [fringe] * 2 + others)
    sketch_central = np.array([fringe] * 2 + [center] * 4 + others)
    assert label_communities(texts, membership, vectors=kernel_central, max_terms=1)[0] == ["kernel"]
    assert label_communities(texts, membership, vectors=sketch_central, max_terms=1)[0] == ["sketch"]


def test_label_set_names_one_set_against_the_rest():
    assert label_set(TEXTS, [False, False, False, True, True, True], max_terms=3) == [
        "reinforcement learning",
        "policy",
        "control",
    ]


def test_real_labels_distinct_per_level_and_free_of_boilerplate(neurips_graph):
    for level in ("communities", "subcommunities"):
        labels = [c["label"] for c in neurips_graph.graph[level] if c["label"] != UNCLUSTERED]
        assert len(labels) == len(set(labels)), level
        for c in neurips_graph.graph[level]:
            assert 1 <= len(c["terms"]) <= 4
            for term in c["terms"]:
                # "large" is boilerplate alone, but starts a field's name: "large language models".
                assert not set(term.split()) & (BOILERPLATE_WORDS - {"large"}), (level, c["label"])
    for c in neurips_graph.graph["communities"]:
        if c["size"] >= 30:
            assert 2 <= len(c["terms"]) <= 4, c


def test_real_areas_are_named_for_their_topics(neurips_graph):
    labels = " | ".join(c["label"] for c in neurips_graph.graph["communities"] if c["size"] >= 100)
    for topic in ("reinforcement learning", "language models", "graph neural networks", "bandit"):
        assert topic in labels, labels


def _members(G, attr):
    out = {}
    for n, c in G.nodes(data=attr):
        out.setdefault(c, []).append(n)
    return out


@pytest.mark.parametrize("level", ["communities", "subcommunities"])
def test_real_label_terms_are_used_by_papers_of_their_area(neurips_graph, level):
    G = neurips_graph
    members = _members(G, "community" if level == "communities" else "subcommunity")
    for c in G.graph[level]:
        if c["size"] < 3:
            assert c["terms"] == [UNCLUSTERED], c
            continue
        texts = node_texts(G, members[c["id"]])
        for term in c["terms"]:
            assert term_papers(term, texts) >= min_term_papers(c["size"]), (term, c["label"])


def test_real_labels_prefer_phrases_and_differ_from_parent_and_siblings(neurips_graph):
    G = neurips_graph
    top = sorted(G.graph["communities"], key=lambda c: -c["size"])[:10]
    terms = [t for c in top for t in c["terms"]]
    assert sum(" " in t or "-" in t for t in terms) >= 0.4 * len(terms), terms  # 9 of 30 before phrases
    areas = {c["id"]: c for c in G.graph["communities"]}
    by_parent = {}
    for s in G.graph["subcommunities"]:
        by_parent.setdefault(s["parent"], []).append(s)
    for parent, subs in by_parent.items():
        if len(subs) < 2:
            continue
        seen = set()
        for s in subs:
            assert not set(s["terms"]) & set(areas[parent]["terms"]), (s["label"], areas[parent]["label"])
            assert not set(s["terms"]) & seen, s["label"]
            seen |= set(s["terms"])


@pytest.fixture(scope="module")
def iclr_graph(shared_data):
    from bench_topic import build, iclr_papers

    papers, _, _ = iclr_papers(shared_data)
    return build(papers, seed=42, name="iclr")


def test_iclr_areas_named_as_the_curators_named_them(iclr_graph):
    labels = " | ".join(c["label"] for c in iclr_graph.graph["communities"])
    for curated in (
        "graph neural networks",
        "federated learning",
        "reinforcement learning",
        "generative",  # "Deep Generative Models"; seed 42 joins it with language models and vision
    ):
        assert curated in labels, labels


def test_closeness_gives_scipy_products_numbers(neurips_papers):
    """Closeness computes the centroid, dot products and squared lengths without scipy's products over
    a million columns (columns one member uses are added apart from the product); on real abstracts its
    numbers equal those products' up to the order of float additions."""
    import scipy.sparse as sp

    from graphx.build import labels
    from graphx.build.text import build_text_index

    index = build_text_index(neurips_papers[:3000])
    X, V = index.binary(), labels._unit_rows(index.X)
    rng = np.random.default_rng(0)
    compared = 0
    for size in (2, 40, 400, 2500):
        members = np.sort(rng.choice(X.shape[0], size, replace=False))
        uses = X[members]
        cols = np.flatnonzero(np.asarray(uses.sum(axis=0)).ravel() >= min(3, size))[:80]
        # The straightforward scipy products the function replaces.
        W = V[members]
        U = uses[:, cols].T.tocsr().astype(np.float64)
        users = np.maximum(np.asarray(U.sum(axis=1)).ravel(), 1)
        sums = U @ W
        centroid = sp.csr_matrix(np.full((1, W.shape[0]), 1 / W.shape[0])) @ W
        dots = np.asarray((sums @ centroid.T).todense()).ravel() / users
        sq = np.asarray(sums.multiply(sums).sum(axis=1)).ravel()
        denom = np.sqrt(sq) / users * max(float(np.sqrt(centroid.multiply(centroid).sum())), 1e-12)
        expected = np.clip(dots / np.where(denom > 0, denom, 1.0), 0.0, 1.0)
        found = labels._closeness_in(members, uses, V)(labels._users(uses, cols))
        np.testing.assert_allclose(found, expected, rtol=1e-12, atol=1e-15)
        compared += len(cols)
    assert compared > 100


def test_ranking_skips_candidates_that_cannot_reach_the_top(neurips_papers):
    """Candidates valued below the CANDIDATES best once scaled by closeness are not scaled at all, and
    the ranking of real communities is the one that scales every candidate."""
    from graphx.build import labels
    from graphx.build.text import build_text_index

    index = build_text_index(neurips_papers[:3000])
    X, V = index.binary(), labels._unit_rows(index.X)
    # Topical "areas": the papers using each of five terms (the first that applies), and the rest.
    membership = np.full(X.shape[0], 5)
    for k, term in reversed(list(enumerate(["reinforcement", "graph", "privacy", "bandit", "generative"]))):
        membership[X[:, index.terms.index(term)].nonzero()[0]] = k
    keys, scores, terms = labels.class_tfidf(None, membership.tolist(), matrix=(X, index.terms))
    skipped = 0
    for row, key in enumerate(keys):
        members = np.flatnonzero(membership == key)
        uses = X[members]
        ranked, _ = labels._ranked(scores, row, members, uses, V, terms)
        # Every candidate scaled, as before the bound.
        start, end = scores.indptr[row], scores.indptr[row + 1]
        cols, vals = scores.indices[start:end], scores.data[start:end]
        best = np.lexsort((cols, -vals))[: 2 * labels.CANDIDATES]
        cols, vals = cols[best], vals[best]
        scaled = vals * (0.5 + 0.5 * labels._closeness_in(members, uses, V)(labels._users(uses, cols)))
        order = np.lexsort((cols, -scaled))[: labels.CANDIDATES]
        assert ranked == [(terms[cols[t]], float(scaled[t])) for t in order]
        skipped += int((vals < np.sort(scaled[: labels.CANDIDATES]).min()).sum())
    assert skipped > 50
