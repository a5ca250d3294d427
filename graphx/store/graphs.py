"""Built graphs on disk: ``CACHE/graphs/NAME/{graph.json, meta.json, page.json, texts.json, *.gz}``.

Besides the graph and its metadata, a save writes what the explorer sends to browsers (its page data,
search texts and gzip copies, :mod:`graphx.view.pagefiles`), so serving a graph never recomputes them.

A graph folder is written whole into a temporary sibling and swapped in with two renames, so an
interrupted build leaves the previous graph of that name intact. If a crash falls between the two
renames, the previous folder is still there under its ``.old-`` name and is put back on the next read.
"""

from __future__ import annotations

import errno
import itertools
import json
import os
import re
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx
import orjson

from graphx.atomic import json_default
from graphx.build.edgearrays import EdgeArrays, edge_rows
from graphx.edgekinds import EDGE_KINDS
from graphx.errors import CacheCorrupt, ConfigError, GraphNotFound, StoredAsTables
from graphx.store import gzipped

if TYPE_CHECKING:
    from graphx.build.parallel import Helper

GRAPHS_DIR = "graphs"
GRAPH_FILE = "graph.json"
# A graph saved as tables (graphx.store.tables, for maps too big for one graph.json) has this instead.
TABLES_FILE = "nodes.parquet"
META_FILE = "meta.json"
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
# A save's temporary folder lives for seconds; one this old was left by a killed build.
STALE_TMP_S = 3600
# Attempts at swapping a saved folder in while readers may put a stranded .old- folder back meanwhile.
SWAP_ATTEMPTS = 5
# graph_file's quick check reads this much of a graph file's end (trailing whitespace included).
FILE_TAIL_BYTES = 64
# Nodes or edges serialised at a time by write_node_link (a chunk of edges is ~8 MB of JSON).
WRITE_CHUNK = 50_000


def check_name(name: str) -> str:
    """``name`` if it is a safe graph name (letters, digits, ``._-``; no path separators)."""
    if not isinstance(name, str) or not NAME_PATTERN.match(name) or name.startswith(".") or ".." in name:
        raise ConfigError(
            f"Graph name {name!r} is not allowed: use 1-100 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit (e.g. --name neurips-icml)."
        )
    return name


def graphs_root(cache_dir: str | os.PathLike) -> Path:
    return Path(cache_dir) / GRAPHS_DIR


def graph_dir(cache_dir: str | os.PathLike, name: str) -> Path:
    return graphs_root(cache_dir) / check_name(name)


def save_graph(
    G: nx.MultiDiGraph,
    cache_dir: str | os.PathLike,
    name: str,
    *,
    extra: Callable[[Path], None] | None = None,
    edges: EdgeArrays | None = None,
    helper: Helper | None = None,
) -> Path:
    """Write ``G`` (with ``G.graph["meta"]``) as graph ``name``; returns its folder.

    ``extra(folder)`` may add files of its own (the text index) before the folder is swapped in.
    The explorer's page files are written into the same folder (:mod:`graphx.view.pagefiles`), from
    ``edges`` (``G``'s edges as arrays in ``G.edges(keys=True)`` order) when the caller has them; with
    them and a build's ``helper`` process, graph.json's edges are written there meanwhile
    (:func:`write_node_link`).
    """
    # Imported here: graphx.view imports this module (for json_default).
    from graphx.view.pagefiles import write_page_files

    def fill(tmp: Path) -> None:
        graph_written = write_node_link(G, tmp / GRAPH_FILE, edges=edges, helper=helper)
        _write_json(tmp / META_FILE, {"name": name, **G.graph.get("meta", {})})
        write_page_files(G, tmp, edges=edges)
        if extra is not None:
            extra(tmp)
        graph_written()

    return save_folder(cache_dir, name, fill)


def save_folder(cache_dir: str | os.PathLike, name: str, fill: Callable[[Path], None]) -> Path:
    """Graph folder ``name`` written whole by ``fill(tmp)`` into a temporary sibling, then swapped in.

    Every store format (:func:`save_graph`, :func:`graphx.store.tables.save_tables`) saves through it,
    so an interrupted save of either leaves the previous graph of that name intact.
    """
    target = graph_dir(cache_dir, name)
    root = target.parent
    root.mkdir(parents=True, exist_ok=True)
    remove_stale_tmp(cache_dir)
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{name}-", dir=root))
    olds: list[Path] = []
    try:
        fill(tmp)
        _fsync_dir(tmp)
        for attempt in range(SWAP_ATTEMPTS):
            if target.exists():
                olds.append(root / f".old-{name}-{uuid.uuid4().hex[:8]}")
                os.rename(target, olds[-1])
            try:
                os.rename(tmp, target)
                break
            except OSError as exc:
                # A reader's _recover put the previous folder back between our two renames: again.
                if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST) or attempt == SWAP_ATTEMPTS - 1:
                    raise
        _fsync_dir(root)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    for old in olds:
        shutil.rmtree(old, ignore_errors=True)
    return target


def remove_stale_tmp(cache_dir: str | os.PathLike, max_age_s: float = STALE_TMP_S) -> list[Path]:
    """Delete the ``.tmp-NAME-*`` folders of saves killed more than ``max_age_s`` ago; returns them.

    Younger ones may belong to a save running in another process right now and are left alone.
    """
    root = graphs_root(cache_dir)
    removed = []
    cutoff = time.time() - max_age_s
    for tmp in root.glob(".tmp-*") if root.is_dir() else ():
        try:
            if tmp.is_dir() and tmp.stat().st_mtime < cutoff:
                shutil.rmtree(tmp)
                removed.append(tmp)
        except OSError:
            continue
    return removed


def load_graph(cache_dir: str | os.PathLike, name: str) -> nx.MultiDiGraph:
    """The built graph ``name``; :class:`GraphNotFound` if there is none."""
    folder = _existing_dir(cache_dir, name)
    path = folder / GRAPH_FILE
    _refuse_tables(folder, name)
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        return nx.node_link_graph(data, directed=True, multigraph=True, edges="edges")
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError, nx.NetworkXError) as exc:
        raise _damaged(path, name, exc) from None


def graph_file(cache_dir: str | os.PathLike, name: str) -> Path:
    """The path of graph ``name``'s ``graph.json`` after a quick look at its ends (no parse).

    For answers sent from the stored files (the explorer page, the API's node-link file): an empty,
    truncated or foreign file is :class:`CacheCorrupt` with the way out, at the cost of reading a few
    bytes instead of parsing 30 MB. :func:`load_graph` still checks everything.
    """
    folder = _existing_dir(cache_dir, name)
    _refuse_tables(folder, name)
    path = folder / GRAPH_FILE
    try:
        with open(path, "rb") as fh:
            head = fh.read(1)
            size = fh.seek(0, os.SEEK_END)
            fh.seek(max(size - FILE_TAIL_BYTES, 0))
            tail = fh.read().rstrip()
    except OSError as exc:
        raise _damaged(path, name, exc) from None
    if head != b"{" or not tail.endswith(b"}"):
        raise _damaged(path, name, ValueError("not a JSON object from start to end"))
    return path


def load_meta(cache_dir: str | os.PathLike, name: str) -> dict[str, Any]:
    """The metadata of built graph ``name`` (inputs, parameters, counts, timings...)."""
    folder = _existing_dir(cache_dir, name)
    path = folder / META_FILE
    try:
        with open(path, encoding="utf-8") as fh:
            meta = json.load(fh)
    except (FileNotFoundError, ValueError, RecursionError) as exc:
        raise _damaged(path, name, exc) from None
    if not isinstance(meta, dict):
        raise _damaged(path, name, TypeError(f"a JSON {type(meta).__name__}, not an object"))
    return meta


def _damaged(path: Path, name: str, exc: BaseException) -> CacheCorrupt:
    detail = "missing" if isinstance(exc, FileNotFoundError) else f"{type(exc).__name__}: {exc}"
    return CacheCorrupt(
        f"The stored graph {name!r} is damaged: {path} cannot be read ({detail:.200}). Rebuild it with "
        f"`graphx build --name {name} ...`, or delete the folder {path.parent}; nothing else is lost."
    )


def list_graphs(cache_dir: str | os.PathLike) -> list[dict[str, Any]]:
    """Metadata of every built graph, newest first."""
    root = graphs_root(cache_dir)
    if not root.is_dir():
        return []
    _recover(root)
    out = []
    for folder in root.iterdir():
        if folder.name.startswith(".") or not (folder / META_FILE).is_file():
            continue
        try:
            with open(folder / META_FILE, encoding="utf-8") as fh:
                meta = json.load(fh)
        except (OSError, ValueError, RecursionError):
            continue
        if isinstance(meta, dict):
            # The folder is the graph's name: a copied folder is listed as the copy, not the original.
            out.append({**meta, "name": folder.name})
    return sorted(out, key=lambda m: m.get("built_at", ""), reverse=True)


def delete_graph(cache_dir: str | os.PathLike, name: str) -> None:
    shutil.rmtree(_existing_dir(cache_dir, name))


def is_tables(folder: Path) -> bool:
    """Whether a graph folder holds a graph saved as tables (:mod:`graphx.store.tables`)."""
    return (folder / TABLES_FILE).is_file() and not (folder / GRAPH_FILE).is_file()


def _is_graph(folder: Path) -> bool:
    return (folder / GRAPH_FILE).is_file() or (folder / TABLES_FILE).is_file()


def _refuse_tables(folder: Path, name: str) -> None:
    if is_tables(folder):
        raise StoredAsTables(
            f"Graph {name!r} is stored as tables (too big to load whole): load one area with "
            f"graphx.load({name!r}, area=K) (`graphx info {name}` lists the areas), or open it with "
            f"graphx.store.tables.open_tables(cache_dir, {name!r}) for its overview and search."
        )


def _existing_dir(cache_dir: str | os.PathLike, name: str) -> Path:
    folder = graph_dir(cache_dir, name)
    if not _is_graph(folder):
        _recover(folder.parent)
    if not _is_graph(folder):
        raise GraphNotFound(name, str(cache_dir))
    return folder


def _recover(root: Path) -> None:
    """Put back a previous graph folder stranded by a crash between the two renames of a save."""
    if not root.is_dir():
        return
    for old in root.glob(".old-*"):
        name = old.name[len(".old-") : -len("-00000000")]
        target = root / name
        if not target.exists() and _is_graph(old):
            os.rename(old, target)
        else:
            shutil.rmtree(old, ignore_errors=True)


def write_node_link(
    G: nx.MultiDiGraph, path: Path, *, edges: EdgeArrays | None = None, helper: Helper | None = None
) -> Callable[[], Path]:
    """Write ``G`` as networkx node-link JSON (``nx.node_link_data(G, edges="edges")``) to ``path``, and
    its gzip copy (``path`` + ``.gz``, served to browsers) in the same pass. Returns a function that waits
    for the edges to be written and returns the copy's path.

    With ``edges`` (the graph's edges as arrays, in ``G.edges(keys=True)`` order, each with only its kind
    and weight, as a build makes them: :func:`graphx.build.pipeline.fill_graph`), the edges are written
    from them, the same bytes, and ``G`` need not hold its edges: walking 4.6 million networkx edges
    was 10 of the 100k-paper save's 31 s of CPU. With a ``helper`` process (:mod:`graphx.build.parallel`)
    too, the edges (two thirds of the file at 100k papers, ~6 s) are written there while this process
    writes the explorer's page files; the two halves of the gzip copy are one stream
    (:class:`graphx.store.gzipped.GzipParts`), the same bytes as in one process.

    Nodes and edges are serialised by orjson a chunk at a time and written while the next chunk is
    made, so neither the node-link dicts of every edge nor the whole text is ever held: at 100k papers
    (4.6 million edges, 700 MB of JSON) ``json.dump`` took 60 s of CPU and ~2 GB; this takes a few
    seconds.
    """
    from graphx.view.pagefiles import gzip_level  # imported here: graphx.view imports this module

    copy, level = path.with_name(path.name + gzipped.SUFFIX), gzip_level(path.name)
    parts = gzipped.GzipParts(path, copy, level)
    try:
        parts.write(_dumps({"directed": True, "multigraph": True, "graph": G.graph})[:-1] + b',"nodes":[')
        nodes = iter(G.nodes(data=True))
        first = True
        while batch := [{**d, "id": n} for n, d in itertools.islice(nodes, WRITE_CHUNK)]:
            parts.write((b"" if first else b",") + _dumps(batch)[1:-1])
            first = False
        parts.write(b'],"edges":[')
        mark = parts.pause()
    except BaseException:
        parts.abort()
        raise
    if edges is None:
        _write_edges(path, copy, mark, level, _edge_records(G, None))
        written = None
    elif helper is None:
        _write_edge_arrays(path, copy, mark, level, edges)
        written = None
    else:  # the helper's, or here when it is asked for if the helper cannot
        written = helper.submit(_write_edge_arrays, path, copy, mark, level, edges)

    def finish() -> Path:
        if written is not None:
            written.result()
        stat = path.stat()
        os.utime(copy, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        return copy

    return finish


def _write_edge_arrays(path: Path, copy: Path, mark: tuple, level: int, edges: EdgeArrays) -> None:
    """The edges of :func:`write_node_link` from arrays, where its nodes ended (``mark``)."""
    _write_edges(path, copy, mark, level, _edge_records(None, edges))


def _write_edges(path: Path, copy: Path, mark: tuple, level: int, batches: Iterator[list[dict]]) -> None:
    """The edge records ``batches`` and the file's end, written from ``mark`` on; each chunk is written
    and compressed (ISA-L releases the GIL) on a second thread while the next one is made."""
    parts = gzipped.GzipParts(path, copy, level, at=mark)
    try:
        with ThreadPoolExecutor(max_workers=1) as pool:
            pending: Future | None = None
            for i, batch in enumerate(batches):
                chunk = (b"," if i else b"") + _dumps(batch)[1:-1]
                if pending is not None:
                    pending.result()
                pending = pool.submit(parts.write, chunk)
            if pending is not None:
                pending.result()
        parts.write(b"]}")
    except BaseException:
        parts.abort()
        raise
    parts.close()


def _edge_records(G: nx.MultiDiGraph | None, edges: EdgeArrays | None) -> Iterator[list[dict]]:
    """``G``'s edges as node-link records, WRITE_CHUNK at a time: from ``edges`` if given (see
    :func:`write_node_link`), else from ``G``."""
    if edges is None:
        walk = iter(G.edges(keys=True, data=True))
        while batch := [
            {**d, "source": u, "target": v, "key": k} for u, v, k, d in itertools.islice(walk, WRITE_CHUNK)
        ]:
            yield batch
        return
    nodes, names = edges.nodes, list(EDGE_KINDS)
    for block in edge_rows(edges, WRITE_CHUNK):
        # The keys in the order a built graph's edge attributes have them (graphx.build.edgearrays.
        # add_to_graph), then networkx's node-link fields.
        yield [
            {"kind": names[c], "weight": w, "source": nodes[i], "target": nodes[j], "key": names[c]}
            for i, j, c, w in block
        ]


def _dumps(value: Any) -> bytes:
    """Compact UTF-8 JSON, as ``json.dumps(value, ensure_ascii=False, separators=(",", ":"))`` reads it."""
    return orjson.dumps(
        value, default=json_default, option=orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY
    )


def _write_json(path: Path, data: Any) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, separators=(",", ":"), default=json_default)
        fh.flush()
        os.fsync(fh.fileno())


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
