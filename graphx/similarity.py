"""``similar`` edges: each paper's most similar papers by title and abstract.

TF-IDF (scikit-learn) over title + abstract, cosine similarity through a sparse top-k product
(``sparse_dot_topn``): memory grows with ``n * top_k``, never ``n * n``. Where papers carry SPECTER
embeddings the score blends the two cosines.
"""

from __future__ import annotations

from collections.abc import Sequence

import networkx as nx
import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from sklearn.preprocessing import normalize
from sparse_dot_topn import sp_matmul_topn

from graphx.paper import Paper

# Words every abstract uses whatever its topic: they carry no similarity and no label.
BOILERPLATE_WORDS = frozenset(
    """
    propose proposed proposes proposing paper papers result results show shows shown showing method methods
    approach approaches approaches using use used uses based new novel present presents presented work works
    demonstrate demonstrates demonstrated existing experiment experiments experimental performance
    state art stateoftheart state-of-the-art outperform outperforms outperforming significantly significant
    effective effectively efficient efficiently improve improves improved improvement improvements study
    studies introduce introduces introduced problem problems task tasks provide provides provided develop
    developed achieve achieves achieved well also however furthermore moreover simple simply compared
    compare comparison prior previous recent recently various several different important including
    empirical empirically empirically theoretical theoretically analysis analyze analyse key able
    framework frameworks technique techniques challenge challenging address addresses large
    number numbers set sets way ways given make makes allows allow enable enables wide range extensive
    benchmark benchmarks dataset datasets real world real-world code available publicly github com https http
    et al e g i e specifically particular particularly terms general generally popular widely often
    """.split()
)
STOP_WORDS = frozenset(ENGLISH_STOP_WORDS | BOILERPLATE_WORDS)
# Tokens: a letter, then letters/digits/hyphens ("gpt-4", "q-learning"); bare numbers carry no topic.
TOKEN_PATTERN = r"(?u)\b[^\W\d_][\w\-]*[^\W_]\b"
# A term seen in more than this share of papers is corpus-wide vocabulary, not a topic.
MAX_DOC_FREQ = 0.5


def paper_text(paper: Paper) -> str:
    """Title (twice: it is the densest statement of the topic) and abstract."""
    return f"{paper.title}. {paper.title}. {paper.abstract or ''}"


def tfidf_matrix(papers: Sequence[Paper]) -> sp.csr_matrix:
    """L2-normalised TF-IDF rows (float32) of title + abstract, unigrams and bigrams.

    Terms appearing in a single paper are dropped when the corpus is big enough for that to matter
    (they cannot link two papers anyway).
    """
    texts = [paper_text(p) for p in papers]
    min_df = 2 if len(texts) >= 3 else 1
    vectorizer = TfidfVectorizer(
        stop_words=sorted(STOP_WORDS),
        token_pattern=TOKEN_PATTERN,
        ngram_range=(1, 2),
        min_df=min_df,
        max_df=MAX_DOC_FREQ if len(texts) >= 20 else 1.0,
        sublinear_tf=True,
        strip_accents="unicode",
        dtype=np.float32,
    )
    try:
        X = vectorizer.fit_transform(texts)
    except ValueError:  # every term pruned: texts share no vocabulary at all
        return sp.csr_matrix((len(texts), 1), dtype=np.float32)
    return X.tocsr()


def top_k_pairs(
    X: sp.csr_matrix, *, top_k: int, min_score: float, n_threads: int | None = None
) -> dict[tuple[int, int], float]:
    """Union of every row's ``top_k`` most cosine-similar rows, as ``{(i, j): score}`` with ``i < j``.

    Rows of ``X`` must be L2-normalised (non-negative entries give scores in [0, 1]). Self pairs and
    scores at or below ``min_score`` are dropped. Symmetric by construction.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> X = sp.csr_matrix([[1.0, 0.0], [0.6, 0.8], [0.0, 1.0]], dtype="float32")
    >>> sorted((k, round(v, 2)) for k, v in top_k_pairs(X, top_k=1, min_score=0.1).items())
    [((0, 1), 0.6), ((1, 2), 0.8)]
    """
    n = X.shape[0]
    if n < 2:
        return {}
    X = X.astype(np.float32)
    C = sp_matmul_topn(X, X.T.tocsr(), top_n=top_k + 1, threshold=min_score, n_threads=n_threads).tocoo()
    keep = C.row != C.col
    rows, cols, vals = C.row[keep], C.col[keep], np.clip(C.data[keep], 0.0, 1.0)
    # A row with many exact ties may have had its own entry among top_k + 1: cap each row at top_k.
    order = np.lexsort((-vals, rows))
    rows, cols, vals = rows[order], cols[order], vals[order]
    rank = np.arange(len(rows)) - np.searchsorted(rows, rows)
    keep = rank < top_k
    pairs: dict[tuple[int, int], float] = {}
    for i, j, s in zip(rows[keep].tolist(), cols[keep].tolist(), vals[keep].tolist(), strict=True):
        key = (i, j) if i < j else (j, i)
        pairs[key] = max(pairs.get(key, 0.0), s)
    return pairs


def embedding_matrix(papers: Sequence[Paper]) -> tuple[np.ndarray, np.ndarray] | None:
    """(row indices of papers with an embedding, their L2-normalised vectors), or None if none has one."""
    idx = [i for i, p in enumerate(papers) if p.embedding]
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
    papers: Sequence[Paper], *, top_k: int = 10, min_score: float = 0.1, embedding_weight: float = 0.5
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
    """
    X = tfidf_matrix(papers)
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
