"""``similar`` edges: each paper's most similar papers by title and abstract.

TF-IDF (scikit-learn) over title + abstract, cosine similarity through a sparse top-k product
(``sparse_dot_topn``): memory grows with ``n * top_k``, never ``n * n``. Where papers carry SPECTER
embeddings the score blends the two cosines; where they do not, it blends TF-IDF with a local semantic
embedding (:mod:`graphx.embedding`), which links papers that say one thing in different words.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize
from sparse_dot_topn import sp_matmul_topn

from graphx.build import embedding, transformer
from graphx.build.edgearrays import unique_sorted
from graphx.build.text import TextIndex, build_text_index, paper_text
from graphx.paper import Paper

if TYPE_CHECKING:
    from graphx.build.parallel import Kept

# sparse_dot_topn splits the product over threads (OpenMP); one per core.
N_THREADS = os.cpu_count() or 1
# Up to this many rows the top-k search is exact; above it, candidates skip the common columns:
# those held by more than COMMON_DF rows. An absolute cap keeps the candidate product's cost linear
# in the number of rows (a share of n would keep it quadratic). Measured on synthetic papers (seed 0):
# at 25k, recall of the exact top-10 (scores > 0.1) 0.951 (benchmarks/bench_scale.py); at 100k, 0.70
# of each paper's exact top-20 are among its candidates, and 0.58 of its top-20 by the blended score
# (the local embedding finds no candidates above EXACT_MAX_ROWS): the product costs ~21 s CPU there,
# one term more common than the cap (2,000) gives 0.92 for ~1.4x the cost.
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
    reorder: bool = False,
) -> dict[tuple[int, int], float]:
    """Union of every row's ``top_k`` most cosine-similar rows, as ``{(i, j): score}`` with ``i < j``.

    Rows of ``X`` must be L2-normalised (non-negative entries give scores in [0, 1]). Self pairs and
    scores at or below ``min_score`` are dropped. Symmetric by construction. With ``rows``, only
    those rows look for neighbours (among all rows): what adding papers to a graph needs.

    Above EXACT_MAX_ROWS rows (or with ``exact=False``) neighbours are approximate: candidates come
    from the product without the columns held by more than COMMON_DF rows (they dominate the cost,
    ``sum(df^2)``, and carry little weight), then every candidate is rescored exactly.
    Scores stay exact cosines; only a pair whose similarity rests on common terms may be missed
    (recall is measured by benchmarks/bench_scale.py). :func:`top_k_arrays` gives the same pairs as
    arrays.

    ``reorder`` runs that approximate product on rows grouped by their heaviest common term (25% less
    CPU at 100k papers; TF-IDF cosines tie so rarely that the lists match but for a few pairs in a
    million) and settles equal scores by the lower neighbour. Off by default: citation strengths are
    full of ties, and their lists stay what they always were.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> X = sp.csr_matrix([[1.0, 0.0], [0.6, 0.8], [0.0, 1.0]], dtype="float32")
    >>> sorted((k, round(v, 2)) for k, v in top_k_pairs(X, top_k=1, min_score=0.1).items())
    [((0, 1), 0.6), ((1, 2), 0.8)]
    """
    src, cols, vals = _top_k_lists(
        X, top_k=top_k, min_score=min_score, rows=rows, exact=exact, reorder=reorder
    )
    i, j, best, first = _undirected(src, cols, vals, X.shape[0])
    order = np.argsort(first, kind="stable")  # the order pairs were first found in, as ever
    keys = zip(i[order].tolist(), j[order].tolist(), strict=True)
    return dict(zip(keys, best[order].tolist(), strict=True))


def top_k_arrays(
    X: sp.csr_matrix,
    *,
    top_k: int,
    min_score: float,
    rows: np.ndarray | None = None,
    exact: bool | None = None,
    reorder: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`top_k_pairs` as arrays ``(i, j, score)``, ``i < j``, sorted by ``(i, j)``; float32 scores.

    No Python object per pair: 1.6M pairs of 100k papers cost ~3 s as a dict.

    >>> import scipy.sparse as sp
    >>> X = sp.csr_matrix([[1.0, 0.0], [0.6, 0.8], [0.0, 1.0]], dtype="float32")
    >>> i, j, s = top_k_arrays(X, top_k=1, min_score=0.1)
    >>> i.tolist(), j.tolist(), [round(float(v), 2) for v in s]
    ([0, 1], [1, 2], [0.6, 0.8])
    """
    src, cols, vals = _top_k_lists(
        X, top_k=top_k, min_score=min_score, rows=rows, exact=exact, reorder=reorder
    )
    i, j, best, _ = _undirected(src, cols, vals, X.shape[0])
    return i, j, best


def _top_k_lists(
    X: sp.csr_matrix,
    *,
    top_k: int,
    min_score: float,
    rows: np.ndarray | None,
    exact: bool | None,
    reorder: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each query row's ``top_k`` list as ``(row, neighbour, score)`` arrays, row by row, best first."""
    n = X.shape[0]
    if n < 2 or X.shape[1] == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0, dtype=np.float32)
    X = X.astype(np.float32, copy=False).tocsr()  # no copy of the index's float32 rows (0.5 s at 100k)
    query = np.arange(n) if rows is None else np.asarray(rows)
    if exact is None:
        exact = n <= EXACT_MAX_ROWS
    moved = False  # whether the product ran on reordered rows
    if exact:
        C = sp_matmul_topn(X[query], X.T.tocsr(), top_n=top_k + 1, threshold=min_score, n_threads=N_THREADS)
        C = C.tocoo()
        src, cols, vals = query[C.row], C.col, C.data
    else:
        df = np.bincount(X.indices, minlength=X.shape[1])
        common = df > COMMON_DF
        shared = X[:, common].tocsr()
        # With ``reorder``, rows side by side when their heaviest common term is the same: similar rows
        # touch nearby places of the product's accumulator (its cache misses set the cost): 25% less
        # CPU at 100k papers. Equal scores are then settled by the lower neighbour (below), not by the
        # product's order. Without it (citation strengths, full of ties), lists are as they always were.
        near = np.arange(n)
        moved = reorder and shared.shape[1] > 0
        if moved:
            near = np.argsort(np.asarray(shared.argmax(axis=1)).ravel(), kind="stable")
        place = np.empty(n, dtype=np.int64)
        place[near] = np.arange(n)
        rare = X[:, ~common][near].tocsr()
        top_n = CANDIDATE_FACTOR * top_k + 1
        C = sp_matmul_topn(rare[place[query]], rare.T.tocsr(), top_n=top_n, n_threads=N_THREADS).tocoo()
        src, cols = query[C.row], near[C.col]
        vals = C.data + _symmetric_row_dots(shared, src, cols)
    keep = (src != cols) & (vals > min_score)
    src, cols, vals = src[keep], cols[keep], np.clip(vals[keep], 0.0, 1.0)
    # A row with exact ties may not have had its own entry among its top_k + 1: cap each row at top_k.
    order = best_first(src, vals, cols if moved else None)
    src, cols, vals = src[order], cols[order], vals[order]
    rank = np.arange(len(src)) - np.searchsorted(src, src)
    keep = rank < top_k
    return src[keep].astype(np.int64), cols[keep].astype(np.int64), vals[keep]


def best_first(src: np.ndarray, vals: np.ndarray, then: np.ndarray | None = None) -> np.ndarray:
    """``np.lexsort((then, -vals, src))`` (without ``then``: ``np.lexsort((-vals, src))``): by ``src``,
    highest ``vals`` first, ties by ``then``, then by position.

    For non-negative float32 ``vals`` (whose bits order them) and ``src`` under 2^33, one argsort of
    both packed in 64 bits (numpy sorts them vectorised), the rare ties settled apart: 0.1 s where the
    lexsort took 2.4 s for the 4.6M candidates of 100k papers. Otherwise the lexsort.

    >>> best_first(np.array([1, 0, 1, 1]), np.array([0.5, 0.1, 0.9, 0.5], dtype=np.float32),
    ...            np.array([7, 0, 3, 2])).tolist()
    [1, 2, 3, 0]
    """
    plain = (then, -vals, src) if then is not None else (-vals, src)
    if len(src) == 0 or vals.dtype != np.float32 or src.min() < 0 or src.max() >= 1 << 33:
        return np.lexsort(plain)
    if not (vals >= 0).all():  # NaN or negative
        return np.lexsort(plain)
    # abs: -0.0 (bits 0x80000000) ties with 0.0, as in the lexsort.
    key = src.astype(np.uint64) << np.uint64(31)
    key |= (np.uint32(0x7F800000) - np.abs(vals).view(np.uint32)).astype(np.uint64)
    if then is None:  # ties by position: a stable sort (citation strengths, full of ties)
        return np.argsort(key, kind="stable")
    order = np.argsort(key)
    key = key[order]
    tied = np.flatnonzero(key[1:] == key[:-1])
    if len(tied):
        at = np.zeros(len(key), dtype=bool)  # each run of equal keys, whole and in place
        at[tied] = at[tied + 1] = True
        at = np.flatnonzero(at)
        sub = order[at]
        order[at] = sub[np.lexsort((sub, then[sub], key[at]))]
    return order


def _undirected(
    src: np.ndarray, cols: np.ndarray, vals: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Distinct pairs ``i < j`` of directed lists, sorted, with the higher score of their two directions
    and the position each pair first appears at."""
    codes = np.minimum(src, cols) * n + np.maximum(src, cols)
    order = np.lexsort((-vals, codes))  # by pair, its best score first (ties: the earlier entry)
    codes, vals, at = codes[order], vals[order], order
    first = np.ones(len(codes), dtype=bool)
    np.not_equal(codes[1:], codes[:-1], out=first[1:])
    # The earliest appearance of a pair: the smallest position among its entries.
    starts = np.flatnonzero(first)
    seen = np.minimum.reduceat(at, starts) if len(at) else at
    codes = codes[first]
    return codes // n, codes % n, vals[first].astype(np.float32), seen


def _symmetric_row_dots(X: sp.csr_matrix, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """:func:`_row_dots` of pairs that often come in both orders, each unordered pair computed once (the
    product is the same either way round: the same terms multiplied, summed in column order)."""
    n = X.shape[0]
    codes = np.minimum(left, right).astype(np.int64) * n + np.maximum(left, right)
    distinct, inverse = np.unique(codes, return_inverse=True)
    return _row_dots(X, distinct // n, distinct % n)[inverse.ravel()]


def _row_dots(X: sp.csr_matrix, left: np.ndarray, right: np.ndarray, chunk: int = 200_000) -> np.ndarray:
    """``X[left[t]] . X[right[t]]`` for every t, in chunks (memory: chunk rows of X at a time per thread).

    Chunks run on N_THREADS threads: scipy's sparse routines release the GIL (measured: 2 threads take
    4.2 s where one takes 8.1 s, the same floats)."""
    out = np.zeros(len(left), dtype=np.float32)

    def dots(start: int) -> None:
        a, b = X[left[start : start + chunk]], X[right[start : start + chunk]]
        out[start : start + chunk] = np.asarray(a.multiply(b).sum(axis=1)).ravel()

    starts = range(0, len(left), chunk)
    if len(starts) < 2 or N_THREADS < 2:
        for start in starts:
            dots(start)
    else:
        with ThreadPoolExecutor(max_workers=N_THREADS) as pool:
            list(pool.map(dots, starts))
    return out


WORDLLAMA = "wordllama"
TRANSFORMER = "minilm"
# With the transformer, the local vector joins both encoders: [sqrt(s) * wordllama, sqrt(1 - s) * minilm],
# whose cosine is s * the WordLlama cosine + (1 - s) * the MiniLM cosine.
TRANSFORMER_WORDLLAMA_SHARE = 0.3


def choose_text_encoder(papers: Sequence[Paper], *, transformer_max_words: int) -> str:
    """The local text encoder a build uses: the transformer (:mod:`graphx.build.transformer`) when the
    titles and abstracts of the papers without a SPECTER vector hold at most ``transformer_max_words``
    words, and it is installed; WordLlama otherwise. Words stand for cost: the transformer takes ~0.65 ms
    CPU a word (short or full abstracts alike), 100-200x WordLlama.

    Examples
    --------
    >>> choose_text_encoder([Paper(id="a", title="one two three")], transformer_max_words=2)
    'wordllama'
    """
    wanted = transformer_wanted(papers, transformer_max_words=transformer_max_words)
    return TRANSFORMER if wanted and transformer.available() else WORDLLAMA


def transformer_wanted(papers: Sequence[Paper], *, transformer_max_words: int) -> bool:
    """Whether the papers without a SPECTER vector fit the transformer's budget of words (some, but at
    most ``transformer_max_words``)."""
    words = 0
    for p in papers:
        if not p.embedding:
            words += len(paper_text(p).split())
            if words > transformer_max_words:
                return False  # a large set stops counting early
    return words > 0


def local_embedding(
    papers: Sequence[Paper], encoder: str = WORDLLAMA, *, cancel: threading.Event | None = None
) -> np.ndarray | None:
    """The local text embedding of each paper's title and abstract by ``encoder`` (see
    :func:`choose_text_encoder`); None where WordLlama is not installed. ``cancel`` stops the
    transformer between batches."""
    return embed_local([paper_text(p) for p in papers], encoder, cancel=cancel)


def embed_local(
    texts: Sequence[str], encoder: str, *, cancel: threading.Event | None = None
) -> np.ndarray | None:
    """L2-normalised local vectors of ``texts`` by ``encoder``: WordLlama alone, or (``"minilm"``)
    WordLlama joined with the transformer, so that cosines blend the two (TRANSFORMER_WORDLLAMA_SHARE)."""
    W = embedding.embed_texts(texts)
    M = transformer.embed_texts(texts, cancel=cancel) if encoder == TRANSFORMER else None
    if M is None or W is None:
        return W if M is None else M
    share = TRANSFORMER_WORDLLAMA_SHARE
    E = np.hstack([np.sqrt(share) * W, np.sqrt(1.0 - share) * M]).astype(np.float32)
    norms = np.linalg.norm(E, axis=1, keepdims=True)
    return E / np.where(norms > 0, norms, 1.0)


def embed_kept(texts: Kept[Sequence[str]], encoder: str) -> np.ndarray | None:
    """:func:`embed_local` of kept texts (a piece for the build's helper process)."""
    return embed_local(texts.value, encoder)


def local_model_tag(encoder: str) -> str | None:
    """What :func:`embed_local` computes with for ``encoder``: WordLlama's model tag, or (``"minilm"``)
    both models' tags and the share that joins them; None if a model it needs is unavailable. Vectors
    saved under another tag are computed again rather than compared with these."""
    tag = embedding.model_tag()
    if encoder != TRANSFORMER or tag is None:
        return tag
    minilm = transformer.model_tag()
    if minilm is None:
        return None
    return f"joint: {tag} | {minilm} | wordllama share {TRANSFORMER_WORDLLAMA_SHARE}"


def wordllama_part(E: np.ndarray) -> np.ndarray:
    """The WordLlama vectors inside joint vectors of :func:`embed_local` (``"minilm"``), L2-normalised."""
    W = np.ascontiguousarray(E[:, : embedding.MODEL_DIM])
    norms = np.linalg.norm(W, axis=1, keepdims=True)
    return W / np.where(norms > 0, norms, 1.0)


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
    text_embedding_weight: float,
    index: TextIndex | None = None,
    local: Future | None = None,
    text_encoder: str = WORDLLAMA,
) -> list[tuple[str, str, float]]:
    """Each paper's ``top_k`` most similar papers, as ``(id_u, id_v, score)`` with a score in (0, 1].

    Scores are TF-IDF cosines of title + abstract, blended with a semantic cosine: where both papers
    carry a SPECTER embedding, ``(1 - embedding_weight) * tfidf + embedding_weight * specter``;
    otherwise, with the local embedding (:func:`local_embedding`: WordLlama, joined with a transformer on
    small sets),
    ``(1 - text_embedding_weight) * tfidf + text_embedding_weight * local``. Candidates come from the
    top-k lists of every measure; scoring and selection are vectorised (no loop over pairs).

    Every paper keeps at least its best link, even below ``min_score``: a paper whose nearest
    neighbour scores 0.09 still belongs somewhere, and left alone it would become a one-paper area
    named after its rarest words.

    Parameters
    ----------
    papers : sequence of Paper
    top_k : int
        Neighbours kept per paper (the union over papers is returned, so degrees can exceed it).
    min_score : float
        Pairs at or below this score are not linked, except each paper's best link.
    embedding_weight : float
        Share of the SPECTER cosine in the blended score, in [0, 1].
    text_embedding_weight : float
        Share of the local embedding's cosine for pairs without SPECTER vectors, in [0, 1] (0: off).
    index : TextIndex, optional
        The papers' TF-IDF index, if already built (one row per paper, same order).
    local : Future, optional
        The local embedding of the papers' texts (:func:`local_embedding`) being computed elsewhere,
        so that it can run while the TF-IDF index is built; computed here when not given.
    text_encoder : str
        The local encoder when ``local`` is not given (:func:`choose_text_encoder`).
    """
    i, j, score = similarity_pairs(
        papers,
        top_k=top_k,
        min_score=min_score,
        embedding_weight=embedding_weight,
        text_embedding_weight=text_embedding_weight,
        index=index,
        local=local,
        text_encoder=text_encoder,
    )
    ids = [p.id for p in papers]
    return [
        (ids[a], ids[b], float(s)) for a, b, s in zip(i.tolist(), j.tolist(), score.tolist(), strict=True)
    ]


def similarity_pairs(
    papers: Sequence[Paper],
    *,
    top_k: int,
    min_score: float,
    embedding_weight: float,
    text_embedding_weight: float,
    index: TextIndex | None = None,
    local: Future | None = None,
    text_encoder: str = WORDLLAMA,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`similarity_edges` as arrays ``(i, j, score)``: row numbers of ``papers`` (``i < j``, sorted)
    and float32 scores, with no Python object per edge (1.6M edges at 100k papers)."""
    X = (index or build_text_index(papers)).X
    n = len(papers)
    tfidf = top_k_arrays(X, top_k=top_k, min_score=0.0, reorder=True)
    candidates = [tfidf[:2]]
    specter = embedding_matrix(papers) if embedding_weight > 0 else None
    if specter is not None:
        idx, E = specter
        S = np.zeros((n, E.shape[1]), dtype=np.float32)
        S[idx] = E
        if n <= EXACT_MAX_ROWS:
            a, b = _dense_top_k_pairs(E, top_k=top_k)
            candidates.append((idx[a], idx[b]))
    if text_embedding_weight > 0 and (specter is None or len(specter[0]) < n):
        local = local.result() if local is not None else local_embedding(papers, text_encoder)
        if local is not None and n <= EXACT_MAX_ROWS:
            candidates.append(_dense_top_k_pairs(local, top_k=top_k))
    else:
        local = None
    i, j = _unique_pairs(candidates, n)
    score = _tfidf_scores(X, tfidf, i, j)
    if local is not None:
        score = (1.0 - text_embedding_weight) * score + text_embedding_weight * _dense_dots(local, i, j)
    if specter is not None:
        both = np.zeros(n, dtype=bool)
        both[specter[0]] = True
        both = both[i] & both[j]
        text = _row_dots(X, i[both], j[both])
        score[both] = (1.0 - embedding_weight) * text + embedding_weight * _dense_dots(S, i[both], j[both])
    return _select(i, j, np.clip(score, 0.0, 1.0), top_k=top_k, min_score=min_score)


def add_similarity_edges(G: nx.MultiDiGraph, papers: Sequence[Paper], **kwargs) -> int:
    """Add :func:`similarity_edges` to ``G`` as ``similar`` edges; returns how many."""
    edges = similarity_edges(papers, **kwargs)
    G.add_edges_from((u, v, "similar", {"kind": "similar", "weight": s}) for u, v, s in edges)
    return len(edges)


def _tfidf_scores(
    X: sp.csr_matrix, known: tuple[np.ndarray, np.ndarray, np.ndarray], i: np.ndarray, j: np.ndarray
) -> np.ndarray:
    """TF-IDF cosine of every pair ``(i[t], j[t])``: from ``known`` (:func:`top_k_arrays`) where there,
    computed otherwise."""
    n = X.shape[0]
    known_codes = known[0] * n + known[1]  # sorted, as top_k_arrays returns them
    codes = i * n + j
    at = np.minimum(np.searchsorted(known_codes, codes), max(len(known_codes) - 1, 0))
    found = known_codes[at] == codes if len(known_codes) else np.zeros(len(codes), dtype=bool)
    score = np.zeros(len(i), dtype=np.float32)
    score[found] = known[2][at[found]]
    missing = ~found
    score[missing] = _row_dots(X, i[missing], j[missing])
    return score


def _unique_pairs(candidates: list[tuple[np.ndarray, np.ndarray]], n: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct unordered pairs ``(i < j)`` of every candidate list, sorted."""
    a = np.concatenate([c[0] for c in candidates]).astype(np.int64)
    b = np.concatenate([c[1] for c in candidates]).astype(np.int64)
    keep = a != b
    codes = unique_sorted(np.minimum(a, b)[keep] * n + np.maximum(a, b)[keep])
    return codes // max(n, 1), codes % max(n, 1)


def _select(
    i: np.ndarray, j: np.ndarray, score: np.ndarray, *, top_k: int, min_score: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The pairs that are among the ``top_k`` best of either paper and above ``min_score``, plus every
    paper's best pair whatever its score (ties: the lower index). Returned sorted by ``(i, j)``."""
    src, dst, both = np.concatenate([i, j]), np.concatenate([j, i]), np.concatenate([score, score])
    order = best_first(src, both, dst)
    src, dst, both = src[order], dst[order], both[order]
    rank = np.arange(len(src)) - np.searchsorted(src, src)
    keep = (rank == 0) & (both > 0) | (rank < top_k) & (both > min_score)
    pair = np.concatenate([np.arange(len(i)), np.arange(len(i))])[order]
    chosen = np.zeros(len(i), dtype=bool)
    chosen[pair[keep]] = True
    return i[chosen], j[chosen], score[chosen]


def _dense_dots(E: np.ndarray, left: np.ndarray, right: np.ndarray, chunk: int = 8192) -> np.ndarray:
    """``E[left[t]] . E[right[t]]`` for every t, in chunks (small ones: the rows gathered for a chunk
    stay in cache and their memory is reused, 3-7x faster than 200k-pair chunks)."""
    out = np.zeros(len(left), dtype=np.float32)
    for start in range(0, len(left), chunk):
        a, b = E[left[start : start + chunk]], E[right[start : start + chunk]]
        out[start : start + chunk] = np.einsum("ij,ij->i", a, b)
    return out


def _dense_top_k_pairs(
    E: np.ndarray, *, top_k: int, chunk_cells: int = 10_000_000
) -> tuple[np.ndarray, np.ndarray]:
    """Top-k cosine neighbours of dense normalised rows as ``(rows, neighbours)`` arrays, in chunks of
    at most ``chunk_cells`` similarities (40 MB), never the n x n matrix.

    Chunks run on ``N_THREADS`` threads (numpy's partition releases the GIL): each row's neighbours are
    found from that row alone, so the result does not depend on the chunking or the threads.
    """
    n = E.shape[0]
    k = min(top_k, n - 1)
    if k < 1:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    chunk_rows = max(1, chunk_cells // n)

    def nearest(start: int) -> tuple[np.ndarray, np.ndarray]:
        S = E[start : start + chunk_rows] @ E.T
        np.negative(S, out=S)  # in place: a second chunk-sized array costs as much as the product
        local = np.arange(S.shape[0])
        S[local, local + start] = np.inf
        found = np.argpartition(S, k - 1, axis=1)[:, :k]
        return np.repeat(local + start, k), found.ravel()

    with ThreadPoolExecutor(max_workers=N_THREADS) as pool:
        parts = list(pool.map(nearest, range(0, n, chunk_rows)))
    return np.concatenate([r for r, _ in parts]), np.concatenate([c for _, c in parts])
