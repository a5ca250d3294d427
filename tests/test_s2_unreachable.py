"""sources.s2 with Semantic Scholar down: a refused port and a host name that never resolves.

Titles and ``--enrich`` only add to a build, so they build from the text with one warning and take what
the cache has; a search and seed ids need S2 and fail at once with a message naming the URL. Nothing here
leaves the machine: the refused port is one we bound and closed, and ``.invalid`` never resolves (RFC
6761), which the ``unresolvable`` fixture checks before any test uses it.
"""

from __future__ import annotations

import socket
import time

import conftest
import pytest
from click.testing import CliRunner
from s2server import fast_client

from graphx.cli import cli
from graphx.errors import S2Unreachable
from graphx.sources.s2 import collect, collect_papers
from graphx.sources.s2.client import S2Client

UNRESOLVABLE_URL = "http://graphx-nowhere.invalid/graph/v1"
# The bound: a refused connection or failed DNS is known in under 5 s, not after 27-33 s.
UNREACHABLE_WITHIN_S = 5.0
# ... and the 200-paper page builds in under 10 s in all.
PAGE_BUILD_WITHIN_S = 10.0
DNS_FAILS_WITHIN_S = 1.0


@pytest.fixture
def refused_url() -> str:
    """An API URL on a local port nothing listens on: bound, then closed."""
    return conftest.refused_url()


@pytest.fixture
def unresolvable_url() -> str:
    started = time.perf_counter()
    with pytest.raises(socket.gaierror):
        socket.getaddrinfo("graphx-nowhere.invalid", 80)
    if time.perf_counter() - started > DNS_FAILS_WITHIN_S:
        pytest.skip("DNS failures take more than a second on this machine")
    return UNRESOLVABLE_URL


@pytest.fixture(params=["refused", "unresolvable"])
def down_url(request) -> str:
    return request.getfixturevalue(f"{request.param}_url")


@pytest.fixture
def trending(shared_data):
    return shared_data / "pasted-listings" / "trending-page.txt"


@pytest.fixture
def arxiv_listing(shared_data):
    return shared_data / "pasted-listings" / "arxiv-listing.txt"


def test_client_stops_after_one_quick_retry_and_then_asks_no_more(down_url):
    # Default policy (5 retries, anonymous rate limit): only the quick retry is spent.
    with S2Client(down_url) as client:
        started = time.perf_counter()
        with pytest.raises(S2Unreachable) as caught:
            client.request("GET", "/paper/x")
        assert time.perf_counter() - started < UNREACHABLE_WITHIN_S
        assert client.requests == 2
        with pytest.raises(S2Unreachable):
            client.request("GET", "/paper/y")
        assert client.requests == 2  # known unreachable: the second call never touches the network
    assert caught.value.url == down_url
    assert caught.value.reason in ("connection refused", "host name not found")


def test_titles_build_from_the_text_with_s2_down(store, down_url, trending):
    started = time.perf_counter()
    result = collect_papers(store, titles_file=trending, api_url=down_url)
    assert time.perf_counter() - started < UNREACHABLE_WITHIN_S
    assert len(result.papers) == 200 and all(p.abstract for p in result.papers)
    assert result.unreachable is not None and (result.enriched, result.asked) == (0, 200)
    assert result.requests == 2


def test_titles_take_what_the_cache_has_when_s2_goes_down(
    store, s2_server, refused_url, arxiv_listing, tmp_path
):
    text = arxiv_listing.read_text(encoding="utf-8")
    first_five = tmp_path / "five.txt"
    first_five.write_text(text.split("\n[6]")[0], encoding="utf-8")
    with fast_client(s2_server) as client:
        online = collect(store, client, titles_file=first_five)
    assert len(online.papers) == 5 and all(p.s2_id for p in online.papers)

    result = collect_papers(store, titles_file=arxiv_listing, api_url=refused_url)
    assert (result.enriched, result.asked) == (5, 100)
    assert len(result.papers) == 100
    assert {p.s2_id for p in online.papers} <= {p.s2_id for p in result.papers}
    assert sum(1 for p in result.papers if p.references) >= 1  # the cached ones keep their citations


def test_enrich_builds_from_the_input_papers_with_s2_down(store, down_url, arxiv_listing):
    from graphx.sources.files import load_papers

    papers = load_papers([arxiv_listing]).papers
    result = collect_papers(store, enrich=papers, api_url=down_url)
    assert result.papers == [] and (result.enriched, result.asked) == (0, 100)
    assert result.unreachable is not None


@pytest.mark.parametrize(
    ("kwargs", "names"),
    [({"query": "bandits"}, "--query"), ({"paper_ids": ["ARXIV:2106.03747"]}, "--papers")],
)
def test_query_and_seed_ids_fail_fast_naming_the_url(store, down_url, kwargs, names):
    started = time.perf_counter()
    with pytest.raises(S2Unreachable) as caught:
        collect_papers(store, api_url=down_url, **kwargs)
    assert time.perf_counter() - started < UNREACHABLE_WITHIN_S
    message = str(caught.value)
    assert down_url in message and names in message and "--offline" in message and "papers file" in message


def test_timeouts_keep_retrying_and_say_so_each_time(store, s2_server):
    s2_server.slow(1.0, times=2, path="/paper/search")
    lines: list[str] = []
    with fast_client(s2_server, timeout_s=0.3, on_retry=lines.append) as client:
        result = collect(store, client, query="bandit", max_papers=5)
    assert len(result.papers) == 5
    assert len(lines) == 2
    assert all("did not answer within 0.3 s" in line and "next try in" in line for line in lines)
    assert "GET /graph/v1/paper/search" in lines[0]


@pytest.mark.parametrize("how", ["titles", "enrich"])
def test_cli_builds_the_trending_page_with_one_warning(tmp_path, down_url, trending, how):
    source = ["--titles", str(trending)] if how == "titles" else ["-i", str(trending), "--enrich"]
    started = time.perf_counter()
    result = CliRunner().invoke(
        cli,
        ["build", *source, "--name", "page", "--quiet", "--api-url", down_url, "--cache-dir", str(tmp_path)],
        catch_exceptions=False,
    )
    elapsed = time.perf_counter() - started
    assert result.exit_code == 0, result.output
    assert result.output.count("S2 unreachable") == 1
    assert "0 of 200 papers enriched" in result.output and "graphx enrich page" in result.output
    assert "Built 'page': 200 papers" in result.output
    assert elapsed < PAGE_BUILD_WITHIN_S


def test_cli_query_fails_fast_with_the_url(tmp_path, down_url):
    result = CliRunner().invoke(
        cli, ["build", "--query", "bandits", "--api-url", down_url, "--cache-dir", str(tmp_path)]
    )
    assert result.exit_code == 1
    assert down_url in result.output and "--offline" in result.output
    assert "Traceback" not in result.output


# --- graphx enrich NAME ----------------------------------------------------------------------------------


def test_enrich_adds_citations_to_a_graph_built_from_the_pasted_arxiv_listing(
    tmp_path, s2_server, arxiv_listing
):
    from graphx.store.graphs import load_graph, load_meta

    cache = str(tmp_path / "cache")
    runner = CliRunner()
    built = runner.invoke(
        cli,
        [
            "build",
            "-i",
            str(arxiv_listing),
            "-n",
            "ax",
            "--resolution",
            "1.5",
            "--quiet",
            "--cache-dir",
            cache,
        ],
    )
    assert built.exit_code == 0, built.output
    before = load_graph(cache, "ax")
    assert not [e for e in before.edges(keys=True) if e[2] == "cites"]
    parameters = load_meta(cache, "ax")["parameters"]

    result = runner.invoke(
        cli,
        [
            "enrich",
            "ax",
            "--api-url",
            s2_server.url,
            "--requests-per-s",
            "0",
            "--quiet",
            "--cache-dir",
            cache,
        ],
    )
    assert result.exit_code == 0, result.output
    after = load_graph(cache, "ax")
    assert sorted(after) == sorted(before)  # same papers under the same node ids
    assert len([e for e in after.edges(keys=True) if e[2] == "cites"]) > 0
    meta = load_meta(cache, "ax")
    assert meta["parameters"] == parameters and meta["parameters"]["resolution"] == 1.5
    assert "100 of 100 papers found" in result.output
    assert s2_server.count("/paper/batch") >= 1 and s2_server.count("/paper/search/match") == 0  # by arXiv id


def test_enrich_with_s2_down_says_so_and_leaves_the_graph(tmp_path, down_url, arxiv_listing):
    cache = tmp_path / "cache"
    runner = CliRunner()
    assert (
        runner.invoke(
            cli, ["build", "-i", str(arxiv_listing), "-n", "ax", "--quiet", "--cache-dir", str(cache)]
        ).exit_code
        == 0
    )
    graph_file = cache / "graphs" / "ax" / "graph.json"
    before = graph_file.read_bytes()
    started = time.perf_counter()
    result = runner.invoke(cli, ["enrich", "ax", "--api-url", down_url, "--cache-dir", str(cache)])
    assert time.perf_counter() - started < UNREACHABLE_WITHIN_S
    assert result.exit_code == 1 and "could not be reached" in result.output and "unchanged" in result.output
    assert graph_file.read_bytes() == before
