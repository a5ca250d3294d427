"""labels: class-based distinctive terms, distinct per level, no boilerplate."""

from __future__ import annotations

import pytest

from graphx.build.labels import label_communities, pick_terms
from graphx.build.text import BOILERPLATE_WORDS

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
        0: ["graph neural", "message passing", "networks"],
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


def test_real_labels_distinct_per_level_and_free_of_boilerplate(neurips_graph):
    for level in ("communities", "subcommunities"):
        labels = [c["label"] for c in neurips_graph.graph[level]]
        assert len(labels) == len(set(labels)), level
        for c in neurips_graph.graph[level]:
            assert 1 <= len(c["terms"]) <= 4
            for term in c["terms"]:
                assert not set(term.split()) & BOILERPLATE_WORDS, (level, c["label"])
    for c in neurips_graph.graph["communities"]:
        if c["size"] >= 30:
            assert 2 <= len(c["terms"]) <= 4, c


def test_real_areas_are_named_for_their_topics(neurips_graph):
    labels = " | ".join(c["label"] for c in neurips_graph.graph["communities"] if c["size"] >= 100)
    for topic in ("reinforcement learning", "language models", "graph neural", "bandit"):
        assert topic in labels, labels


@pytest.mark.parametrize("max_terms", [2, 3, 4])
def test_max_terms_bounds_the_label_length(max_terms):
    ranked = [("graph", 5.0), ("molecules", 4.0), ("message passing", 3.0), ("chemistry", 2.0), ("drug", 1.0)]
    chosen = pick_terms(ranked, max_terms=max_terms)
    assert chosen == ["graph", "molecules", "message passing", "chemistry"][:max_terms]
