"""Nodes and citation-based edges: ``cites``, ``cocited`` (co-citation), ``coupled`` (bibliographic coupling).

Co-citation and coupling are Salton cosines of binary citer / reference sets, so both live in (0, 1]:
``shared / sqrt(|A| * |B|)``. References and citers outside the paper set count (two papers citing
the same classic are coupled even if the classic is not in the set), which is what makes these edges
useful on small seed sets.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import networkx as nx
import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from graphx.build.edgearrays import EdgeArrays, add_to_graph, empty_edges, unique_sorted
from graphx.build.similarity import top_k_arrays
from graphx.paper import Paper

NODE_FIELDS = (
    "title", "abstract", "year", "venue", "doi", "arxiv", "s2_id", "url", "tldr", "publication_date",
    "citation_count", "influential_citation_count", "corpus_id",
)  # fmt: skip


def paper_nodes(papers: Sequence[Paper]) -> list[tuple[str, dict]]:
    """``(id, attributes)`` for every paper; unknown fields are left out rather than None."""
    out = []
    for p in papers:
        attrs = {f: getattr(p, f) for f in NODE_FIELDS if getattr(p, f) not in (None, "")}
        attrs["authors"] = list(p.authors)
        if p.fields_of_study:
            attrs["fields_of_study"] = list(p.fields_of_study)
        out.append((p.id, attrs))
    return out


class Links(NamedTuple):
    """What the citation edges read of a paper: its id and lists, without its text (what the build sends
    its helper process, :mod:`graphx.build.parallel`; every function here takes these or papers)."""

    id: str
    references: tuple[str, ...]
    citations: tuple[str, ...]


def links(papers: Sequence[Paper]) -> list[Links]:
    """:class:`Links` of each paper, in order."""
    return [Links(p.id, p.references, p.citations) for p in papers]


def citation_pairs(papers: Sequence[Paper]) -> tuple[np.ndarray, np.ndarray]:
    """``(citing, cited)`` paper indices of every citation inside the set, from either side's lists.

    In first-seen order: each paper's references, then its citers, paper by paper.
    """
    index = {p.id: i for i, p in enumerate(papers)}
    seen: dict[tuple[int, int], None] = {}
    for i, p in enumerate(papers):
        for j in map(index.get, p.references):
            if j is not None and j != i:
                seen[(i, j)] = None
        for j in map(index.get, p.citations):
            if j is not None and j != i:
                seen[(j, i)] = None
    flat = np.fromiter((k for pair in seen for k in pair), dtype=np.int64, count=2 * len(seen))
    return flat[0::2], flat[1::2]


def citation_edges(papers: Sequence[Paper]) -> list[tuple[str, str]]:
    """``(citing, cited)`` for every citation between two papers of the set (from either side's lists)."""
    ids = [p.id for p in papers]
    citing, cited = citation_pairs(papers)
    return [(ids[i], ids[j]) for i, j in zip(citing.tolist(), cited.tolist(), strict=True)]


def incidence(rows: np.ndarray, items: Sequence[str], n_rows: int) -> sp.csr_matrix:
    """Binary ``n_rows x distinct items`` matrix with a one at ``(rows[t], items[t])``, rows
    L2-normalised (so row products are Salton cosines). A repeated pair counts once.

    Examples
    --------
    >>> incidence(np.array([0, 0, 1, 1]), ["x", "y", "y", "y"], 2).toarray().astype(float).round(3).tolist()
    [[0.707, 0.707], [0.0, 1.0]]
    """
    vocab: dict[str, int] = {}
    codes = np.fromiter((vocab.setdefault(x, len(vocab)) for x in items), dtype=np.int64, count=len(items))
    n_cols = max(1, len(vocab))
    # Columns are numbered as a scan of the rows in order, each row's items in string order, meets
    # them: the order of the products' terms decides which of two tied neighbours the top-k keeps, and
    # string order is the same in every process (set order is not).
    names = list(vocab)
    rank = np.empty(len(names), dtype=np.int64)
    rank[np.array(sorted(range(len(names)), key=names.__getitem__), dtype=np.int64)] = np.arange(len(names))
    cells = unique_sorted(np.asarray(rows, dtype=np.int64) * n_cols + rank[codes])
    cell_rows, cell_ranks = cells // n_cols, cells % n_cols
    firsts = np.unique(cell_ranks, return_index=True)[1]
    column = np.empty(n_cols, dtype=np.int64)
    column[cell_ranks[np.sort(firsts)]] = np.arange(len(firsts))
    M = sp.csr_matrix(
        (np.ones(len(cells), dtype=np.float32), (cell_rows, column[cell_ranks])),
        shape=(n_rows, n_cols),
        dtype=np.float32,
    )
    return normalize(M)


def _lengths(lists: Sequence[Sequence]) -> np.ndarray:
    return np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))


def citer_incidence(papers: Sequence[Paper]) -> sp.csr_matrix:
    """:func:`incidence` of each paper's citers: its ``citations`` list (in the set or outside) and every
    paper of the set whose references name it."""
    index = {p.id: i for i, p in enumerate(papers)}
    listed = [p.citations for p in papers]
    refs = [p.references for p in papers]
    cited = np.fromiter(
        (-1 if i is None else i for r in refs for i in map(index.get, r)),
        dtype=np.int64,
        count=int(_lengths(refs).sum()),
    )
    citing = np.repeat(np.arange(len(papers)), _lengths(refs))
    inside = (cited >= 0) & (cited != citing)
    ids = [p.id for p in papers]
    rows = np.concatenate([np.repeat(np.arange(len(papers)), _lengths(listed)), cited[inside]])
    items = [c for cs in listed for c in cs] + [ids[i] for i in citing[inside].tolist()]
    return incidence(rows, items, len(papers))


def reference_incidence(papers: Sequence[Paper]) -> sp.csr_matrix:
    """:func:`incidence` of each paper's references (in the set or outside), itself left out."""
    refs = [[r for r in p.references if r != p.id] for p in papers]
    rows = np.repeat(np.arange(len(papers)), _lengths(refs))
    return incidence(rows, [r for rs in refs for r in rs], len(papers))


def strength_pairs(
    M: sp.csr_matrix, *, top_k: int, min_strength: float, rows: Sequence[int] | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(i, j, strength)`` arrays, ``i < j`` sorted, of each row's ``top_k`` strongest row products."""
    query = None if rows is None else np.asarray(rows, dtype=np.int64)
    i, j, strength = top_k_arrays(M, top_k=top_k, min_score=min_strength, rows=query)
    return i, j, strength.astype(np.float64)


def _named(
    papers: Sequence[Paper], pairs: tuple[np.ndarray, np.ndarray, np.ndarray]
) -> list[tuple[str, str, float]]:
    ids = [p.id for p in papers]
    i, j, s = pairs
    return [(ids[a], ids[b], w) for a, b, w in zip(i.tolist(), j.tolist(), s.tolist(), strict=True)]


def cocitation_edges(
    papers: Sequence[Paper], *, top_k: int, min_strength: float, rows: Sequence[int] | None = None
) -> list[tuple[str, str, float]]:
    """Pairs cited together, with Salton-normalised co-citation strength, each paper's ``top_k``.

    With ``rows`` (indices into ``papers``), only those papers' pairs are computed.
    """
    M = citer_incidence(papers)
    return _named(papers, strength_pairs(M, top_k=top_k, min_strength=min_strength, rows=rows))


def coupling_edges(
    papers: Sequence[Paper], *, top_k: int, min_strength: float, rows: Sequence[int] | None = None
) -> list[tuple[str, str, float]]:
    """Pairs citing the same works, with Salton-normalised coupling strength, each paper's ``top_k``.

    With ``rows`` (indices into ``papers``), only those papers' pairs are computed.
    """
    M = reference_incidence(papers)
    return _named(papers, strength_pairs(M, top_k=top_k, min_strength=min_strength, rows=rows))


def citation_arrays(papers: Sequence[Paper], *, top_k: int, min_strength: float) -> EdgeArrays:
    """The ``cites``, ``cocited`` and ``coupled`` edges of the papers as arrays (nodes = paper ids, in
    order): cites in first-seen order, then co-citation and coupling pairs, each sorted, ``i < j``."""
    arrays = empty_edges([p.id for p in papers])
    citing, cited = citation_pairs(papers)
    arrays = arrays.extended(citing, cited, "cites", np.ones(len(citing)))
    for kind, M in (("cocited", citer_incidence(papers)), ("coupled", reference_incidence(papers))):
        i, j, s = strength_pairs(M, top_k=top_k, min_strength=min_strength)
        arrays = arrays.extended(i, j, kind, s)
    return arrays


def citation_graph(papers: Sequence[Paper], *, top_k: int, min_strength: float) -> nx.MultiDiGraph:
    """A MultiDiGraph of the papers with ``cites``, ``cocited`` and ``coupled`` edges (key = kind).

    Symmetric kinds are stored once per pair, in paper order.

    Examples
    --------
    >>> a = Paper(id="a", title="A", references=("c", "x"))
    >>> b = Paper(id="b", title="B", references=("c", "x"))
    >>> c = Paper(id="c", title="C")
    >>> G = citation_graph([a, b, c], top_k=10, min_strength=0.1)
    >>> sorted((u, v, k) for u, v, k in G.edges(keys=True))
    [('a', 'b', 'coupled'), ('a', 'c', 'cites'), ('b', 'c', 'cites')]
    """
    G = nx.MultiDiGraph()
    G.add_nodes_from(paper_nodes(papers))
    add_to_graph(G, citation_arrays(papers, top_k=top_k, min_strength=min_strength))
    return G
