"""The web explorer over a graph stored as tables: overview, one area at a time, server search, on a real
server (waitress on 127.0.0.1), built from June 2021's papers of the shipped demo."""

from __future__ import annotations

import json
import re

import httpx
import pytest
from conftest import NEURIPS_PART_PREFIX, live_server, make_fixture_graph

pytest.importorskip("pyarrow", reason="tables need pyarrow (pip install 'graphx[scale]')")

from graphx.store import graphs as graphstore  # noqa: E402
from graphx.store import tables  # noqa: E402
from webui import graphs as webgraphs  # noqa: E402


@pytest.fixture(scope="module")
def june(neurips_papers):
    """June 2021's 273 papers of the shipped demo, built (networkx)."""
    from graphx.build.pipeline import build_graph
    from graphx.options import BuildOptions

    part = [p for p in neurips_papers if p.id.startswith(NEURIPS_PART_PREFIX)]
    return build_graph(part, BuildOptions(seed=1), name="june")


@pytest.fixture(scope="module")
def tables_cache(june, tmp_path_factory):
    """A cache with ``june`` (273 papers, stored as tables) and ``demo`` (the fixture graph, graph.json)."""
    cache = tmp_path_factory.mktemp("web-tables") / "cache"
    tables.save_graph_tables(june, cache, "june")
    graphstore.save_graph(make_fixture_graph(), cache, "demo")
    return cache


@pytest.fixture(scope="module")
def base(tables_cache):
    from webui import create_app

    with live_server(create_app({"CACHE_DIR": str(tables_cache)})) as url:
        yield url


@pytest.fixture(scope="module")
def T(tables_cache):
    return tables.open_tables(tables_cache, "june")


def get(base: str, path: str, **kwargs) -> httpx.Response:
    return httpx.get(base + path, timeout=30, **kwargs)


def test_the_page_data_is_the_overview_of_areas_without_papers(base, T):
    data = get(base, "/api/graphs/june/page").json()
    assert data["nodes"] == [] and data["edges"] == [] and data["start_in_overview"] is True
    assert data["tables"]["papers"] == 273 and data["tables"]["area"] is None
    shown = {n["area"]: n["papers"] for n in data["overview"]["nodes"]}
    H = T.overview()
    assert shown == {k: a["papers"] for k, a in H.nodes(data=True) if a["papers"] >= 5}
    assert {(a, b) for a, b, _ in data["overview"]["edges"]} <= {tuple(sorted(e)) for e in H.edges()}
    assert [a["label"] for a in data["areas"]] == [c["label"] for c in T.communities]


def test_an_area_is_that_area_alone(base, T):
    data = get(base, "/api/graphs/june/areas/1").json()
    assert {n["id"] for n in data["nodes"]} == set(T.area(1))
    assert {n["area"] for n in data["nodes"]} == {1}
    assert data["tables"] == {**data["tables"], "area": 1, "sub": None, "papers": 273}
    assert len(data["areas"]) == len(T.communities)  # the side panel still lists every area


def test_an_area_too_big_to_draw_opens_on_its_sub_areas(base, T, monkeypatch):
    monkeypatch.setattr(webgraphs, "MAX_AREA_PAGE_PAPERS", T.area_papers(0) - 1)
    data = get(base, "/api/graphs/june/areas/0").json()
    assert data["nodes"] == [] and data["start_in_overview"] is True
    subs = {n["sub"]: n["papers"] for n in data["overview"]["nodes"]}
    assert sum(subs.values()) <= T.area_papers(0) and len(subs) > 1
    sub = max(subs, key=subs.get)
    one = get(base, f"/api/graphs/june/areas/0?sub={sub}").json()
    assert {n["id"] for n in one["nodes"]} == set(T.area(0, sub=sub)) and len(one["nodes"]) == subs[sub]
    hits = get(base, "/api/graphs/june/search", params={"q": "learning", "limit": 100}).json()["papers"]
    assert all(h["open"] == {"area": 0, "sub": h["sub"]} for h in hits if h["area"] == 0)
    assert all(h["open"]["sub"] is None for h in hits if h["area"] != 0)


def test_search_is_ranked_limited_and_counts_every_match(base, T):
    answer = get(base, "/api/graphs/june/search", params={"q": "reinforcement learning", "limit": 5}).json()
    assert answer["query"] == "reinforcement learning" and len(answer["papers"]) == 5
    assert answer["total"] == T.count_matches("reinforcement learning") > 5
    scores = [h["score"] for h in answer["papers"]]
    assert scores == sorted(scores, reverse=True)
    top = answer["papers"][0]
    assert "reinforcement" in top["title"].lower()
    assert {"id", "title", "area", "open"} <= set(top)


@pytest.mark.parametrize(
    ("path", "status", "words"),
    [
        ("/api/graphs/june/areas/999", 404, "No research area 999"),
        ("/api/graphs/june/areas/x", 404, "whole numbers"),
        ("/api/graphs/june/areas/0?sub=99999", 404, "no sub-area 99999"),
        ("/api/graphs/demo/areas/0", 404, "one networkx graph"),
        ("/api/graphs/nothing/areas/0", 404, "No built graph named 'nothing'"),
        ("/api/graphs/june/search", 400, "?q="),
        ("/api/graphs/june", 400, "area=K"),
        ("/api/graphs/june/topic?q=zzyzx", 400, "any word of 'zzyzx'"),
        ("/graphs/june/export/gexf", 400, "export one area"),
    ],
)
def test_bad_requests_get_a_clear_json_error(base, path, status, words):
    answer = get(base, path, headers={"Accept": "application/json"})
    assert answer.status_code == status, answer.text
    assert words in answer.json()["error"]


def test_a_paper_and_an_area_export_come_from_the_tables(base, T):
    pid = next(n for n, a in T.area(2).nodes(data=True) if a.get("abstract"))
    details = get(base, f"/api/graphs/june/papers/{pid}").json()
    assert details["paper"]["abstract"] == T.paper(pid)["abstract"]
    assert details["scope"] == {"area": 2, "sub": None}
    gexf = get(base, "/graphs/june/export/gexf?area=2")
    assert gexf.status_code == 200 and gexf.text.count("<node ") == T.area_papers(2)


def test_the_explorer_page_loads_the_area_it_is_asked_for(base):
    html = get(base, "/graphs/june?area=3").text
    assert 'fetch("/api/graphs/june/areas/3"' in html
    links = re.search(r'<script type="application/json" id="graphx-links">(.*?)</script>', html, re.S)
    assert json.loads(links.group(1))["search_url"] == "/api/graphs/june/search"


def test_new_routes_keep_the_host_and_token_rules(tables_cache):
    from webui import create_app

    with live_server(create_app({"CACHE_DIR": str(tables_cache)})) as url:
        for path in ("/api/graphs/june/areas/0", "/api/graphs/june/search?q=learning"):
            assert get(url, path, headers={"Host": "evil.example"}).status_code == 403
    open_app = create_app({"CACHE_DIR": str(tables_cache), "BIND_HOST": "0.0.0.0"})
    with live_server(open_app) as url:
        assert get(url, "/api/graphs/june/search?q=learning").status_code == 403
        token = {"X-Graphx-Token": open_app.config["GRAPHX_TOKEN"]}
        assert get(url, "/api/graphs/june/search?q=learning", headers=token).status_code == 200


def test_the_overview_draws_the_strongest_links_between_areas(T, monkeypatch):
    from graphx.view import tablepages

    every = tablepages.overview_page(T)["overview"]
    monkeypatch.setattr(tablepages, "MAX_OVERVIEW_LINKS", 3)
    capped = tablepages.overview_page(T)["overview"]
    assert capped["edges_total"] == every["edges_total"] == len(every["edges"]) > 3
    assert sorted(n for _, _, n in capped["edges"]) == sorted(n for _, _, n in every["edges"])[-3:]


def test_several_areas_hold_their_papers_and_every_edge_among_them(june, T):
    areas = T.area_ids()[:3]
    H = T.areas(areas)
    inside = {n for n, c in june.nodes(data="community") if c in areas}
    assert set(H) == inside
    expected = {(u, v, k) for u, v, k in june.edges(keys=True) if u in inside and v in inside}
    assert {(u, v, k) for u, v, k in H.edges(keys=True)} == expected
    assert any(june.nodes[u]["community"] != june.nodes[v]["community"] for u, v, _ in expected)
    assert [c["id"] for c in H.graph["communities"]] == sorted(areas)


def test_the_topic_lens_runs_on_the_areas_holding_the_query_s_matches(base, june, T):
    answer = get(base, "/api/graphs/june/topic", params={"q": "reinforcement learning"})
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert found["query"] == "reinforcement learning" and len(found["papers"]) >= 5
    assert [h["id"] for h in found["hits"]] == found["papers"]
    searched = set(found["areas_searched"])
    assert all(h["area"] in searched and h["open"]["area"] == h["area"] for h in found["hits"])
    top = [june.nodes[p] for p in found["papers"][:5]]
    assert all("reinforcement" in (n["title"] + " " + (n.get("abstract") or "")).lower() for n in top)
    assert found["area"] == next(c["label"] for c in T.communities if c["id"] == found["area_id"])


def test_a_small_budget_keeps_the_topic_lens_to_the_area_with_most_matches(T):
    from collections import Counter

    from graphx.topic import find_topic_in_tables

    hits = T.search("reinforcement learning", limit=1000, any_word=True)
    best = Counter(h["area"] for h in hits).most_common(1)[0][0]
    found = find_topic_in_tables(T, "reinforcement learning", max_papers=T.area_papers(best))
    assert found.areas == [best] and found.papers_searched == T.area_papers(best)
    assert {T.paper(p)["community"] for p in found.topic.papers} == {best}


def test_the_cli_topic_on_a_tables_map_says_what_it_searched(tables_cache, T):
    import json

    from click.testing import CliRunner

    from graphx.cli import cli

    args = ["topic", "june", "reinforcement learning", "--cache-dir", str(tables_cache)]
    out = CliRunner().invoke(cli, args)
    assert out.exit_code == 0, out.output
    head = out.output.splitlines()[0]
    assert head.startswith("'reinforcement learning': ") and f"of {T.n_papers:,} papers)" in head
    as_json = json.loads(CliRunner().invoke(cli, [*args, "--json"]).output)
    footer = len(as_json["naming"]) < len(as_json["papers"])  # what the "*" of naming papers means
    assert len(out.output.splitlines()) == 1 + len(as_json["papers"]) + footer
    assert T.paper(as_json["papers"][0])["title"] in out.output
