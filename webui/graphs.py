"""Pages over built graphs and their JSON twins; exports; vis-network served from the pyvis package."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx
from flask import (
    Blueprint,
    abort,
    after_this_request,
    current_app,
    jsonify,
    render_template,
    request,
    send_file,
    send_from_directory,
    url_for,
)

from graphx import view
from graphx.errors import AreaNotFound, ConfigError, GraphNotFound, GraphxError
from graphx.export import EXPORT_FORMATS, export_graph, subgraph_for_community, subgraph_for_papers
from graphx.options import BUILD, OPTIONS, S2AG, form_field, group
from graphx.store import graphs as graphstore
from graphx.view import pagefiles

if TYPE_CHECKING:
    from graphx.build.text import TextIndex

bp = Blueprint("graphs", __name__)

VIS_FILES = ("vis-network.min.js", "vis-network.css")
# A tables graph's area with more papers than this opens on the overview of its sub-areas: the explorer
# draws ~6,500 papers smoothly, and 20,000 with the strongest edges only.
MAX_AREA_PAGE_PAPERS = 20_000
# Area pages of tables graphs kept in memory (each a few MB of JSON at ~5,000 papers).
MAX_AREA_PAGES = 8
# Loaded graphs kept in memory; a 6,545-paper graph with its page data takes about 90 MB.
DEFAULT_MAX_LOADED_GRAPHS = 4
# Reference-manager formats offered for a selection, a search result, an area or the whole map.
REFERENCE_FORMATS = (("bibtex", "BibTeX"), ("ris", "RIS"), ("txt", "Plain list"))


class GraphCache:
    """Loaded graphs and their page data, reloaded when the graph's file changes on disk.

    Parsing a 6,545-paper graph takes about a second; the explorer and the paper API would otherwise
    pay that on every request. Each graph is loaded by one request at a time (others asking for it
    meanwhile wait for that load instead of starting their own), and at most ``max_graphs`` stay loaded,
    the least recently used leaving first.
    """

    def __init__(self, cache_dir: str | os.PathLike, max_graphs: int = DEFAULT_MAX_LOADED_GRAPHS):
        self.cache_dir = cache_dir
        self.max_graphs = max(1, int(max_graphs))
        self.loads = 0  # graphs parsed from disk so far (single-flight and eviction show here)
        self.text_index_loads = 0  # text indexes read from disk so far
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, tuple[float, nx.MultiDiGraph, dict[str, Any]]] = OrderedDict()
        self._loading: dict[str, threading.Lock] = {}

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def __contains__(self, name: object) -> bool:
        with self._lock:
            return name in self._entries

    def _stamp(self, name: str) -> float:
        path = graphstore.graph_dir(self.cache_dir, name) / graphstore.GRAPH_FILE
        try:
            return path.stat().st_mtime_ns
        except OSError:
            return -1.0

    def get(self, name: str) -> nx.MultiDiGraph:
        return self._entry(name)[1]

    def text_index(self, name: str) -> tuple[nx.MultiDiGraph, TextIndex | None]:
        """The graph and its saved text index, kept with the loaded graph (the topic lens reads the
        index on every query: 0.05 s CPU, ~0.1 s wall at 6,545 papers with its vectors) and read again
        when its files change (``graphx add`` rewrites them) or the graph leaves the cache."""
        from graphx.build import text  # scikit-learn: loaded when a topic is first asked for
        from graphx.topic import load_index

        _, G, extras = self._entry(name)
        folder = graphstore.graph_dir(self.cache_dir, name)
        files = (text.MATRIX_FILE, text.VOCAB_FILE, text.VECTORS_FILE, text.VECTORS_META_FILE)
        stamp = _files_stamp(folder, files)
        with self._lock:
            kept = extras.get("text_index")
        if kept is None or kept[0] != stamp:
            index = load_index(G, folder)  # may save vectors of today's model: stamp after it
            kept = (_files_stamp(folder, files), index)
            with self._lock:
                extras["text_index"] = kept
                self.text_index_loads += 1
        return G, kept[1]

    def ensure_page_files(self, name: str) -> None:
        """Write the page files of a graph saved before they existed (once; others wait for it)."""
        folder = graphstore.graph_dir(self.cache_dir, name)
        if pagefiles.has_page_files(folder):
            return
        with self._lock:
            gate = self._loading.setdefault(name, threading.Lock())
        with gate:
            pagefiles.ensure_page_files(folder, lambda: self._entry(name, gated=False)[1])

    def _cached(self, name: str, stamp: float) -> tuple[float, nx.MultiDiGraph, dict[str, Any]] | None:
        with self._lock:
            entry = self._entries.get(name)
            if entry is None or entry[0] != stamp:
                return None
            self._entries.move_to_end(name)
            return entry

    def _entry(self, name: str, *, gated: bool = True) -> tuple[float, nx.MultiDiGraph, dict[str, Any]]:
        graphstore.check_name(name)
        entry = self._cached(name, self._stamp(name))
        if entry is not None:
            return entry
        with self._lock:
            gate = self._loading.setdefault(name, threading.Lock())
        # gated=False: the caller holds this graph's gate already.
        with gate if gated else contextlib.nullcontext():
            # Whoever held the gate may have loaded this very version meanwhile.
            stamp = self._stamp(name)
            entry = self._cached(name, stamp)
            if entry is not None:
                return entry
            G = graphstore.load_graph(self.cache_dir, name)
            G.graph.setdefault("name", name)
            entry = (stamp, G, {})
            with self._lock:
                self.loads += 1
                self._entries[name] = entry
                self._entries.move_to_end(name)
                while len(self._entries) > self.max_graphs:
                    self._entries.popitem(last=False)
        return entry


def _files_stamp(folder: Path, names: Sequence[str]) -> tuple[int, ...]:
    """Modification time (ns) of each file, -1 where absent."""
    stamps = []
    for file_name in names:
        try:
            stamps.append((folder / file_name).stat().st_mtime_ns)
        except OSError:
            stamps.append(-1)
    return tuple(stamps)


class TableCache:
    """Open tables graphs (:mod:`graphx.store.tables`) and their recently opened area pages.

    A tables graph is reopened when its ``meta.json`` changes (a rebuild swaps the whole folder in). An
    area page (the area's graph and its page data) is made on first request and kept, the least recently
    used of ``max_pages`` leaving first.
    """

    def __init__(self, cache_dir: str | os.PathLike, max_pages: int = MAX_AREA_PAGES):
        self.cache_dir = cache_dir
        self.max_pages = max_pages
        self._lock = threading.Lock()
        self._graphs: dict[str, tuple[float, Any]] = {}
        self._pages: OrderedDict[tuple, tuple[nx.MultiDiGraph | None, bytes]] = OrderedDict()

    def _stamp(self, name: str) -> float:
        try:
            return (graphstore.graph_dir(self.cache_dir, name) / graphstore.META_FILE).stat().st_mtime_ns
        except OSError:
            return -1.0

    def get(self, name: str):
        from graphx.store.tables import open_tables

        stamp = self._stamp(name)
        with self._lock:
            entry = self._graphs.get(name)
        if entry is not None and entry[0] == stamp:
            return entry[1]
        T = open_tables(self.cache_dir, name)
        with self._lock:
            self._graphs[name] = (stamp, T)
        return T

    def page(self, name: str, area: int, sub: int | None) -> tuple[nx.MultiDiGraph | None, bytes]:
        """Area ``area`` (or sub-area ``sub``) of graph ``name``: its graph (None for an overview of
        sub-areas) and its page data as script-safe JSON."""
        from graphx.view import tablepages

        T = self.get(name)
        key = (name, self._stamp(name), int(area), sub)
        with self._lock:
            if key in self._pages:
                self._pages.move_to_end(key)
                return self._pages[key]
        data = tablepages.opened_page(T, area, sub, max_papers=MAX_AREA_PAGE_PAPERS)
        G = T.area(area, sub=sub) if data["nodes"] else None
        entry = (G, view.script_json(data).encode("utf-8"))
        with self._lock:
            self._pages[key] = entry
            while len(self._pages) > self.max_pages:
                self._pages.popitem(last=False)
        return entry


def graph_cache() -> GraphCache:
    return current_app.extensions["graphx_graphs"]


def table_cache() -> TableCache:
    return current_app.extensions["graphx_tables"]


def is_tables(name: str) -> bool:
    """Whether graph ``name`` is stored as tables; a malformed name is a missing graph (404)."""
    try:
        return graphstore.is_tables(graphstore.graph_dir(cache_dir(), name))
    except ConfigError as exc:
        raise GraphNotFound(name, cache_dir()) from exc


def cache_dir() -> str:
    return current_app.config["CACHE_DIR"]


def _load(name: str) -> nx.MultiDiGraph:
    """The graph named in a URL; a malformed name is a missing graph (404), not a bad request."""
    try:
        return graph_cache().get(name)
    except ConfigError as exc:
        raise GraphNotFound(name, cache_dir()) from exc


def graph_summary(meta: dict[str, Any]) -> dict[str, Any]:
    counts = meta.get("counts") or {}
    edges = counts.get("edges") or {}
    return {
        "name": meta.get("name"),
        "papers": counts.get("papers"),
        "edges": sum(v for v in edges.values() if isinstance(v, int)),
        "edges_by_kind": edges,
        "areas": meta.get("areas") or [],
        "n_areas": counts.get("areas", len(meta.get("areas") or [])),
        "built_at": meta.get("built_at"),
        "inputs": meta.get("inputs") or [],
        "parameters": meta.get("parameters") or {},
        "url": url_for("graphs.explorer", name=meta["name"]),
        "api": url_for("graphs.api_graph", name=meta["name"]),
    }


def s2_available() -> bool:
    return importlib.util.find_spec("graphx.sources.s2") is not None


# ------------------------------------------------------------------------------------------------ pages
@bp.get("/")
def index():
    graphs = [graph_summary(m) for m in graphstore.list_graphs(cache_dir())]
    builds = current_app.extensions["graphx_builds"].list()
    return render_template(
        "index.html",
        graphs=graphs,
        builds=builds,
        s2_available=s2_available(),
        max_papers=form_field(OPTIONS["max_papers"]),
        build_fields=[form_field(o) for o in group(BUILD)],
        # The release folder is its own field (one of the sources); the rest of the group filters it.
        release=form_field(OPTIONS["s2ag"]),
        release_fields=[form_field(o) for o in group(S2AG) if o.name != "s2ag"],
    )


def _stored_file(name: str) -> Path:
    """Graph ``name``'s folder, its page files written (graphs saved before they existed get them now)."""
    if is_tables(name):
        return graphstore.graph_dir(cache_dir(), name)  # its overview page is written by save_tables
    try:
        graphstore.graph_file(cache_dir(), name)  # a damaged graph is an error page, not a broken map
    except ConfigError as exc:
        raise GraphNotFound(name, cache_dir()) from exc
    graph_cache().ensure_page_files(name)
    return graphstore.graph_dir(cache_dir(), name)


def send_json_file(path: Path):
    """A stored JSON file with an ETag (304 when unchanged), its gzip copy to clients that accept gzip."""
    gz = path.with_name(path.name + pagefiles.GZIP_SUFFIX)
    # The copy is written with its file by the same save (or write-back), so it is never stale.
    zipped = request.accept_encodings.quality("gzip") > 0 and gz.is_file()
    try:
        response = send_file(
            gz if zipped else path, mimetype="application/json", conditional=True, etag=True, max_age=0
        )
    except FileNotFoundError:
        abort(404)
    if zipped:
        response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    return response


def page_links(name: str) -> dict[str, Any]:
    """The URL-dependent part of the page data, added at request time (the stored page has none)."""
    if is_tables(name):
        return {
            "name": name,
            "api": url_for("graphs.api_graph", name=name),
            "page_url": url_for("graphs.explorer", name=name),
            "texts_url": None,
            "search_url": url_for("graphs.api_search", name=name),
            "max_area_papers": MAX_AREA_PAGE_PAPERS,
            "references": [],
            "exports": [
                {"format": fmt, "url": url_for("graphs.export", name=name, fmt=fmt)} for fmt in EXPORT_FORMATS
            ],
        }
    return {
        "name": name,
        "api": url_for("graphs.api_graph", name=name),
        "page_url": url_for("graphs.explorer", name=name),
        "texts_url": url_for("graphs.api_texts", name=name),
        "references": [
            {"format": fmt, "label": label, "url": url_for("graphs.export", name=name, fmt=fmt)}
            for fmt, label in REFERENCE_FORMATS
        ],
        "exports": [
            {"format": fmt, "url": url_for("graphs.export", name=name, fmt=fmt)} for fmt in EXPORT_FORMATS
        ],
    }


@bp.get("/graphs/<name>")
def explorer(name: str):
    """The explorer: a small page; its data comes from the stored page file (:func:`api_page`)."""
    _stored_file(name)
    page_data_url = url_for("graphs.api_page", name=name)
    area = request.args.get("area")
    if area is not None and is_tables(name):
        sub = request.args.get("sub")
        page_data_url = url_for("graphs.api_area", name=name, area=area, **({"sub": sub} if sub else {}))
    return render_template(
        "explorer.html",
        name=name,
        meta=graphstore.load_meta(cache_dir(), name),
        links_json=view.script_json(page_links(name)),
        page_data_url=page_data_url,
        formats=EXPORT_FORMATS,
        scripts=view.EXPLORER_SCRIPTS,
    )


@bp.get("/graphs/<name>/export/<fmt>")
def export(name: str, fmt: str):
    """A download of the map, an area (``?area=N``) or chosen papers (``?ids=a,b``) in any export format."""
    if fmt not in EXPORT_FORMATS:
        abort(404)
    stem = name
    area, ids = request.args.get("area"), request.args.get("ids")
    if is_tables(name):
        if area is None:
            raise ConfigError(
                f"Graph {name!r} is stored as tables, too big to export whole: export one area (?area=K)."
            )
        area_id, sub = _area_args(area, request.args.get("sub"))
        G = table_cache().get(name).area(area_id, sub=sub)
        stem = f"{name}-area{area_id}"
    elif area is not None:
        G = _load(name)
        try:
            area_id = int(area)
        except ValueError:
            abort(404)
        G = _area_subgraph(G, area_id)
        stem = f"{name}-area{area_id}"
    elif ids:
        from graphx.missing import parse_ids

        G = subgraph_for_papers(_load(name), parse_ids(ids))
        stem = f"{name}-selection"
    else:
        G = _load(name)
    export_format = EXPORT_FORMATS[fmt]
    tmp = tempfile.mkdtemp(prefix="graphx-export-")
    path = Path(tmp) / f"{stem}{export_format.suffix}"
    export_graph(G, fmt, path)

    @after_this_request
    def _cleanup(response):
        # The file is already open in the response; unlinking it keeps the data readable on POSIX.
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
        return response

    return send_file(
        path, mimetype=export_format.media_type, as_attachment=True, download_name=path.name, max_age=0
    )


def _int_arg(key: str) -> int | None:
    value = request.args.get(key)
    if value is None or value == "":
        return None
    try:
        return int(value)
    except ValueError:
        raise ConfigError(f"?{key}= takes a whole number, not {value!r}.") from None


def _area_subgraph(G: nx.MultiDiGraph, area_id: int) -> nx.MultiDiGraph:
    try:
        return subgraph_for_community(G, area_id)
    except ConfigError:
        abort(404)


# ------------------------------------------------------------------------------------------- JSON twins
@bp.get("/api/graphs")
def api_graphs():
    return jsonify({"graphs": [graph_summary(m) for m in graphstore.list_graphs(cache_dir())]})


@bp.get("/api/graphs/<name>")
def api_graph(name: str):
    """The stored node-link file itself, written once at build time: no re-serialising per request."""
    if is_tables(name):
        graphstore.graph_file(cache_dir(), name)  # StoredAsTables: the way to read it an area at a time
    return send_json_file(_stored_file(name) / graphstore.GRAPH_FILE)


@bp.get("/api/graphs/<name>/page")
def api_page(name: str):
    """The explorer's page data (:func:`graphx.view.page_data`), written at save time."""
    return send_json_file(_stored_file(name) / pagefiles.PAGE_FILE)


@bp.get("/api/graphs/<name>/texts")
def api_texts(name: str):
    """Abstracts for the explorer's search (:func:`graphx.view.search_texts`), written at save time."""
    return send_json_file(_stored_file(name) / pagefiles.TEXTS_FILE)


@bp.get("/api/graphs/<name>/papers/<path:paper_id>")
def api_paper(name: str, paper_id: str):
    if is_tables(name):
        return jsonify(_table_paper(name, paper_id))
    G = _load(name)
    return jsonify(view.paper_details(G, paper_id))


def _opened_in(T, area: int | None, sub: int | None) -> dict[str, int | None]:
    """The page of a tables graph that shows a paper of ``area`` and ``sub``: its area, or its sub-area
    when the area is too big to draw (MAX_AREA_PAGE_PAPERS)."""
    big = area is not None and T.area_papers(area) > MAX_AREA_PAGE_PAPERS
    return {"area": area, "sub": sub if big else None}


def _table_paper(name: str, paper_id: str) -> dict[str, Any]:
    """A tables graph's paper: its fields, and its neighbours inside the part of the map it opens in."""
    T = table_cache().get(name)
    paper = T.paper(paper_id)
    opened = _opened_in(T, paper["community"], paper["subcommunity"])
    area, sub = opened["area"], opened["sub"]
    G, _ = table_cache().page(name, area, sub)
    details = view.paper_details(G, paper_id)
    details["paper"] = {k: v for k, v in paper.items() if k not in ("x", "y", "id")}
    details["scope"] = {"area": area, "sub": sub}
    return details


@bp.get("/api/graphs/<name>/missing")
def api_missing(name: str):
    """Foundations and follow-ups of the map (or ``?area=N``), best first (``?limit=K``, default 20)."""
    from graphx.missing import DEFAULT_LIMIT, as_json, missing_papers  # graphx.missing is the API's function
    from graphx.store.papers import PaperStore

    G = _load(name)
    limit = _int_arg("limit") or DEFAULT_LIMIT
    with PaperStore(cache_dir()) as store:
        found = missing_papers(G, store, area=_int_arg("area"), limit=limit)
    return jsonify(as_json(found))


@bp.post("/graphs/<name>/add")
def add_papers(name: str):
    """Add outside papers (form field ``ids``, comma-separated) to the map, as ``graphx add`` does."""
    from graphx.missing import add_missing, parse_ids
    from graphx.store.papers import PaperStore

    ids = parse_ids(request.form.get("ids", ""))
    if not ids:
        return jsonify({"error": "No paper ids given: send the ids to add in the form field `ids`."}), 400
    try:
        G = _load(name)
        with PaperStore(cache_dir()) as store:
            result = add_missing(
                cache_dir(), name, ids, store=store, G=G.copy(), api_url=current_app.config.get("S2_API_URL"),
                offline=bool(current_app.config.get("OFFLINE")),
            )  # fmt: skip
    except GraphxError as exc:  # answered as JSON whatever the client accepts: the page reads it
        return jsonify({"error": str(exc)}), 404 if isinstance(exc, GraphNotFound) else 400
    return jsonify({"added": len(result.added), "message": result.message})


@bp.get("/api/graphs/<name>/link")
def api_link(name: str):
    """Why papers ``?a=`` and ``?b=`` are linked (:func:`graphx.explain.explain_link`)."""
    from graphx.explain import explain_saved

    a, b = request.args.get("a"), request.args.get("b")
    if not a or not b:
        return jsonify({"error": "Give two paper ids: /api/graphs/NAME/link?a=ID&b=ID."}), 400
    return jsonify(explain_saved(cache_dir(), name, a, b, G=_load(name)))


@bp.get("/api/graphs/<name>/topic")
def api_topic(name: str):
    """The topic lens: ``?q=inference-time scaling`` -> {query, papers (best first), label, area}."""
    from graphx.topic import find_topic

    query = request.args.get("q", "").strip()
    if not query:
        raise ConfigError("Give the topic as ?q=..., e.g. /api/graphs/NAME/topic?q=graph+neural+networks.")
    if is_tables(name):
        # The map is never loaded whole: the lens runs on the areas holding the query's matches. Each hit
        # says which page shows it, as a search hit does.
        from graphx.topic import find_topic_in_tables

        T = table_cache().get(name)
        found = find_topic_in_tables(T, query)
        briefs = T.briefs(found.topic.papers)
        hits = []
        for pid in found.topic.papers:
            b = briefs.get(pid, {})
            area = b.get("community")
            hits.append({"id": pid, "title": b.get("title", pid), "year": b.get("year"), "area": area,
                         "open": _opened_in(T, area, b.get("subcommunity"))})  # fmt: skip
        return jsonify({**found.to_json(), "area_id": found.topic.area_id, "hits": hits})
    try:
        G, index = graph_cache().text_index(name)
    except ConfigError as exc:
        raise GraphNotFound(name, cache_dir()) from exc
    return jsonify(find_topic(G, query, index=index).to_json())


# ----------------------------------------------------------------------------------- tables graphs
def _area_args(area: str, sub: str | None) -> tuple[int, int | None]:
    try:
        return int(area), (int(sub) if sub not in (None, "") else None)
    except ValueError:
        given = f"area {area!r}" + (f", sub-area {sub!r}" if sub not in (None, "") else "")
        raise AreaNotFound(
            f"Areas and sub-areas are whole numbers, not {given}; `graphx info NAME` lists them."
        ) from None


def _tables_only(name: str) -> None:
    if not is_tables(name):
        graphstore.load_meta(cache_dir(), name)  # a missing graph is its own 404
        raise AreaNotFound(
            f"Graph {name!r} is one networkx graph: its page data holds every paper "
            f"(/api/graphs/{name}/page)."
        )


@bp.get("/api/graphs/<name>/areas/<area>")
def api_area(name: str, area: str):
    """A tables graph's area K (``?sub=S``: one sub-area): its page data, or the overview of its sub-areas
    when it has more than ``MAX_AREA_PAGE_PAPERS`` papers. Never more than one area."""
    _tables_only(name)
    area_id, sub = _area_args(area, request.args.get("sub"))
    _, data = table_cache().page(name, area_id, sub)
    return current_app.response_class(data, mimetype="application/json")


@bp.get("/api/graphs/<name>/search")
def api_search(name: str):
    """Papers of a tables graph matching ``?q=`` in title or abstract, best first (``?limit=``, 1-1000).

    Each hit says which page shows it: ``open`` = ``{area, sub}`` (``sub`` when its area opens on its
    sub-areas' overview).
    """
    from graphx.store.tables import DEFAULT_SEARCH_LIMIT

    _tables_only(name)
    query = request.args.get("q", "").strip()
    if not query:
        raise ConfigError(
            "Give the words to search as ?q=..., e.g. /api/graphs/NAME/search?q=graph+attention."
        )
    limit = _int_arg("limit") or DEFAULT_SEARCH_LIMIT
    T = table_cache().get(name)
    hits = T.search(query, limit=limit)
    for hit in hits:
        hit["open"] = _opened_in(T, hit["area"], hit.get("sub"))
    return jsonify({"query": query, "total": T.count_matches(query), "papers": hits})


# ------------------------------------------------------------------------------------------ vis-network
@bp.get("/vendor/vis/<filename>")
def vis_asset(filename: str):
    """vis-network from the installed pyvis package: no CDN, nothing copied into the repo."""
    if filename not in VIS_FILES:
        abort(404)
    return send_from_directory(view.vis_dir(), filename, max_age=3600)
