"""The explorer's heavy answers written once, beside the graph, and served as files.

A graph folder holds, besides ``graph.json``:

- ``page.json``: :func:`graphx.view.page_data` as script-safe JSON (what the explorer draws);
- ``texts.json``: :func:`graphx.view.search_texts` (abstracts for the search, loaded after the first draw);
- a gzip copy of each (``NAME.gz``), sent as is to clients that accept gzip, and of ``graph.json``.

:func:`write_page_files` runs inside :func:`graphx.store.graphs.save_graph` (so every build, ``graphx add``
and re-save writes them into the new folder before it is swapped in). Nothing in these files depends on
the URL the graph is served under: the web app adds its links and token at request time. Folders saved
before these files existed get them written back on first use (:func:`ensure_page_files`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import networkx as nx

from graphx.atomic import atomic_write
from graphx.build.edgearrays import EdgeArrays
from graphx.store import gzipped

PAGE_FILE = "page.json"
TEXTS_FILE = "texts.json"
GZIP_SUFFIX = gzipped.SUFFIX
# ISA-L's level 1 for graph.json (624 MB at 100k papers: 1.2 s, 125 MB) and level 3 for the page data and
# search texts (the page data is what a first view waits for: 10.3 MB where zlib's level 6 gave 9.1 MB in
# 1.1 s, ISA-L takes 0.13 s; :mod:`graphx.store.gzipped`).
GZIP_LEVELS = {"graph.json": gzipped.FAST}
# The JSON files of a graph folder that are sent whole to the browser, so get a gzip copy.
SERVED_FILES = ("graph.json", PAGE_FILE, TEXTS_FILE)


def page_files(G: nx.MultiDiGraph, *, edges: EdgeArrays | None = None) -> dict[str, bytes]:
    """``{file name: bytes}`` of the explorer's page data and search texts for ``G``.

    ``edges`` are ``G``'s edges as arrays in ``G.edges(keys=True)`` order, if the caller has them."""
    from graphx import view

    return {
        PAGE_FILE: view.script_json(view.page_data(G, edges=edges)).encode("utf-8"),
        TEXTS_FILE: view.script_json(view.search_texts(G)).encode("utf-8"),
    }


def gzip_level(name: str) -> int:
    """The gzip level of the copy of served file ``name``."""
    return GZIP_LEVELS.get(name, gzipped.SMALL)


def write_gzip_copy(path: Path, data: bytes | None = None) -> Path:
    """Write ``path`` + ``.gz`` (atomically) and return it; its mtime is set to the source's. ``data``:
    the file's bytes, if the caller has them."""
    target = path.with_name(path.name + GZIP_SUFFIX)
    data = path.read_bytes() if data is None else data
    zipped = gzipped.compress(data, gzip_level(path.name))
    atomic_write(target, lambda fh: fh.write(zipped))
    stat = path.stat()
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    return target


def write_page_files(
    G: nx.MultiDiGraph, folder: str | os.PathLike, *, edges: EdgeArrays | None = None
) -> list[Path]:
    """Write ``page.json``, ``texts.json`` and their gzip copies into ``folder`` (``edges``: as
    :func:`page_files` takes them). ``graph.json``'s copy is written with it
    (:func:`graphx.store.graphs.write_node_link`)."""
    folder = Path(folder)
    written = []
    for name, data in page_files(G, edges=edges).items():
        path = folder / name
        atomic_write(path, lambda fh, data=data: fh.write(data))
        written += [path, write_gzip_copy(path, data)]
    return written


def has_page_files(folder: str | os.PathLike) -> bool:
    """Whether ``folder`` holds the page files (graphs saved before they existed do not)."""
    folder = Path(folder)
    return all((folder / name).is_file() for name in (PAGE_FILE, TEXTS_FILE))


def ensure_page_files(folder: str | os.PathLike, load: Callable[[], nx.MultiDiGraph]) -> bool:
    """Write the page files into ``folder`` if they are missing, with the graph from ``load()``.

    Returns whether anything was written. Written only if ``graph.json`` did not change meanwhile (a
    save swapping in a new folder brings its own page files).
    """
    folder = Path(folder)
    if has_page_files(folder):
        return False
    graph = folder / "graph.json"
    before = graph.stat().st_mtime_ns
    G = load()
    files = page_files(G)
    if graph.stat().st_mtime_ns != before:
        return False
    for name, data in files.items():
        atomic_write(folder / name, lambda fh, data=data: fh.write(data))
        write_gzip_copy(folder / name, data)
    if not graph.with_name(graph.name + GZIP_SUFFIX).is_file():
        write_gzip_copy(graph)
    return True
