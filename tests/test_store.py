"""graphstore + store: atomic graph folders, safe names, the SQLite papers store."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import sqlite3
import time
import zlib
from pathlib import Path

import networkx as nx
import pytest

from graphx.errors import ConfigError, GraphNotFound
from graphx.paper import Paper, paper_to_dict
from graphx.store import graphs as graphstore
from graphx.store.papers import PaperStore, resolve_cache_dir


def tiny_graph(label: str) -> nx.MultiDiGraph:
    G = nx.MultiDiGraph()
    G.add_node("p1", title=label, authors=["A. Author"])
    G.add_node("p2", title="Other", authors=[])
    G.add_edge("p1", "p2", key="cites", kind="cites", weight=1.0)
    G.graph["meta"] = {"built_at": "2026-01-01T00:00:00+00:00", "counts": {"papers": 2}}
    return G


def test_round_trip_keeps_multi_edges_and_meta(tmp_path):
    G = tiny_graph("first")
    G.add_edge("p1", "p2", key="similar", kind="similar", weight=0.4)
    graphstore.save_graph(G, tmp_path, "demo")
    back = graphstore.load_graph(tmp_path, "demo")
    assert sorted(back.edges(keys=True)) == [("p1", "p2", "cites"), ("p1", "p2", "similar")]
    assert back.nodes["p1"]["authors"] == ["A. Author"]
    assert graphstore.load_meta(tmp_path, "demo")["counts"] == {"papers": 2}
    assert [m["name"] for m in graphstore.list_graphs(tmp_path)] == ["demo"]


def test_interrupted_save_leaves_previous_graph_intact(tmp_path, monkeypatch):
    graphstore.save_graph(tiny_graph("first"), tmp_path, "demo")
    calls = []

    def crash(path, data):
        calls.append(path)
        raise KeyboardInterrupt

    monkeypatch.setattr(graphstore, "_write_json", crash)
    with pytest.raises(KeyboardInterrupt):
        graphstore.save_graph(tiny_graph("second"), tmp_path, "demo")
    monkeypatch.undo()
    assert calls
    assert graphstore.load_graph(tmp_path, "demo").nodes["p1"]["title"] == "first"
    assert not [p for p in (tmp_path / "graphs").iterdir() if p.name.startswith(".")]


def test_crash_between_renames_is_recovered_on_next_read(tmp_path):
    folder = graphstore.save_graph(tiny_graph("first"), tmp_path, "demo")
    folder.rename(folder.parent / ".old-demo-1a2b3c4d")
    assert graphstore.load_graph(tmp_path, "demo").nodes["p1"]["title"] == "first"


def test_missing_graph_says_what_to_do(tmp_path):
    with pytest.raises(GraphNotFound, match="graphx list"):
        graphstore.load_graph(tmp_path, "nope")


@pytest.mark.parametrize("name", ["../evil", "a/b", ".hidden", "", "x" * 101, "a..b", "con fig"])
def test_unsafe_names_are_refused(tmp_path, name):
    with pytest.raises(ConfigError, match="not allowed"):
        graphstore.save_graph(tiny_graph("x"), tmp_path, name)


def test_store_merges_and_finds_by_any_id(tmp_path):
    with PaperStore(tmp_path) as store:
        store.upsert_papers([Paper(id="s2a", title="Attention Is All You Need", arxiv="1706.03762v5")])
        store.upsert_papers([Paper(id="s2a", title="Attention Is All You Need", abstract="The dominant ...")])
        found = store.find("ARXIV:1706.03762")
        assert found is not None and found.abstract == "The dominant ..." and found.arxiv == "1706.03762"
        assert store.count() == 1
    with PaperStore(tmp_path) as reopened:  # committed, survives a new process
        assert reopened.get_papers(["s2a", "missing"]).keys() == {"s2a"}


def test_store_rolls_back_a_failed_batch(tmp_path):
    with PaperStore(tmp_path) as store:
        store.upsert_papers([Paper(id="kept", title="Kept paper")])
        with pytest.raises(RuntimeError), store.transaction() as conn:
            conn.execute("INSERT INTO papers(id, data) VALUES('lost', '{}')")
            raise RuntimeError("crash mid-batch")
        assert set(store.get_papers(["kept", "lost"])) == {"kept"}


def test_cache_dir_from_flag_env_or_default(tmp_path, monkeypatch):
    monkeypatch.setenv("GRAPHX_CACHE_DIR", str(tmp_path / "env"))
    assert resolve_cache_dir(None) == tmp_path / "env"
    assert resolve_cache_dir(tmp_path / "flag") == tmp_path / "flag"
    monkeypatch.delenv("GRAPHX_CACHE_DIR")
    assert str(resolve_cache_dir(None)) == "cache"
    (tmp_path / "file").write_text("x")
    with pytest.raises(ConfigError, match="--cache-dir"):
        resolve_cache_dir(tmp_path / "file")


def test_leftovers_of_killed_saves_are_removed_once_old(tmp_path):
    graphstore.save_graph(tiny_graph("first"), tmp_path, "demo")
    root = tmp_path / "graphs"
    old, young = root / ".tmp-demo-old1", root / ".tmp-other-young"
    for folder in (old, young):
        folder.mkdir()
        (folder / "graph.json").write_text("{")
    stale = time.time() - 2 * graphstore.STALE_TMP_S
    os.utime(old, (stale, stale))
    graphstore.save_graph(tiny_graph("second"), tmp_path, "demo")
    assert not old.exists() and young.exists()  # a young one may be another process's save in progress


def test_a_copied_graph_folder_is_listed_under_its_own_name(tmp_path):
    folder = graphstore.save_graph(tiny_graph("first"), tmp_path, "demo")
    shutil.copytree(folder, folder.parent / "demo-copy")
    assert sorted(m["name"] for m in graphstore.list_graphs(tmp_path)) == ["demo", "demo-copy"]


def test_a_reader_reviving_the_old_folder_mid_save_does_not_kill_the_save(tmp_path, monkeypatch):
    graphstore.save_graph(tiny_graph("first"), tmp_path, "demo")
    real_rename = os.rename
    revived = []

    def rename_then_read(src, dst):
        real_rename(src, dst)
        if Path(dst).name.startswith(".old-demo-") and not revived:
            # A reader arriving between the save's two renames puts the previous folder back.
            revived.append(graphstore.load_graph(tmp_path, "demo").nodes["p1"]["title"])

    monkeypatch.setattr(graphstore.os, "rename", rename_then_read)
    graphstore.save_graph(tiny_graph("second"), tmp_path, "demo")
    monkeypatch.undo()
    assert revived == ["first"]
    assert graphstore.load_graph(tmp_path, "demo").nodes["p1"]["title"] == "second"
    assert [p.name for p in (tmp_path / "graphs").iterdir()] == ["demo"]


# --- the papers store's link and name tables; a version-1 database opened by this version -------------

V1_SCHEMA = """
CREATE TABLE papers (id TEXT PRIMARY KEY, data TEXT NOT NULL, updated_at TEXT NOT NULL DEFAULT '');
CREATE TABLE paper_keys (key TEXT PRIMARY KEY, paper_id TEXT NOT NULL);
PRAGMA user_version=1;
"""


def test_a_version_1_database_gains_links_from_its_stored_lists(tmp_path, neurips_papers):
    cache = tmp_path / "cache"
    cache.mkdir()
    part = neurips_papers[:300]
    with sqlite3.connect(cache / "papers.sqlite") as conn:
        conn.executescript(V1_SCHEMA)
        conn.executemany(
            "INSERT INTO papers(id, data) VALUES(?, ?)", [(p.id, json.dumps(paper_to_dict(p))) for p in part]
        )
    with PaperStore(cache) as store:
        ids = [p.id for p in part]
        expected = {(p.id, r) for p in part for r in p.references}
        assert set(store.links_from(ids)) == expected and expected
        assert store.get_papers(ids[:1])[ids[0]].title == part[0].title
        version = store.connection().execute("PRAGMA user_version").fetchone()[0]
    assert version == 2


def test_links_come_from_reference_and_citation_lists_both_ways(store):
    store.upsert_papers([Paper(id="a", title="A", references=("x", "a"), citations=("y",))])
    assert sorted(store.links_from(["a", "y"])) == [("a", "x"), ("y", "a")]
    assert store.links_to(["x"]) == [("a", "x")]
    assert store.links_to(["a"]) == [("y", "a")]  # the self-citation is not a link


def test_names_prefer_stored_papers_and_keep_a_known_year(store):
    store.upsert_papers([Paper(id="a", title="Stored title", year=2020)])
    store.upsert_names([("a", "Listed title", 2019), ("b", "Only listed", 2018), ("c", "", None)])
    store.upsert_names([("b", "Only listed", None)])
    assert store.names(["a", "b", "c", "d"]) == {"a": ("Stored title", 2020), "b": ("Only listed", 2018)}


def test_a_save_writes_the_explorer_page_files_with_gzip_copies(tmp_path, fixture_graph):
    from graphx import view
    from graphx.view import pagefiles

    folder = graphstore.save_graph(fixture_graph, tmp_path, "demo")
    page = json.loads((folder / pagefiles.PAGE_FILE).read_text(encoding="utf-8"))
    assert page == json.loads(view.script_json(view.page_data(fixture_graph)))
    assert "api" not in page and "page_url" not in page  # links are the server's, added per request
    texts = json.loads((folder / pagefiles.TEXTS_FILE).read_text(encoding="utf-8"))
    assert texts["abstracts"]["p1"] == "Abstract of paper 1."
    for name in pagefiles.SERVED_FILES:
        assert gzip.decompress((folder / (name + ".gz")).read_bytes()) == (folder / name).read_bytes()
        # One gzip member (graph.json's is written in two parts): what every HTTP client reads.
        reader = zlib.decompressobj(zlib.MAX_WBITS | 16)
        reader.decompress((folder / (name + ".gz")).read_bytes())
        assert reader.eof and reader.unused_data == b""


def test_a_gzip_copy_written_in_parts_is_one_stream_and_a_part_written_again_gives_the_same_bytes(
    tmp_path, fixture_graph
):
    from graphx.store.gzipped import FAST, GzipParts

    text = (graphstore.save_graph(fixture_graph, tmp_path, "demo") / graphstore.GRAPH_FILE).read_bytes()
    cut = len(text) // 3
    path, copy = tmp_path / "g.json", tmp_path / "g.json.gz"
    first = GzipParts(path, copy, FAST)
    first.write(text[:cut])
    mark = first.pause()
    failed = GzipParts(path, copy, FAST, at=mark)  # a part that fails late, then is written again
    failed.write(text[cut:] + os.urandom(4096))
    failed.abort()
    again = GzipParts(path, copy, FAST, at=mark)
    again.write(text[cut:])
    again.close()
    assert path.read_bytes() == text
    assert gzip.decompress(copy.read_bytes()) == text
    once = GzipParts(tmp_path / "h.json", tmp_path / "h.json.gz", FAST)
    once.write(text[:cut])
    rest = GzipParts(tmp_path / "h.json", tmp_path / "h.json.gz", FAST, at=once.pause())
    rest.write(text[cut:])
    rest.close()
    assert (tmp_path / "h.json.gz").read_bytes() == copy.read_bytes()


@pytest.mark.parametrize("damage", [b"", b'{"nodes": [', b"[1, 2, 3]", b"\x00{}"])
def test_the_quick_graph_file_check_names_a_damaged_file(tmp_path, fixture_graph, damage):
    from graphx.errors import CacheCorrupt

    folder = graphstore.save_graph(fixture_graph, tmp_path, "demo")
    assert graphstore.graph_file(tmp_path, "demo") == folder / graphstore.GRAPH_FILE
    (folder / graphstore.GRAPH_FILE).write_bytes(damage)
    with pytest.raises(CacheCorrupt, match="graphx build --name demo"):
        graphstore.graph_file(tmp_path, "demo")
