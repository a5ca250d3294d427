"""Synthetic corpora: seeded, well-formed, citing backwards, with topics a build can recover."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from graphx.build.pipeline import build_graph
from graphx.options import BuildOptions
from graphx.synthetic import ABSTRACT_WORDS, TITLE_WORDS, generate_corpus, paper_id, paper_topics

# Measured on seeds 0-2 at 2,000 papers (22 topics): 0.943, 0.947, 0.957; pseudo-words 0.944.
MIN_ADJUSTED_RAND = 0.85


@pytest.fixture(scope="module")
def corpus():
    return generate_corpus(1500, seed=3)


def test_same_seed_same_corpus():
    assert generate_corpus(300, seed=7) == generate_corpus(300, seed=7)


def test_different_seed_different_corpus():
    a, b = generate_corpus(300, seed=7), generate_corpus(300, seed=8)
    assert [p.title for p in a] != [p.title for p in b]
    assert [p.references for p in a] != [p.references for p in b]


def test_ids_years_and_text_lengths(corpus):
    assert [p.id for p in corpus] == [paper_id(i) for i in range(len(corpus))]
    years = [p.year for p in corpus]
    assert years == sorted(years) and 1990 <= years[0] and years[-1] <= 2025
    # Growth over time: the last decade holds more papers than the first.
    assert sum(y >= 2016 for y in years) > 3 * sum(y < 2000 for y in years)
    for p in corpus:
        assert TITLE_WORDS[0] <= len(p.title.split()) <= TITLE_WORDS[1]
        assert ABSTRACT_WORDS[0] <= len(p.abstract.split()) <= ABSTRACT_WORDS[1]
        assert 1 <= len(p.authors) <= 8


def test_citations_point_backwards_or_outside(corpus):
    index = {p.id: i for i, p in enumerate(corpus)}
    for i, p in enumerate(corpus):
        assert len(set(p.references)) == len(p.references)
        for ref in p.references:
            if ref in index:
                assert index[ref] < i and corpus[index[ref]].year <= p.year
            else:
                assert ref.startswith("ext-")


def test_reference_counts_and_topic_locality(corpus):
    topic = paper_topics(len(corpus), seed=3)
    index = {p.id: i for i, p in enumerate(corpus)}
    refs = [len(p.references) for p in corpus]
    # ~10 drawn per paper; early papers lose the ones with nothing earlier to cite.
    assert 6 <= np.mean(refs) <= 11
    inside = [(i, index[r]) for i, p in enumerate(corpus) for r in p.references if r in index]
    outside = sum(r.startswith("ext-") for p in corpus for r in p.references)
    assert 0.05 < outside / (outside + len(inside)) < 0.3
    same_topic = np.mean([topic[i] == topic[j] for i, j in inside])
    assert same_topic > 0.6
    # Preferential attachment: a heavy tail of in-set citations.
    in_counts = np.bincount([j for _, j in inside], minlength=len(corpus))
    assert in_counts.max() > 10 * max(in_counts.mean(), 1)


def test_pseudo_words_without_data():
    papers = generate_corpus(100, seed=1, words_file=None)
    assert len(papers) == 100 and all(p.abstract for p in papers)
    assert generate_corpus(100, seed=1, words_file="/nonexistent.jsonl") == papers


def test_edge_cases():
    assert generate_corpus(0) == []
    assert len(generate_corpus(1)) == 1
    assert len(generate_corpus(40, n_topics=1)) == 40
    with pytest.raises(ValueError):
        generate_corpus(-1)


def test_topics_recoverable_by_build():
    n = 2000
    papers = generate_corpus(n, seed=0)
    G = build_graph(papers, BuildOptions(seed=42))
    found = [G.nodes[p.id]["community"] for p in papers]
    assert adjusted_rand_score(paper_topics(n, seed=0), found) >= MIN_ADJUSTED_RAND
