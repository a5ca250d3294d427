"""Two CSV tables, ``nodes.csv`` and ``edges.csv``, for Gephi's spreadsheet importer and spreadsheets."""

from __future__ import annotations

import csv
import io
import os
import zipfile
from pathlib import Path
from typing import IO, Any

import networkx as nx

from graphx.atomic import atomic_write
from graphx.edgekinds import SYMMETRIC_KINDS
from graphx.export.tables import edge_table, memoised, node_table

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
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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
    cell = memoised(_csv_cell)  # node ids and kinds recur on 130k edges: their cells are made once
    edge_cells = [
        [
            cell(u),
            cell(v),
            cell("Undirected" if row.get("kind") in SYMMETRIC_KINDS else "Directed"),
            cell(row.get("kind", "")),
            cell(row.get("weight", 1.0)),
        ]
        for (u, v, _), row in zip(ends, edges.rows, strict=True)
    ]
    files = {
        "nodes.csv": _csv_bytes([name for name, _ in CSV_NODE_COLUMNS], node_rows),
        "edges.csv": _csv_text_bytes(list(CSV_EDGE_COLUMNS), edge_cells),
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
    return _csv_text_bytes(header, [[_csv_cell(v) for v in row] for row in rows])


def _csv_text_bytes(header: list[str], cells: list[list[Any]]) -> bytes:
    """The CSV of rows whose values are already cells (:func:`_csv_cell`)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(cells)
    return buffer.getvalue().encode("utf-8")


def _csv_cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        # Spreadsheets run a cell starting with these as a formula (=HYPERLINK(...) in a title).
        return "'" + value
    return value
