"""Writing a graph as tables (:func:`save_tables`), from columns or from a built networkx graph."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from graphx.build.edgearrays import unique_sorted
from graphx.errors import ConfigError
from graphx.store import graphs as graphstore
from graphx.store.tables.files import (
    AREAS_FILE,
    AUTHORS_SEP,
    EDGE_ROW_GROUP,
    EDGES_FILE,
    LINKS_FILE,
    NODE_AREAS,
    NODE_FLOATS,
    NODE_INTS,
    NODE_ROW_GROUP,
    NODE_STRINGS,
    NODES_FILE,
    OPTIONAL_INTS,
    PARQUET_COMPRESSION,
    SEARCH_BATCH,
    SEARCH_FILE,
    STORE_NAME,
    SUBAREAS_FILE,
    SUBLINKS_FILE,
    TEXT_ROW_GROUP,
    TEXTS_FILE,
)
from graphx.store.tables.files import arrow as _arrow


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
        from graphx.store.tables.read import TableGraph
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
    ids = unique_sorted(key)
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
