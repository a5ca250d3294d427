"""Pages over built graphs and their JSON twins; exports; vis-network served from the pyvis package."""

from __future__ import annotations

import importlib.util
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

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
from graphx.errors import ConfigError, GraphNotFound
from graphx.store import graphs as graphstore

bp = Blueprint("graphs", __name__)

EXPORT_FORMATS = ("json", "gexf", "graphml", "csv", "html")
EXPORT_FILES = {  # format -> (suffix, mimetype)
    "json": (".json", "application/json"),
    "gexf": (".gexf", "application/xml"),
    "graphml": (".graphml", "application/xml"),
    "csv": (".zip", "application/zip"),
    "html": (".html", "text/html"),
}
VIS_FILES = ("vis-network.min.js", "vis-network.css")
# Reference-manager formats offered for a selection, a search result, an area or the whole map.
REFERENCE_FORMATS = (("bibtex", "BibTeX"), ("ris", "RIS"), ("txt", "Plain list"))


class GraphCache:
    """Loaded graphs and their page data, reloaded when the graph's file changes on disk.

    Parsing a 6,545-paper graph takes about a second; the explorer and the paper API would otherwise
    pay that on every request.
    """

    def __init__(self, cache_dir: str | os.PathLike):
        self.cache_dir = cache_dir
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, nx.MultiDiGraph, dict[str, Any]]] = {}

    def _stamp(self, name: str) -> float:
        path = graphstore.graph_dir(self.cache_dir, name) / graphstore.GRAPH_FILE
        try:
            return path.stat().st_mtime_ns
        except OSError:
            return -1.0

    def get(self, name: str) -> nx.MultiDiGraph:
        return self._entry(name)[1]

    def page_json(self, name: str) -> str:
        """The explorer's data for graph ``name``, serialised for a script block (memoised)."""
        entry = self._entry(name)
        cache = entry[2]
        if "page_json" not in cache:
            data = view.page_data(entry[1])
            data["api"] = url_for("graphs.api_graph", name=name)
            data["page_url"] = url_for("graphs.explorer", name=name)
            data["texts_url"] = url_for("graphs.api_texts", name=name)
            data["references"] = [
                {"format": fmt, "label": label, "url": url_for("graphs.export", name=name, fmt=fmt)}
                for fmt, label in REFERENCE_FORMATS
            ]
            data["exports"] = [
                {"format": fmt, "url": url_for("graphs.export", name=name, fmt=fmt)} for fmt in EXPORT_FORMATS
            ]
            cache["page_json"] = view.script_json(data)
        return cache["page_json"]

    def texts_json(self, name: str) -> str:
        """Abstracts for the explorer's search (memoised like the page data)."""
        cache = self._entry(name)[2]
        if "texts_json" not in cache:
            cache["texts_json"] = view.script_json(view.search_texts(self._entry(name)[1]))
        return cache["texts_json"]

    def _entry(self, name: str) -> tuple[float, nx.MultiDiGraph, dict[str, Any]]:
        graphstore.check_name(name)
        stamp = self._stamp(name)
        with self._lock:
            entry = self._entries.get(name)
            if entry is not None and entry[0] == stamp:
                return entry
        G = graphstore.load_graph(self.cache_dir, name)
        G.graph.setdefault("name", name)
        entry = (stamp, G, {})
        with self._lock:
            self._entries[name] = entry
        return entry


def graph_cache() -> GraphCache:
    return current_app.extensions["graphx_graphs"]


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
    return render_template("index.html", graphs=graphs, builds=builds, s2_available=s2_available())


@bp.get("/graphs/<name>")
def explorer(name: str):
    G = _load(name)
    meta = G.graph.get("meta", {})
    return render_template(
        "explorer.html",
        name=name,
        meta=meta,
        data_json=graph_cache().page_json(name),
        formats=EXPORT_FORMATS,
        scripts=view.EXPLORER_SCRIPTS,
    )


@bp.get("/graphs/<name>/export/<fmt>")
def export(name: str, fmt: str):
    if fmt not in EXPORT_FORMATS:
        abort(404)
    G = _load(name)
    stem = name
    area = request.args.get("area")
    if area is not None:
        try:
            area_id = int(area)
        except ValueError:
            abort(404)
        G = _area_subgraph(G, area_id)
        stem = f"{name}-area{area_id}"
    suffix, mimetype = EXPORT_FILES[fmt]
    tmp = tempfile.mkdtemp(prefix="graphx-export-")
    path = Path(tmp) / f"{stem}{suffix}"
    _export(G, fmt, path)

    @after_this_request
    def _cleanup(response):
        # The file is already open in the response; unlinking it keeps the data readable on POSIX.
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
        return response

    return send_file(path, mimetype=mimetype, as_attachment=True, download_name=path.name, max_age=0)


def _area_subgraph(G: nx.MultiDiGraph, area_id: int) -> nx.MultiDiGraph:
    from graphx import export as gx_export

    try:
        return gx_export.subgraph_for_community(G, area_id)
    except ConfigError:
        abort(404)


def _export(G: nx.MultiDiGraph, fmt: str, path: Path) -> None:
    from graphx import export as gx_export

    gx_export.export_graph(G, fmt, path)


# ------------------------------------------------------------------------------------------- JSON twins
@bp.get("/api/graphs")
def api_graphs():
    return jsonify({"graphs": [graph_summary(m) for m in graphstore.list_graphs(cache_dir())]})


@bp.get("/api/graphs/<name>")
def api_graph(name: str):
    G = _load(name)
    data = nx.node_link_data(G, edges="edges")
    return current_app.response_class(view.script_json(data), mimetype="application/json")


@bp.get("/api/graphs/<name>/texts")
def api_texts(name: str):
    _load(name)
    return current_app.response_class(graph_cache().texts_json(name), mimetype="application/json")


@bp.get("/api/graphs/<name>/papers/<path:paper_id>")
def api_paper(name: str, paper_id: str):
    G = _load(name)
    return jsonify(view.paper_details(G, paper_id))


# ------------------------------------------------------------------------------------------ vis-network
@bp.get("/vendor/vis/<filename>")
def vis_asset(filename: str):
    """vis-network from the installed pyvis package: no CDN, nothing copied into the repo."""
    if filename not in VIS_FILES:
        abort(404)
    return send_from_directory(view.vis_dir(), filename, max_age=3600)
