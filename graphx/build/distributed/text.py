"""TF-IDF by partition with a vocabulary found in one pass: 62-bit term keys, frequencies summed.

The local engine fits a ``TfidfVectorizer``: a vocabulary of term strings over every text, then a
second pass to transform. Here each partition tokenises its texts once with the same analyser
(:func:`graphx.build.text.analyze`: the same words and phrases) and turns each term into a 62-bit key
(two 31-bit murmurhash3 values, scikit-learn's feature hasher with seeds 0 and 1); it keeps its
``(row, key, count)`` triples on disk and returns its document frequencies by key. The frequencies
are summed on the workers, one task per range of keys (:func:`key_buckets`), and pruned as the local
engine prunes (``min_df`` 2,
``max_df`` 0.5), and the sorted kept keys are the vocabulary: each partition then builds its rows
with the local engine's IDF (smoothed) and sublinear TF, L2-normalised. The result is the local
engine's matrix up to column order and 62-bit key collisions (about 1 in 10^8 at 100M distinct
terms). A 2^24-column ``HashingVectorizer`` was tried first: terms seen once (pruned by the local
engine) then share columns with kept terms, and only 0.956 of the local similar edges were found at
10k papers (this scheme: see docs/scaling.md).

Term names for labels come from per-area samples (:func:`term_keys` of the sampled texts' terms).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction._hashing_fast import transform as _hash_transform
from sklearn.preprocessing import normalize

from graphx.build.text import MAX_DOC_FREQ, _term_counts

HALF_BITS = 31
_MOD = 2**HALF_BITS - 1


def texts_of(titles, abstracts) -> list[str]:
    """Title and abstract as :func:`graphx.build.text.paper_text` joins them."""
    return [f"{t}. {a if isinstance(a, str) else ''}" for t, a in zip(titles, abstracts, strict=True)]


def term_keys(term_lists: Sequence[Sequence[str]]) -> tuple[np.ndarray, np.ndarray]:
    """``(indptr, keys)``: the 62-bit key of every term of every list, in order.

    >>> indptr, keys = term_keys([["graph", "neural"], ["graph"]])
    >>> indptr.tolist(), bool(keys[0] == keys[2]), bool(keys[0] != keys[1])
    ([0, 2, 3], True, True)
    """
    halves = []
    for seed in (0, 1):
        pairs = ([(t, 1) for t in terms] for terms in term_lists)
        indices, indptr, _ = _hash_transform(pairs, _MOD, np.float32, False, seed=seed)
        halves.append(np.asarray(indices, dtype=np.int64))
    return np.asarray(indptr, dtype=np.int64), (halves[0] << HALF_BITS) | halves[1]


def count_terms(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(row, key, count)`` of every distinct term of every text, sorted by row then key.

    The terms of :func:`graphx.build.text.analyze`, counted as the local engine counts them
    (:func:`graphx.build.text._term_counts`: one regex pass per text, phrases formed by numpy), and
    each distinct term hashed once: ~2x faster than analysing and hashing text by text."""
    counts, term = _term_counts(texts)
    counts = sp.coo_matrix(counts)
    _, column_keys = term_keys([[term(c) for c in range(counts.shape[1])]])
    rows, keys, values = counts.row.astype(np.int64), column_keys[counts.col], counts.data
    order = np.lexsort((keys, rows))
    rows, keys, values = rows[order], keys[order], values[order]
    new = np.ones(len(rows), dtype=bool)
    new[1:] = (rows[1:] != rows[:-1]) | (keys[1:] != keys[:-1])
    starts = np.flatnonzero(new)  # two terms of one 62-bit key (1 in 10^8) count as one, as before
    summed = np.add.reduceat(values, starts) if len(starts) else values
    return rows[starts], keys[starts], summed.astype(np.float32)


def document_frequencies(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(sorted distinct keys, papers using each) of one partition's distinct (row, key) pairs."""
    uniq, counts = np.unique(keys, return_counts=True)
    return uniq, counts.astype(np.int64)


def merge_frequencies(*parts: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Sum of document frequencies by key (one node of the tree of merges)."""
    keys = np.concatenate([p[0] for p in parts])
    uniq, inverse = np.unique(keys, return_inverse=True)
    counts = np.bincount(inverse, weights=np.concatenate([p[1] for p in parts]), minlength=len(uniq))
    return uniq, counts.astype(np.int64)


def key_buckets(keys: np.ndarray, df: np.ndarray, n_buckets: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Sorted ``keys`` (and their frequencies) cut into ``n_buckets`` ranges of the key space: bucket
    ``b`` of every partition is merged by one task, so no task holds every distinct term."""
    bounds = np.searchsorted(keys, [(b << 62) // n_buckets for b in range(1, n_buckets)])
    cuts = [0, *bounds.tolist(), len(keys)]
    return [(keys[a:b], df[a:b]) for a, b in zip(cuts[:-1], cuts[1:], strict=True)]


def vocabulary(keys: np.ndarray, df: np.ndarray, n_docs: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(kept keys, their document frequencies, IDF or 0 where TF-IDF prunes the term).

    Kept: terms of at least 2 papers (with 3 or more), as both the local TF-IDF and label term
    matrices keep; the IDF (scikit-learn's smoothed formula) is 0 for terms of more than
    MAX_DOC_FREQ of the papers (with 20 or more), which TF-IDF drops and labels keep.
    """
    min_df = 2 if n_docs >= 3 else 1
    max_df = MAX_DOC_FREQ if n_docs >= 20 else 1.0
    keep = df >= min_df
    keys, df = keys[keep], df[keep]
    idf = np.log((1.0 + n_docs) / (1.0 + df)) + 1.0
    idf = np.where(df <= max_df * n_docs, idf, 0.0).astype(np.float32)
    return keys, df, idf


def columns(vocab: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Column of each key in the sorted ``vocab``, -1 for keys not in it."""
    if len(vocab) == 0:
        return np.full(len(keys), -1, dtype=np.int64)
    at = np.minimum(np.searchsorted(vocab, keys), len(vocab) - 1)
    return np.where(vocab[at] == keys, at, -1)


def count_matrix(rows, keys, counts, n_rows: int, vocab: np.ndarray) -> sp.csr_matrix:
    """Raw counts over the vocabulary's columns (terms outside it dropped)."""
    cols = columns(vocab, keys)
    inside = cols >= 0
    return sp.csr_matrix(
        (counts[inside], (rows[inside], cols[inside])), shape=(n_rows, len(vocab)), dtype=np.float32
    )


def tfidf_rows(C: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """Sublinear TF times IDF, pruned columns dropped, rows L2-normalised (float32)."""
    X = C.copy()
    X.data = (1.0 + np.log(X.data)) * idf[X.indices]
    X.eliminate_zeros()
    return normalize(X).astype(np.float32).tocsr()


def save_terms(path: Path, rows, keys, counts) -> None:
    np.savez(path, rows=rows.astype(np.int32), keys=keys, counts=counts)


def load_terms(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    with np.load(path) as f:
        return f["rows"].astype(np.int64), f["keys"], f["counts"]
