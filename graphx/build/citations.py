"""Nodes and citation-based edges: ``cites``, ``cocited`` (co-citation), ``coupled`` (bibliographic coupling).

Co-citation and coupling are Salton cosines of binary citer / reference sets, so both live in (0, 1]:
``shared / sqrt(|A| * |B|)``. References and citers outside the paper set count (two papers citing
the same classic are coupled even if the classic is not in the set), which is what makes these edges
useful on small seed sets.
"""

from __future__ import annotations

from collections.abc import Sequence

import networkx as nx
import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from graphx.build.similarity import top_k_pairs
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


def citation_edges(papers: Sequence[Paper]) -> list[tuple[str, str]]:
    """``(citing, cited)`` for every citation between two papers of the set (from either side's lists)."""
    ids = {p.id for p in papers}
    seen: dict[tuple[str, str], None] = {}
    for p in papers:
        for ref in p.references:
            if ref in ids and ref != p.id:
                seen[(p.id, ref)] = None
        for citer in p.citations:
            if citer in ids and citer != p.id:
                seen[(citer, p.id)] = None
    return list(seen)


def citer_sets(papers: Sequence[Paper]) -> list[set[str]]:
    """For each paper, the ids of everything known to cite it (in the set or outside)."""
    index = {p.id: i for i, p in enumerate(papers)}
    citers: list[set[str]] = [set(p.citations) for p in papers]
    for p in papers:
        for ref in p.references:
            i = index.get(ref)
            if i is not None and ref != p.id:
                citers[i].add(p.id)
    return citers


def incidence(sets: Sequence[set[str]]) -> sp.csr_matrix:
    """Binary paper x id matrix of ``sets``, rows L2-normalised (so row products are Salton cosines)."""
    vocab: dict[str, int] = {}
    rows, cols = [], []
    for i, items in enumerate(sets):
        # Sorted: set order changes between processes (string hashing), and with it the summation
        # order of the products, their last bits, and which of two tied neighbours is kept.
        for item in sorted(items):
            rows.append(i)
            cols.append(vocab.setdefault(item, len(vocab)))
    data = np.ones(len(rows), dtype=np.float32)
    M = sp.csr_matrix((data, (rows, cols)), shape=(len(sets), max(1, len(vocab))), dtype=np.float32)
    return normalize(M)


def _strength_edges(
    sets: Sequence[set[str]],
    ids: Sequence[str],
    *,
    top_k: int,
    min_strength: float,
    rows: Sequence[int] | None = None,
) -> list[tuple[str, str, float]]:
    query = None if rows is None else np.asarray(rows, dtype=np.int64)
    pairs = top_k_pairs(incidence(sets), top_k=top_k, min_score=min_strength, rows=query)
    return [(ids[i], ids[j], s) for (i, j), s in sorted(pairs.items())]


def cocitation_edges(
    papers: Sequence[Paper], *, top_k: int, min_strength: float, rows: Sequence[int] | None = None
) -> list[tuple[str, str, float]]:
    """Pairs cited together, with Salton-normalised co-citation strength, each paper's ``top_k``.

    With ``rows`` (indices into ``papers``), only those papers' pairs are computed.
    """
    ids = [p.id for p in papers]
    return _strength_edges(citer_sets(papers), ids, top_k=top_k, min_strength=min_strength, rows=rows)


def coupling_edges(
    papers: Sequence[Paper], *, top_k: int, min_strength: float, rows: Sequence[int] | None = None
) -> list[tuple[str, str, float]]:
    """Pairs citing the same works, with Salton-normalised coupling strength, each paper's ``top_k``.

    With ``rows`` (indices into ``papers``), only those papers' pairs are computed.
    """
    refs = [set(p.references) - {p.id} for p in papers]
    ids = [p.id for p in papers]
    return _strength_edges(refs, ids, top_k=top_k, min_strength=min_strength, rows=rows)


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
    G.add_edges_from((u, v, "cites", {"kind": "cites", "weight": 1.0}) for u, v in citation_edges(papers))
    for kind, edges in (
        ("cocited", cocitation_edges(papers, top_k=top_k, min_strength=min_strength)),
        ("coupled", coupling_edges(papers, top_k=top_k, min_strength=min_strength)),
    ):
        G.add_edges_from((u, v, kind, {"kind": kind, "weight": s}) for u, v, s in edges)
    return G
