"""The flat, typed attribute tables that the XML and CSV exports are written from, and atomic writes.

Every flat format needs the same clean-up of a built graph's attributes: unknown values (None, NaN)
omitted, lists joined with ``"; "``, numpy scalars turned into Python values, one type per column
(networkx's own GEXF and GraphML writers crash on None and lists, write ``"None"`` into the file, or
declare one column twice under two types). Files are written next to their destination and moved
into place, so a crash never leaves half a file.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from graphx.atomic import atomic_write

LIST_SEPARATOR = "; "

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


INT32_MAX = 2**31 - 1
# Characters XML 1.0 forbids even when escaped; abstracts from APIs sometimes carry them.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_TEXT_SPECIAL = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ATTRIBUTE_SPECIAL = re.compile('[&<>"\r\n\t\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]')


def json_safe(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((json_safe(v) for v in value), key=str)
    if isinstance(value, np.ndarray):
        return json_safe(value.tolist())
    if isinstance(value, np.generic):
        return json_safe(value.item())
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
        return json.dumps(json_safe(value), ensure_ascii=False, sort_keys=True)
    return str(value)


def _column_type(values: list[Any], hint: type | None) -> type:
    kinds = set(map(type, values))  # bool cannot be subclassed: its values' type is bool
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
    values: dict[str, list[Any]] = {}  # each column's values, columns in order of first appearance
    for record in records:
        row = {}
        for key, value in record.items():
            key = str(key)
            if key in skip:
                continue
            kind = type(value)
            # The plain types most values have, as _plain returns them, without its checks.
            if kind is str or kind is int or kind is bool:
                flat = value
            elif kind is float:
                flat = value if math.isfinite(value) else None
            else:
                flat = _plain(value)
            if flat is not None:
                row[key] = flat
                column = values.get(key)
                if column is None:
                    values[key] = [flat]
                else:
                    column.append(flat)
        rows.append(row)
    names = [n for n in hints if n in values] + [n for n in values if n not in hints]
    columns = {n: _column_type(values[n], hints.get(n)) for n in names}
    ordered = [
        {
            n: (v if type(v) is t else _coerce(v, t))
            for n, t in columns.items()
            if (v := row.get(n, _ABSENT)) is not _ABSENT
        }
        for row in rows
    ]
    return _Table(columns, ordered)


_ABSENT = object()


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
    """Text for an XML attribute or element: booleans lower-case, floats exact (``repr``).

    Characters XML 1.0 forbids are dropped when the text is escaped (:func:`attribute_value`).
    """
    if type(value) is str:
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


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


# ---------------------------------------------------------------------------------- shared writing


class XmlDocument:
    """An XML document built as text, laid out as ``ElementTree.indent`` + ``write`` would lay it out.

    Building an ElementTree of half a million elements and serialising it cost 3-4 s for the
    6,545-paper graph; writing the same text directly costs a fraction of that. Attribute values and
    element text are escaped as ElementTree escapes them (:func:`attribute_value`, :func:`element_text`),
    which also drop the characters XML 1.0 forbids.
    """

    XML_DECLARATION = "<?xml version='1.0' encoding='utf-8'?>\n"
    INDENT = "  "

    def __init__(self) -> None:
        self.parts: list[str] = [self.XML_DECLARATION]
        self.depth = 0

    def open(self, tag: str, attrs: Mapping[str, Any] | None = None) -> None:
        """``<tag ...>`` on its own line; children follow one level deeper."""
        self.parts.append(f"{self.INDENT * self.depth}<{tag}{xml_attributes(attrs)}>\n")
        self.depth += 1

    def close(self, tag: str) -> None:
        self.depth -= 1
        self.parts.append(f"{self.INDENT * self.depth}</{tag}>\n")

    def leaf(self, tag: str, attrs: Mapping[str, Any] | None = None, text: Any = None) -> None:
        """An element without children: ``<tag ... />``, or ``<tag ...>text</tag>``."""
        indent = self.INDENT * self.depth
        if text is None:
            self.parts.append(f"{indent}<{tag}{xml_attributes(attrs)} />\n")
        else:
            self.parts.append(f"{indent}<{tag}{xml_attributes(attrs)}>{element_text(text)}</{tag}>\n")

    def indent(self) -> str:
        """The indentation of an element written now (for callers that write many lines at once)."""
        return self.INDENT * self.depth

    def text(self) -> str:
        """The document (no newline after the root's end tag, as ElementTree writes it)."""
        return "".join(self.parts).removesuffix("\n")

    def write(self, path: str | os.PathLike) -> None:
        """Write the document as UTF-8, atomically."""
        data = self.text().encode("utf-8")
        atomic_write(Path(path), lambda fh: fh.write(data))


def xml_attributes(attrs: Mapping[str, Any] | None) -> str:
    """`` name="value"`` for every attribute, values escaped (see :func:`attribute_value`)."""
    if not attrs:
        return ""
    return "".join([f' {name}="{attribute_value(value)}"' for name, value in attrs.items()])


def attribute_value(value: Any) -> str:
    """:func:`xml_text` of ``value``, escaped for a double-quoted attribute (numbers need no escaping)."""
    kind = type(value)
    if kind is float:
        return repr(value)
    if kind is int:
        return str(value)
    text = value if kind is str else xml_text(value)
    return _escape_attribute(_XML_INVALID.sub("", text)) if _ATTRIBUTE_SPECIAL.search(text) else text


def memoised(escape: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``escape`` remembering what it made of each string: node ids and kinds recur on 130k edges.

    Only ``str`` values are remembered (``1``, ``1.0`` and ``True`` are equal keys but differently
    written; so are ``0.0`` and ``-0.0``).
    """
    seen: dict[str, Any] = {}

    def memo(value: Any) -> Any:
        if type(value) is not str:
            return escape(value)
        out = seen.get(value)
        if out is None:
            out = seen[value] = escape(value)
        return out

    return memo


def element_text(value: Any) -> str:
    """:func:`xml_text` of ``value``, escaped for element content."""
    text = xml_text(value)
    return _escape_text(_XML_INVALID.sub("", text)) if _TEXT_SPECIAL.search(text) else text


# What ElementTree escapes, in its order ("&" first).
_TEXT_ESCAPES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"))
_ATTRIBUTE_ESCAPES = (*_TEXT_ESCAPES, ('"', "&quot;"), ("\r", "&#13;"), ("\n", "&#10;"), ("\t", "&#09;"))


def _escape(text: str, escapes: tuple[tuple[str, str], ...]) -> str:
    for char, escape in escapes:
        if char in text:
            text = text.replace(char, escape)
    return text


def _escape_text(text: str) -> str:
    return _escape(text, _TEXT_ESCAPES)


def _escape_attribute(text: str) -> str:
    return _escape(text, _ATTRIBUTE_ESCAPES)
