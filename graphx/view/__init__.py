"""The graph as an interactive vis-network page: page data, paper details, standalone HTML.

pyvis 0.3.2 is used for what it is good at (it ships vis-network 9.1.2 and a sensible options
model) and avoided where it is not: its ``add_node``/``add_edge`` are quadratic, its templates pull
bootstrap from a CDN and write node data into a script block unescaped. So the node and edge lists are
built here directly, from the stored layout (``x``/``y``) with physics, edge smoothing and
``improvedLayout`` off, and every piece of paper text goes through :func:`script_json` before it
reaches a page.

The same explorer script (``graphx/view/static/explorer.js``) drives the web app's ``/graphs/NAME`` page
and the standalone file written by :func:`write_html`; the standalone file inlines vis-network, the
script and the paper details, so it opens with no network and no server. The page assets live here, with
the code that renders them; the web app serves them from :func:`templates_dir` and :func:`static_dir`.
"""

from __future__ import annotations

import importlib.util
import math
import os
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import orjson

from graphx.atomic import atomic_write, json_default
from graphx.build.edgearrays import EdgeArrays, edge_arrays, first_index
from graphx.edgekinds import EDGE_KINDS
from graphx.errors import ConfigError, PaperNotFound
from graphx.palette import MIN_AREA_PAPERS, SMALL_AREA_COLOR, area_color, count_areas, shades

# Above this many papers the explorer opens on the overview (areas as nodes) and the full view shows the
# strongest edges only: 6,545 papers with every edge is ~150k lines to draw on each frame.
OVERVIEW_MIN_PAPERS = 2000
MAX_VIEW_EDGES = 15_000
# Of those, the all-papers view draws the strongest this many (every kind keeping its share): creating
# vis-network's edges is most of its first draw (measured in Chromium: 6,545 nodes with 6,000 edges
# ~0.5 s, with 3,000 ~0.3 s; 15,000 edges ~1 s). A drilled-in area adds the rest of its own edges.
ALL_PAPERS_EDGES = 4_000
MAX_AUTHORS_SHOWN = 8
NEIGHBOURS_SHOWN = 25
NODE_SIZE_MIN = 4.0
NODE_SIZE_PER_LOG_CITATION = 2.5
NODE_SIZE_MAX = 24.0
# Stored layouts differ in density (an area disc of 300 papers may span 200 units); positions are scaled
# so the median distance to a paper's nearest neighbour is this many canvas units, which keeps node
# sizes (in the same units) readable at any graph size.
NODE_SPACING = 14.0
# Overview: small groups (under MIN_AREA_PAPERS) are not drawn as nodes; sizes scale with the map's extent.
OVERVIEW_MIN_AREA_PAPERS = MIN_AREA_PAPERS
AREA_MIN_SIZE_SHARE = 0.012
AREA_FONT_SHARE = 0.016
FALLBACK_COLOR = SMALL_AREA_COLOR
# The explorer's scripts in load order (graphx/view/static); the standalone file inlines them in this order.
EXPLORER_SCRIPTS = ("explorer-labels.js", "explorer-search.js", "explorer-panels.js", "explorer.js")
VIS_VERSION = "9.1.2"

# vis-network defaults (physics on, dynamic smoothing, improvedLayout) take minutes on big graphs.
VIS_OPTIONS: dict[str, Any] = {
    "autoResize": True,
    "layout": {"improvedLayout": False, "randomSeed": 42},
    "physics": {
        "enabled": False,
        "solver": "barnesHut",
        "barnesHut": {"gravitationalConstant": -3000, "springLength": 120, "damping": 0.4},
        "stabilization": {"enabled": True, "iterations": 200, "updateInterval": 50},
    },
    "edges": {
        "smooth": False,
        "width": 0.6,
        "selectionWidth": 2,
        "hoverWidth": 0,
        "arrows": {"to": {"enabled": False}},
    },
    "nodes": {"shape": "dot", "borderWidth": 1, "font": {"size": 14}},
    "interaction": {
        "hover": True,
        "hideEdgesOnDrag": True,
        "hideEdgesOnZoom": True,
        "tooltipDelay": 150,
        "navigationButtons": False,
        "keyboard": False,
        "multiselect": False,
    },
}


# --------------------------------------------------------------------------------------------- escaping
_SCRIPT_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def script_json(value: Any) -> str:
    """``value`` as JSON that is safe inside an HTML ``<script>`` block.

    JSON alone lets ``</script>`` or ``<!--`` end the block early; the five characters that
    matter are written as ``\\uXXXX`` escapes, which JSON and JavaScript read back unchanged. Compact
    UTF-8 JSON by orjson: 0.2 s where ``json.dumps`` took 1.2 s for a 100k-paper graph's page data and
    search texts (150 MB).

    Examples
    --------
    >>> script_json({"title": "</script><b>x</b>"})
    '{"title":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003ex\\\\u003c/b\\\\u003e"}'
    """
    text = orjson.dumps(
        value, default=json_default, option=orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY
    ).decode("utf-8")
    # str.replace per character: str.translate with a dict costs ~0.3 s per 10 MB page.
    for char, escape in _SCRIPT_ESCAPES.items():
        if char in text:
            text = text.replace(char, escape)
    return text


# ------------------------------------------------------------------------------------------ page data
def node_size(citation_count: Any) -> float:
    """Node radius on a log scale of citations, capped, so a 500-citation paper does not cover the map.

    The explorer and the GEXF/GraphML exports use this one size, so Gephi shows what the explorer shows.
    An unknown, negative or non-numeric count counts as 0.
    """
    try:
        count = float(citation_count or 0)
    except (TypeError, ValueError):
        count = 0.0
    if not math.isfinite(count) or count < 0:
        count = 0.0
    raw = NODE_SIZE_MIN + NODE_SIZE_PER_LOG_CITATION * math.log1p(count)
    return round(min(raw, NODE_SIZE_MAX), 2)


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def _area_colors(G: nx.MultiDiGraph) -> dict[int, str]:
    """Area colours from :mod:`graphx.palette` by area rank and size, whatever colour the build stored.

    Graphs built before the palette changed then show the same colours as new builds.
    """
    return {
        int(_plain(c["id"])): area_color(int(_plain(c["id"])), int(_plain(c.get("size", 0))))
        for c in G.graph.get("communities", [])
    }


def _subarea_colors(G: nx.MultiDiGraph, colors: dict[int, str]) -> dict[int, str]:
    """Each sub-area in its own shade of its area's colour, the largest sub-area in the colour itself."""
    by_parent: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for c in G.graph.get("subcommunities", []):
        by_parent[int(_plain(c.get("parent", -1)))].append(c)
    out = {}
    for parent, subs in by_parent.items():
        subs.sort(key=lambda c: (-int(_plain(c.get("size", 0))), int(_plain(c["id"]))))
        base = colors.get(parent, FALLBACK_COLOR)
        palette = shades(base, len(subs)) if base != FALLBACK_COLOR else [base] * len(subs)
        out.update({int(_plain(c["id"])): col for c, col in zip(subs, palette, strict=True)})
    return out


def label_order(G: nx.MultiDiGraph, ids: list[str]) -> list[int]:
    """Indices into ``ids``, most central paper first (PageRank, then degree): who gets a label first."""

    def key(i: int) -> tuple[float, float, int]:
        attrs = G.nodes[ids[i]]
        return (-float(_plain(attrs.get("pagerank", 0.0))), -float(_plain(attrs.get("degree", 0))), i)

    return sorted(range(len(ids)), key=key)


def layout_scale(G: nx.MultiDiGraph) -> float:
    """Factor on stored positions that makes the median nearest-neighbour distance ``NODE_SPACING``."""
    import numpy as np
    from scipy.spatial import cKDTree

    if G.number_of_nodes() < 2:
        return 1.0
    points = np.array(
        [[float(_plain(a.get("x", 0.0))), float(_plain(a.get("y", 0.0)))] for _, a in G.nodes(data=True)]
    )
    distances, _ = cKDTree(points).query(points, k=2)
    nearest = distances[:, 1]
    median = float(np.median(nearest[nearest > 0])) if (nearest > 0).any() else 0.0
    return NODE_SPACING / median if median > 0 else 1.0


def paper_node(pid: str, attrs: dict[str, Any], colors: dict[int, str], scale: float = 1.0) -> dict[str, Any]:
    """One paper as the explorer's node record: what hover, search and filters need, no abstract."""
    authors = list(attrs.get("authors") or [])
    area = int(_plain(attrs.get("community", -1)))
    cites = int(_plain(attrs.get("citation_count", 0) or 0))
    node: dict[str, Any] = {
        "id": str(pid),
        "title": str(attrs.get("title", "")),
        "authors": [str(a) for a in authors[:MAX_AUTHORS_SHOWN]],
        "more_authors": max(len(authors) - MAX_AUTHORS_SHOWN, 0),
        "citations": cites,
        "area": area,
        "sub": int(_plain(attrs.get("subcommunity", -1))),
        "x": round(scale * float(_plain(attrs.get("x", 0.0))), 1),
        "y": round(scale * float(_plain(attrs.get("y", 0.0))), 1),
        "size": node_size(cites),
        "color": colors.get(area, FALLBACK_COLOR),
    }
    if "year" in attrs:
        node["year"] = int(_plain(attrs["year"]))
    if attrs.get("venue"):
        node["venue"] = str(attrs["venue"])
    return node


def view_edges(
    G: nx.MultiDiGraph, index: dict[str, int], max_edges: int | None, *, edges: EdgeArrays | None = None
) -> tuple[list, int]:
    """Edges as ``[source_index, target_index, kind_index, weight]``, strongest first if capped.

    Above ``ALL_PAPERS_EDGES`` rows they are ordered so that any prefix is the strongest of each kind in
    its share (the all-papers view draws a prefix). Returns the list and the number before the cap.
    ``edges`` are ``G``'s edges as arrays in ``G.edges(keys=True)`` order (:func:`graph_edges`), if the
    caller has them.
    """
    table = graph_edges(G, index, edges)
    weight = round_weights(table.weight)
    total = len(table)
    area = {index[n]: c for n, c in G.nodes(data="community")}
    if max_edges is not None and total > max_edges and all(type(c) is int for c in area.values()):
        community = np.full(max(len(index), 1), -1, dtype=np.int64)
        community[list(area)] = list(area.values())
        at = _strongest(table.src, table.dst, table.codes.astype(np.int64), weight, community, max_edges)
        rows = _rows(table.taken(at), weight[at])
    else:
        rows = _rows(table, weight)
        if max_edges is not None and total > max_edges:
            kept: list[list] = []
            for kind_rows in _by_strength(rows, area).values():
                kept += kind_rows[: round(max_edges * len(kind_rows) / len(rows))]
            rows = kept[:max_edges]
    if len(rows) > ALL_PAPERS_EDGES:
        rows = _interleaved(rows, area)
    return rows, total


def graph_edges(G: nx.MultiDiGraph, index: dict[str, int], edges: EdgeArrays | None = None) -> EdgeArrays:
    """``G``'s edges of the kinds in EDGE_KINDS as arrays in ``G.edges(keys=True)`` order, indexing nodes
    by ``index`` (a paper's position in ``G``).

    ``edges`` are those arrays already, if the caller has them (a build: no walk over millions of
    networkx edges); their nodes may be in another order than ``index``'s."""
    table = edge_arrays(G) if edges is None else edges
    if table.nodes == list(index):
        return table
    position = np.fromiter((index[n] for n in table.nodes), dtype=np.int64, count=len(table.nodes))
    return EdgeArrays(list(index), position[table.src], position[table.dst], table.codes, table.weight)


def round_weights(weight: np.ndarray) -> np.ndarray:
    """``round(w, 3)`` of every weight, as Python rounds (the nearest double to the decimal rounding).

    ``rint(w * 1000) / 1000`` is that, except where ``w * 1000`` lies within a rounding error of a
    half: those few are rounded by Python.

    >>> round_weights(np.array([0.1234, 0.0005, 2.675, 1.0])).tolist()
    [0.123, 0.001, 2.675, 1.0]
    """
    weight = np.asarray(weight, dtype=np.float64)
    scaled = weight * 1000.0
    out = np.rint(scaled) / 1000.0
    near = np.flatnonzero(np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6)
    out[near] = [round(float(w), 3) for w in weight[near]]
    return out


def _rows(table: EdgeArrays, weight: np.ndarray) -> list[list]:
    """Page rows ``[source, target, kind, weight]`` of ``table`` with the (rounded) ``weight``."""
    return [
        [i, j, k, w]
        for i, j, k, w in zip(
            table.src.tolist(), table.dst.tolist(), table.codes.tolist(), weight.tolist(), strict=True
        )
    ]


def _by_strength(rows: list[list], area: dict[int, Any]) -> dict[int, list[list]]:
    """Rows by kind, strongest first.

    Citations all weigh 1.0: those inside one area come first, then those whose two papers are also
    linked by similarity, co-citation or coupling (the sum of those weights), then those to the most
    cited. Ranking by the cited paper's citations alone drew a starburst of long lines from a few
    classics across the whole map.
    """
    in_cites = Counter(r[1] for r in rows if r[2] == 0)
    context: Counter = Counter()
    for r in rows:
        if r[2] != 0:
            context[(min(r[0], r[1]), max(r[0], r[1]))] += r[3]
    by_kind: dict[int, list[list]] = defaultdict(list)
    for row in rows:
        by_kind[row[2]].append(row)
    for kind, kind_rows in by_kind.items():
        if kind == 0:
            kind_rows.sort(
                key=lambda r: (
                    area.get(r[0]) != area.get(r[1]),
                    -context[(min(r[0], r[1]), max(r[0], r[1]))],
                    -in_cites[r[1]],
                )
            )
        else:
            kind_rows.sort(key=lambda r: -r[3])
    return dict(sorted(by_kind.items()))


def _strongest(
    src: np.ndarray,
    dst: np.ndarray,
    kind: np.ndarray,
    weight: np.ndarray,
    community: np.ndarray,
    max_edges: int,
) -> np.ndarray:
    """Indices of ``max_edges`` edges, each kind keeping its share of the total, strongest first within
    a kind, in :func:`_by_strength`'s order (numpy sorts, stable as Python's): at 100k papers sorting
    4.6 million rows by Python keys took most of the page data's 40 s of CPU.

    ``community[i]`` is paper ``i``'s area (an int); ``weight`` the rounded weights of the page rows.
    """
    n = max(len(community), 1)
    cite = kind == 0
    # Context of a citation: summed weights of the other kinds on the same pair (in row order, as a Counter).
    pair = np.minimum(src, dst) * n + np.maximum(src, dst)
    inverse = first_index(pair)
    context = np.bincount(inverse[~cite], weights=weight[~cite], minlength=len(pair))[inverse]
    in_cites = np.bincount(dst[cite], minlength=n)[dst]
    kept = []
    for k in np.flatnonzero(np.bincount(kind)).tolist():
        at = np.flatnonzero(kind == k)
        if k == 0:
            outside = community[src[at]] != community[dst[at]]
            order = at[np.lexsort((-in_cites[at], -context[at], outside))]
        else:
            order = at[np.argsort(-weight[at], kind="stable")]
        kept.append(order[: round(max_edges * len(at) / len(kind))])
    return np.concatenate(kept)[:max_edges] if kept else np.zeros(0, dtype=np.int64)


def _interleaved(rows: list[list], area: dict[int, Any]) -> list[list]:
    """``rows`` ordered so that every prefix keeps each kind's share, strongest first within a kind."""
    ranked = [
        (i / len(kind_rows), kind, row)
        for kind, kind_rows in _by_strength(rows, area).items()
        for i, row in enumerate(kind_rows)
    ]
    ranked.sort(key=lambda t: (t[0], t[1]))
    return [row for _, _, row in ranked]


def overview(
    G: nx.MultiDiGraph,
    *,
    scale: float = 1.0,
    min_area_papers: int = OVERVIEW_MIN_AREA_PAPERS,
    edges: EdgeArrays | None = None,
) -> dict[str, Any]:
    """Areas as single nodes and the links between areas, counted.

    An area node sits at its members' mean position with a radius close to their spread, so the
    overview looks like the full map zoomed out. Areas under ``min_area_papers`` (often stray
    singletons) are left out of the overview and counted in ``small_areas``; they stay in the full view.
    ``edges`` are ``G``'s edges as arrays, if the caller has them.
    """
    members: dict[int, list[tuple[float, float]]] = defaultdict(list)
    area_of: dict[Any, int] = {}
    for n, attrs in G.nodes(data=True):
        area = int(_plain(attrs.get("community", -1)))
        area_of[n] = area
        x, y = float(_plain(attrs.get("x", 0.0))), float(_plain(attrs.get("y", 0.0)))
        members[area].append((scale * x, scale * y))
    colors = _area_colors(G)
    labels = {int(c["id"]): c.get("label", "") for c in G.graph.get("communities", [])}
    shown = {a for a, pts in members.items() if len(pts) >= min_area_papers} or set(members)
    all_pts = [p for a in shown for p in members[a]]
    extent = max(
        max(p[0] for p in all_pts) - min(p[0] for p in all_pts),
        max(p[1] for p in all_pts) - min(p[1] for p in all_pts),
        1.0,
    )
    nodes = []
    for area in sorted(shown):
        pts = members[area]
        cx = sum(p[0] for p in pts) / len(pts)
        cy = sum(p[1] for p in pts) / len(pts)
        spread = math.sqrt(sum((p[0] - cx) ** 2 + (p[1] - cy) ** 2 for p in pts) / len(pts))
        nodes.append(
            {
                "area": area,
                "label": labels.get(area, f"area {area}"),
                "papers": len(pts),
                "x": round(cx, 1),
                "y": round(cy, 1),
                "size": round(max(0.7 * spread, AREA_MIN_SIZE_SHARE * extent), 1),
                "color": colors.get(area, FALLBACK_COLOR),
            }
        )
    table = graph_edges(G, {n: i for i, n in enumerate(area_of)}, edges)
    area = np.fromiter(area_of.values(), dtype=np.int64, count=len(area_of))
    a, b = area[table.src], area[table.dst]
    between = (a != b) & np.isin(a, list(shown)) & np.isin(b, list(shown))
    lo, hi = np.minimum(a, b)[between], np.maximum(a, b)[between]
    low = min(shown)
    width = max(shown) - low + 1
    pairs, counts = np.unique((lo - low) * width + (hi - low), return_counts=True) if len(lo) else ([], [])
    links = {
        (low + int(p) // width, low + int(p) % width): int(c) for p, c in zip(pairs, counts, strict=True)
    }
    small = [a for a in members if a not in shown]
    return {
        "nodes": nodes,
        "edges": [[a, b, n] for (a, b), n in sorted(links.items())],
        "font_size": round(max(extent * AREA_FONT_SHARE, 8.0), 1),
        "small_areas": len(small),
        "small_area_papers": sum(len(members[a]) for a in small),
    }


def page_data(
    G: nx.MultiDiGraph,
    *,
    max_edges: int | None = MAX_VIEW_EDGES,
    overview_min_papers: int = OVERVIEW_MIN_PAPERS,
    edges: EdgeArrays | None = None,
) -> dict[str, Any]:
    """Everything the explorer script needs to draw ``G``, as plain JSON-able data.

    Paper abstracts, TLDRs and neighbour lists are not included: the web app serves them per paper
    (:func:`paper_details`), the standalone file adds them under ``details``. ``edges`` are ``G``'s
    edges as arrays in ``G.edges(keys=True)`` order (a build has them): the page data then reads no
    networkx edge.
    """
    colors = _area_colors(G)
    ids = list(G.nodes)
    index = {pid: i for i, pid in enumerate(ids)}
    scale = layout_scale(G)
    nodes = [paper_node(pid, G.nodes[pid], colors, scale) for pid in ids]
    table = graph_edges(G, index, edges)
    rows, total = view_edges(G, index, max_edges, edges=table)
    years = [n["year"] for n in nodes if "year" in n]
    n_areas, n_small, small_papers = count_areas(
        [int(_plain(c.get("size", 0))) for c in G.graph.get("communities", [])]
    )
    sub_colors = _subarea_colors(G, colors)
    kind_counts = np.bincount(table.codes, minlength=len(EDGE_KINDS)).tolist()
    return {
        "name": G.graph.get("name", ""),
        "vis_options": VIS_OPTIONS,
        "kinds": list(EDGE_KINDS),
        "kind_counts": dict(zip(EDGE_KINDS, kind_counts, strict=True)),
        "nodes": nodes,
        "edges": rows,
        "edges_total": total,
        "edges_drawn": min(len(rows), ALL_PAPERS_EDGES),
        "years": [min(years), max(years)] if years else None,
        "undated": len(nodes) - len(years),
        "max_citations": max((n["citations"] for n in nodes), default=0),
        "areas": [_area_record(c, colors) for c in G.graph.get("communities", [])],
        "subareas": [_area_record(c, sub_colors) for c in G.graph.get("subcommunities", [])],
        "area_counts": {"areas": n_areas, "small_areas": n_small, "small_area_papers": small_papers},
        "label_order": label_order(G, ids),
        "overview": overview(G, scale=scale, edges=table),
        "start_in_overview": G.number_of_nodes() >= overview_min_papers,
    }


def _area_record(c: dict[str, Any], colors: dict[int, str]) -> dict[str, Any]:
    out = {
        "id": int(_plain(c["id"])),
        "label": str(c.get("label", "")),
        "size": int(_plain(c.get("size", 0))),
        "small": int(_plain(c.get("size", 0))) < MIN_AREA_PAPERS,
        "years": c.get("years"),
        "top_papers": [str(p) for p in c.get("top_papers", [])][:10],
        "color": colors.get(int(_plain(c["id"])), FALLBACK_COLOR),
    }
    if "parent" in c:
        out["parent"] = int(_plain(c["parent"]))
    return out


# --------------------------------------------------------------------------------------- paper details
def paper_links(attrs: dict[str, Any]) -> dict[str, str]:
    """Outbound links of a paper (S2, DOI, arXiv, own URL when it is http(s))."""
    from urllib.parse import quote

    links = {}
    if attrs.get("s2_id"):
        links["Semantic Scholar"] = "https://www.semanticscholar.org/paper/" + quote(str(attrs["s2_id"]))
    if attrs.get("doi"):
        links["DOI"] = "https://doi.org/" + quote(str(attrs["doi"]), safe="/")
    if attrs.get("arxiv"):
        links["arXiv"] = "https://arxiv.org/abs/" + quote(str(attrs["arxiv"]), safe="/")
    url = str(attrs.get("url") or "")
    if url.startswith(("https://", "http://")) and url not in links.values():
        links["Paper"] = url
    return links


def _brief(G: nx.MultiDiGraph, pid: str, weight: float | None = None) -> dict[str, Any]:
    attrs = G.nodes[pid]
    out: dict[str, Any] = {"id": str(pid), "title": str(attrs.get("title", ""))}
    if "year" in attrs:
        out["year"] = int(_plain(attrs["year"]))
    if weight is not None:
        out["score"] = round(float(weight), 3)
    return out


Links = tuple[dict[Any, None], dict[Any, None], dict[Any, float]]


def paper_links_index(edges: Any, wanted: Any) -> dict[Any, Links]:
    """``{paper: (references, citers, similar papers with their best score)}`` for the ``wanted`` papers.

    ``edges`` are ``(u, v, kind, weight)``; one pass over them serves one paper (its own in- and
    out-edges) or every paper of the standalone file (all edges): 6,545 per-paper edge lookups cost
    seconds.
    """
    links: dict[Any, Links] = {pid: ({}, {}, {}) for pid in wanted}
    for u, v, kind, weight in edges:
        if kind == "cites":
            if u in links:
                links[u][0][v] = None
            if v in links:
                links[v][1][u] = None
        elif kind == "similar":
            score = float(_plain(weight))
            for a, b in ((u, v), (v, u)):
                if a in links:
                    similar = links[a][2]
                    similar[b] = max(similar.get(b, 0.0), score)
    return links


def paper_details(
    G: nx.MultiDiGraph, paper_id: str, *, limit: int = NEIGHBOURS_SHOWN, links: Links | None = None
) -> dict[str, Any]:
    """The details panel of one paper: its fields, links, references, citers and most similar papers.

    ``links`` is the paper's entry of :func:`paper_links_index` when the caller has the index of every
    paper. Neighbours are listed most cited first (similar papers: best score first), ties by id.
    Raises :class:`PaperNotFound` for an id that is not in ``G``.
    """
    return _paper_details(G, paper_id, limit=limit, links=links, labels=_label_maps(G), brief=_brief)


def _label_maps(G: nx.MultiDiGraph) -> tuple[dict[int, str], dict[int, str]]:
    """Area and sub-area labels by id."""
    areas = {int(c["id"]): c.get("label", "") for c in G.graph.get("communities", [])}
    subs = {int(c["id"]): c.get("label", "") for c in G.graph.get("subcommunities", [])}
    return areas, subs


def _paper_details(
    G: nx.MultiDiGraph,
    paper_id: str,
    *,
    limit: int,
    links: Links | None,
    labels: tuple[dict[int, str], dict[int, str]],
    brief: Callable[..., dict[str, Any]],
) -> dict[str, Any]:
    """:func:`paper_details` with the label maps made once for many papers and neighbours as ``brief``
    writes them."""
    if paper_id not in G:
        raise PaperNotFound(
            f"No paper {paper_id!r} in graph {G.graph.get('name', '')!r}; search the explorer by title."
        )
    if links is None:
        edges = [
            *G.out_edges(paper_id, keys=True, data="weight", default=0.0),
            *G.in_edges(paper_id, keys=True, data="weight", default=0.0),
        ]
        links = paper_links_index(edges, [paper_id])[paper_id]
    attrs = G.nodes[paper_id]
    fields = {k: _plain(v) for k, v in attrs.items() if k not in ("x", "y")}
    by_cites = lambda p: (-int(_plain(G.nodes[p].get("citation_count", 0) or 0)), str(p))  # noqa: E731
    refs = sorted(links[0], key=by_cites)
    citers = sorted(links[1], key=by_cites)
    top_similar = sorted(links[2].items(), key=lambda kv: (-kv[1], str(kv[0])))[:limit]
    areas, subs = labels
    fields.setdefault("community_label", areas.get(int(_plain(attrs.get("community", -1))), ""))
    fields.setdefault("subcommunity_label", subs.get(int(_plain(attrs.get("subcommunity", -1))), ""))
    return {
        "id": str(paper_id),
        "paper": fields,
        "links": paper_links(attrs),
        "references": [brief(G, p) for p in refs[:limit]],
        "references_total": len(refs),
        "citers": [brief(G, p) for p in citers[:limit]],
        "citers_total": len(citers),
        "similar": [brief(G, p, w) for p, w in top_similar],
    }


def search_texts(G: nx.MultiDiGraph) -> dict[str, Any]:
    """Abstracts for the explorer's search, loaded after the map is drawn: ``{"abstracts": {id: text}}``."""
    abstracts = {str(n): str(a["abstract"]) for n, a in G.nodes(data=True) if a.get("abstract")}
    return {"abstracts": abstracts}


# --------------------------------------------------------------------------------------- standalone file
def _compact_brief(G: nx.MultiDiGraph, pid: str, weight: float | None = None) -> dict[str, Any]:
    """A neighbour in the standalone file: by id only, the page has their titles already.

    With titles repeated in every neighbour list, a 6,545-paper file grows from ~10 MB to ~27 MB.
    """
    out: dict[str, Any] = {"id": str(pid)}
    if weight is not None:
        out["score"] = round(float(weight), 3)
    return out


def templates_dir() -> Path:
    """The explorer's Jinja templates (the standalone page and the body the web app's page includes)."""
    return Path(__file__).parent / "templates"


def static_dir() -> Path:
    """The explorer's script and stylesheet."""
    return Path(__file__).parent / "static"


def vis_dir() -> Path:
    """vis-network's files as shipped inside the installed pyvis package."""
    spec = importlib.util.find_spec("pyvis")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError("pyvis is not installed: `pip install 'pyvis>=0.3.2'` (it ships vis-network).")
    folder = Path(next(iter(spec.submodule_search_locations))) / "templates" / "lib" / f"vis-{VIS_VERSION}"
    if not (folder / "vis-network.min.js").is_file():
        raise ConfigError(
            f"vis-network {VIS_VERSION} is missing from pyvis at {folder}; reinstall pyvis 0.3.2."
        )
    return folder


def _inline_script(text: str) -> str:
    # A literal "</script" inside inlined code would end the block; vis-network has none, but be sure.
    return text.replace("</script", "<\\/script").replace("</SCRIPT", "<\\/SCRIPT")


def render_html(G: nx.MultiDiGraph, *, max_edges: int | None = MAX_VIEW_EDGES) -> str:
    """The standalone explorer page for ``G``: one HTML string, nothing loaded from anywhere else."""
    import jinja2

    data = page_data(G, max_edges=max_edges)
    index = paper_links_index(G.edges(keys=True, data="weight", default=0.0), G)
    labels = _label_maps(G)
    data["details"] = {
        str(pid): _paper_details(
            G, pid, limit=NEIGHBOURS_SHOWN, links=index[pid], labels=labels, brief=_compact_brief
        )
        for pid in G.nodes
    }
    data["api"] = None
    data["exports"] = []
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    static = static_dir()
    vis = vis_dir()
    return env.get_template("standalone.html").render(
        title=str(G.graph.get("name", "graph")),
        meta=G.graph.get("meta", {}),
        data_json=script_json(data),
        vis_css=(vis / "vis-network.css").read_text(encoding="utf-8"),
        vis_js=_inline_script((vis / "vis-network.min.js").read_text(encoding="utf-8")),
        app_css=(static / "explorer.css").read_text(encoding="utf-8"),
        app_js=_inline_script("\n".join((static / n).read_text(encoding="utf-8") for n in EXPLORER_SCRIPTS)),
    )


def write_html(G: nx.MultiDiGraph, path: str | os.PathLike) -> None:
    """Write ``G`` as one self-contained, offline HTML explorer page at ``path``.

    Written atomically; missing parent folders are created.
    """
    data = render_html(G).encode("utf-8")
    atomic_write(Path(path), lambda fh: fh.write(data))
