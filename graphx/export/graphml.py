"""GraphML for Gephi, yEd, Cytoscape and ``nx.read_graphml``, written from the flat attribute tables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import networkx as nx

from graphx.export.tables import (
    INT32_MAX,
    XmlDocument,
    attribute_value,
    community_colors,
    edge_table,
    element_text,
    memoised,
    node_table,
)
from graphx.view import node_size

GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
GRAPHML_SCHEMA_LOCATION = f"{GRAPHML_NS} http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"


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

    doc = XmlDocument()
    doc.open(
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
            doc.leaf("key", {"id": key_id, "for": scope, "attr.name": name, "attr.type": attr_type})

    graph_rows = [{"name": G.graph["name"]}] if G.graph.get("name") else []
    declare("graph", {"name": str}, graph_rows)
    declare("node", node_columns, nodes.rows)
    declare("edge", edges.columns, edges.rows)

    doc.open("graph", {"id": "G", "edgedefault": "directed"})
    for row in graph_rows:
        _graphml_data(doc, "graph", row, key_ids)
    for node, row in zip(G.nodes, nodes.rows, strict=True):
        _graphml_element(doc, "node", {"id": node}, "node", row, key_ids)
    # One f-string per edge, as _graphml_element would write it: ids and kinds recur, escaped once.
    indent, inner = doc.indent(), doc.indent() + doc.INDENT
    escape, text = memoised(attribute_value), memoised(element_text)
    for i, ((u, v, _), row) in enumerate(zip(ends, edges.rows, strict=True)):
        head = f'{indent}<edge id="e{i}" source="{escape(u)}" target="{escape(v)}"'
        if not row:
            doc.parts.append(f"{head} />\n")
            continue
        data = "".join(
            [
                f'{inner}<data key="{key_ids["edge", name]}">{text(value)}</data>\n'
                for name, value in row.items()
            ]
        )
        doc.parts.append(f"{head}>\n{data}{indent}</edge>\n")
    doc.close("graph")
    doc.close("graphml")
    doc.write(path)


def _graphml_type(typ: type, values: list[Any]) -> str:
    if typ is int:
        return "long" if any(abs(v) > INT32_MAX for v in values) else "int"
    return {bool: "boolean", float: "double"}.get(typ, "string")


def _graphml_element(
    doc: XmlDocument, tag: str, attrs: Mapping[str, Any], scope: str, row: Mapping[str, Any], key_ids
) -> None:
    if not row:
        doc.leaf(tag, attrs)
        return
    doc.open(tag, attrs)
    _graphml_data(doc, scope, row, key_ids)
    doc.close(tag)


def _graphml_data(doc: XmlDocument, scope: str, row: Mapping[str, Any], key_ids) -> None:
    indent = doc.indent()
    doc.parts += [
        f'{indent}<data key="{key_ids[scope, name]}">{element_text(value)}</data>\n'
        for name, value in row.items()
    ]
