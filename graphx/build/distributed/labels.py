"""Area and sub-area labels from hashed term counts summed by group, named from per-area samples.

The local engine counts, per community, the papers using each term (a sparse product over a fitted
vocabulary) and ranks terms by class-based TF-IDF (:func:`graphx.build.labels.class_scores`). Here
the counts come from the term rows each partition already wrote (:mod:`.text`): a group-by sum
``area x column`` per partition, summed on the client, exact for every column. Columns have no names;
names come from a sample of each sub-area's texts (``SAMPLE_PER_GROUP`` papers, seeded): every term
the sample uses is keyed as the partitions key them (:func:`.text.term_keys`), which names its column.
A column no sampled paper uses cannot name the area anyway (a label term must be used by a share of
its papers). The same samples complete phrases as the local engine does (:func:`labels._extend`).

Simplified against the local engine, and why: the closeness re-ranking (a candidate term's papers
against the area's centroid) needs every member's TF-IDF row on one node; at a million papers that is
the whole matrix, so candidates are ranked by c-TF-IDF alone. Measured effect at 10k papers: see
docs/scaling.md.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence

import numpy as np
import scipy.sparse as sp

from graphx.build.distributed.text import columns, term_keys
from graphx.build.labels import (
    CANDIDATES,
    MIN_AREA_PAPERS,
    UNCLUSTERED,
    _secondary_label,
    class_scores,
    min_term_papers,
    normalise_text,
    phrase_completer,
    unique_label,
)
from graphx.build.text import analyze

SAMPLE_PER_GROUP = 60  # at 100k papers 200 made naming the stage's cost (70k texts tokenised again)


def group_counts(C: sp.csr_matrix, groups: np.ndarray, n_groups: int) -> sp.csr_matrix:
    """Papers of each group using each column: ``groups[i]`` is row ``i``'s group (one partition)."""
    B = C.copy()
    B.data = np.ones_like(B.data, dtype=np.float64)
    M = sp.csr_matrix((np.ones(len(groups)), (groups, np.arange(len(groups)))), shape=(n_groups, len(groups)))
    return (M @ B).tocsr()


def sample_rows(groups: np.ndarray, per_group: int = SAMPLE_PER_GROUP, seed: int = 0) -> np.ndarray:
    """Up to ``per_group`` rows of each group, drawn with ``seed``, sorted."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(groups))
    g = groups[order]
    by = np.argsort(g, kind="stable")
    g, rows = g[by], order[by]
    rank = np.arange(len(g)) - np.searchsorted(g, g)
    return np.sort(rows[rank < per_group])


def column_names(texts: Sequence[str], vocab: np.ndarray) -> dict[int, str]:
    """Column of the vocabulary -> its term, for every term of ``texts`` in the vocabulary."""
    terms = [sorted(set(analyze(t))) for t in texts]
    _, keys = term_keys(terms)
    cols = columns(vocab, keys)
    flat = [t for group in terms for t in group]
    return {int(c): flat[i] for i, c in enumerate(cols.tolist()) if c >= 0}


def name_columns(counts: sp.csr_matrix, names: Mapping[int, str]) -> tuple[sp.csr_matrix, list[str]]:
    """The named columns of ``counts`` only, with their names."""
    cols = np.array(sorted(names), dtype=np.int64)
    return counts[:, cols].tocsr(), [names[c] for c in cols.tolist()]


def label_groups(
    counts: sp.csr_matrix,
    terms: Sequence[str],
    keys: Sequence[Hashable],
    sizes: np.ndarray,
    samples: Mapping[Hashable, list[str]],
    *,
    max_terms: int,
    exclude: Mapping[Hashable, set[str]] | None = None,
    taken: set[str] | None = None,
) -> dict[Hashable, list[str]]:
    """Distinct labels of the groups ``keys`` (rows of ``counts``), as
    :func:`graphx.build.labels.label_communities` picks them. ``samples`` holds each group's sampled
    texts in :func:`graphx.build.labels.normalise_text` form."""
    taken = set() if taken is None else taken
    exclude = exclude or {}
    scores = class_scores(counts, sizes, terms)
    total = int(np.sum(sizes))
    labels: dict[Hashable, list[str]] = {}
    for row in sorted(range(len(keys)), key=lambda r: (-sizes[r], r)):
        key = keys[row]
        if sizes[row] < MIN_AREA_PAPERS and total > sizes[row]:
            labels[key] = [UNCLUSTERED]
            continue
        start, end = scores.indptr[row], scores.indptr[row + 1]
        cols, vals = scores.indices[start:end], scores.data[start:end]
        best = np.lexsort((cols, -vals))[:CANDIDATES]
        ranked = [(terms[cols[t]], float(vals[t])) for t in best]
        complete = _completer(samples.get(key, []))
        labels[key] = unique_label(
            ranked, key, taken, exclude.get(key, set()), max_terms=max_terms, complete=complete
        )
    return labels


def _completer(texts: list[str]):
    return phrase_completer(lambda term: texts, min_term_papers(len(texts)) if texts else 1)


def label_two_levels(
    area_counts: sp.csr_matrix,
    sub_counts: sp.csr_matrix,
    area_sizes: np.ndarray,
    sub_sizes: np.ndarray,
    parent: Mapping[int, int],
    sub_texts: Mapping[int, list[str]],
    names: Mapping[int, str],
    *,
    max_terms: int,
) -> tuple[dict[int, list[str]], dict[int, list[str]]]:
    """Labels of areas (rows of ``area_counts``) and sub-areas (rows of ``sub_counts``), as
    :func:`graphx.build.labels.annotate` names them: areas against all areas, each area's sub-areas
    against their siblings without repeating the area's terms, labels distinct at each level.
    ``sub_texts`` holds each sub-area's sampled texts (title and abstract), ``names`` the term of
    each column they use (:func:`column_names`)."""
    A, terms = name_columns(area_counts, names)
    S, _ = name_columns(sub_counts, names)
    normalised = {s: [normalise_text(t) for t in group] for s, group in sub_texts.items()}
    area_texts: dict[int, list[str]] = defaultdict(list)
    for s, group in normalised.items():
        area_texts[parent[s]].extend(group)
    # An area's texts: its sub-areas' samples, interleaved, at most SAMPLE_PER_GROUP (phrases are
    # completed from a share of the texts using them: a sample serves).
    for a, group in area_texts.items():
        area_texts[a] = group[:: max(1, len(group) // SAMPLE_PER_GROUP)][:SAMPLE_PER_GROUP]
    areas = list(range(A.shape[0]))
    area_labels = label_groups(A, terms, areas, area_sizes, area_texts, max_terms=max_terms)
    sub_labels: dict[int, list[str]] = {}
    taken: set[str] = set()
    children: dict[int, list[int]] = defaultdict(list)
    for s in sorted(parent):
        children[parent[s]].append(s)
    for a in areas:
        subs = children[a]
        if len(subs) == 1:
            sub_labels[subs[0]] = _secondary_label(area_labels[a], taken)
            continue
        sub_labels.update(
            label_groups(
                S[subs], terms, subs, sub_sizes[subs], normalised,
                exclude={s: set(area_labels[a]) for s in subs}, taken=taken, max_terms=max_terms,
            )
        )  # fmt: skip
    return area_labels, sub_labels
