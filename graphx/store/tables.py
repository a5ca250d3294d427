"""Built graphs too big for one ``graph.json``, stored as Parquet tables and read an area at a time.

A folder ``CACHE/graphs/NAME/`` whose ``meta.json`` says ``"store": "tables"`` holds (docs/graph-format.md):

- ``nodes.parquet``: one row a paper, sorted by (community, subcommunity), so an area is one row range;
- ``texts.parquet``: ``id, abstract`` in the same row order (the abstracts would double the nodes);
- ``edges.parquet``: ``u, v, kind, weight, cu, cv`` (``cu``/``cv``: the areas of ``u`` and ``v``), sorted by
  ``(cu, cv)``, so the edges inside area ``k`` are one row range too;
- ``areas.parquet``: one row an area: its row ranges in the two files, its centre and spread (overview);
- ``links.parquet``: ``a < b, n``: how many edges join two areas (the overview's links);
- ``subareas.parquet``, ``sublinks.parquet``: the same for the sub-areas inside each area (an area too
  big to draw paper by paper opens on the overview of its sub-areas);
- ``search.sqlite``: an SQLite FTS5 index of titles and abstracts, and paper id -> row;
- ``page.json`` (+ ``.gz``): the explorer's overview of areas; ``meta.json``.

Reading one area reads only the Parquet row groups its ranges touch (memory-mapped), never a whole file.
pyarrow is an optional dependency (``pip install 'graphx[scale]'``); the rest of graphx imports without it.

Examples
--------
>>> import tempfile, numpy as np
>>> cache = tempfile.mkdtemp()
>>> nodes = {"id": ["a", "b", "c"], "title": ["Alpha", "Beta", "Gamma"], "community": np.array([0, 0, 1]),
...          "subcommunity": np.array([0, 0, 1]), "x": np.zeros(3), "y": np.zeros(3)}
>>> edges = {"u": ["a", "b"], "v": ["b", "c"], "kind": ["cites", "similar"], "weight": np.array([1.0, 0.5])}
>>> texts = {"id": ["a"], "abstract": ["Gamma rays, briefly."]}
>>> areas = [{"id": 0, "label": "alpha", "size": 2}, {"id": 1, "label": "gamma", "size": 1}]
>>> folder = save_tables(cache, "tiny", nodes=nodes, edges=edges, texts=texts, communities=areas,
...                      subcommunities=[], meta={})
>>> T = open_tables(cache, "tiny")
>>> sorted(T.area(0).edges(keys=True))
[('a', 'b', 'cites')]
>>> [hit["id"] for hit in T.search("gamma")]
['c', 'a']
"""

from __future__ import annotations

import bisect
import json
import os
import re
import sqlite3
import threading
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from graphx.errors import AreaNotFound, ConfigError, GraphNotFound, PaperNotFound
from graphx.store import graphs as graphstore

STORE_NAME = "tables"
NODES_FILE = graphstore.TABLES_FILE
TEXTS_FILE = "texts.parquet"
EDGES_FILE = "edges.parquet"
AREAS_FILE = "areas.parquet"
LINKS_FILE = "links.parquet"
SUBAREAS_FILE = "subareas.parquet"
SUBLINKS_FILE = "sublinks.parquet"
SEARCH_FILE = "search.sqlite"
# Row-group sizes: an area of ~5,000 papers touches one or two groups of nodes (a few MB) and of edges.
NODE_ROW_GROUP = 16_384
TEXT_ROW_GROUP = 4_096
EDGE_ROW_GROUP = 65_536
PARQUET_COMPRESSION = "zstd"
SEARCH_BATCH = 20_000
DEFAULT_SEARCH_LIMIT = 50
MAX_SEARCH_LIMIT = 1000
# Search ranking: a query word in the title counts this many times one in the abstract (FTS5 bm25).
TITLE_WEIGHT = 3.0
AUTHORS_SEP = "; "
# Words a query may hold that say nothing about a paper (as the explorer's own search drops them).
STOP_WORDS = frozenset("a an and are as at by for from in is of on or the to via with".split())

# Node columns and their Arrow types; the first two are required, the rest default to null (or 0).
NODE_STRINGS = ("id", "title", "venue", "authors", "doi", "arxiv", "url", "s2_id", "tldr", "publication_date")
NODE_INTS = {"year": "int32", "citation_count": "int64", "in_citations": "int32", "degree": "int32"}
NODE_AREAS = ("community", "subcommunity")
NODE_FLOATS = {"pagerank": "float64", "x": "float32", "y": "float32"}
# Absent on a node when unknown (docs/graph-format.md) rather than 0.
OPTIONAL_INTS = frozenset({"year"})


def _arrow():
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.parquet as pq
    except ImportError:  # pragma: no cover - the test extra installs it
        raise ConfigError(
            "Graphs stored as tables need pyarrow: pip install 'graphx[scale]' (or pip install pyarrow)."
        ) from None
    return pa, pc, pq


# ------------------------------------------------------------------------------------------------ save
def save_tables(
    cache_dir: str | os.PathLike,
    name: str,
    *,
    nodes: Any,
    edges: Any,
    texts: Any,
    communities: list[dict[str, Any]],
    subcommunities: list[dict[str, Any]],
    meta: Mapping[str, Any],
) -> Path:
    """Store a built graph as tables under ``CACHE/graphs/NAME``; returns the folder.

    Parameters
    ----------
    nodes, edges, texts : pyarrow.Table or dict of columns (numpy arrays or lists)
        ``nodes``: ``id``, ``community`` and any of the node columns of docs/graph-format.md (authors
        ``"; "``-joined); ``edges``: ``u, v, kind, weight``; ``texts``: ``id, abstract``. Any row order:
        they are sorted here.
    communities, subcommunities : list of dict
        As ``G.graph`` holds them (docs/graph-format.md).
    meta : mapping
        The build's metadata (inputs, parameters, timings_s, versions, built_at); ``counts`` is
        filled in where missing.

    Written whole into a temporary folder and swapped in (:func:`graphx.store.graphs.save_folder`), so a
    failed save leaves the previous graph of that name as it was.
    """
    pa, pc, pq = _arrow()
    graphstore.check_name(name)
    node_table = _node_table(_as_table(nodes, "nodes"))
    edge_table = _as_table(edges, "edges")
    text_table = _as_table(texts, "texts")
    _require(edge_table, ("u", "v", "kind", "weight"), "edges")
    _require(text_table, ("id", "abstract"), "texts")

    area = node_table["community"].to_numpy()
    sub = node_table["subcommunity"].to_numpy()
    if len(area) and area.min() < 0:
        raise ConfigError("Every paper needs a research area (community >= 0) before it is stored as tables.")
    order = np.lexsort((sub, area))
    node_table = node_table.take(pa.array(order))
    area = area[order]
    ids = node_table["id"]
    if pc.count_distinct(ids).as_py() != len(ids):
        raise ConfigError("Paper ids repeat in the nodes table: merge duplicates before storing the graph.")
    text_rows = pc.index_in(ids, value_set=pc.cast(text_table["id"], pa.string()))
    abstracts = pc.take(pc.cast(text_table["abstract"], pa.string()), text_rows)
    text_table = pa.table({"id": ids, "abstract": abstracts})

    ui = pc.index_in(pc.cast(edge_table["u"], pa.string()), value_set=ids)
    vi = pc.index_in(pc.cast(edge_table["v"], pa.string()), value_set=ids)
    stray = pc.sum(pc.or_(pc.is_null(ui), pc.is_null(vi))).as_py() or 0
    if stray:
        raise ConfigError(f"{stray:,} edges name papers that are not in the nodes table; drop them first.")
    cu = area[ui.to_numpy()].astype(np.int32)
    cv = area[vi.to_numpy()].astype(np.int32)
    edge_order = np.lexsort((cv, cu))
    edge_table = pa.table(
        {
            "u": pc.cast(edge_table["u"], pa.string()),
            "v": pc.cast(edge_table["v"], pa.string()),
            "kind": pc.cast(edge_table["kind"], pa.string()),
            "weight": pc.cast(edge_table["weight"], pa.float32()),
        }
    ).take(pa.array(edge_order))
    cu, cv = cu[edge_order], cv[edge_order]
    edge_table = edge_table.append_column("cu", pa.array(cu)).append_column("cv", pa.array(cv))

    area_table = _area_table(node_table, area, cu, cv)
    link_table = _link_table(cu, cv)
    sub = node_table["subcommunity"].to_numpy()
    inner = cu == cv
    su, sv = sub[ui.to_numpy()][edge_order][inner], sub[vi.to_numpy()][edge_order][inner]
    sub_order = np.lexsort((sv, su))
    subarea_table = _subarea_table(node_table, area, sub)
    sublink_table = _link_table(su[sub_order], sv[sub_order])
    stored_meta = _stored_meta(name, meta, node_table, edge_table, communities, subcommunities)

    def fill(tmp: Path) -> None:
        from graphx.view.tablepages import write_overview_page

        write = dict(compression=PARQUET_COMPRESSION, write_statistics=True)
        pq.write_table(node_table, tmp / NODES_FILE, row_group_size=NODE_ROW_GROUP, **write)
        pq.write_table(text_table, tmp / TEXTS_FILE, row_group_size=TEXT_ROW_GROUP, **write)
        pq.write_table(edge_table, tmp / EDGES_FILE, row_group_size=EDGE_ROW_GROUP, **write)
        pq.write_table(area_table, tmp / AREAS_FILE, **write)
        pq.write_table(link_table, tmp / LINKS_FILE, **write)
        pq.write_table(subarea_table, tmp / SUBAREAS_FILE, **write)
        pq.write_table(sublink_table, tmp / SUBLINKS_FILE, **write)
        _write_search_index(tmp / SEARCH_FILE, node_table, text_table)
        graphstore._write_json(tmp / graphstore.META_FILE, stored_meta)
        write_overview_page(TableGraph(tmp, name), tmp)

    return graphstore.save_folder(cache_dir, name, fill)


def _as_table(value: Any, what: str):
    pa, _, _ = _arrow()
    if isinstance(value, pa.Table):
        return value
    if isinstance(value, Mapping):
        return pa.table({k: pa.array(v) if isinstance(v, np.ndarray) else v for k, v in value.items()})
    raise ConfigError(f"save_tables: {what} must be a pyarrow Table or a dict of columns, not {type(value)}.")


def _require(table: Any, columns: tuple[str, ...], what: str) -> None:
    missing = [c for c in columns if c not in table.column_names]
    if missing:
        raise ConfigError(f"save_tables: the {what} table lacks the column(s) {', '.join(missing)}.")


def _node_table(table: Any):
    """The nodes with every column of the format, typed; absent optional columns are null (counts 0)."""
    pa, pc, _ = _arrow()
    _require(table, ("id", "community"), "nodes")
    n = table.num_rows
    columns: dict[str, Any] = {}
    for name in NODE_STRINGS:
        columns[name] = (
            pc.cast(table[name], pa.string()) if name in table.column_names else pa.nulls(n, pa.string())
        )
    for name, kind in {**NODE_INTS, **dict.fromkeys(NODE_AREAS, "int32"), **NODE_FLOATS}.items():
        if name in table.column_names:
            columns[name] = pc.cast(table[name], kind)
        elif name in OPTIONAL_INTS:
            columns[name] = pa.nulls(n, kind)
        elif name == "subcommunity":
            columns[name] = pc.cast(table["community"], kind)
        else:
            columns[name] = pa.array(np.zeros(n), pa.float64()).cast(kind)
    if pc.any(pc.is_null(columns["title"])).as_py() in (None, True):
        columns["title"] = pc.fill_null(columns["title"], "")
    return pa.table(columns)


def _groups(node_table: Any, key: np.ndarray) -> tuple[np.ndarray, ...]:
    """Per value of ``key`` (ints >= 0): the value, its papers, their mean position and spread around it."""
    ids = np.unique(key)
    x = node_table["x"].to_numpy().astype(np.float64)
    y = node_table["y"].to_numpy().astype(np.float64)
    width = int(ids.max()) + 1 if len(ids) else 1
    count = np.bincount(key, minlength=width)[ids]
    cx = np.bincount(key, weights=x, minlength=width)[ids] / np.maximum(count, 1)
    cy = np.bincount(key, weights=y, minlength=width)[ids] / np.maximum(count, 1)
    sq = np.bincount(key, weights=x * x + y * y, minlength=width)[ids] / np.maximum(count, 1)
    spread = np.sqrt(np.maximum(sq - cx * cx - cy * cy, 0.0))
    return ids, count, cx, cy, spread


def _subarea_table(node_table: Any, area: np.ndarray, sub: np.ndarray):
    """One row a sub-area: its area, papers, centre and spread (the overview inside a big area)."""
    pa, _, _ = _arrow()
    if len(sub) and sub.min() < 0:
        raise ConfigError("Every paper needs a sub-area (subcommunity >= 0) before it is stored as tables.")
    ids, count, cx, cy, spread = _groups(node_table, sub)
    _, first = np.unique(sub, return_index=True)
    parent = area[first]
    return pa.table(
        {"sub": ids.astype(np.int32), "parent": np.asarray(parent, np.int32),
         "papers": count.astype(np.int64), "x": cx, "y": cy, "spread": spread}
    )  # fmt: skip


def _area_table(node_table: Any, area: np.ndarray, cu: np.ndarray, cv: np.ndarray):
    """One row an area: its rows in nodes (and edges from it, and inside it), centre and spread."""
    pa, _, _ = _arrow()
    ids, count, cx, cy, spread = _groups(node_table, area)
    width = int(ids.max()) + 1 if len(ids) else 1
    pair = cu.astype(np.int64) * width + cv
    inner = ids.astype(np.int64) * width + ids
    return pa.table(
        {
            "area": ids.astype(np.int32),
            "papers": count.astype(np.int64),
            "node_start": np.searchsorted(area, ids, "left").astype(np.int64),
            "node_end": np.searchsorted(area, ids, "right").astype(np.int64),
            "edge_start": np.searchsorted(cu, ids, "left").astype(np.int64),
            "edge_end": np.searchsorted(cu, ids, "right").astype(np.int64),
            "inner_start": np.searchsorted(pair, inner, "left").astype(np.int64),
            "inner_end": np.searchsorted(pair, inner, "right").astype(np.int64),
            "x": cx,
            "y": cy,
            "spread": spread,
        }
    )


def _link_table(cu: np.ndarray, cv: np.ndarray):
    """Edges between two areas, counted once per unordered pair (``a < b``), from the sorted area columns."""
    pa, _, _ = _arrow()
    if not len(cu):
        return pa.table(
            {"a": pa.array([], pa.int32()), "b": pa.array([], pa.int32()), "n": pa.array([], pa.int64())}
        )
    width = int(max(cu.max(), cv.max())) + 1
    key = cu.astype(np.int64) * width + cv
    # The key is sorted already: runs of equal keys are the (cu, cv) blocks.
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    counts = np.diff(np.r_[starts, len(key)])
    a, b = cu[starts], cv[starts]
    outer = a != b
    lo, hi = np.minimum(a, b)[outer], np.maximum(a, b)[outer]
    pairs, where = np.unique(lo.astype(np.int64) * width + hi, return_inverse=True)
    total = np.bincount(where, weights=counts[outer]).astype(np.int64)
    return pa.table(
        {"a": (pairs // width).astype(np.int32), "b": (pairs % width).astype(np.int32), "n": total}
    )


def _stored_meta(name, meta, node_table, edge_table, communities, subcommunities) -> dict[str, Any]:
    _, pc, _ = _arrow()
    out = {k: v for k, v in dict(meta).items() if k not in ("communities", "subcommunities")}
    counts = dict(out.get("counts") or {})
    counts.setdefault("papers", node_table.num_rows)
    if "edges" not in counts:
        by_kind = pc.value_counts(edge_table["kind"]).to_pylist()
        counts["edges"] = {row["values"]: int(row["counts"]) for row in by_kind}
    counts.setdefault("areas", sum(1 for c in communities if int(c.get("size", 0)) >= _min_area_papers()))
    out.update(name=name, counts=counts, store=STORE_NAME)
    low, high = pc.min_max(node_table["year"]).values()
    out["years"] = [low.as_py(), high.as_py()] if low.is_valid else None
    out["communities"] = list(communities)
    out["subcommunities"] = list(subcommunities)
    return out


def _min_area_papers() -> int:
    from graphx.palette import MIN_AREA_PAPERS

    return MIN_AREA_PAPERS


def _write_search_index(path: Path, node_table: Any, text_table: Any) -> None:
    """Titles and abstracts in an FTS5 index (row = the node's row), and a table of what results show."""
    con = sqlite3.connect(path)
    try:
        con.execute("PRAGMA journal_mode=OFF")
        con.execute("PRAGMA synchronous=OFF")
        con.execute(
            "CREATE TABLE papers(row INTEGER PRIMARY KEY, id TEXT NOT NULL, title TEXT, year INTEGER,"
            " area INTEGER, sub INTEGER, citations INTEGER)"
        )
        con.execute(
            "CREATE VIRTUAL TABLE fts USING fts5(title, abstract, content='',"
            " tokenize='unicode61 remove_diacritics 2')"
        )
        columns = ["id", "title", "year", "community", "subcommunity", "citation_count"]
        for start in range(0, node_table.num_rows, SEARCH_BATCH):
            part = node_table.slice(start, SEARCH_BATCH).select(columns).to_pydict()
            abstracts = text_table["abstract"].slice(start, SEARCH_BATCH).to_pylist()
            rows = range(start, start + len(abstracts))
            con.executemany(
                "INSERT INTO papers VALUES (?, ?, ?, ?, ?, ?, ?)",
                zip(rows, *(part[c] for c in columns), strict=True),
            )
            con.executemany(
                "INSERT INTO fts(rowid, title, abstract) VALUES (?, ?, ?)",
                zip(rows, part["title"], abstracts, strict=True),
            )
        con.execute("CREATE UNIQUE INDEX papers_id ON papers(id)")
        con.commit()
    finally:
        con.close()


def graph_tables(G: nx.MultiDiGraph) -> dict[str, Any]:
    """The keyword arguments of :func:`save_tables` for a built networkx graph (the local engine's)."""
    ids = list(G.nodes)
    nodes: dict[str, Any] = {"id": [str(n) for n in ids]}
    for name in NODE_STRINGS[1:]:
        if name == "authors":
            nodes[name] = [AUTHORS_SEP.join(map(str, G.nodes[n].get("authors") or [])) for n in ids]
        else:
            nodes[name] = [_text_or_none(G.nodes[n].get(name)) for n in ids]
    nodes["title"] = [v or "" for v in nodes["title"]]
    for name in (*NODE_INTS, *NODE_AREAS, *NODE_FLOATS):
        default = None if name in OPTIONAL_INTS else 0
        nodes[name] = [G.nodes[n].get(name, default) for n in ids]
    rows = list(G.edges(keys=True, data=True))
    edges = {
        "u": [str(u) for u, _, _, _ in rows],
        "v": [str(v) for _, v, _, _ in rows],
        "kind": [str(d.get("kind", k)) for _, _, k, d in rows],
        "weight": np.array([float(d.get("weight", 1.0)) for _, _, _, d in rows], dtype=np.float32),
    }
    texts = {"id": nodes["id"], "abstract": [_text_or_none(G.nodes[n].get("abstract")) for n in ids]}
    return {
        "nodes": nodes,
        "edges": edges,
        "texts": texts,
        "communities": list(G.graph.get("communities") or []),
        "subcommunities": list(G.graph.get("subcommunities") or []),
        "meta": dict(G.graph.get("meta") or {}),
    }


def _text_or_none(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def save_graph_tables(G: nx.MultiDiGraph, cache_dir: str | os.PathLike, name: str) -> Path:
    """Store a built networkx graph as tables (``graphx build --store tables``)."""
    return save_tables(cache_dir, name, **graph_tables(G))


# ------------------------------------------------------------------------------------------------ read
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


def _fts_query(text: str) -> str | None:
    """A user's words as an FTS5 query: every word must occur, as a word or a word's start."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))
    words = re.findall(r"[^\W_]+", plain)
    content = [w for w in words if w not in STOP_WORDS]
    words = content or words
    return " ".join(f'"{w}"*' for w in words) if words else None


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
        nodes = self._read(NODES_FILE, a["node_start"][i], a["node_end"][i])
        abstracts = self._read(TEXTS_FILE, a["node_start"][i], a["node_end"][i], ["abstract"])["abstract"]
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
        e = edges.to_pydict()
        G.add_edges_from(
            (u, v, kind, {"kind": kind, "weight": float(w)})
            for u, v, kind, w in zip(e["u"], e["v"], e["kind"], e["weight"], strict=True)
        )
        G.graph = self._area_graph_attrs(int(k), G)
        return G

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

    def _area_graph_attrs(self, k: int, G: nx.MultiDiGraph) -> dict[str, Any]:
        from collections import Counter

        meta = {key: v for key, v in self.meta.items() if key not in ("communities", "subcommunities")}
        meta["counts"] = {
            "papers": G.number_of_nodes(),
            "edges": dict(Counter(kind for _, _, kind in G.edges(keys=True))),
        }
        area = [c for c in self.communities if int(c["id"]) == k]
        meta["area"] = {
            "of_graph": self.name,
            "community": k,
            "label": area[0].get("label") if area else None,
        }
        return {
            "name": self.name,
            "communities": area,
            "subcommunities": [c for c in self.subcommunities if int(c.get("parent", -1)) == k],
            "meta": meta,
        }

    # ---------------------------------------------------------------------------------- search, papers
    def _connect(self) -> sqlite3.Connection:
        uri = (self.folder / SEARCH_FILE).absolute().as_uri() + "?mode=ro"
        return sqlite3.connect(uri, uri=True)

    def search(self, q: str, limit: int = DEFAULT_SEARCH_LIMIT) -> list[dict[str, Any]]:
        """Papers whose title or abstract holds every word of ``q`` (or a word starting with it), best first.

        Ranked by BM25 with title words weighing ``TITLE_WEIGHT`` times abstract words, ties to the more
        cited paper. Each hit: ``id, title, year, area, sub, citations, score``.
        """
        query = _fts_query(q)
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
