"""Write a built graph to files other tools open: node-link JSON, GEXF (Gephi), GraphML, CSV, HTML.

Every writer takes the `MultiDiGraph` described in ``docs/graph-format.md``, never modifies it, and
writes atomically: the file is written next to its destination and moved into place with
``os.replace``, so a crash or an error never leaves a half-written file at ``path``.

The XML formats are written from one sanitised table of node and edge attributes (`_tabulate`):
unknown values (None, NaN) are omitted, lists are joined with ``"; "``, numpy scalars become Python
values and every column gets one type, because networkx's own GEXF and GraphML writers crash on
None and lists, write ``"None"`` into the file, or declare one column twice under two types.

Examples
--------
>>> paths = export_graph(G, "gexf", "out/papers.gexf")  # doctest: +SKIP
"""

from __future__ import annotations

import copy
import csv
import io
import json
import math
import os
import re
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import networkx as nx
import numpy as np

from graphx.errors import ConfigError

FORMATS = ("json", "gexf", "graphml", "csv", "html")

#: Edge kinds that are symmetric (stored once as (u, v)); GEXF writes them as undirected edges.
SYMMETRIC_KINDS = frozenset({"similar", "cocited", "coupled"})
LIST_SEPARATOR = "; "
#: Mode of every exported file; tempfile would otherwise leave them readable by the owner only.
EXPORT_FILE_MODE = 0o644

#: Types of the attributes docs/graph-format.md defines, in the order exports list them.
NODE_ATTRIBUTE_TYPES: dict[str, type] = {
    "title": str,
    "year": int,
    "authors": str,
    "venue": str,
    "doi": str,
    "arxiv": str,
    "s2_id": str,
    "url": str,
    "publication_date": str,
    "community": int,
    "community_label": str,
    "subcommunity": int,
    "subcommunity_label": str,
    "pagerank": float,
    "citation_count": int,
    "in_citations": int,
    "degree": int,
    "x": float,
    "y": float,
    "tldr": str,
    "abstract": str,
}
EDGE_ATTRIBUTE_TYPES: dict[str, type] = {"kind": str, "weight": float}

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

INT32_MAX = 2**31 - 1
# Characters XML 1.0 forbids even when escaped; abstracts from APIs sometimes carry them.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

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
        # Lazy: htmlview pulls in the HTML template machinery, which the other formats never need.
        from graphx.htmlview import write_html

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
        text = json.dumps(_json_safe(data), ensure_ascii=False, allow_nan=False)
    # "</" can end a <script> block if someone inlines the file into a page; "<\/" is the same JSON.
    text = text.replace("</", "<\\/")
    _atomic_write(Path(path), lambda fh: fh.write(text.encode("utf-8")))


def _json_safe(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((_json_safe(v) for v in value), key=str)
    if isinstance(value, np.ndarray):
        return _json_safe(value.tolist())
    if isinstance(value, np.generic):
        return _json_safe(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, str | int | float):
        return value
    return str(value)


# ---------------------------------------------------------------------------------- attribute tables


@dataclass(frozen=True)
class _Table:
    """Flat, typed attributes: one dict per node or edge, one Python type per column."""

    columns: dict[str, type]
    rows: list[dict[str, Any]]


def _plain(value: Any) -> Any:
    """A scalar a flat file can hold, or None when the value is unknown and must be omitted."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, list | tuple | set | frozenset | np.ndarray):
        items = [str(v) for v in map(_plain, value) if v is not None]
        return LIST_SEPARATOR.join(items) if items else None  # an empty list: nothing known
    if isinstance(value, Mapping):
        return json.dumps(_json_safe(value), ensure_ascii=False, sort_keys=True)
    return str(value)


def _column_type(values: list[Any], hint: type | None) -> type:
    kinds = {bool if isinstance(v, bool) else type(v) for v in values}
    if hint is str:
        return str
    if hint is float and kinds <= {int, float}:
        return float
    if hint is int and kinds <= {int}:
        return int
    if kinds == {bool}:
        return bool
    if kinds <= {int}:
        return int
    if kinds <= {int, float}:
        return float
    return str


def _coerce(value: Any, typ: type) -> Any:
    if typ is str:
        return ("true" if value else "false") if isinstance(value, bool) else str(value)
    return typ(value)


def _tabulate(records: Iterable[Mapping[str, Any]], hints: Mapping[str, type], skip=()) -> _Table:
    rows = []
    for record in records:
        row = {}
        for key, value in record.items():
            key = str(key)
            if key in skip:
                continue
            flat = _plain(value)
            if flat is not None:
                row[key] = flat
        rows.append(row)
    names = [n for n in hints if any(n in r for r in rows)]
    seen = set(names)
    for row in rows:
        for key in row:
            if key not in seen:
                seen.add(key)
                names.append(key)
    columns = {n: _column_type([r[n] for r in rows if n in r], hints.get(n)) for n in names}
    ordered = [{n: _coerce(row[n], t) for n, t in columns.items() if n in row} for row in rows]
    return _Table(columns, ordered)


def node_table(G: nx.MultiDiGraph, skip: Iterable[str] = ("id", "label", "viz")) -> _Table:
    """Flat typed node attributes, rows in ``G.nodes`` order (see `_tabulate`)."""
    return _tabulate((d for _, d in G.nodes(data=True)), NODE_ATTRIBUTE_TYPES, frozenset(skip))


def edge_table(G: nx.MultiDiGraph) -> tuple[list[tuple[Any, Any, Any]], _Table]:
    """``(u, v, key)`` of every edge and their flat typed attributes (``kind`` defaults to the key)."""
    ends, records = [], []
    for u, v, key, data in G.edges(keys=True, data=True):
        ends.append((u, v, key))
        records.append({"kind": key, **data})
    return ends, _tabulate(records, EDGE_ATTRIBUTE_TYPES, frozenset({"id", "key", "viz"}))


def xml_text(value: Any) -> str:
    """Text for an XML attribute or element: booleans lower-case, forbidden characters dropped."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return _XML_INVALID.sub("", str(value))


def community_colors(G: nx.MultiDiGraph) -> dict[int, tuple[int, int, int]]:
    """``{community id: (r, g, b)}`` from the ``"#rrggbb"`` colours in ``G.graph["communities"]``."""
    colors = {}
    for community in G.graph.get("communities") or []:
        rgb = hex_to_rgb(community.get("color"))
        if rgb is not None and community.get("id") is not None:
            colors[int(community["id"])] = rgb
    return colors


def hex_to_rgb(color: Any) -> tuple[int, int, int] | None:
    """``"#rrggbb"`` (or ``"#rgb"``) to integers 0-255; None for anything else."""
    if not isinstance(color, str) or not re.fullmatch(r"#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})", color):
        return None
    digits = color[1:]
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def node_size(citation_count: Any) -> float:
    """Node size on a log scale, so a 5,000-citation paper does not hide its neighbours."""
    count = _plain(citation_count)
    if not isinstance(count, int | float) or isinstance(count, bool) or count < 0:
        count = 0
    return round(4.0 + 4.0 * math.log1p(count), 3)


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

        _atomic_write(path, write_zip)
        return [path]
    path.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in files.items():
        _atomic_write(path / name, lambda fh, content=content: fh.write(content))
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


# ---------------------------------------------------------------------------------- shared writing


def write_xml(root: ET.Element, path: str | os.PathLike) -> None:
    """Indent ``root`` and write it as a UTF-8 XML document, atomically."""
    ET.indent(root)
    tree = ET.ElementTree(root)
    _atomic_write(Path(path), lambda fh: tree.write(fh, encoding="utf-8", xml_declaration=True))


def _atomic_write(path: Path, write: Callable[[IO[bytes]], Any]) -> None:
    """Call ``write`` on a temporary file beside ``path``, then move it over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp_name, EXPORT_FILE_MODE)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def write_gexf(G: nx.MultiDiGraph, path: str | os.PathLike) -> None:
    """Write ``G`` as a GEXF 1.3 file that Gephi opens as is.

    The writer lives in `graphx.export_gexf` (imported here on first use, since it builds on this
    module's attribute tables); its docstring lists what the file carries.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        A built graph; not modified.
    path : str or os.PathLike
        Destination file, written atomically.
    """
    from graphx.export_gexf import write_gexf as _write_gexf

    _write_gexf(G, path)
