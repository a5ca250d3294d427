"""Reading a graph stored as tables: :func:`open_tables` and :class:`TableGraph`."""

from __future__ import annotations

import bisect
import json
import os
import re
import sqlite3
import threading
import unicodedata
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from graphx.errors import AreaNotFound, ConfigError, GraphNotFound, PaperNotFound
from graphx.store import graphs as graphstore
from graphx.store.tables.files import (
    AREAS_FILE,
    AUTHORS_SEP,
    DEFAULT_SEARCH_LIMIT,
    EDGES_FILE,
    LINKS_FILE,
    MAX_SEARCH_LIMIT,
    NODES_FILE,
    SEARCH_FILE,
    SQL_VARIABLES,
    STOP_WORDS,
    SUBAREAS_FILE,
    SUBLINKS_FILE,
    TEXTS_FILE,
    TITLE_WEIGHT,
)
from graphx.store.tables.files import arrow as _arrow

SAMPLE_AREAS = 10  # areas sample_texts reads from


def open_tables(cache_dir: str | os.PathLike, name: str) -> TableGraph:
    """The graph ``name`` stored as tables; :class:`GraphNotFound` if there is none by that name."""
    folder = graphstore.graph_dir(cache_dir, name)
    if not (folder / NODES_FILE).is_file():
        try:
            graphstore.load_meta(cache_dir, name)
        except GraphNotFound:
            raise
        raise ConfigError(
            f"Graph {name!r} is stored as one networkx graph, not as tables: "
            f"load it with graphx.load({name!r})."
        )
    return TableGraph(folder, name)


def pa_array(values: Any):
    pa, _, _ = _arrow()
    return pa.array(values)


def _fts_query(text: str, *, any_word: bool = False) -> str | None:
    """A user's words as an FTS5 query: every word must occur (with ``any_word``: one of them), as a word
    or a word's start."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))
    words = re.findall(r"[^\W_]+", plain)
    content = [w for w in words if w not in STOP_WORDS]
    words = content or words
    return (" OR " if any_word else " ").join(f'"{w}"*' for w in words) if words else None


def _add_keyed_edges(G: nx.MultiDiGraph, e: dict[str, list]) -> dict[str, int]:
    """Edges ``(u, v, key=kind, kind=kind, weight=w)`` between nodes already in ``G``, in bulk; returns
    how many of each kind ``G`` got.

    ``MultiDiGraph.add_edges_from`` calls ``add_edge`` once per edge (~8 us each: 0.3 s for the 38,000
    edges of a 4,500-paper area); this fills the same adjacency dicts ``add_edge`` fills (one key dict
    shared by ``_succ[u][v]`` and ``_pred[v][u]``), several times faster. A repeated (u, v, kind) keeps
    the last weight, as ``add_edge`` would.
    """
    succ, pred = G._succ, G._pred
    counts: dict[str, int] = {}
    for u, v, kind, w in zip(e["u"], e["v"], e["kind"], e["weight"], strict=True):
        keydict = succ[u].get(v)
        if keydict is None:
            keydict = succ[u][v] = pred[v][u] = {}
        if kind not in keydict:
            counts[kind] = counts.get(kind, 0) + 1
        keydict[kind] = {"kind": kind, "weight": float(w)}
    nx._clear_cache(G)
    return counts


class TableGraph:
    """A graph stored as tables: its overview, one area at a time, search and single papers.

    Safe to share between threads (one lock around the Parquet readers). ``meta`` is ``meta.json``.
    """

    def __init__(self, folder: str | os.PathLike, name: str | None = None):
        _, _, pq = _arrow()
        self.folder = Path(folder)
        with open(self.folder / graphstore.META_FILE, encoding="utf-8") as fh:
            self.meta: dict[str, Any] = json.load(fh)
        self.name = name or self.meta.get("name") or self.folder.name
        self.communities: list[dict[str, Any]] = self.meta.get("communities") or []
        self.subcommunities: list[dict[str, Any]] = self.meta.get("subcommunities") or []
        self._areas = pq.read_table(self.folder / AREAS_FILE).to_pydict()
        self._area_row = {a: i for i, a in enumerate(self._areas["area"])}
        self._lock = threading.Lock()
        self._files = {
            f: pq.ParquetFile(self.folder / f, memory_map=True) for f in (NODES_FILE, TEXTS_FILE, EDGES_FILE)
        }
        self._offsets = {
            f: np.cumsum([0] + [pf.metadata.row_group(g).num_rows for g in range(pf.num_row_groups)]).tolist()
            for f, pf in self._files.items()
        }

    @property
    def n_papers(self) -> int:
        return int(self._offsets[NODES_FILE][-1])

    def area_ids(self) -> list[int]:
        return list(self._areas["area"])

    def area_papers(self, k: int) -> int:
        return int(self._areas["papers"][self._row(k)])

    # ---------------------------------------------------------------------------------------- overview
    def overview(self, area: int | None = None) -> nx.Graph:
        """Areas as nodes (``label, papers, x, y, spread``) and the links between them (``weight``: edges).

        With ``area``: that area's sub-areas and the links between them, as one area's overview.
        """
        _, pc, pq = _arrow()
        if area is None:
            groups, links, records = self._areas, pq.read_table(self.folder / LINKS_FILE), self.communities
            key = "area"
        else:
            self._row(area)
            subs = pq.read_table(self.folder / SUBAREAS_FILE)
            groups = subs.filter(pc.equal(subs["parent"], int(area))).to_pydict()
            links = pq.read_table(self.folder / SUBLINKS_FILE)
            links = links.filter(pc.is_in(links["a"], value_set=pa_array(groups["sub"])))
            records, key = self.subcommunities, "sub"
        labels = {int(c["id"]): c for c in records}
        H = nx.Graph(name=self.name)
        for i, k in enumerate(groups[key]):
            H.add_node(
                int(k),
                label=str(
                    labels.get(int(k), {}).get("label", f"{'area' if area is None else 'sub-area'} {k}")
                ),
                papers=int(groups["papers"][i]),
                x=float(groups["x"][i]),
                y=float(groups["y"][i]),
                spread=float(groups["spread"][i]),
            )
        links = links.to_pydict()
        H.add_weighted_edges_from(zip(links["a"], links["b"], links["n"], strict=True))
        return H

    # ------------------------------------------------------------------------------------------- areas
    def _row(self, k: Any) -> int:
        try:
            return self._area_row[int(k)]
        except (KeyError, TypeError, ValueError):
            ids = self.area_ids()
            shown = ", ".join(map(str, ids[:20])) + (", ..." if len(ids) > 20 else "")
            raise AreaNotFound(
                f"No research area {k!r} in graph {self.name!r}; its areas are {shown} "
                f"(`graphx info {self.name}` names them)."
            ) from None

    def _read(self, file: str, start: int, end: int, columns: list[str] | None = None):
        """Rows ``[start, end)`` of one of the Parquet files, reading only the row groups they fall in."""
        pf, offsets = self._files[file], self._offsets[file]
        if end <= start:
            return pf.schema_arrow.empty_table().select(columns) if columns else pf.schema_arrow.empty_table()
        first = bisect.bisect_right(offsets, start) - 1
        last = bisect.bisect_right(offsets, end - 1) - 1
        with self._lock:
            table = pf.read_row_groups(list(range(first, last + 1)), columns=columns)
        return table.slice(start - offsets[first], end - start)

    def area(self, k: int, sub: int | None = None) -> nx.MultiDiGraph:
        """Area ``k`` (or its sub-area ``sub``): its papers and the edges among them, as the format says.

        ``G.graph`` is trimmed as :func:`graphx.export.subgraph_for_community` trims it (that area, its
        sub-areas, counts recounted, ``meta["area"]``); ``pagerank``/``degree`` describe the whole map.
        """
        _, pc, _ = _arrow()
        i = self._row(k)
        a = self._areas
        nodes, abstracts = self._papers_of(i)
        edges = self._read(EDGES_FILE, a["inner_start"][i], a["inner_end"][i], ["u", "v", "kind", "weight"])
        if sub is not None:
            keep = pc.equal(nodes["subcommunity"], int(sub))
            if not pc.any(keep).as_py():
                subs = sorted(set(nodes["subcommunity"].to_pylist()))
                raise AreaNotFound(
                    f"Area {k} of graph {self.name!r} has no sub-area {sub}; its sub-areas: {subs}."
                )
            nodes, abstracts = nodes.filter(keep), abstracts.filter(keep)
            both = pc.and_(
                pc.is_in(edges["u"], value_set=nodes["id"]), pc.is_in(edges["v"], value_set=nodes["id"])
            )
            edges = edges.filter(both)
        G = nx.MultiDiGraph()
        G.add_nodes_from(self._node_records(nodes, abstracts))
        counts = _add_keyed_edges(G, edges.to_pydict())
        G.graph = self._area_graph_attrs(int(k), G, counts)
        return G

    def areas(self, ks: list[int]) -> nx.MultiDiGraph:
        """Several areas at once: their papers and every edge among them, inside one area or between two
        of them (what the topic lens needs: a topic may span neighbouring areas). ``G.graph`` holds those
        areas and their sub-areas, and the map's metadata (build parameters, text encoder)."""
        _, pc, _ = _arrow()
        ks = sorted({int(k) for k in ks})
        rows = [self._row(k) for k in ks]
        a = self._areas
        G = nx.MultiDiGraph()
        counts: dict[str, int] = {}
        wanted = pa_array(np.asarray(ks, dtype=np.int32))
        for i in rows:
            G.add_nodes_from(self._node_records(*self._papers_of(i)))
        for i in rows:
            # Edges are sorted by the areas of their two ends: this area's block, kept where the other end
            # is one of the chosen areas.
            edges = self._read(
                EDGES_FILE, a["edge_start"][i], a["edge_end"][i], ["u", "v", "kind", "weight", "cv"]
            )
            edges = edges.filter(pc.is_in(pc.cast(edges["cv"], "int32"), value_set=wanted))
            for kind, n in _add_keyed_edges(
                G, edges.select(["u", "v", "kind", "weight"]).to_pydict()
            ).items():
                counts[kind] = counts.get(kind, 0) + n
        G.graph = self._graph_attrs(set(ks), G, counts)
        return G

    def sample_texts(self, n: int, *, exclude: list[int] = ()) -> list[tuple[str, str, str | None]]:
        """About ``n`` papers' ``(id, title, abstract)`` from areas not in ``exclude``: the first rows of up
        to SAMPLE_AREAS of them, spread over the map's area list (a few row groups read, not the map)."""
        skip = {int(k) for k in exclude}
        others = [k for k in self.area_ids() if k not in skip]
        if not others or n <= 0:
            return []
        picked = [others[int(i)] for i in np.linspace(0, len(others) - 1, min(SAMPLE_AREAS, len(others)))]
        per_area = max(1, n // len(set(picked)))
        out: list[tuple[str, str, str | None]] = []
        for k in dict.fromkeys(picked):
            i = self._row(k)
            start = self._areas["node_start"][i]
            end = min(self._areas["node_end"][i], start + per_area)
            nodes = self._read(NODES_FILE, start, end, ["id", "title"]).to_pydict()
            abstracts = self._read(TEXTS_FILE, start, end, ["abstract"])["abstract"].to_pylist()
            out.extend(zip(nodes["id"], nodes["title"], abstracts, strict=True))
        return out

    def _node_records(self, nodes: Any, abstracts: Any):
        labels = {int(c["id"]): c.get("label", "") for c in self.communities}
        sub_labels = {int(c["id"]): c.get("label", "") for c in self.subcommunities}
        cols = nodes.to_pydict()
        cols["abstract"] = abstracts.to_pylist()
        names = [c for c in cols if c != "id"]
        for row, pid in enumerate(cols["id"]):
            attrs = {c: cols[c][row] for c in names if cols[c][row] is not None}
            attrs["authors"] = [s for s in (attrs.get("authors") or "").split(AUTHORS_SEP) if s]
            attrs["community_label"] = labels.get(attrs["community"], "")
            attrs["subcommunity_label"] = sub_labels.get(attrs["subcommunity"], "")
            yield pid, attrs

    def _papers_of(self, i: int) -> tuple[Any, Any]:
        """The nodes table and abstracts column of the area in row ``i`` of the areas table."""
        start, end = self._areas["node_start"][i], self._areas["node_end"][i]
        return self._read(NODES_FILE, start, end), self._read(TEXTS_FILE, start, end, ["abstract"])[
            "abstract"
        ]

    def _graph_attrs(self, ks: set[int], G: nx.MultiDiGraph, edges: dict[str, int]) -> dict[str, Any]:
        """``G.graph`` for the areas ``ks`` of the map: those areas, their sub-areas, the map's metadata
        with the counts of ``G``."""
        meta = {key: v for key, v in self.meta.items() if key not in ("communities", "subcommunities")}
        meta["counts"] = {"papers": G.number_of_nodes(), "edges": edges}
        return {
            "name": self.name,
            "communities": [c for c in self.communities if int(c["id"]) in ks],
            "subcommunities": [c for c in self.subcommunities if int(c.get("parent", -1)) in ks],
            "meta": meta,
        }

    def _area_graph_attrs(self, k: int, G: nx.MultiDiGraph, edges: dict[str, int]) -> dict[str, Any]:
        attrs = self._graph_attrs({k}, G, edges)
        area = attrs["communities"]
        attrs["meta"]["area"] = {
            "of_graph": self.name,
            "community": k,
            "label": area[0].get("label") if area else None,
        }
        return attrs

    # ---------------------------------------------------------------------------------- search, papers
    def _connect(self) -> sqlite3.Connection:
        uri = (self.folder / SEARCH_FILE).absolute().as_uri() + "?mode=ro"
        return sqlite3.connect(uri, uri=True)

    def search(
        self, q: str, limit: int = DEFAULT_SEARCH_LIMIT, *, any_word: bool = False
    ) -> list[dict[str, Any]]:
        """Papers whose title or abstract holds every word of ``q`` (or a word starting with it; with
        ``any_word``, one of them at least), best first.

        Ranked by BM25 with title words weighing ``TITLE_WEIGHT`` times abstract words, ties to the more
        cited paper. Each hit: ``id, title, year, area, sub, citations, score``.
        """
        query = _fts_query(q, any_word=any_word)
        if query is None:
            return []
        limit = max(1, min(int(limit), MAX_SEARCH_LIMIT))
        con = self._connect()
        try:
            rows = con.execute(
                "SELECT p.id, p.title, p.year, p.area, p.sub, p.citations, bm25(fts, ?, 1.0) AS s"
                " FROM fts JOIN papers p ON p.row = fts.rowid WHERE fts MATCH ?"
                " ORDER BY s, p.citations DESC LIMIT ?",
                (TITLE_WEIGHT, query, limit),
            ).fetchall()
        finally:
            con.close()
        keys = ("id", "title", "year", "area", "sub", "citations")
        hits = []
        for row in rows:
            hit = {k: v for k, v in zip(keys, row[:6], strict=True) if v is not None}
            hit["score"] = round(-float(row[6]), 3)
            hits.append(hit)
        return hits

    def count_matches(self, q: str) -> int:
        """How many papers :meth:`search` would find without a limit."""
        query = _fts_query(q)
        if query is None:
            return 0
        con = self._connect()
        try:
            return int(con.execute("SELECT count(*) FROM fts WHERE fts MATCH ?", (query,)).fetchone()[0])
        finally:
            con.close()

    def briefs(self, paper_ids: list[str]) -> dict[str, dict[str, Any]]:
        """``{id: {title, year, citation_count, community, subcommunity}}`` of many papers in one query
        (from the search index, no Parquet read); ids not in the graph are left out."""
        out: dict[str, dict[str, Any]] = {}
        con = self._connect()
        try:
            for start in range(0, len(paper_ids), SQL_VARIABLES):
                part = [str(p) for p in paper_ids[start : start + SQL_VARIABLES]]
                rows = con.execute(
                    "SELECT id, title, year, citations, area, sub FROM papers"
                    f" WHERE id IN ({','.join('?' * len(part))})",
                    part,
                ).fetchall()
                for pid, title, year, cites, area, sub in rows:
                    brief = {"title": title, "year": year, "citation_count": cites, "community": area}
                    out[pid] = {k: v for k, v in {**brief, "subcommunity": sub}.items() if v is not None}
        finally:
            con.close()
        return out

    def paper(self, paper_id: str) -> dict[str, Any]:
        """One paper's attributes as the format gives them (with its abstract); :class:`PaperNotFound`."""
        con = self._connect()
        try:
            found = con.execute("SELECT row FROM papers WHERE id = ?", (str(paper_id),)).fetchone()
        finally:
            con.close()
        if found is None:
            raise PaperNotFound(
                f"No paper {paper_id!r} in graph {self.name!r}; search the explorer by title."
            )
        row = int(found[0])
        nodes = self._read(NODES_FILE, row, row + 1)
        abstracts = self._read(TEXTS_FILE, row, row + 1, ["abstract"])["abstract"]
        return dict(next(iter(self._node_records(nodes, abstracts)))[1], id=str(paper_id))
