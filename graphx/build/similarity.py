"""``similar`` edges: each paper's most similar papers by title and abstract.

TF-IDF (scikit-learn) over title + abstract, cosine similarity through a sparse top-k product
(``sparse_dot_topn``): memory grows with ``n * top_k``, never ``n * n``. Where papers carry SPECTER
embeddings the score blends the two cosines.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import networkx as nx
import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize
from sparse_dot_topn import sp_matmul_topn

from graphx.build.text import TextIndex, build_text_index
from graphx.paper import Paper

# sparse_dot_topn splits the product over threads (OpenMP); one per core.
N_THREADS = os.cpu_count() or 1
# Up to this many rows the top-k search is exact; above it, candidates skip the common columns:
# those held by more than COMMON_DF rows. An absolute cap keeps the candidate product's cost linear
# in the number of rows (a share of n would keep it quadratic). Measured on 25k synthetic papers:
# recall of the exact top-10 0.997, 5.8 s against 15.6 s exact.
EXACT_MAX_ROWS = 20_000
COMMON_DF = 1000
CANDIDATE_FACTOR = 3


def top_k_pairs(
    X: sp.csr_matrix,
    *,
    top_k: int,
    min_score: float,
    rows: np.ndarray | None = None,
    exact: bool | None = None,
) -> dict[tuple[int, int], float]:
    """Union of every row's ``top_k`` most cosine-similar rows, as ``{(i, j): score}`` with ``i < j``.

    Rows of ``X`` must be L2-normalised (non-negative entries give scores in [0, 1]). Self pairs and
    scores at or below ``min_score`` are dropped. Symmetric by construction. With ``rows``, only
    those rows look for neighbours (among all rows): what adding papers to a graph needs.

    Above EXACT_MAX_ROWS rows (or with ``exact=False``) neighbours are approximate: candidates come
    from the product without the columns held by more than COMMON_DF rows (they dominate the cost,
    ``sum(df^2)``, and carry little weight), then every candidate is rescored exactly.
    Scores stay exact cosines; only a pair whose similarity rests on common terms may be missed
    (recall is measured by benchmarks/bench_scale.py).

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> X = sp.csr_matrix([[1.0, 0.0], [0.6, 0.8], [0.0, 1.0]], dtype="float32")
    >>> sorted((k, round(v, 2)) for k, v in top_k_pairs(X, top_k=1, min_score=0.1).items())
    [((0, 1), 0.6), ((1, 2), 0.8)]
    """
    n = X.shape[0]
    if n < 2 or X.shape[1] == 0:
        return {}
    X = X.astype(np.float32).tocsr()
    query = np.arange(n) if rows is None else np.asarray(rows)
    if exact is None:
        exact = n <= EXACT_MAX_ROWS
    if exact:
        C = sp_matmul_topn(X[query], X.T.tocsr(), top_n=top_k + 1, threshold=min_score, n_threads=N_THREADS)
        C = C.tocoo()
        src, cols, vals = query[C.row], C.col, C.data
    else:
        df = np.bincount(X.indices, minlength=X.shape[1])
        common = df > COMMON_DF
        rare = X[:, ~common].tocsr()
        top_n = CANDIDATE_FACTOR * top_k + 1
        C = sp_matmul_topn(rare[query], rare.T.tocsr(), top_n=top_n, n_threads=N_THREADS).tocoo()
        src, cols = query[C.row], C.col
        vals = C.data + _row_dots(X[:, common].tocsr(), src, cols)
    keep = (src != cols) & (vals > min_score)
    src, cols, vals = src[keep], cols[keep], np.clip(vals[keep], 0.0, 1.0)
    # A row with exact ties may not have had its own entry among its top_k + 1: cap each row at top_k.
    order = np.lexsort((-vals, src))
    src, cols, vals = src[order], cols[order], vals[order]
    rank = np.arange(len(src)) - np.searchsorted(src, src)
    keep = rank < top_k
    pairs: dict[tuple[int, int], float] = {}
    for i, j, s in zip(src[keep].tolist(), cols[keep].tolist(), vals[keep].tolist(), strict=True):
        key = (i, j) if i < j else (j, i)
        pairs[key] = max(pairs.get(key, 0.0), s)
    return pairs


def _row_dots(X: sp.csr_matrix, left: np.ndarray, right: np.ndarray, chunk: int = 200_000) -> np.ndarray:
    """``X[left[t]] . X[right[t]]`` for every t, in chunks (memory: chunk rows of X at a time)."""
    out = np.zeros(len(left), dtype=np.float32)
    for start in range(0, len(left), chunk):
        a, b = X[left[start : start + chunk]], X[right[start : start + chunk]]
        out[start : start + chunk] = np.asarray(a.multiply(b).sum(axis=1)).ravel()
    return out


def embedding_matrix(papers: Sequence[Paper]) -> tuple[np.ndarray, np.ndarray] | None:
    """(row indices of papers with an embedding, their L2-normalised vectors), or None if none has one."""
    # A vector holding NaN or inf (a broken export) would poison every score it touches: left out.
    idx = [i for i, p in enumerate(papers) if p.embedding and np.isfinite(p.embedding).all()]
    if len(idx) < 2:
        return None
    dims = {len(papers[i].embedding) for i in idx}
    if len(dims) != 1:
        # Mixed models (SPECTER v1 768-d next to something else) cannot be compared.
        dim = max(dims, key=lambda d: sum(len(papers[i].embedding) == d for i in idx))
        idx = [i for i in idx if len(papers[i].embedding) == dim]
    E = np.asarray([papers[i].embedding for i in idx], dtype=np.float32)
    return np.asarray(idx), normalize(E)


def similarity_edges(
    papers: Sequence[Paper],
    *,
    top_k: int,
    min_score: float,
    embedding_weight: float,
    index: TextIndex | None = None,
) -> list[tuple[str, str, float]]:
    """Each paper's ``top_k`` most similar papers, as ``(id_u, id_v, score)`` with a score in (0, 1].

    Scores are TF-IDF cosines of title + abstract. Where both papers carry an embedding, the score is
    ``(1 - embedding_weight) * tfidf + embedding_weight * embedding`` (``embedding_weight=1``:
    embeddings alone); candidates come from the top-k lists of both measures.

    Parameters
    ----------
    papers : sequence of Paper
    top_k : int
        Neighbours kept per paper (the union over papers is returned, so degrees can exceed it).
    min_score : float
        Pairs at or below this score are not linked.
    embedding_weight : float
        Share of the embedding cosine in the blended score, in [0, 1].
    index : TextIndex, optional
        The papers' TF-IDF index, if already built (one row per paper, same order).
    """
    X = (index or build_text_index(papers)).X
    pairs = top_k_pairs(X, top_k=top_k, min_score=min_score)
    emb = embedding_matrix(papers)
    if emb is not None and embedding_weight > 0:
        pairs = _blend(X, pairs, emb, top_k=top_k, min_score=min_score, weight=embedding_weight)
    ids = [p.id for p in papers]
    return [(ids[i], ids[j], float(s)) for (i, j), s in sorted(pairs.items())]


def add_similarity_edges(G: nx.MultiDiGraph, papers: Sequence[Paper], **kwargs) -> int:
    """Add :func:`similarity_edges` to ``G`` as ``similar`` edges; returns how many."""
    edges = similarity_edges(papers, **kwargs)
    G.add_edges_from((u, v, "similar", {"kind": "similar", "weight": s}) for u, v, s in edges)
    return len(edges)


def _blend(
    X: sp.csr_matrix,
    tfidf_pairs: dict[tuple[int, int], float],
    emb: tuple[np.ndarray, np.ndarray],
    *,
    top_k: int,
    min_score: float,
    weight: float,
) -> dict[tuple[int, int], float]:
    idx, E = emb
    emb_pairs = _dense_top_k_pairs(E, top_k=top_k)
    has_emb = np.zeros(X.shape[0], dtype=bool)
    has_emb[idx] = True
    row_of = {int(i): r for r, i in enumerate(idx)}
    candidates = set(tfidf_pairs) | {(int(idx[a]), int(idx[b])) for a, b in emb_pairs}
    scored: dict[int, list[tuple[float, int, tuple[int, int]]]] = {}
    for i, j in candidates:
        text = tfidf_pairs.get((i, j))
        if text is None:
            text = float(X[i].multiply(X[j]).sum())
        if has_emb[i] and has_emb[j]:
            vec = float(np.clip(E[row_of[i]] @ E[row_of[j]], 0.0, 1.0))
            score = (1.0 - weight) * text + weight * vec
        else:
            score = text
        if score > min_score:
            scored.setdefault(i, []).append((score, j, (i, j)))
            scored.setdefault(j, []).append((score, i, (i, j)))
    out: dict[tuple[int, int], float] = {}
    for entries in scored.values():
        entries.sort(key=lambda e: (-e[0], e[1]))
        for score, _, key in entries[:top_k]:
            out[key] = min(1.0, score)
    return out


def _dense_top_k_pairs(E: np.ndarray, *, top_k: int, chunk_rows: int = 2048) -> set[tuple[int, int]]:
    """Top-k cosine neighbours of dense normalised rows, in chunks (memory: chunk_rows x n)."""
    n = E.shape[0]
    k = min(top_k, n - 1)
    out: set[tuple[int, int]] = set()
    for start in range(0, n, chunk_rows):
        S = E[start : start + chunk_rows] @ E.T
        rows = np.arange(S.shape[0])
        S[rows, rows + start] = -np.inf
        nearest = np.argpartition(-S, k - 1, axis=1)[:, :k]
        for r, js in enumerate(nearest):
            i = start + r
            out.update((min(i, j), max(i, j)) for j in js.tolist())
    return out
