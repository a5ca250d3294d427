"""GEXF 1.3 export for Gephi.

Written as text (:class:`~graphx.export.tables.XmlDocument`) rather than with ``networkx.write_gexf``
followed by repairs, because in
networkx 3.6 nearly every part of the output needs a repair: it defaults to GEXF 1.2draft; its 1.3
header declares the xsi namespace as ``http://w3.org/2001/XMLSchema-instance`` (no ``www.``), so
``xsi:schemaLocation`` is not recognised; a position without ``z`` is written ``z="None"``; a
``"#rrggbb"`` colour crashes it (it wants an r/g/b dict); list values are read as dynamic
``(value, start, end)`` triples (crash, or garbage for three-letter strings); None crashes it; it
writes the meta creator as "NetworkX" and cannot give an edge its own ``type``. Writing the document
ourselves is shorter than patching all of that (and 5x faster than an ElementTree), and the result is
checked in tests/test_export.py against the GEXF 1.3 rules and read back with ``nx.read_gexf``.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections import Counter
from typing import Any

import networkx as nx

from graphx.edgekinds import SYMMETRIC_KINDS
from graphx.export.tables import (
    INT32_MAX,
    XmlDocument,
    attribute_value,
    community_colors,
    edge_table,
    memoised,
    node_table,
)
from graphx.version import __version__
from graphx.view import node_size

GEXF_VERSION = "1.3"
GEXF_NS = "http://gexf.net/1.3"
VIZ_NS = "http://gexf.net/1.3/viz"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = "http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd"
CREATOR = "graphx"
#: Node attributes carried by GEXF's own elements (label, viz:position) instead of attvalues.
NODE_SKIP = ("id", "label", "viz", "x", "y")


def write_gexf(G: nx.MultiDiGraph, path: str | os.PathLike) -> None:
    """Write ``G`` as a GEXF 1.3 file that Gephi opens as is.

    - ``<meta>``: creator ``graphx``, a description (name, counts, areas), the build date.
    - ``defaultedgetype="directed"``; edges of the symmetric kinds (``similar``, ``cocited``,
      ``coupled``) carry ``type="undirected"`` (GEXF allows a per-edge type, Gephi builds a mixed
      graph). Every edge has a unique id and its ``kind`` both as GEXF's ``kind`` attribute (Gephi's
      edge type, which keeps a ``cites`` and a ``similar`` between the same papers apart) and as a
      ``kind`` column; the weight is the edge's ``weight``.
    - Nodes: ``label`` = title; typed attribute columns (``year`` integer, ``pagerank`` double,
      ``authors`` a ``"; "``-joined string...), absent values omitted, never ``"None"``;
      ``viz:color`` from the area's colour, ``viz:position`` x, y, z=0.0, ``viz:size``
      :func:`graphx.view.node_size` (log of citations, capped, as in the explorer).

    Parameters
    ----------
    G : networkx.MultiDiGraph
        A built graph (docs/graph-format.md); not modified.
    path : str or os.PathLike
        Destination file, written atomically.
    """
    gexf_document(G).write(path)


def gexf_document(G: nx.MultiDiGraph) -> XmlDocument:
    """The GEXF document for ``G`` (see `write_gexf`); ``.text()`` is the XML."""
    doc = XmlDocument()
    doc.open(
        "gexf",
        {
            "xmlns": GEXF_NS,
            "xmlns:viz": VIZ_NS,
            "xmlns:xsi": XSI_NS,
            "xsi:schemaLocation": SCHEMA_LOCATION,
            "version": GEXF_VERSION,
        },
    )
    _meta(doc, G)
    doc.open("graph", {"defaultedgetype": "directed", "mode": "static"})

    nodes = node_table(G, skip=NODE_SKIP)
    ends, edges = edge_table(G)
    edge_columns = {k: t for k, t in edges.columns.items() if k != "weight"}
    _declare(doc, "node", nodes.columns, nodes.rows)
    _declare(doc, "edge", edge_columns, edges.rows)

    colors = community_colors(G)
    doc.open("nodes", {"count": G.number_of_nodes()})
    for (node, data), row in zip(G.nodes(data=True), nodes.rows, strict=True):
        doc.open("node", {"id": node, "label": row.get("title", node)})
        _attvalues(doc, row)
        doc.leaf("viz:size", {"value": node_size(data.get("citation_count"))})
        x, y = _finite(data.get("x")), _finite(data.get("y"))
        if x is not None and y is not None:
            doc.leaf("viz:position", {"x": x, "y": y, "z": 0.0})
        rgb = colors.get(row.get("community"))
        if rgb is not None:
            r, g, b = rgb
            doc.leaf("viz:color", {"r": r, "g": g, "b": b})
        doc.close("node")
    doc.close("nodes")

    doc.open("edges", {"count": len(ends)})  # G.number_of_edges() sums every degree again
    # One f-string per edge: 130k edges through the generic open/leaf/close calls cost a second.
    indent = doc.indent()
    inner, innermost = indent + doc.INDENT, indent + 2 * doc.INDENT
    escape = memoised(attribute_value)
    for i, ((u, v, _), row) in enumerate(zip(ends, edges.rows, strict=True)):
        kind = row.get("kind")
        head = f'{indent}<edge id="{i}" source="{escape(u)}" target="{escape(v)}"'
        if kind in SYMMETRIC_KINDS:
            head += ' type="undirected"'
        if kind is not None:
            head += f' kind="{escape(kind)}"'
        if "weight" in row:
            head += f' weight="{attribute_value(row["weight"])}"'
        values = [
            f'{innermost}<attvalue for="{escape(k)}" value="{escape(x)}" />\n'
            for k, x in row.items()
            if k != "weight"
        ]
        if values:
            doc.parts.append(
                f"{head}>\n{inner}<attvalues>\n{''.join(values)}{inner}</attvalues>\n{indent}</edge>\n"
            )
        else:
            doc.parts.append(f"{head} />\n")
    doc.close("edges")
    doc.close("graph")
    doc.close("gexf")
    return doc


def _meta(doc: XmlDocument, G: nx.MultiDiGraph) -> None:
    meta_info = G.graph.get("meta") or {}
    built = _iso_date(meta_info.get("built_at"))
    doc.open("meta", {"lastmodifieddate": built or dt.datetime.now(dt.UTC).date().isoformat()})
    doc.leaf("creator", text=f"{CREATOR} {__version__}")
    kinds = Counter(kind for _, _, kind in G.edges(keys=True))
    by_kind = ", ".join(f"{n:,} {kind}" for kind, n in sorted(kinds.items()))
    areas = G.graph.get("communities") or []
    name = G.graph.get("name") or "graph"
    description = (
        f"{name}: {G.number_of_nodes():,} papers, {kinds.total():,} edges"
        f"{f' ({by_kind})' if by_kind else ''}, {len(areas)} research areas. "
        "Node colour = research area, size = citations (log), position = graphx layout. "
        "Edges: cites (directed), similar/cocited/coupled (undirected)."
    )
    doc.leaf("description", text=description)
    labels = [str(a["label"]) for a in areas if a.get("label")]
    if labels:
        doc.leaf("keywords", text="; ".join(labels))
    doc.close("meta")


def _iso_date(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).date().isoformat()
    except ValueError:
        return None


def _finite(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _gexf_type(typ: type, values: list[Any]) -> str:
    if typ is int:
        # Gephi reads "integer" into a Java int.
        return "long" if any(abs(v) > INT32_MAX for v in values) else "integer"
    return {bool: "boolean", float: "double"}.get(typ, "string")


def _declare(doc: XmlDocument, cls: str, columns: dict[str, type], rows: list[dict[str, Any]]) -> None:
    if not columns:
        return
    doc.open("attributes", {"class": cls, "mode": "static"})
    for name, typ in columns.items():
        values = [r[name] for r in rows if name in r]
        doc.leaf("attribute", {"id": name, "title": name, "type": _gexf_type(typ, values)})
    doc.close("attributes")


def _attvalues(doc: XmlDocument, row: dict[str, Any]) -> None:
    if not row:
        return
    doc.open("attvalues")
    indent = doc.indent()
    doc.parts += [
        f'{indent}<attvalue for="{attribute_value(name)}" value="{attribute_value(value)}" />\n'
        for name, value in row.items()
    ]
    doc.close("attvalues")
