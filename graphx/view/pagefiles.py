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

import gzip
import os
from collections.abc import Callable
from pathlib import Path

import networkx as nx

from graphx.atomic import atomic_write
from graphx.build.edgearrays import EdgeArrays

PAGE_FILE = "page.json"
TEXTS_FILE = "texts.json"
GZIP_SUFFIX = ".gz"
# Level 6 (zlib's default) for the page data (2 MB -> 0.43 MB in ~0.2 s); level 1 for graph.json, whose
# 36 MB take 4.4 s at level 6 (-> 6.5 MB) and 0.9 s at level 1 (-> 8.2 MB), measured on a loaded 2-core box,
# and for the search texts, loaded after the first draw: 10k papers' 12.3 MB take 0.67 s of CPU at level 6
# (-> 4.3 MB) and 0.15 s at level 1 (-> 5.2 MB), ~5 s less at 100k papers.
GZIP_LEVEL = 6
GZIP_LEVELS = {"graph.json": 1, TEXTS_FILE: 1}
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
    return GZIP_LEVELS.get(name, GZIP_LEVEL)


def write_gzip_copy(path: Path) -> Path:
    """Write ``path`` + ``.gz`` (atomically) and return it; its mtime is set to the source's."""
    target = path.with_name(path.name + GZIP_SUFFIX)
    data = path.read_bytes()
    level = gzip_level(path.name)
    # mtime=0 in the header: the same input gives the same bytes (and the same ETag) every time.
    atomic_write(target, lambda fh: fh.write(gzip.compress(data, compresslevel=level, mtime=0)))
    stat = path.stat()
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    return target


def write_page_files(
    G: nx.MultiDiGraph, folder: str | os.PathLike, *, edges: EdgeArrays | None = None
) -> list[Path]:
    """Write ``page.json``, ``texts.json`` and gzip copies of every served file into ``folder``
    (``edges``: as :func:`page_files` takes them).

    A served file whose copy is already there and as new as it keeps that copy: ``graph.json`` is
    compressed while it is written (:func:`graphx.store.graphs.write_node_link`).
    """
    folder = Path(folder)
    written = []
    for name, data in page_files(G, edges=edges).items():
        path = folder / name
        atomic_write(path, lambda fh, data=data: fh.write(data))
        written.append(path)
    for name in SERVED_FILES:
        path, copy = folder / name, folder / (name + GZIP_SUFFIX)
        if path.is_file() and not (copy.is_file() and copy.stat().st_mtime_ns == path.stat().st_mtime_ns):
            written.append(write_gzip_copy(path))
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
    for name in SERVED_FILES:
        if (folder / name).is_file() and not (folder / (name + GZIP_SUFFIX)).is_file():
            write_gzip_copy(folder / name)
    return True
