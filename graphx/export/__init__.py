"""Write a built graph to files other tools open: node-link JSON, GEXF (Gephi), GraphML, CSV, HTML, and
its papers to reference managers (BibTeX, RIS) or a plain list.

:data:`EXPORT_FORMATS` is the one list of formats (name, file suffix, media type, writer); the CLI, the
web app and the docs take their lists from it. Every writer takes the `MultiDiGraph` described in
``docs/graph-format.md``, never modifies it, creates missing folders, and writes atomically: the file
is written next to its destination and moved into place with ``os.replace``, so a crash or an error
never leaves a half-written file at ``path``.

The XML and CSV formats are written from one sanitised table of node and edge attributes
(`graphx.export.tables`); each format has a module of its own.

Examples
--------
>>> [f.name for f in EXPORT_FORMATS.values()]
['json', 'gexf', 'graphml', 'csv', 'html', 'bibtex', 'ris', 'txt']
>>> paths = export_graph(G, "gexf", "out/papers.gexf")  # doctest: +SKIP
"""

from __future__ import annotations

import copy
import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from graphx.errors import ConfigError
from graphx.export.csv import write_csv
from graphx.export.gexf import write_gexf
from graphx.export.graphml import write_graphml
from graphx.export.json import write_json
from graphx.export.references import write_bibtex, write_ris, write_txt
from graphx.view import write_html

__all__ = [
    "EXPORT_FORMATS",
    "FORMATS",
    "ExportFormat",
    "export_graph",
    "select_subgraph",
    "subgraph_for_community",
    "subgraph_for_papers",
    "write_bibtex",
    "write_csv",
    "write_gexf",
    "write_graphml",
    "write_html",
    "write_json",
    "write_ris",
    "write_txt",
]


@dataclass(frozen=True)
class ExportFormat:
    """One export format: how it is named, what its file is called and served as, who writes it.

    ``suffix`` and ``media_type`` describe the single file a download gets (CSV: a zip of both tables);
    ``folder`` formats write a folder of files when the path has no suffix (the CLI's default).
    """

    name: str
    suffix: str
    media_type: str
    help: str
    write: Callable[[nx.MultiDiGraph, Path], list[Path] | None]
    folder: bool = False

    def default_path(self, stem: str) -> Path:
        """Where the CLI writes this format without ``--output``: ``stem`` + suffix (a folder for CSV)."""
        return Path(stem if self.folder else f"{stem}{self.suffix}")


EXPORT_FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat("json", ".json", "application/json", "node-link JSON (networkx)", write_json),
        ExportFormat("gexf", ".gexf", "application/xml", "Gephi", write_gexf),
        ExportFormat("graphml", ".graphml", "application/xml", "Gephi, yEd, Cytoscape", write_graphml),
        ExportFormat(
            "csv",
            ".zip",
            "application/zip",
            "nodes.csv + edges.csv (a folder, or a .zip)",
            write_csv,
            folder=True,
        ),  # fmt: skip
        ExportFormat("html", ".html", "text/html", "offline explorer page", write_html),
        ExportFormat("bibtex", ".bib", "application/x-bibtex", "Zotero, Mendeley, JabRef", write_bibtex),
        ExportFormat(
            "ris", ".ris", "application/x-research-info-systems", "Zotero, Mendeley, EndNote", write_ris
        ),
        ExportFormat("txt", ".txt", "text/plain", "a plain list of the papers", write_txt),
    )
}
FORMATS = tuple(EXPORT_FORMATS)


def export_format(fmt: str) -> ExportFormat:
    """The format named ``fmt`` (case-insensitive); :class:`~graphx.errors.ConfigError` if unknown."""
    try:
        return EXPORT_FORMATS[str(fmt).strip().lower()]
    except KeyError:
        raise ConfigError(
            f"Unknown export format {fmt!r}. Choose one of: {', '.join(FORMATS)} "
            "(gexf for Gephi, graphml for yEd/Cytoscape, csv for spreadsheets)."
        ) from None


def export_graph(G: nx.MultiDiGraph, fmt: str, path: str | os.PathLike) -> list[Path]:
    """Write ``G`` in format ``fmt`` to ``path``.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        A built graph (docs/graph-format.md). Not modified.
    fmt : str
        One of `FORMATS` (case-insensitive).
    path : str or os.PathLike
        Destination file; for ``csv`` a directory (or a ``.zip`` file) that gets ``nodes.csv`` and
        ``edges.csv``. Missing parent directories are created.

    Returns
    -------
    list of pathlib.Path
        The files written.

    Raises
    ------
    graphx.errors.ConfigError
        ``fmt`` is not a supported format.
    """
    path = Path(path)
    written = export_format(fmt).write(G, path)
    return written if written is not None else [path]


# ------------------------------------------------------------------------------------ one area only


def subgraph_for_community(G: nx.MultiDiGraph, community: int) -> nx.MultiDiGraph:
    """The papers of one research area and the edges among them, as an independent graph.

    Node and edge attributes are copied unchanged (``pagerank``, ``degree`` and ``in_citations``
    still describe the paper in the whole graph). ``G.graph`` is trimmed to that area:
    ``communities`` keeps only it, ``subcommunities`` only its sub-areas, ``meta["counts"]`` is
    recounted, and ``meta["area"]`` records where the subgraph came from.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        A built graph; not modified, and the result shares no mutable data with it.
    community : int
        The area's id (``G.nodes[n]["community"]``).

    Returns
    -------
    networkx.MultiDiGraph

    Raises
    ------
    graphx.errors.ConfigError
        No paper of ``G`` is in that area.
    """
    members = [n for n, c in G.nodes(data="community") if c is not None and int(c) == int(community)]
    if not members:
        areas = sorted({int(c) for _, c in G.nodes(data="community") if c is not None})
        shown = ", ".join(map(str, areas[:20])) + (", ..." if len(areas) > 20 else "")
        raise ConfigError(
            f"No research area {community!r} in graph {G.graph.get('name', '')!r}; "
            f"its areas are {shown or 'none (run community detection first)'}."
        )
    H = copy.deepcopy(nx.MultiDiGraph(G.subgraph(members)))
    graph = copy.deepcopy(dict(G.graph))
    graph["communities"] = [c for c in graph.get("communities") or [] if _same_id(c.get("id"), community)]
    graph["subcommunities"] = [
        c for c in graph.get("subcommunities") or [] if _same_id(c.get("parent"), community)
    ]
    meta = graph.setdefault("meta", {})
    meta["counts"] = {
        "papers": H.number_of_nodes(),
        "edges": dict(Counter(kind for _, _, kind in H.edges(data="kind"))),
    }
    label = graph["communities"][0].get("label") if graph["communities"] else None
    meta["area"] = {"of_graph": G.graph.get("name"), "community": int(community), "label": label}
    H.graph = graph
    return H


def subgraph_for_papers(G: nx.MultiDiGraph, ids: list[str]) -> nx.MultiDiGraph:
    """The papers ``ids`` of ``G`` and the edges among them, as an independent graph.

    Raises :class:`~graphx.errors.ConfigError` naming the ids that are not papers of ``G``.
    """
    unknown = [i for i in ids if i not in G]
    if unknown or not ids:
        raise ConfigError(
            f"{len(unknown)} of the ids are not papers of this map ({', '.join(unknown[:5])}); "
            "copy ids from the explorer, `graphx info` or `graphx missing`."
            if unknown
            else "No paper ids given: list the ids to export, comma-separated."
        )
    H = copy.deepcopy(nx.MultiDiGraph(G.subgraph(ids)))
    H.graph = copy.deepcopy(dict(G.graph))
    meta = H.graph.setdefault("meta", {})
    meta["counts"] = {
        "papers": H.number_of_nodes(),
        "edges": dict(Counter(kind for _, _, kind in H.edges(data="kind"))),
    }
    meta["selection"] = {"of_graph": G.graph.get("name"), "papers": H.number_of_nodes()}
    return H


def select_subgraph(
    G: nx.MultiDiGraph, *, area: int | None = None, ids: list[str] | None = None
) -> nx.MultiDiGraph:
    """``G``, one area of it (:func:`subgraph_for_community`) or some papers (:func:`subgraph_for_papers`)."""
    if area is not None and ids is not None:
        raise ConfigError("Choose an area or a list of ids to export, not both.")
    if area is not None:
        return subgraph_for_community(G, area)
    if ids is not None:
        return subgraph_for_papers(G, ids)
    return G


def _same_id(value: Any, community: int) -> bool:
    try:
        return value is not None and int(value) == int(community)
    except (TypeError, ValueError):
        return False
