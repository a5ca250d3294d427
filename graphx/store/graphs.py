"""Built graphs on disk: ``CACHE/graphs/NAME/{graph.json, meta.json}``.

A graph folder is written whole into a temporary sibling and swapped in with two renames, so an
interrupted build leaves the previous graph of that name intact. If a crash falls between the two
renames, the previous folder is still there under its ``.old-`` name and is put back on the next read.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx

from graphx.errors import ConfigError, GraphNotFound

GRAPHS_DIR = "graphs"
GRAPH_FILE = "graph.json"
META_FILE = "meta.json"
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


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
) -> Path:
    """Write ``G`` (with ``G.graph["meta"]``) as graph ``name``; returns its folder.

    ``extra(folder)`` may add files of its own (the text index) before the folder is swapped in.
    """
    target = graph_dir(cache_dir, name)
    root = target.parent
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{name}-", dir=root))
    try:
        data = nx.node_link_data(G, edges="edges")
        _write_json(tmp / GRAPH_FILE, data)
        _write_json(tmp / META_FILE, {"name": name, **G.graph.get("meta", {})})
        if extra is not None:
            extra(tmp)
        _fsync_dir(tmp)
        old = root / f".old-{name}-{uuid.uuid4().hex[:8]}"
        if target.exists():
            os.rename(target, old)
        os.rename(tmp, target)
        _fsync_dir(root)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    shutil.rmtree(old, ignore_errors=True)
    return target


def load_graph(cache_dir: str | os.PathLike, name: str) -> nx.MultiDiGraph:
    """The built graph ``name``; :class:`GraphNotFound` if there is none."""
    folder = _existing_dir(cache_dir, name)
    with open(folder / GRAPH_FILE, encoding="utf-8") as fh:
        data = json.load(fh)
    return nx.node_link_graph(data, directed=True, multigraph=True, edges="edges")


def load_meta(cache_dir: str | os.PathLike, name: str) -> dict[str, Any]:
    """The metadata of built graph ``name`` (inputs, parameters, counts, timings...)."""
    folder = _existing_dir(cache_dir, name)
    with open(folder / META_FILE, encoding="utf-8") as fh:
        return json.load(fh)


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
                out.append({"name": folder.name, **json.load(fh)})
        except (OSError, json.JSONDecodeError):
            continue
    return sorted(out, key=lambda m: m.get("built_at", ""), reverse=True)


def delete_graph(cache_dir: str | os.PathLike, name: str) -> None:
    shutil.rmtree(_existing_dir(cache_dir, name))


def _existing_dir(cache_dir: str | os.PathLike, name: str) -> Path:
    folder = graph_dir(cache_dir, name)
    if not (folder / GRAPH_FILE).is_file():
        _recover(folder.parent)
    if not (folder / GRAPH_FILE).is_file():
        raise GraphNotFound(name, str(cache_dir))
    return folder


def _recover(root: Path) -> None:
    """Put back a previous graph folder stranded by a crash between the two renames of a save."""
    if not root.is_dir():
        return
    for old in root.glob(".old-*"):
        name = old.name[len(".old-") : -len("-00000000")]
        target = root / name
        if not target.exists() and (old / GRAPH_FILE).is_file():
            os.rename(old, target)
        else:
            shutil.rmtree(old, ignore_errors=True)


def _write_json(path: Path, data: Any) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, separators=(",", ":"), default=json_default)
        fh.flush()
        os.fsync(fh.fileno())


def json_default(value: Any) -> Any:
    """``json.dump`` fallback for numpy scalars and arrays, which sneak in from the algorithm stages."""
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
