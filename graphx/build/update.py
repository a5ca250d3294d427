"""Adding papers to a built graph without rebuilding it.

A full build refits TF-IDF, reruns Leiden and lays everything out again: the map a user has learnt
moves. Adding a few percent of papers should not do that, and should cost a fraction of a build:

- the new papers are embedded with the graph's saved TF-IDF vocabulary and IDF, and only *their*
  top-k neighbours are searched (among all papers);
- citation edges are recomputed (cheap) and co-citation / coupling strengths recomputed for all;
- old papers keep their area, sub-area, label and position; each new paper joins the area and
  sub-area it is most strongly linked to, and is placed at the weighted mean of its linked
  neighbours; a paper linked to nothing becomes its own area, under the map;
- PageRank, degrees and area summaries are recomputed.

Similarity between two *old* papers is not revisited, and embeddings are not blended for the new
rows; a full ``graphx build`` recomputes everything.
"""

from __future__ import annotations

import dataclasses
import os
import threading
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from graphx.build import citations, labels, metrics
from graphx.build.embedding import model_tag
from graphx.build.pipeline import refresh_counts, save_built
from graphx.build.runner import StageTimer, paused_gc
from graphx.build.similarity import local_embedding, top_k_pairs
from graphx.build.text import TextIndex
from graphx.errors import ConfigError
from graphx.options import BuildOptions, stored_build_options
from graphx.paper import Paper, merge_duplicates
from graphx.progress import Progress
from graphx.store.graphs import graph_dir, load_graph
from graphx.store.papers import PaperStore

ASSIGN_ROUNDS = 3  # new papers linked only to other new papers get an area in a later round
JITTER = 4.0  # spread of new papers around their neighbours' mean, in layout units (extent 1000)


@paused_gc
def update_graph(
    G_old: nx.MultiDiGraph,
    index: TextIndex,
    old_papers: Sequence[Paper],
    new_papers: Sequence[Paper],
    options: BuildOptions | None = None,
    *,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    copy: bool = True,
) -> tuple[nx.MultiDiGraph, TextIndex]:
    """``G_old`` with ``new_papers`` added (see the module notes); returns the graph and its text index.

    ``old_papers`` are the papers ``G_old`` was built from (their references feed the citation-based
    edges); ``index`` is the text index saved with it. ``G_old`` is not modified unless ``copy`` is
    False (then it is updated in place and returned: no copy of a large graph).
    """
    options = options or stored_build_options(G_old.graph.get("meta", {}).get("parameters", {}))
    stage = StageTimer(progress, cancel)
    papers = merge_duplicates([*old_papers, *new_papers])
    known = set(G_old)
    added = [p for p in papers if p.id not in known]
    if not added:
        raise ConfigError("Every paper given is already in the graph (same id, DOI, arXiv id or title).")

    G = G_old.copy() if copy else G_old
    if copy:
        G.graph = dict(G_old.graph)
        G.graph["meta"] = dict(G_old.graph.get("meta", {}))
    stage("edges", lambda: _citation_edges(G, papers, added, options))
    index = stage("similarity", lambda: _similarity_edges(G, index, added, options))
    stage("metrics", lambda: metrics.annotate(G))
    new_areas = stage("communities", lambda: _assign(G, [p.id for p in added], options))
    stage("labels", lambda: _relabel(G, index, new_areas))
    stage("layout", lambda: _place(G, [p.id for p in added], options))

    meta = G.graph["meta"]
    meta["timings_s"] = stage.timings
    meta["updated_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    meta["added_papers"] = meta.get("added_papers", 0) + len(added)
    refresh_counts(G)
    return G, index


def _citation_edges(
    G: nx.MultiDiGraph, papers: list[Paper], added: list[Paper], options: BuildOptions
) -> None:
    """New ``cites`` edges; co-citation and coupling recomputed only where the new papers change them.

    Coupling between two old papers depends on their own reference lists only: unchanged. Co-citation
    of an old paper changes when a new paper cites it, so its pairs are recomputed with the new ones.
    """
    G.add_nodes_from(citations.paper_nodes(added))
    G.add_edges_from(
        (u, v, "cites", {"kind": "cites", "weight": 1.0})
        for u, v in citations.citation_edges(papers)
        if not G.has_edge(u, v, key="cites")
    )
    new_ids = {p.id for p in added}
    cited_by_new = {r for p in added for r in p.references} | {c for p in added for c in p.citations}
    row = {p.id: i for i, p in enumerate(papers)}
    new_rows = sorted(row[i] for i in new_ids)
    affected = new_ids | {n for n in cited_by_new if n in G}
    G.remove_edges_from(
        [(u, v, k) for n in affected for u, v, k in [*G.out_edges(n, keys=True), *G.in_edges(n, keys=True)]
         if k == "cocited"]
    )  # fmt: skip
    strength = {"top_k": options.top_k, "min_strength": options.min_link_strength}
    for kind, edges in (
        ("cocited", citations.cocitation_edges(papers, rows=sorted(row[n] for n in affected), **strength)),
        ("coupled", citations.coupling_edges(papers, rows=new_rows, **strength)),
    ):
        G.add_edges_from(
            (u, v, kind, {"kind": kind, "weight": s})
            for u, v, s in edges
            if not G.has_edge(u, v, key=kind) and not G.has_edge(v, u, key=kind)
        )


def _similarity_edges(
    G: nx.MultiDiGraph, index: TextIndex, added: list[Paper], options: BuildOptions
) -> TextIndex:
    kept = set(index.ids)
    fresh = [p for p in added if p.id not in kept]
    # The new papers' embeddings keep the saved ones complete for the topic lens (links stay TF-IDF).
    # Saved vectors from another model (or of unknown origin) are dropped, not extended with new ones
    # they cannot be compared with: the lens computes them again.
    if index.vectors is not None and index.current_vectors(model_tag()) is None:
        index = dataclasses.replace(index, vectors=None, vectors_model=None)
    vectors = local_embedding(fresh) if index.vectors is not None and fresh else None
    index = index.extend(fresh, vectors)
    rows = np.arange(len(index.ids) - len(fresh), len(index.ids))
    pairs = top_k_pairs(index.X, top_k=options.top_k, min_score=options.min_similarity, rows=rows)
    ids = index.ids
    for (i, j), score in pairs.items():
        u, v = ids[i], ids[j]
        if u in G and v in G and not G.has_edge(u, v, key="similar") and not G.has_edge(v, u, key="similar"):
            G.add_edge(u, v, key="similar", kind="similar", weight=score)
    return index


def _links(G: nx.MultiDiGraph, n, weights: Mapping[str, float]) -> Iterator[tuple[Any, float]]:
    """``(neighbour, weight of the link by its kind)`` for every edge at ``n``, either direction."""
    for u, v, kind, w in [
        *G.out_edges(n, keys=True, data="weight"),
        *G.in_edges(n, keys=True, data="weight"),
    ]:
        other = v if u == n else u
        if other != n:
            yield other, weights.get(kind, 0.0) * (w or 1.0)


def _assign(G: nx.MultiDiGraph, new_ids: list[str], options: BuildOptions) -> list[int]:
    """Give each new paper the area and sub-area it is most strongly linked to; returns new area ids."""
    pending = list(new_ids)
    for _ in range(ASSIGN_ROUNDS):
        left = []
        for n in pending:
            votes: dict[tuple[int, int], float] = {}
            for other, weight in _links(G, n, options.weights):
                attrs = G.nodes[other]
                if "community" in attrs:
                    key = (attrs["community"], attrs["subcommunity"])
                    votes[key] = votes.get(key, 0.0) + weight
            if votes and max(votes.values()) > 0:
                area, sub = max(votes, key=lambda k: (votes[k], -k[0], -k[1]))
                G.nodes[n].update(community=area, subcommunity=sub)
            else:
                left.append(n)
        if len(left) == len(pending):
            break
        pending = left
    areas, subs = G.graph["communities"], G.graph["subcommunities"]
    next_area = max((c["id"] for c in areas), default=-1) + 1
    next_sub = max((c["id"] for c in subs), default=-1) + 1
    created = []
    for offset, n in enumerate(pending):
        G.nodes[n].update(community=next_area + offset, subcommunity=next_sub + offset)
        created.append(next_area + offset)
    return created


def _relabel(G: nx.MultiDiGraph, index: TextIndex, new_areas: list[int]) -> None:
    """Keep every existing label; new single-paper areas are "unclustered"; refresh summaries."""
    area_terms = {c["id"]: c["terms"] for c in G.graph["communities"]}
    sub_terms = {c["id"]: c["terms"] for c in G.graph["subcommunities"]}
    parent = {c["id"]: c["parent"] for c in G.graph["subcommunities"]}
    for _, attrs in G.nodes(data=True):
        if attrs["community"] in new_areas:
            terms = [labels.UNCLUSTERED]  # never named from one paper's own words
            area_terms[attrs["community"]] = terms
            sub_terms[attrs["subcommunity"]] = terms
            parent[attrs["subcommunity"]] = attrs["community"]
        attrs["community_label"] = ", ".join(area_terms[attrs["community"]])
        attrs["subcommunity_label"] = ", ".join(sub_terms[attrs["subcommunity"]])
    G.graph["communities"] = labels.summarise(G, "community", area_terms)
    G.graph["subcommunities"] = labels.summarise(G, "subcommunity", sub_terms, parent=parent)


def _place(G: nx.MultiDiGraph, new_ids: list[str], options: BuildOptions) -> None:
    """New papers at the weighted mean of their placed neighbours, the rest on a row under the map."""
    rng = np.random.default_rng(options.seed)
    placed = {n for n, attrs in G.nodes(data=True) if "x" in attrs}
    pending = list(new_ids)
    for _ in range(ASSIGN_ROUNDS):
        left = []
        for n in pending:
            total, xy = 0.0, np.zeros(2)
            for other, weight in _links(G, n, options.weights):
                if other in placed and weight > 0:
                    xy += weight * np.array([G.nodes[other]["x"], G.nodes[other]["y"]])
                    total += weight
            if total > 0:
                x, y = xy / total + rng.normal(0.0, JITTER, size=2)
                G.nodes[n].update(x=round(float(x), 2), y=round(float(y), 2))
                placed.add(n)
            else:
                left.append(n)
        pending = left
    if pending:
        xs = [G.nodes[n]["x"] for n in placed] or [0.0]
        ys = [G.nodes[n]["y"] for n in placed] or [0.0]
        step = (max(xs) - min(xs) or 100.0) / max(len(pending), 10)
        for i, n in enumerate(pending):
            G.nodes[n].update(x=round(min(xs) + step * i, 2), y=round(min(ys) - 5 * step, 2))


def add_and_save(
    cache_dir: str | os.PathLike,
    name: str,
    new_papers: Sequence[Paper],
    *,
    store: PaperStore,
    inputs: Sequence[str] = (),
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> tuple[nx.MultiDiGraph, Path]:
    """Add papers to the built graph ``name`` and store the result in its place (atomically)."""
    G_old = load_graph(cache_dir, name)
    index = TextIndex.load(graph_dir(cache_dir, name))
    if index is None:
        raise ConfigError(
            f"Graph {name!r} was built without a saved text index, so papers cannot be added to it; "
            f"rebuild it once with `graphx build --name {name} ...`."
        )
    stored = store.get_papers(list(G_old))
    old = [stored.get(n) or _paper_from_node(n, attrs) for n, attrs in G_old.nodes(data=True)]
    store.upsert_papers(new_papers)
    G, index = update_graph(G_old, index, old, new_papers, progress=progress, cancel=cancel, copy=False)
    G.graph["meta"]["inputs"] = [*G.graph["meta"].get("inputs", []), *(str(i) for i in inputs)]
    return G, save_built(G, index, cache_dir, name, progress=progress, cancel=cancel)


def _paper_from_node(node_id: str, attrs: dict) -> Paper:
    """A paper rebuilt from its node (when the papers store lost it): no reference lists."""
    fields = set(Paper.__dataclass_fields__) - {"id", "references", "citations", "embedding"}
    kwargs = {k: v for k, v in attrs.items() if k in fields}
    for name in ("authors", "fields_of_study"):
        if name in kwargs:
            kwargs[name] = tuple(kwargs[name])
    return Paper(id=node_id, **kwargs)
