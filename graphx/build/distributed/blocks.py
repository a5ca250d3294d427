"""Top-k searches in row blocks: each Dask task finds the neighbours of one block of rows among all rows.

A task calls the local engine's own :func:`graphx.build.similarity.top_k_pairs` with ``rows=`` (the
per-block entry point it already has for incremental builds), so a row's neighbours are the ones the
local engine finds, whatever the blocks. Memory per task: the matrix (read once per worker process
from the engine's work folder, then kept) plus ``block rows * top_k`` pairs; the pairs go back to
the client as arrays, never ``n x n``.

The work folder must be readable by every worker: a local folder for a ``LocalCluster``, a shared
file system (NFS, a mounted bucket) for workers on other machines.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from graphx.build.similarity import EXACT_MAX_ROWS, _dense_dots, _row_dots, top_k_pairs

# Matrices a worker process has read, by file: every block task of a stage reuses them.
_CACHE: dict[str, object] = {}
_LOCK = threading.Lock()


def cached(key: str, load):
    """``load()`` once per worker process and key (stages clear their keys with :func:`forget`)."""
    with _LOCK:
        if key not in _CACHE:
            _CACHE[key] = load()
        return _CACHE[key]


def forget(prefix: str) -> int:
    """Drop cached matrices whose key starts with ``prefix``; returns how many (run on every worker)."""
    with _LOCK:
        keys = [k for k in _CACHE if k.startswith(prefix)]
        for k in keys:
            del _CACHE[k]
    return len(keys)


def stacked_csr(paths: list[str]) -> sp.csr_matrix:
    # copy=False: the stacked matrix is already float32; a copy was one more matrix while loading.
    return sp.vstack([sp.load_npz(p) for p in paths], format="csr").astype(np.float32, copy=False)


def stacked_dense(paths: list[str]) -> np.ndarray:
    return np.concatenate([np.load(p) for p in paths]).astype(np.float32)


def strength_block(matrix: str, start: int, stop: int, *, top_k: int, min_score: float) -> tuple:
    """``top_k_pairs`` of rows ``start:stop`` of the saved matrix, as arrays ``(i, j, score)``, i < j."""
    X = cached(matrix, lambda: sp.load_npz(matrix).tocsr().astype(np.float32))
    pairs = top_k_pairs(X, top_k=top_k, min_score=min_score, rows=np.arange(start, stop))
    return _arrays(pairs)


def similar_block(
    tfidf_parts: list[str],
    embedding_parts: list[str] | None,
    start: int,
    stop: int,
    *,
    top_k: int,
    text_embedding_weight: float,
) -> tuple:
    """Candidate similar pairs of rows ``start:stop`` with their blended scores, as arrays (i < j).

    As :func:`graphx.build.similarity.similarity_edges` without SPECTER vectors: TF-IDF top-k candidates
    (and, up to EXACT_MAX_ROWS papers, the local embedding's top-k), each scored
    ``(1 - w) * tfidf + w * embedding`` cosine. The selection of each paper's ``top_k`` best runs on
    the client over all blocks' candidates (a pair's two papers may sit in two blocks).
    """
    X = cached("tfidf:" + tfidf_parts[0], lambda: stacked_csr(tfidf_parts))
    E = None
    if embedding_parts:
        E = cached("embedding:" + embedding_parts[0], lambda: stacked_dense(embedding_parts))
    rows = np.arange(start, stop)
    n = X.shape[0]
    i, j, known = _arrays(top_k_pairs(X, top_k=top_k, min_score=0.0, rows=rows))
    if E is not None and n <= EXACT_MAX_ROWS:
        a, b = _dense_block_top_k(E, rows, top_k=top_k)
        i, j = np.concatenate([i, np.minimum(a, b)]), np.concatenate([j, np.maximum(a, b)])
        known = np.concatenate([known, np.full(len(a), -1.0, dtype=np.float32)])
        codes, first = np.unique(i * n + j, return_index=True)
        i, j, known = codes // n, codes % n, known[first]
        missing = known < 0
        known[missing] = _row_dots(X, i[missing], j[missing])
    score = known.astype(np.float32)
    if E is not None:
        dots = _dense_dots(E, i, j)  # in chunks: E[i] of a 50k-row block's pairs would be gigabytes
        score = (1.0 - text_embedding_weight) * score + text_embedding_weight * dots
    return i, j, np.clip(score, 0.0, 1.0).astype(np.float32)


def _dense_block_top_k(E: np.ndarray, rows: np.ndarray, *, top_k: int, chunk_cells: int = 10_000_000):
    """Each of ``rows``' ``top_k`` nearest rows of ``E`` by dot product (as ``_dense_top_k_pairs``)."""
    n = E.shape[0]
    k = min(top_k, n - 1)
    if k < 1 or len(rows) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    step = max(1, chunk_cells // n)
    src, dst = [], []
    for s in range(0, len(rows), step):
        chunk = rows[s : s + step]
        S = E[chunk] @ E.T
        S[np.arange(len(chunk)), chunk] = -np.inf
        found = np.argpartition(-S, k - 1, axis=1)[:, :k]
        src.append(np.repeat(chunk, k))
        dst.append(found.ravel())
    return np.concatenate(src).astype(np.int64), np.concatenate(dst).astype(np.int64)


def _arrays(pairs: dict[tuple[int, int], float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if not pairs:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0, dtype=np.float32)
    keys = np.fromiter((x for p in pairs for x in p), dtype=np.int64, count=2 * len(pairs)).reshape(-1, 2)
    return keys[:, 0], keys[:, 1], np.fromiter(pairs.values(), dtype=np.float32, count=len(pairs))


def save_matrix(path: Path, M: sp.csr_matrix) -> str:
    sp.save_npz(path, M, compressed=False)
    return str(path)
