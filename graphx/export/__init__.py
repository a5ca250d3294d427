"""Write a built graph to files other tools open: node-link JSON, GEXF (Gephi), GraphML, CSV, HTML.

Every writer takes the `MultiDiGraph` described in ``docs/graph-format.md``, never modifies it, and
writes atomically: the file is written next to its destination and moved into place with
``os.replace``, so a crash or an error never leaves a half-written file at ``path``.

The XML and CSV formats are written from one sanitised table of node and edge attributes
(`graphx.export.tables`); GEXF has a module of its own (`graphx.export.gexf`).

Examples
--------
>>> paths = export_graph(G, "gexf", "out/papers.gexf")  # doctest: +SKIP
"""

from __future__ import annotations

import copy
import csv
import io
import json
import os
import xml.etree.ElementTree as ET
import zipfile
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

import networkx as nx

from graphx.edgekinds import SYMMETRIC_KINDS
from graphx.errors import ConfigError
from graphx.export.gexf import write_gexf
from graphx.export.tables import (
    INT32_MAX,
    atomic_write,
    community_colors,
    edge_table,
    json_safe,
    node_table,
    write_xml,
    xml_text,
)
from graphx.view import node_size

FORMATS = ("json", "gexf", "graphml", "csv", "html")

CSV_NODE_COLUMNS = (
    ("Id", None),
    ("Label", "title"),
    ("year", "year"),
    ("authors", "authors"),
    ("venue", "venue"),
    ("doi", "doi"),
    ("arxiv", "arxiv"),
    ("community", "community"),
    ("community_label", "community_label"),
    ("subcommunity", "subcommunity"),
    ("subcommunity_label", "subcommunity_label"),
    ("pagerank", "pagerank"),
    ("citation_count", "citation_count"),
    ("in_citations", "in_citations"),
    ("degree", "degree"),
    ("x", "x"),
    ("y", "y"),
)
CSV_EDGE_COLUMNS = ("Source", "Target", "Type", "Kind", "Weight")
GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
GRAPHML_SCHEMA_LOCATION = f"{GRAPHML_NS} http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"


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
    name = str(fmt).strip().lower()
    path = Path(path)
    if name == "json":
        write_json(G, path)
    elif name == "gexf":
        write_gexf(G, path)
    elif name == "graphml":
        write_graphml(G, path)
    elif name == "csv":
        return write_csv(G, path)
    elif name == "html":
        # Lazy: graphx.view pulls in the HTML template machinery, which the other formats never need.
        from graphx.view import write_html

        write_html(G, path)
    else:
        raise ConfigError(
            f"Unknown export format {fmt!r}. Choose one of: {', '.join(FORMATS)} "
            "(gexf for Gephi, graphml for yEd/Cytoscape, csv for spreadsheets)."
        )
    return [path]


# --------------------------------------------------------------------------------------------- JSON


def write_json(G: nx.MultiDiGraph, path: str | os.PathLike) -> None:
    """Write ``G`` as networkx node-link JSON (``nx.node_link_data(G, edges="edges")``).

    Nodes carry ``id`` and every node attribute (lists stay lists); edges carry ``source``,
    ``target``, ``key``, ``kind`` and ``weight``; ``graph`` holds ``G.graph``. NaN and infinite
    floats become ``null`` and numpy values plain numbers, so the file is strict JSON that
    ``nx.node_link_graph(data, edges="edges")`` turns back into an equal graph.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The graph; not modified.
    path : str or os.PathLike
        Destination file.
    """
    data = nx.node_link_data(G, edges="edges")
    try:
        # Fast path: a built graph holds only JSON types; the deep clean-up is for the rest.
        text = json.dumps(data, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):
        text = json.dumps(json_safe(data), ensure_ascii=False, allow_nan=False)
    # "</" can end a <script> block if someone inlines the file into a page; "<\/" is the same JSON.
    text = text.replace("</", "<\\/")
    atomic_write(Path(path), lambda fh: fh.write(text.encode("utf-8")))


# ---------------------------------------------------------------------------------------- GraphML


def write_graphml(G: nx.MultiDiGraph, path: str | os.PathLike) -> None:
    """Write ``G`` as GraphML that Gephi, yEd, Cytoscape and ``nx.read_graphml`` open.

    Keys are typed (``int``/``long``/``double``/``string``/``boolean``), one per attribute; lists are
    ``"; "``-joined; unknown values are omitted. Every edge keeps its own ``id`` (``e0``, ``e1``...),
    so parallel edges (a ``cites`` and a ``similar`` between the same papers) stay distinct. Nodes
    also get ``label`` (the title), ``r``/``g``/``b`` (their area's colour) and ``size``, which
    Gephi's GraphML importer maps onto its label, colour and size.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The graph; not modified.
    path : str or os.PathLike
        Destination file.
    """
    # Written by hand: networkx's writer gives every edge of a multigraph id=str(key), so all
    # `cites` edges share one id, and it crashes on None and list values.
    colors = community_colors(G)
    nodes = node_table(G)
    for (_, data), row in zip(G.nodes(data=True), nodes.rows, strict=True):
        if "title" in row:
            row["label"] = row["title"]
        rgb = colors.get(row.get("community"))
        if rgb is not None:
            row.update(zip("rgb", rgb, strict=True))
        row["size"] = node_size(data.get("citation_count"))
    node_columns = {**nodes.columns, "label": str, "r": int, "g": int, "b": int, "size": float}
    ends, edges = edge_table(G)

    root = ET.Element(
        "graphml",
        {"xmlns": GRAPHML_NS, "xmlns:xsi": XSI_NS, "xsi:schemaLocation": GRAPHML_SCHEMA_LOCATION},
    )
    key_ids: dict[tuple[str, str], str] = {}

    def declare(scope: str, columns: Mapping[str, type], rows: list[dict[str, Any]]) -> None:
        for name, typ in columns.items():
            values = [r[name] for r in rows if name in r]
            if not values:
                continue
            key_ids[scope, name] = key_id = f"d{len(key_ids)}"
            attr_type = _graphml_type(typ, values)
            ET.SubElement(
                root, "key", {"id": key_id, "for": scope, "attr.name": name, "attr.type": attr_type}
            )

    graph_rows = [{"name": xml_text(G.graph["name"])}] if G.graph.get("name") else []
    declare("graph", {"name": str}, graph_rows)
    declare("node", node_columns, nodes.rows)
    declare("edge", edges.columns, edges.rows)

    graph = ET.SubElement(root, "graph", {"id": "G", "edgedefault": "directed"})
    for row in graph_rows:
        _graphml_data(graph, "graph", row, key_ids)
    for node, row in zip(G.nodes, nodes.rows, strict=True):
        _graphml_data(ET.SubElement(graph, "node", {"id": xml_text(node)}), "node", row, key_ids)
    for i, ((u, v, _), row) in enumerate(zip(ends, edges.rows, strict=True)):
        edge = ET.SubElement(graph, "edge", {"id": f"e{i}", "source": xml_text(u), "target": xml_text(v)})
        _graphml_data(edge, "edge", row, key_ids)
    write_xml(root, path)


def _graphml_type(typ: type, values: list[Any]) -> str:
    if typ is int:
        return "long" if any(abs(v) > INT32_MAX for v in values) else "int"
    return {bool: "boolean", float: "double"}.get(typ, "string")


def _graphml_data(element: ET.Element, scope: str, row: Mapping[str, Any], key_ids) -> None:
    for name, value in row.items():
        ET.SubElement(element, "data", {"key": key_ids[scope, name]}).text = xml_text(value)


# -------------------------------------------------------------------------------------------- CSV


def write_csv(G: nx.MultiDiGraph, path: str | os.PathLike) -> list[Path]:
    """Write ``nodes.csv`` and ``edges.csv``, ready for Gephi's spreadsheet importer.

    Headers use the names Gephi recognises: nodes ``Id, Label`` (the title), then ``year, authors,
    venue, doi, arxiv, community, community_label, subcommunity, subcommunity_label, pagerank,
    citation_count, in_citations, degree, x, y``; edges ``Source, Target, Type`` (``Directed`` for
    ``cites``, ``Undirected`` for the symmetric kinds), ``Kind``, ``Weight``. UTF-8 without a byte
    order mark (Gephi would read it into the ``Id`` header), quoted where needed by the csv module,
    lists ``"; "``-joined, unknown values empty.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The graph; not modified.
    path : str or os.PathLike
        A directory (created if missing) that receives both files, or a path ending in ``.zip``
        for one archive holding both.

    Returns
    -------
    list of pathlib.Path
        ``[nodes.csv, edges.csv]``, or ``[path]`` for a zip archive.
    """
    nodes = node_table(G)
    ends, edges = edge_table(G)
    node_rows = [
        [node if source is None else row.get(source, "") for _, source in CSV_NODE_COLUMNS]
        for node, row in zip(G.nodes, nodes.rows, strict=True)
    ]
    edge_rows = [
        [
            u,
            v,
            "Undirected" if row.get("kind") in SYMMETRIC_KINDS else "Directed",
            row.get("kind", ""),
            row.get("weight", 1.0),
        ]
        for (u, v, _), row in zip(ends, edges.rows, strict=True)
    ]
    files = {
        "nodes.csv": _csv_bytes([name for name, _ in CSV_NODE_COLUMNS], node_rows),
        "edges.csv": _csv_bytes(list(CSV_EDGE_COLUMNS), edge_rows),
    }
    path = Path(path)
    if path.suffix.lower() == ".zip":

        def write_zip(fh: IO[bytes]) -> None:
            with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for name, content in files.items():
                    archive.writestr(name, content)

        atomic_write(path, write_zip)
        return [path]
    path.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in files.items():
        atomic_write(path / name, lambda fh, content=content: fh.write(content))
        written.append(path / name)
    return written


def _csv_bytes(header: list[str], rows: list[list[Any]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([[_csv_cell(v) for v in row] for row in rows])
    return buffer.getvalue().encode("utf-8")


def _csv_cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return value


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


def _same_id(value: Any, community: int) -> bool:
    try:
        return value is not None and int(value) == int(community)
    except (TypeError, ValueError):
        return False
