"""Why two papers of a map are linked: every link between them, each with its evidence.

- citation: who cites whom (``"a->b"``, ``"b->a"``, ``"both"`` or None);
- shared references (bibliographic coupling) and shared citers (co-citation): how many, their titles,
  and the normalised strength the build gives those edges (Salton cosine, :mod:`graphx.build.citations`);
- the distinctive terms they share, from the graph's saved text index, ranked by what each adds to
  their TF-IDF cosine;
- the similarity score and its parts: TF-IDF cosine, embedding cosine (None where a paper has no
  embedding), blended with the graph's ``embedding_weight`` as the build does.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping

import networkx as nx
import numpy as np

from graphx.build.similarity import WORDLLAMA, embed_local
from graphx.build.text import TextIndex, paper_text
from graphx.errors import PaperNotFound
from graphx.options import stored_build_options
from graphx.paper import Paper

SHARED_TERMS = 10
TITLES_SHOWN = 20


def explain_link(
    G: nx.MultiDiGraph,
    a: str,
    b: str,
    *,
    papers: Mapping[str, Paper] | None = None,
    index: TextIndex | None = None,
    names: Mapping[str, tuple[str, int | None]] | None = None,
    n_terms: int = SHARED_TERMS,
) -> dict:
    """Every link between papers ``a`` and ``b`` of ``G`` (see the module notes), as plain JSON data.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        A built graph.
    a, b : str
        Node ids.
    papers : mapping of id to Paper, optional
        Stored records of ``a`` and ``b`` (reference and citation lists, embeddings). Without them the
        citation links inside the map are all that is known.
    index : TextIndex, optional
        The graph's saved text index; without it there are no shared terms and no TF-IDF score.
    names : mapping of id to (title, year), optional
        Titles of papers outside the map (``PaperStore.names``).
    """
    for n in (a, b):
        if n not in G:
            raise PaperNotFound(f"No paper {n!r} in graph {G.graph.get('name', '')!r}; use ids from the map.")
    papers = papers or {}
    names = names or {}
    refs = {n: _references(G, n, papers.get(n)) for n in (a, b)}
    citers = {n: _citers(G, n, papers.get(n)) for n in (a, b)}
    return {
        "a": summary(G, a),
        "b": summary(G, b),
        "cites": _direction(G, a, b),
        "shared_references": _shared(G, refs[a], refs[b], names),
        "shared_citers": _shared(G, citers[a], citers[b], names),
        "shared_terms": shared_terms(index, a, b, n_terms) if index is not None else [],
        "similarity": similarity_parts(G, a, b, papers, index),
    }


def summary(G: nx.MultiDiGraph, n: str) -> dict:
    attrs = G.nodes[n]
    return {
        "id": n,
        "title": attrs.get("title"),
        "year": attrs.get("year"),
        "authors": list(attrs.get("authors") or []),
    }


def _direction(G: nx.MultiDiGraph, a: str, b: str) -> str | None:
    ab, ba = G.has_edge(a, b, key="cites"), G.has_edge(b, a, key="cites")
    return "both" if ab and ba else "a->b" if ab else "b->a" if ba else None


def _references(G: nx.MultiDiGraph, n: str, paper: Paper | None) -> set[str]:
    # The build couples papers by their own reference lists; without the record only the map says.
    if paper is not None:
        return set(paper.references) - {n}
    return {v for _, v, k in G.out_edges(n, keys=True) if k == "cites"}


def _citers(G: nx.MultiDiGraph, n: str, paper: Paper | None) -> set[str]:
    inside = {u for u, _, k in G.in_edges(n, keys=True) if k == "cites"}
    return (set(paper.citations) if paper is not None else set()) | inside - {n}


def _shared(
    G: nx.MultiDiGraph, x: set[str], y: set[str], names: Mapping[str, tuple[str, int | None]]
) -> dict:
    shared = x & y
    strength = len(shared) / math.sqrt(len(x) * len(y)) if shared else 0.0

    def title(pid: str) -> str:
        return (G.nodes[pid].get("title") if pid in G else None) or names.get(pid, (pid, None))[0]

    titles = sorted(title(p) for p in shared)
    return {"count": len(shared), "titles": titles[:TITLES_SHOWN], "strength": round(strength, 6)}


def shared_terms(index: TextIndex, a: str, b: str, n_terms: int = SHARED_TERMS) -> list[str]:
    """Terms both papers use, by their contribution to the TF-IDF cosine (largest first)."""
    rows = {pid: i for i, pid in enumerate(index.ids)}
    if a not in rows or b not in rows:
        return []
    x, y = index.X[rows[a]], index.X[rows[b]]
    weight = dict(zip(x.indices.tolist(), x.data.tolist(), strict=True))
    products = [
        (weight[j] * v, index.terms[j]) for j, v in zip(y.indices, y.data, strict=True) if j in weight
    ]
    return [t for _, t in sorted(products, key=lambda p: (-p[0], p[1]))[:n_terms]]


def similarity_parts(
    G: nx.MultiDiGraph, a: str, b: str, papers: Mapping[str, Paper], index: TextIndex | None
) -> dict:
    """``{"score", "tfidf", "embedding"}``: the build's blended score and its two cosines.

    The embedding part is the SPECTER cosine where both papers carry one, else the cosine of the local
    text embedding the build blends in (:func:`graphx.build.similarity.embed_local`, with the encoder the
    build recorded as ``text_encoder``); the score blends them with the weights the graph was built
    with, as :func:`graphx.build.similarity.similarity_edges`.
    """
    options = stored_build_options(G.graph.get("meta", {}).get("parameters", {}))
    tfidf = None
    if index is not None:
        rows = {pid: i for i, pid in enumerate(index.ids)}
        if a in rows and b in rows:
            tfidf = float(index.X[rows[a]].multiply(index.X[rows[b]]).sum())
    embedding, weight = None, 0.0
    ea, eb = (papers.get(n).embedding if papers.get(n) else None for n in (a, b))
    if ea and eb and len(ea) == len(eb):
        va, vb = np.asarray(ea, dtype=np.float32), np.asarray(eb, dtype=np.float32)
        norm = float(np.linalg.norm(va) * np.linalg.norm(vb))
        embedding = float(np.clip(va @ vb / norm, 0.0, 1.0)) if norm else None
        weight = options.embedding_weight
    elif options.text_embedding_weight > 0:
        nodes = [G.nodes[n] for n in (a, b)]
        texts = [
            paper_text(Paper(id="", title=x.get("title") or "", abstract=x.get("abstract"))) for x in nodes
        ]
        E = embed_local(texts, G.graph.get("meta", {}).get("text_encoder") or WORDLLAMA)
        if E is not None:
            embedding = float(np.clip(E[0] @ E[1], 0.0, 1.0))
            weight = options.text_embedding_weight
    if tfidf is None:
        score = embedding
    elif embedding is not None and weight > 0:
        score = (1.0 - weight) * tfidf + weight * embedding
    else:
        score = tfidf
    return {
        "score": None if score is None else round(min(1.0, score), 6),
        "tfidf": None if tfidf is None else round(tfidf, 6),
        "embedding": None if embedding is None else round(embedding, 6),
    }


def explain_saved(
    cache_dir: str | os.PathLike, name: str, a: str, b: str, *, G: nx.MultiDiGraph | None = None
) -> dict:
    """:func:`explain_link` on the built graph ``name`` with its text index and the papers store."""
    from graphx.store.graphs import graph_dir, load_graph
    from graphx.store.papers import PaperStore

    G = G if G is not None else load_graph(cache_dir, name)
    index = TextIndex.load(graph_dir(cache_dir, name))
    with PaperStore(cache_dir) as store:
        papers = store.get_papers([a, b])
        outside = set().union(*(set(p.references) | set(p.citations) for p in papers.values())) - set(G)
        names = store.names(outside)
    return explain_link(G, a, b, papers=papers, index=index, names=names)
