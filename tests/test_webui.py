"""The web app: pages, JSON twins, 404s, exports, uploads and background builds (no browser, no network)."""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import threading
import time
import types
import xml.etree.ElementTree as ET
import zipfile

import pytest
from conftest import XSS_TITLE, token_client, wait_build

from graphx import view
from graphx.errors import SourceError
from graphx.paper import Paper
from graphx.store import graphs as graphstore
from webui import builds, create_app


def embedded_data(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="graphx-data">(.*?)</script>', html, re.S)
    assert match
    return json.loads(match.group(1))


def explorer_data(client, name: str) -> dict:
    """The explorer's data as its page assembles it: the stored page file plus this server's links."""
    html = client.get(f"/graphs/{name}").get_data(as_text=True)
    links = re.search(r'<script type="application/json" id="graphx-links">(.*?)</script>', html, re.S)
    url = re.search(r"window.graphxPageData = fetch\(\"([^\"]+)\"", html)
    assert links and url
    return {**fetch(client, url.group(1)).get_json(), **json.loads(links.group(1))}


def papers_jsonl(n: int = 40) -> bytes:
    topics = [
        "graph neural network message passing",
        "policy gradient reinforcement reward",
        "diffusion score noise",
    ]
    lines = []
    for i in range(n):
        topic = topics[i % 3]
        refs = [f"w{j}" for j in (i - 3, i - 6) if j >= 0]
        lines.append(
            json.dumps(
                {
                    "id": f"w{i}",
                    "title": f"{topic} study {i}",
                    "abstract": f"We study {topic} {i}.",
                    "year": 2015 + i % 8,
                    "references": refs,
                }
            )
        )
    return ("\n".join(lines) + "\n").encode()


JSON = {"Accept": "application/json"}


def fetch(client, url: str, **kwargs):
    """GET ``url`` and close the response (file responses otherwise leak their handle)."""
    response = client.get(url, **kwargs)
    response.get_data()
    response.close()
    return response


# ------------------------------------------------------------------------------------------------ pages
def test_home_lists_built_graphs_with_counts(client):
    html = client.get("/").get_data(as_text=True)
    assert 'href="/graphs/demo"' in html
    assert ">36<" in html  # papers
    assert "graph neural networks, message passing" in html
    assert 'id="build-form"' in html


def test_api_graphs_is_the_json_twin_of_the_home_page(client, fixture_graph):
    graphs = client.get("/api/graphs").get_json()["graphs"]
    assert [g["name"] for g in graphs] == ["demo"]
    assert graphs[0]["papers"] == 36
    assert graphs[0]["edges"] == fixture_graph.number_of_edges()
    assert graphs[0]["url"] == "/graphs/demo"


def test_explorer_page_embeds_escaped_data_and_serves_vis_locally(client):
    response = client.get("/graphs/demo")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert XSS_TITLE not in html and "<script>window.__pwned" not in html
    data = explorer_data(client, "demo")
    assert next(n for n in data["nodes"] if n["id"] == "p0")["title"] == XSS_TITLE
    assert data["api"] == "/api/graphs/demo"
    formats = ["json", "gexf", "graphml", "csv", "html", "bibtex", "ris", "txt"]
    assert [x["format"] for x in data["exports"]] == formats
    scripts = re.findall(r'<script[^>]+src="([^"]+)"', html)
    assert scripts == ["/vendor/vis/vis-network.min.js", *(f"/static/{n}" for n in view.EXPLORER_SCRIPTS)]
    assert not re.search(r'(src|href)="(https?:)?//', html)


def test_vis_network_comes_from_the_pyvis_package(client):
    js = fetch(client, "/vendor/vis/vis-network.min.js")
    assert js.status_code == 200 and b"@version 9.1.2" in js.data
    assert fetch(client, "/vendor/vis/vis-network.css").status_code == 200
    for bad in ("../network.py", "..%2F..%2Fnetwork.py", "utils.js", "vis-network.js"):
        assert client.get(f"/vendor/vis/{bad}").status_code == 404


def test_api_graph_is_node_link_data(client, fixture_graph):
    data = fetch(client, "/api/graphs/demo").get_json()
    assert {n["id"] for n in data["nodes"]} == set(fixture_graph.nodes)
    assert len(data["edges"]) == fixture_graph.number_of_edges()
    assert data["graph"]["communities"][0]["label"] == "graph neural networks, message passing"


def test_api_paper_details(client):
    d = client.get("/api/graphs/demo/papers/p3").get_json()
    assert {r["id"] for r in d["references"]} == {"p6", "p9"}
    assert d["paper"]["abstract"] == "Abstract of paper 3."


def test_paper_ids_with_slashes_reach_the_api(tmp_path, fixture_graph):
    import networkx as nx

    fixture_graph = nx.relabel_nodes(fixture_graph, {"p5": "hep-th/9901001"})
    graphstore.save_graph(fixture_graph, tmp_path, "old")
    client = create_app({"TESTING": True, "CACHE_DIR": str(tmp_path)}).test_client()
    assert client.get("/api/graphs/old/papers/hep-th%2F9901001").get_json()["id"] == "hep-th/9901001"


@pytest.mark.parametrize(
    "url",
    [
        "/graphs/nope",
        "/graphs/..%2F..%2Fetc",
        "/graphs/.hidden",
        "/graphs/demo/export/exe",
        "/graphs/nope/export/json",
        "/graphs/demo/export/json?area=99",
        "/graphs/demo/export/json?area=x",
        "/nowhere",
    ],
)
def test_unknown_things_are_404_pages(client, url):
    response = fetch(client, url)
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "Back to the graphs" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "url", ["/api/graphs/nope", "/api/graphs/demo/papers/nope", "/api/graphs/..%2Fx", "/api/builds/nope"]
)
def test_unknown_things_under_api_are_json_404s(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert response.get_json()["status"] == 404
    assert response.get_json()["error"]


def test_missing_graph_message_says_what_to_do(client):
    assert "graphx build --name" in client.get("/api/graphs/nope").get_json()["error"]


# ---------------------------------------------------------------------------------------------- exports
def test_exports_give_valid_files(client, fixture_graph):
    r = fetch(client, "/graphs/demo/export/json")
    assert r.status_code == 200 and "attachment" in r.headers["Content-Disposition"]
    assert len(json.loads(r.data)["nodes"]) == 36
    for fmt in ("gexf", "graphml"):
        r = fetch(client, f"/graphs/demo/export/{fmt}")
        root = ET.fromstring(r.data)
        assert root.tag.endswith(fmt)
        assert f"demo.{fmt}" in r.headers["Content-Disposition"]
    r = fetch(client, "/graphs/demo/export/csv")
    names = zipfile.ZipFile(io.BytesIO(r.data)).namelist()
    assert {"nodes.csv", "edges.csv"} <= {n.rsplit("/", 1)[-1] for n in names}
    html = fetch(client, "/graphs/demo/export/html").get_data(as_text=True)
    assert len(embedded_data(html)["nodes"]) == 36


def test_area_export_holds_only_that_area(client, fixture_graph):
    r = fetch(client, "/graphs/demo/export/json?area=1")
    assert r.status_code == 200 and "demo-area1.json" in r.headers["Content-Disposition"]
    ids = {n["id"] for n in json.loads(r.data)["nodes"]}
    assert ids == {n for n, a in fixture_graph.nodes(data="community") if a == 1}


# ----------------------------------------------------------------------------------------------- builds
def test_build_from_an_uploaded_file_runs_in_the_background(client, cache_dir):
    response = client.post(
        "/builds",
        data={"name": "uploaded", "papers_file": (io.BytesIO(papers_jsonl()), "mine.jsonl"), "top_k": "5"},
        headers=JSON,
    )
    assert response.status_code == 202, response.get_json()
    build = response.get_json()
    assert build["name"] == "uploaded" and build["state"] in ("queued", "running")
    final = wait_build(client, build["id"])
    assert final["state"] == "done", final
    assert final["percent"] == 100 and final["papers"] == 40 and final["graph_url"] == "/graphs/uploaded"
    assert graphstore.load_meta(cache_dir, "uploaded")["parameters"]["top_k"] == 5
    assert "uploaded" in [g["name"] for g in client.get("/api/graphs").get_json()["graphs"]]
    assert final["source"].startswith("upload:") and final["source"].endswith("-mine.jsonl")
    assert list((cache_dir / "uploads").iterdir()) == []  # read and built: nothing left behind
    assert client.get("/graphs/uploaded").status_code == 200


def test_form_post_without_javascript_redirects_home(client):
    response = client.post(
        "/builds", data={"name": "plain", "papers_file": (io.BytesIO(papers_jsonl(12)), "p.jsonl")}
    )
    assert response.status_code == 303
    build_id = response.headers["Location"].split("build=")[1]
    wait_build(client, build_id)


@pytest.mark.parametrize(
    "data, message",
    [
        ({"name": "x", "papers_file": (io.BytesIO(b"MZ\x00\x00binary"), "evil.jsonl")}, "not a text file"),
        ({"name": "x", "papers_file": (io.BytesIO(b"#!/bin/sh\nrm -rf /"), "run.sh")}, "must end in"),
        ({"name": "x", "papers_file": (io.BytesIO(b"\xff\xfe\xfa bad"), "p.csv")}, "not UTF-8"),
        ({"name": "x"}, "exactly one of"),
        ({"name": "x", "query": "gnn", "papers_file": (io.BytesIO(b"{}"), "p.jsonl")}, "exactly one of"),
        ({"name": "../x", "query": "gnn"}, "not allowed"),
        ({"name": "x", "query": "gnn", "top_k": "lots"}, "top k must be a number"),
        ({"name": "x", "query": "gnn", "min_similarity": "5"}, "between"),
    ],
)
def test_bad_build_requests_are_400_with_the_reason(client, cache_dir, data, message):
    response = client.post("/builds", data=data, headers=JSON)
    assert response.status_code == 400
    assert message in response.get_json()["error"]
    assert not (cache_dir / "uploads").exists() or not any((cache_dir / "uploads").iterdir())


def test_upload_over_the_size_limit_is_refused(cache_dir):
    app = create_app({"TESTING": True, "CACHE_DIR": str(cache_dir), "MAX_CONTENT_LENGTH": 1000})
    response = token_client(app).post(
        "/builds", data={"name": "big", "papers_file": (io.BytesIO(b"x" * 5000), "big.jsonl")}, headers=JSON
    )
    assert response.status_code == 413
    assert "too large" in response.get_json()["error"]


def test_a_broken_papers_file_fails_with_the_loader_message(client):
    response = client.post(
        "/builds", data={"name": "broken", "papers_file": (io.BytesIO(b"[1, 2"), "broken.json")}, headers=JSON
    )
    final = wait_build(client, response.get_json()["id"])
    assert final["state"] == "failed"
    assert "broken.json" in final["error"] and "Unexpected" not in final["error"]
    assert str(client.application.config["CACHE_DIR"]) not in final["error"]  # no server paths shown


def test_query_builds_are_unavailable_without_the_s2_source(client, monkeypatch):
    monkeypatch.setattr(builds, "load_s2", lambda: None)
    monkeypatch.setattr("webui.graphs.s2_available", lambda: False)
    response = client.post("/builds", data={"name": "q", "query": "graph neural networks"}, headers=JSON)
    assert response.status_code == 400
    assert "not installed" in response.get_json()["error"]
    html = client.get("/").get_data(as_text=True)
    assert 'id="s2-unavailable"' in html and re.search(r'<input name="query"[^>]*disabled', html)


def fake_s2(collect):
    return types.SimpleNamespace(collect_papers=collect)


def test_query_build_collects_through_the_s2_source(client, monkeypatch):
    calls = {}

    def collect_papers(store, *, query, paper_ids, max_papers, expand, progress, cancel, **_):
        calls.update(query=query, paper_ids=paper_ids, max_papers=max_papers, expand=expand)
        progress("collect", 3, 3)
        papers = [Paper(id=f"s{i}", title=f"graph network topic {i % 3} paper {i}") for i in range(12)]
        return types.SimpleNamespace(papers=papers, notes=["12 papers from cache"], requests=0, from_cache=12)

    monkeypatch.setattr(builds, "load_s2", lambda: fake_s2(collect_papers))
    response = client.post(
        "/builds",
        data={"name": "q", "query": "graph networks", "max_papers": "12", "expand": "1"},
        headers=JSON,
    )
    final = wait_build(client, response.get_json()["id"])
    assert final["state"] == "done", final
    assert calls == {
        "query": "graph networks",
        "paper_ids": [],
        "max_papers": 12,
        "expand": ("references", "citations"),
    }
    assert final["notes"] == ["12 papers from cache"]


def test_source_errors_are_shown_verbatim(client, monkeypatch):
    message = (
        "Semantic Scholar rate-limited us (429). Set S2_API_KEY or retry later; 0 papers fetched so far."
    )

    def collect_papers(store, **kwargs):
        raise SourceError(message)

    monkeypatch.setattr(builds, "load_s2", lambda: fake_s2(collect_papers))
    response = client.post(
        "/builds", data={"name": "q", "paper_ids": "ARXIV:1706.03762, DOI:10.1/x"}, headers=JSON
    )
    final = wait_build(client, response.get_json()["id"])
    assert final == {**final, "state": "failed", "error": message}


def test_a_running_build_can_be_cancelled_and_blocks_a_second_one_of_that_name(client, monkeypatch):
    started = threading.Event()

    def collect_papers(store, *, cancel, **kwargs):
        started.set()
        assert cancel.wait(10), "cancel never arrived"
        return types.SimpleNamespace(papers=[Paper(id="a", title="a")], notes=[])

    monkeypatch.setattr(builds, "load_s2", lambda: fake_s2(collect_papers))
    build = client.post("/builds", data={"name": "slow", "query": "x"}, headers=JSON).get_json()
    assert started.wait(10)
    assert client.get(f"/api/builds/{build['id']}").get_json()["stage"] == "collect"
    again = client.post("/builds", data={"name": "slow", "query": "x"}, headers=JSON)
    assert again.status_code == 400 and "already running" in again.get_json()["error"]
    assert client.post(build["cancel_url"], headers=JSON).status_code == 202
    final = wait_build(client, build["id"])
    assert final["state"] == "cancelled" and "unchanged" in final["error"]
    assert "slow" not in [g["name"] for g in client.get("/api/graphs").get_json()["graphs"]]


def test_progress_percent_follows_the_stages():
    b = builds.Build(id="x", name="n", source="s", state="running")
    seen = []
    for stage in builds.BUILD_STAGES:
        b.stage, b.done, b.total = stage, 0, 1
        seen.append(b.percent())
    assert seen == sorted(seen) and seen[0] == 0 and seen[-1] < 100
    b.state = "done"
    assert b.percent() == 100


# ------------------------------------------------------------------------------------------------- misc
def test_create_app_takes_cache_dir_as_keyword(cache_dir):
    app = create_app(cache_dir=cache_dir)
    assert app.config["CACHE_DIR"] == str(cache_dir)
    assert app.test_client().get("/api/graphs").get_json()["graphs"][0]["name"] == "demo"


def test_serve_binds_localhost_with_waitress_by_default(cache_dir, monkeypatch, capsys):
    import waitress

    import webui

    seen = {}
    monkeypatch.setattr(waitress, "serve", lambda app, **kw: seen.update(kw, app=app))
    webui.serve(cache_dir)
    assert seen["host"] == "127.0.0.1" and seen["port"] == 5000
    assert "http://127.0.0.1:5000/" in capsys.readouterr().out


def test_the_explorer_reloads_a_rebuilt_graph(client, cache_dir, fixture_graph):
    assert len(fetch(client, "/api/graphs/demo").get_json()["nodes"]) == 36
    fixture_graph.remove_node("p35")
    time.sleep(0.01)
    graphstore.save_graph(fixture_graph, cache_dir, "demo")
    assert len(explorer_data(client, "demo")["nodes"]) == 35


def test_the_call_matches_the_real_s2_collect_papers(tmp_path):
    import inspect

    s2 = pytest.importorskip("graphx.sources.s2")
    bound = {}

    def spy(store, **kwargs):
        inspect.signature(s2.collect_papers).bind(store, **kwargs)  # raises TypeError on a mismatch
        bound.update(kwargs)
        raise SourceError("stop here")

    collect = builds._from_s2(types.SimpleNamespace(collect_papers=spy), tmp_path, "q", [], 10, ())
    with pytest.raises(SourceError):
        collect(builds.Build(id="b", name="n", source="s"))
    assert bound["query"] == "q" and bound["max_papers"] == 10


def test_the_build_form_offers_every_build_option_and_passes_them_through(client, cache_dir):
    from graphx.options import BUILD, group

    html = client.get("/").get_data(as_text=True)
    for option in group(BUILD):
        assert re.search(rf'<input name="{option.name}"', html), f"no form field for {option.name}"
    response = client.post(
        "/builds",
        data={
            "name": "tuned",
            "papers_file": (io.BytesIO(papers_jsonl()), "mine.jsonl"),
            "label_terms": "2",
            "weights": "cites=2",
            "min_subarea_papers": "5",
        },
        headers=JSON,
    )
    assert response.status_code == 202, response.get_json()
    assert wait_build(client, response.get_json()["id"])["state"] == "done"
    parameters = graphstore.load_meta(cache_dir, "tuned")["parameters"]
    assert parameters["label_terms"] == 2 and parameters["min_subarea_papers"] == 5
    assert parameters["weights"] == {"cites": 2.0, "similar": 1.0, "cocited": 0.5, "coupled": 0.5}


@pytest.mark.parametrize(
    "field, value", [("label_terms", "9"), ("embedding_weight", "nan"), ("weights", "cites=inf")]
)
def test_the_build_form_checks_options_like_the_cli(client, field, value):
    response = client.post("/builds", data={"name": "x", "query": "gnn", field: value}, headers=JSON)
    assert response.status_code == 400
    assert "--" + field.replace("_", "-") in response.get_json()["error"]


# ------------------------------------------------------------------------------------- under load
def test_a_cache_named_relative_to_the_working_folder_serves_its_stored_files(tmp_path, monkeypatch):
    # `graphx demo` / `graphx serve` use ./cache by default: the stored page files must be found there,
    # not under the web app's package folder.
    from conftest import make_fixture_graph

    monkeypatch.chdir(tmp_path)
    graphstore.save_graph(make_fixture_graph(), "cache", "demo")
    client = token_client(create_app({"TESTING": True, "CACHE_DIR": "cache"}))
    for url in ("/api/graphs/demo/page", "/api/graphs/demo/texts", "/api/graphs/demo"):
        response = fetch(client, url)
        assert response.status_code == 200, url
    assert fetch(client, "/api/graphs/demo/page").get_json()["nodes"]


def test_api_graph_is_the_stored_file_with_an_etag(client, cache_dir):
    response = fetch(client, "/api/graphs/demo")
    stored = (graphstore.graph_dir(cache_dir, "demo") / graphstore.GRAPH_FILE).read_bytes()
    assert response.status_code == 200 and response.data == stored
    again = client.get("/api/graphs/demo", headers={"If-None-Match": response.headers["ETag"]})
    again.close()
    assert again.status_code == 304 and again.data == b""


def test_concurrent_first_requests_load_a_cold_graph_once(tmp_path):
    import urllib.request

    from conftest import live_server, make_fixture_graph

    graphstore.save_graph(make_fixture_graph(n_per_area=700), tmp_path, "big")
    app = create_app({"CACHE_DIR": str(tmp_path)})
    n = 8
    start = threading.Barrier(n)
    statuses = []

    def ask(base: str) -> None:
        start.wait()
        with urllib.request.urlopen(f"{base}/api/graphs/big/papers/p1", timeout=60) as response:
            statuses.append(response.status)

    with live_server(app, threads=n) as base:
        threads = [threading.Thread(target=ask, args=(base,)) for _ in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert statuses == [200] * n
    assert app.extensions["graphx_graphs"].loads == 1


def test_loaded_graphs_are_bounded_least_recently_used_first(cache_dir, fixture_graph):
    for name in ("a", "b"):
        graphstore.save_graph(fixture_graph, cache_dir, name)
    app = create_app({"CACHE_DIR": str(cache_dir), "MAX_LOADED_GRAPHS": 2})
    client, graphs = app.test_client(), app.extensions["graphx_graphs"]
    for name in ("demo", "a", "demo", "b"):
        assert client.get(f"/api/graphs/{name}/papers/p1").status_code == 200
    assert len(graphs) == 2 and "a" not in graphs and "demo" in graphs and graphs.loads == 3
    client.get("/api/graphs/a/papers/p1")
    assert graphs.loads == 4 and "demo" not in graphs


def test_builds_queue_behind_the_worker_limit_and_show_their_place(client, monkeypatch):
    release = threading.Event()
    running, most = [0], [0]
    lock = threading.Lock()

    def collect_papers(store, *, cancel, **kwargs):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        release.wait(20)
        with lock:
            running[0] -= 1
        return types.SimpleNamespace(
            papers=[Paper(id=f"a{i}", title=f"paper {i}") for i in range(3)], notes=[]
        )

    monkeypatch.setattr(builds, "load_s2", lambda: fake_s2(collect_papers))
    first, second, third = (
        client.post("/builds", data={"name": n, "query": "x"}, headers=JSON).get_json() for n in "abc"
    )
    time.sleep(0.3)
    states = {b["name"]: b for b in client.get("/api/builds").get_json()["builds"]}
    assert states["a"]["state"] == "running" and states["a"]["position"] is None
    assert (states["b"]["state"], states["b"]["position"]) == ("queued", 1)
    assert (states["c"]["state"], states["c"]["position"]) == ("queued", 2)
    assert client.post(third["cancel_url"], headers=JSON).status_code == 202
    assert wait_build(client, third["id"], 5)["state"] == "cancelled"
    release.set()
    assert wait_build(client, first["id"])["state"] == "done"
    assert wait_build(client, second["id"])["state"] == "done"
    assert most[0] == 1


# --------------------------------------------------------------------------------- hostile input
def test_a_very_long_upload_name_is_cut_not_a_500(client, cache_dir):
    name = "p" * 5000 + ".jsonl"
    response = client.post(
        "/builds", data={"name": "long", "papers_file": (io.BytesIO(papers_jsonl(12)), name)}, headers=JSON
    )
    assert response.status_code == 202, response.get_data(as_text=True)[:300]
    assert wait_build(client, response.get_json()["id"])["state"] == "done"


def test_uploads_left_by_a_killed_server_are_removed_at_the_next_start(cache_dir):
    folder = cache_dir / "uploads"
    folder.mkdir()
    old, fresh = folder / "abc-old.jsonl", folder / "def-fresh.jsonl"
    old.write_text("{}")
    fresh.write_text("{}")
    os.utime(old, (time.time() - 2 * builds.STALE_UPLOAD_S,) * 2)
    create_app({"CACHE_DIR": str(cache_dir)})
    assert not old.exists() and fresh.exists()


def test_duplicate_ids_in_an_upload_are_a_build_note(client):
    lines = papers_jsonl(12) + json.dumps({"id": "w0", "title": "A different paper entirely"}).encode()
    response = client.post(
        "/builds", data={"name": "dups", "papers_file": (io.BytesIO(lines), "d.jsonl")}, headers=JSON
    )
    final = wait_build(client, response.get_json()["id"])
    assert final["state"] == "done" and any("'w0'" in n and "different papers" in n for n in final["notes"])


@pytest.mark.parametrize("damage", [b"", b'{"nodes": [', b"\x00garbage", b"[1, 2, 3]", b"[" * 100_000])
def test_a_damaged_graph_file_is_a_clear_error_page_not_a_500(client, cache_dir, damage):
    (graphstore.graph_dir(cache_dir, "demo") / graphstore.GRAPH_FILE).write_bytes(damage)
    for url in ("/graphs/demo", "/api/graphs/demo", "/api/graphs/demo/papers/p1", "/graphs/demo/export/gexf"):
        response = client.get(url)
        assert response.status_code == 409, url
        assert "damaged" in response.get_data(
            as_text=True
        ) and "graphx build --name demo" in response.get_data(as_text=True)


def test_a_damaged_papers_database_fails_the_build_with_the_way_out(client, cache_dir, monkeypatch):
    (cache_dir / "papers.sqlite").write_bytes(b"this is not a database" * 100)

    def collect_papers(store, **kwargs):
        raise AssertionError("the store should not open")

    monkeypatch.setattr(builds, "load_s2", lambda: fake_s2(collect_papers))
    response = client.post("/builds", data={"name": "q", "query": "x"}, headers=JSON)
    final = wait_build(client, response.get_json()["id"])
    assert final["state"] == "failed" and "papers cache" in final["error"] and "Delete it" in final["error"]


# --- papers you are missing, why two papers are linked, reference-manager downloads ------------------


@pytest.fixture
def part_client(neurips_part_copy, s2_server):
    from webui import create_app

    app = create_app({"TESTING": True, "CACHE_DIR": str(neurips_part_copy), "S2_API_URL": s2_server.url})
    return token_client(app)


def test_api_missing_foundations_and_follow_ups(part_client):
    data = part_client.get("/api/graphs/part/missing?limit=2").get_json()
    assert [(p["id"], p["count"]) for p in data["foundations"]] == [
        ("1912.01703v1", 45),
        ("1502.03167v3", 36),
    ]
    assert set(data["foundations"][0]) == {"id", "title", "count", "year"} and len(data["follow_ups"]) == 2
    area = part_client.get("/api/graphs/part/missing?area=0").get_json()
    assert area["foundations"] and area["foundations"] != data["foundations"]
    bad = part_client.get("/api/graphs/part/missing?area=x")
    assert bad.status_code == 400 and "whole number" in bad.get_json()["error"]
    assert part_client.get("/api/graphs/nope/missing").status_code == 404


def test_post_add_puts_missing_papers_on_the_map(part_client):
    before = fetch(part_client, "/api/graphs/part").get_json()
    response = part_client.post("/graphs/part/add", data={"ids": "1912.01703v1, no-such-id"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["added"] == 1 and "Skipped 1: no-such-id" in body["message"]
    after = fetch(part_client, "/api/graphs/part").get_json()
    assert len(after["nodes"]) == len(before["nodes"]) + 1
    missing = part_client.get("/api/graphs/part/missing?limit=1").get_json()
    assert missing["foundations"][0]["id"] == "1502.03167v3"
    empty = part_client.post("/graphs/part/add", data={"ids": " , "})
    assert empty.status_code == 400 and "error" in empty.get_json()
    gone = part_client.post("/graphs/nope/add", data={"ids": "x"})
    assert gone.status_code == 404 and "No built graph" in gone.get_json()["error"]


def test_api_link_explains_a_pair(part_client):
    data = part_client.get("/api/graphs/part/link?a=2106.03097v5&b=2106.05001v2").get_json()
    assert data["cites"] == "a->b" and data["shared_references"]["count"] == 2
    assert set(data["a"]) == {"id", "title", "year", "authors"}
    assert set(data["similarity"]) == {"score", "tfidf", "embedding"}
    assert part_client.get("/api/graphs/part/link?a=2106.03097v5").status_code == 400
    assert part_client.get("/api/graphs/part/link?a=2106.03097v5&b=zzz").status_code == 404


def test_reference_downloads_read_back(part_client, tmp_path):
    from graphx.sources.files import load_papers

    def download(url: str):
        with part_client.get(url) as response:  # send_file's open file is closed with the response
            return response.status_code, response.headers.get("Content-Disposition", ""), response.data

    status, disposition, data = download("/graphs/part/export/ris")
    assert status == 200 and "part.ris" in disposition
    (tmp_path / "part.ris").write_bytes(data)
    assert len(load_papers([tmp_path / "part.ris"]).papers) == 273
    status, disposition, data = download("/graphs/part/export/bibtex?area=0")
    assert "part-area0.bib" in disposition
    (tmp_path / "area.bib").write_bytes(data)
    nodes = fetch(part_client, "/api/graphs/part").get_json()["nodes"]
    assert len(load_papers([tmp_path / "area.bib"]).papers) == sum(n["community"] == 0 for n in nodes)
    status, disposition, data = download("/graphs/part/export/txt?ids=2106.03097v5,2106.05001v2")
    assert data.decode().count("\n") == 2 and "Not-True Distillation" in data.decode()
    assert "part-selection.txt" in disposition
    assert download("/graphs/part/export/txt?ids=nope")[0] == 400


def test_home_page_counts_every_area_it_does_not_show(tmp_path):
    from conftest import make_fixture_graph

    from graphx.build.pipeline import refresh_counts
    from graphx.store import graphs as graphstore
    from webui import create_app

    G = make_fixture_graph(name="many")
    # Ten areas of 3-4 papers plus a stray paper: the stray is a small group, not an area.
    for i, n in enumerate(list(G)[:35]):
        G.nodes[n]["community"] = i % 10
    G.nodes["p35"]["community"] = 10
    G.graph["communities"] = [
        {"id": a, "label": f"area {a}", "size": sum(1 for _, c in G.nodes(data="community") if c == a)}
        for a in range(11)
    ]
    for c in G.graph["communities"][:5]:
        c["size"] = 5  # five areas over the small-group line
    refresh_counts(G)
    graphstore.save_graph(G, tmp_path, "many")
    html = (
        create_app({"TESTING": True, "CACHE_DIR": str(tmp_path)})
        .test_client()
        .get("/")
        .get_data(as_text=True)
    )
    assert G.graph["meta"]["counts"]["areas"] == 5 and G.graph["meta"]["counts"]["small_areas"] == 6
    assert html.count('class="area-chip"') == 4
    assert '<small class="areas-more">+1 more</small>' in html


def test_search_texts_api_gives_abstracts_as_json(client):
    data = fetch(client, "/api/graphs/demo/texts").get_json()
    assert data["abstracts"]["p1"] == "Abstract of paper 1."


# ------------------------------------------------------------------------------- stored page files
def test_the_explorer_is_served_from_stored_files_without_loading_the_graph(app, client):
    data = explorer_data(client, "demo")
    fetch(client, "/api/graphs/demo")
    fetch(client, "/api/graphs/demo/texts")
    assert len(data["nodes"]) == 36 and data["page_url"] == "/graphs/demo"
    assert app.extensions["graphx_graphs"].loads == 0


def test_stored_answers_have_etags_and_gzip_copies(client):
    for url in ("/api/graphs/demo/page", "/api/graphs/demo/texts", "/api/graphs/demo"):
        plain = fetch(client, url)
        zipped = fetch(client, url, headers={"Accept-Encoding": "gzip, deflate"})
        assert zipped.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in zipped.headers["Vary"]
        assert "Content-Encoding" not in plain.headers
        assert gzip.decompress(zipped.data) == plain.data
        assert zipped.headers["ETag"] != plain.headers["ETag"]
        again = fetch(client, url, headers={"If-None-Match": plain.headers["ETag"]})
        assert again.status_code == 304 and not again.data


def test_a_graph_saved_before_page_files_gets_them_written_back(app, client, cache_dir):
    folder = graphstore.graph_dir(cache_dir, "demo")
    expected = fetch(client, "/api/graphs/demo/page").get_json()
    for old in ("page.json", "page.json.gz", "texts.json", "texts.json.gz", "graph.json.gz"):
        (folder / old).unlink()
    assert len(explorer_data(client, "demo")["nodes"]) == len(expected["nodes"])
    assert (folder / "page.json").is_file() and (folder / "texts.json.gz").is_file()
    assert (folder / "graph.json.gz").is_file()
    assert fetch(client, "/api/graphs/demo/page").get_json() == expected
