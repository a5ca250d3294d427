"""webui.builds: the home page's "paste a reading list" box, read as `graphx build -i FILE.txt` reads a file.

Builds run through the real app and the real Semantic Scholar source: against the local fake S2 server
when it is reachable, and against a port nothing listens on when it is not.
"""

from __future__ import annotations

import time

import pytest
from conftest import refused_url, token_client, wait_build

from graphx.store import graphs as graphstore

JSON = {"Accept": "application/json"}


def make_client(cache_dir, api_url: str):
    from webui import create_app

    return token_client(create_app({"TESTING": True, "CACHE_DIR": str(cache_dir), "S2_API_URL": api_url}))


@pytest.fixture
def trending_text(shared_data) -> str:
    return (shared_data / "pasted-listings" / "trending-page.txt").read_text(encoding="utf-8")


def test_pasted_page_builds_like_a_file_and_says_how_many_papers_it_read(tmp_path, trending_text):
    client = make_client(tmp_path, refused_url())
    response = client.post("/builds", data={"name": "pasted", "pasted_text": trending_text}, headers=JSON)
    assert response.status_code == 202, response.get_json()
    final = wait_build(client, response.get_json()["id"])
    assert final["state"] == "done", final
    assert final["notes"][0].startswith("200 papers read (200 with abstracts), 2 lines skipped")
    assert final["source"] == "pasted: 200 papers"
    G = graphstore.load_graph(tmp_path, "pasted")
    assert G.number_of_nodes() == 200 and len(G.graph["communities"]) >= 3


def test_pasted_page_with_s2_down_builds_from_the_text_with_one_browser_warning(tmp_path, trending_text):
    client = make_client(tmp_path, refused_url())
    started = time.perf_counter()
    response = client.post(
        "/builds", data={"name": "down", "pasted_text": trending_text, "enrich_pasted": "1"}, headers=JSON
    )
    final = wait_build(client, response.get_json()["id"])
    assert final["state"] == "done", final
    assert time.perf_counter() - started < 10
    warnings = [n for n in final["notes"] if "could not be reached" in n]
    assert len(warnings) == 1
    assert "0 of 200 papers enriched" in warnings[0] and "press Build again" in warnings[0]
    assert "rerun" not in warnings[0] and "graphx " not in warnings[0]


def test_pasted_arxiv_listing_is_enriched_when_s2_is_reachable(tmp_path, s2_server, shared_data, monkeypatch):
    monkeypatch.setenv("S2_API_KEY", "")  # anonymous, but the fake server needs no rate limit:
    from graphx.sources.s2 import client as s2client

    monkeypatch.setattr(s2client, "ANONYMOUS_REQUESTS_PER_S", 0)
    text = (shared_data / "pasted-listings" / "arxiv-listing.txt").read_text(encoding="utf-8")
    client = make_client(tmp_path, s2_server.url)
    response = client.post(
        "/builds", data={"name": "ax", "pasted_text": text, "enrich_pasted": "1"}, headers=JSON
    )
    final = wait_build(client, response.get_json()["id"])
    assert final["state"] == "done", final
    assert "Semantic Scholar: 100 of 100 papers found." in final["notes"]
    G = graphstore.load_graph(tmp_path, "ax")
    assert G.number_of_nodes() == 100
    assert any(k == "cites" for _, _, k in G.edges(keys=True))


def test_query_with_s2_down_fails_with_a_message_for_the_browser(tmp_path):
    client = make_client(tmp_path, refused_url())
    response = client.post("/builds", data={"name": "q", "query": "bandits"}, headers=JSON)
    final = wait_build(client, response.get_json()["id"], timeout_s=10)
    assert final["state"] == "failed"
    assert "could not be reached" in final["error"] and "press Build again" in final["error"]
    assert "--offline" not in final["error"] and "rerun" not in final["error"]


def test_pasted_text_without_papers_is_refused_at_once(tmp_path):
    client = make_client(tmp_path, refused_url())
    response = client.post("/builds", data={"name": "x", "pasted_text": "Log in\nSubscribe\n"}, headers=JSON)
    assert response.status_code == 400
    assert "No papers found in the pasted text" in response.get_json()["error"]


def test_pasted_text_and_a_query_together_are_refused(tmp_path, trending_text):
    client = make_client(tmp_path, refused_url())
    response = client.post(
        "/builds", data={"name": "x", "pasted_text": trending_text, "query": "bandits"}, headers=JSON
    )
    assert response.status_code == 400 and "pasted reading list" in response.get_json()["error"]


def test_home_page_has_the_paste_box_inside_the_build_form(client):
    html = client.get("/").get_data(as_text=True)
    form = html[html.index('<form id="build-form"') : html.index("</form>")]
    assert 'name="pasted_text"' in form and 'name="enrich_pasted"' in form


@pytest.fixture(scope="module")
def demo_release(neurips_papers, tmp_path_factory):
    """The shipped demo corpus written as an S2AG release (the real datasets' format), with how many of
    its papers are from 2023 on."""
    from graphx.sources.s2ag import write_release

    folder = tmp_path_factory.mktemp("release") / "demo-release"
    write_release(list(neurips_papers), folder, shards=2)
    return folder, sum(1 for p in neurips_papers if (p.year or 0) >= 2023)


def test_an_s2ag_release_folder_builds_with_the_form_s_filters(tmp_path, demo_release):
    folder, recent = demo_release
    client = make_client(tmp_path, refused_url())
    html = client.get("/").get_data(as_text=True)
    form = html[html.index('<form id="build-form"') : html.index("</form>")]
    assert 'name="s2ag"' in form and 'name="year_from"' in form and 'name="fields_of_study"' in form
    data = {"name": "recent", "s2ag": str(folder), "year_from": "2023"}
    response = client.post("/builds", data=data, headers=JSON)
    assert response.status_code == 202, response.get_json()
    final = wait_build(client, response.get_json()["id"])
    assert final["state"] == "done", final
    assert final["source"] == f"s2ag: {folder}"
    assert final["notes"][0].startswith(f"{recent:,} papers")
    G = graphstore.load_graph(tmp_path, "recent")
    assert G.number_of_nodes() == recent and min(d["year"] for _, d in G.nodes(data=True)) >= 2023


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"s2ag": "{folder}", "year_from": "2999"}, "year"),
        ({"s2ag": "{folder}", "match": "zzyzx quux"}, "kept no paper"),
        ({"s2ag": "{missing}"}, "missing"),
    ],
)
def test_a_release_build_that_cannot_be_made_says_why(tmp_path, demo_release, fields, words):
    folder, _ = demo_release
    client = make_client(tmp_path, refused_url())
    data = {
        "name": "r",
        **{k: v.format(folder=folder, missing=tmp_path / "missing") for k, v in fields.items()},
    }
    response = client.post("/builds", data=data, headers=JSON)
    if response.status_code == 400:  # refused at once (a bad filter value)
        assert words in response.get_json()["error"].lower()
        return
    final = wait_build(client, response.get_json()["id"])
    assert final["state"] == "failed" and words in final["error"].lower(), final
