"""Node-link JSON, the format networkx reads back (``nx.node_link_graph(data, edges="edges")``)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import networkx as nx

from graphx.atomic import atomic_write
from graphx.export.tables import json_safe


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
