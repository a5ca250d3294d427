"""Built graphs too big for one ``graph.json``, stored as Parquet tables and read an area at a time.

A folder ``CACHE/graphs/NAME/`` whose ``meta.json`` says ``"store": "tables"`` holds (docs/graph-format.md):

- ``nodes.parquet``: one row a paper, sorted by (community, subcommunity), so an area is one row range;
- ``texts.parquet``: ``id, abstract`` in the same row order (the abstracts would double the nodes);
- ``edges.parquet``: ``u, v, kind, weight, cu, cv`` (``cu``/``cv``: the areas of ``u`` and ``v``), sorted by
  ``(cu, cv)``, so the edges inside area ``k`` are one row range too;
- ``areas.parquet``: one row an area: its row ranges in the two files, its centre and spread (overview);
- ``links.parquet``: ``a < b, n``: how many edges join two areas (the overview's links);
- ``subareas.parquet``, ``sublinks.parquet``: the same for the sub-areas inside each area (an area too
  big to draw paper by paper opens on the overview of its sub-areas);
- ``search.sqlite``: an SQLite FTS5 index of titles and abstracts, and paper id -> row;
- ``page.json`` (+ ``.gz``): the explorer's overview of areas; ``meta.json``.

Reading one area reads only the Parquet row groups its ranges touch (memory-mapped), never a whole file.
pyarrow is an optional dependency (``pip install 'graphx[scale]'``); the rest of graphx imports without it.

Examples
--------
>>> import tempfile, numpy as np
>>> cache = tempfile.mkdtemp()
>>> nodes = {"id": ["a", "b", "c"], "title": ["Alpha", "Beta", "Gamma"], "community": np.array([0, 0, 1]),
...          "subcommunity": np.array([0, 0, 1]), "x": np.zeros(3), "y": np.zeros(3)}
>>> edges = {"u": ["a", "b"], "v": ["b", "c"], "kind": ["cites", "similar"], "weight": np.array([1.0, 0.5])}
>>> texts = {"id": ["a"], "abstract": ["Gamma rays, briefly."]}
>>> areas = [{"id": 0, "label": "alpha", "size": 2}, {"id": 1, "label": "gamma", "size": 1}]
>>> folder = save_tables(cache, "tiny", nodes=nodes, edges=edges, texts=texts, communities=areas,
...                      subcommunities=[], meta={})
>>> T = open_tables(cache, "tiny")
>>> sorted(T.area(0).edges(keys=True))
[('a', 'b', 'cites')]
>>> [hit["id"] for hit in T.search("gamma")]
['c', 'a']
"""

from graphx.store.tables.files import DEFAULT_SEARCH_LIMIT, NODES_FILE, STORE_NAME
from graphx.store.tables.read import TableGraph, open_tables
from graphx.store.tables.write import graph_tables, save_graph_tables, save_tables

__all__ = [
    "DEFAULT_SEARCH_LIMIT",
    "NODES_FILE",
    "STORE_NAME",
    "TableGraph",
    "graph_tables",
    "open_tables",
    "save_graph_tables",
    "save_tables",
]
