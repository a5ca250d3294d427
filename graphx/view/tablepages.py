"""The explorer's page data for a graph stored as tables (:mod:`graphx.store.tables`).

A map of a million papers is never sent to a browser whole. Its page opens on the overview of areas
(:func:`overview_page`, written once at save time as ``page.json``, shaped as :func:`graphx.view.page_data`
with no papers in it), and an area opened from there comes from the server as the page data of that area
alone (:func:`area_page`: :func:`graphx.view.page_data` of :meth:`TableGraph.area`). Both carry
``tables`` (the whole map's counts), which tells the explorer's script to ask the server for areas and
search instead of holding every paper.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import networkx as nx

from graphx import view
from graphx.atomic import atomic_write
from graphx.edgekinds import EDGE_KINDS
from graphx.palette import count_areas
from graphx.view.pagefiles import PAGE_FILE, write_gzip_copy


def _shell(T: Any) -> nx.MultiDiGraph:
    """An empty graph carrying the map's area lists, for the colour helpers of :mod:`graphx.view`."""
    G = nx.MultiDiGraph()
    G.graph.update(communities=T.communities, subcommunities=T.subcommunities, name=T.name)
    return G


def map_summary(T: Any) -> dict[str, Any]:
    """What every page of a tables graph says about the whole map."""
    counts = T.meta.get("counts") or {}
    edges = counts.get("edges") or {}
    return {
        "papers": T.n_papers,
        "edges": sum(int(v) for v in edges.values()),
        "kind_counts": {k: int(edges.get(k, 0)) for k in EDGE_KINDS},
    }


def overview_page(
    T: Any, area: int | None = None, *, min_area_papers: int = view.OVERVIEW_MIN_AREA_PAPERS
) -> dict[str, Any]:
    """The overview page data of a tables graph: areas as nodes, links between areas, no papers.

    With ``area``: the overview inside that area (its sub-areas as nodes), for an area too big to draw
    paper by paper; each node then carries ``sub``, the sub-area it opens.
    """
    shell = _shell(T)
    colors = view._area_colors(shell)
    sub_colors = view._subarea_colors(shell, colors)
    H = T.overview(area)
    shown = {k for k, a in H.nodes(data=True) if a["papers"] >= min_area_papers} or set(H)
    pts = [(H.nodes[k]["x"], H.nodes[k]["y"]) for k in shown]
    extent = max(
        max((p[0] for p in pts), default=0) - min((p[0] for p in pts), default=0),
        max((p[1] for p in pts), default=0) - min((p[1] for p in pts), default=0),
        1.0,
    )
    nodes = []
    for k, a in sorted(H.nodes(data=True)):
        if k not in shown:
            continue
        node = {
            "area": int(k) if area is None else int(area),
            "label": a["label"],
            "papers": a["papers"],
            "x": round(a["x"], 1),
            "y": round(a["y"], 1),
            "size": round(max(0.7 * a["spread"], view.AREA_MIN_SIZE_SHARE * extent), 1),
            "color": (colors if area is None else sub_colors).get(int(k), view.FALLBACK_COLOR),
        }
        if area is not None:
            node["sub"] = int(k)
        nodes.append(node)
    # Links name their ends as the nodes' keys: area ids on the map, sub-area ids inside an area.
    links = sorted(
        [min(a, b), max(a, b), int(w)] for a, b, w in H.edges(data="weight") if a in shown and b in shown
    )
    small = [k for k in H if k not in shown]
    summary = map_summary(T)
    n_areas, n_small, small_papers = count_areas([int(c.get("size", 0)) for c in T.communities])
    return {
        "name": T.name,
        "vis_options": view.VIS_OPTIONS,
        "kinds": list(EDGE_KINDS),
        "kind_counts": summary["kind_counts"],
        "nodes": [],
        "edges": [],
        "edges_total": summary["edges"],
        "edges_drawn": 0,
        "years": T.meta.get("years"),
        "undated": 0,
        "max_citations": 0,
        "areas": [view._area_record(c, colors) for c in T.communities],
        "subareas": [view._area_record(c, sub_colors) for c in T.subcommunities],
        "area_counts": {"areas": n_areas, "small_areas": n_small, "small_area_papers": small_papers},
        "label_order": [],
        "overview": {
            "nodes": nodes,
            "edges": links,
            "font_size": round(max(extent * view.AREA_FONT_SHARE, 8.0), 1),
            "small_areas": len(small),
            "small_area_papers": sum(H.nodes[k]["papers"] for k in small),
        },
        "start_in_overview": True,
        "tables": {**summary, "area": None if area is None else int(area), "sub": None},
    }


def area_page(T: Any, k: int, sub: int | None = None) -> dict[str, Any]:
    """The page data of area ``k`` (or of its sub-area ``sub``) alone, with the map's area lists."""
    G = T.area(k, sub=sub)
    data = view.page_data(G, overview_min_papers=G.number_of_nodes() + 1)
    shell = _shell(T)
    colors = view._area_colors(shell)
    data["areas"] = [view._area_record(c, colors) for c in T.communities]
    data["start_in_overview"] = False
    data["tables"] = {**map_summary(T), "area": int(k), "sub": None if sub is None else int(sub)}
    return data


def opened_page(T: Any, k: int, sub: int | None = None, *, max_papers: int) -> dict[str, Any]:
    """What opening area ``k`` shows: its papers, or the overview of its sub-areas when it has more than
    ``max_papers``."""
    if sub is None and T.area_papers(k) > max_papers:
        return overview_page(T, k)
    return area_page(T, k, sub)


def write_overview_page(T: Any, folder: str | os.PathLike) -> Path:
    """``page.json`` (and its gzip copy) of a tables graph, written into ``folder``."""
    path = Path(folder) / PAGE_FILE
    data = view.script_json(overview_page(T)).encode("utf-8")
    atomic_write(path, lambda fh: fh.write(data))
    write_gzip_copy(path)
    return path
