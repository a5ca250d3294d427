"""The Semantic Scholar source against the local fake API (tests/s2server.py): real data, real HTTP."""

from __future__ import annotations

import json
import logging
import threading

import pytest
from s2server import cs768_paper_id, fast_client

from graphx.errors import BuildCancelled, OfflineMiss, SourceError
from graphx.paper import Paper
from graphx.sources import s2
from graphx.sources.s2 import collect, collect_papers
from graphx.sources.s2 import run as s2_run
from graphx.sources.s2.client import S2Client
from graphx.sources.s2.records import PAPER_FIELDS
from graphx.store.papers import PaperStore

TURING_ID = "2d5673caa9e6af3a7b82a43f19ee920992db07ad"
TURING_DOI = "10.1093/mind/lix.236.433"
# In the corpus: 1912.01703 (PyTorch) is the most cited paper (568 citers).
PYTORCH_ARXIV = "1912.01703"
SECRET = "sekrit-test-key-1234"


def run(store, server, **kwargs):
    client_kwargs = {k: kwargs.pop(k) for k in list(kwargs) if k in ("timeout_s", "max_retries", "api_key")}
    with fast_client(server, **client_kwargs) as client:
        return collect(store, client, **kwargs)


# --- fetching ---------------------------------------------------------------------------------------------


def test_query_is_searched_then_fetched_in_one_batch_with_every_field(store, s2_server):
    result = run(store, s2_server, query="graph neural", max_papers=150)

    assert len(result.papers) == 150
    assert s2_server.count("/paper/search") == 2  # pages of 100
    assert s2_server.count("/paper/batch", "POST") == 1
    assert result.requests == 3
    batch = next(r for r in s2_server.log if r.path.endswith("/paper/batch"))
    assert batch.params["fields"].split(",") == list(PAPER_FIELDS)
    assert "embedding.specter_v2" in PAPER_FIELDS
    paper = result.papers[0]
    assert paper.id == paper.s2_id and len(paper.id) == 40
    assert paper.arxiv and paper.doi == f"10.48550/arxiv.{paper.arxiv}" and paper.corpus_id
    assert paper.embedding is not None and len(paper.embedding) == 768
    assert paper.tldr and paper.title and paper.abstract and paper.year
    corpus = s2_server.corpus
    assert set(paper.references) == set(corpus.references[paper.id])
    assert set(paper.citations) == set(corpus.citations[paper.id])
    assert paper.citation_count == len(corpus.citations[paper.id])
    assert store.count() == 150


@pytest.mark.parametrize(
    "given",
    [
        cs768_paper_id(PYTORCH_ARXIV),
        f"ARXIV:{PYTORCH_ARXIV}",
        f"{PYTORCH_ARXIV}v1",
        f"https://arxiv.org/abs/{PYTORCH_ARXIV}v1",
        f"https://arxiv.org/pdf/{PYTORCH_ARXIV}",
        f"DOI:10.48550/arXiv.{PYTORCH_ARXIV}",
        f"10.48550/arXiv.{PYTORCH_ARXIV}",
        f"https://doi.org/10.48550/arXiv.{PYTORCH_ARXIV}",
        f"https://www.semanticscholar.org/paper/PyTorch-An-Imperative-Style/{cs768_paper_id(PYTORCH_ARXIV)}",
        f"CorpusId:{int(cs768_paper_id(PYTORCH_ARXIV)[:7], 16)}",
    ],
)
def test_seed_ids_in_every_form_reach_the_same_paper(store, s2_server, given):
    result = run(store, s2_server, paper_ids=[given])
    assert [p.id for p in result.papers] == [cs768_paper_id(PYTORCH_ARXIV)]
    assert not result.notes


def test_recorded_paper_with_capped_citations_and_null_references(store, s2_server):
    result = run(store, s2_server, paper_ids=[f"https://doi.org/{TURING_DOI}"])

    (turing,) = result.papers
    assert turing.id == TURING_ID and turing.title == "Computing Machinery and Intelligence"
    assert turing.embedding is None  # the recording has specter_v1 only; v1 must not mix with v2
    assert len(turing.references) == 8  # 14 recorded, 6 with paperId null
    assert len(turing.citations) == 1000
    assert s2_server.count(f"/paper/{TURING_ID}/citations") == 1  # nested list capped: paged once
    assert any("6 references had no Semantic Scholar paperId" in n for n in result.notes)
    assert any("1,000 of 10,059 citations" in n for n in result.notes)


def test_unknown_and_null_ids_are_reported_by_name(store, s2_server):
    nulled = cs768_paper_id("1502.03167")
    s2_server.null_ids({nulled})
    result = run(
        store, s2_server, paper_ids=["ARXIV:9999.99999", "ARXIV:1502.03167", f"ARXIV:{PYTORCH_ARXIV}"]
    )

    assert [p.arxiv for p in result.papers] == [PYTORCH_ARXIV]
    assert any("ARXIV:9999.99999" in n and "ARXIV:1502.03167" in n for n in result.notes)


def test_batches_hold_at_most_500_ids(store, s2_server):
    ids = [f"ARXIV:{a}" for a in sorted(s2_server.corpus.aliases) if a.startswith("arxiv:")][:1200]
    ids = [i.replace("ARXIV:arxiv:", "ARXIV:") for i in ids]
    result = run(store, s2_server, paper_ids=ids)

    assert len(result.papers) == 1200
    batches = [r for r in s2_server.log if r.path.endswith("/paper/batch")]
    assert [len(eval_ids(r)) for r in batches] == [500, 500, 200]


def eval_ids(logged) -> list[str]:
    import json

    return json.loads(logged.body)["ids"]


# --- expansion --------------------------------------------------------------------------------------------


def connectivity_ranking(
    server, seeds: list[str], kinds: tuple[str, ...]
) -> tuple[list[str], dict[str, int]]:
    """Neighbours of ``seeds`` in first-seen order, and how many seeds each is linked to."""
    corpus = server.corpus
    order: dict[str, int] = {}
    for s in seeds:
        for kind in kinds:
            for n in (corpus.references if kind == "references" else corpus.citations)[s]:
                if n not in seeds:
                    order[n] = order.get(n, 0) + 1
    return list(order), order


def test_expansion_keeps_the_most_connected_neighbours_not_the_first_returned(store, s2_server):
    seeds = s2_server.ranked("graph neural")[:20]
    kinds = ("references", "citations")
    neighbours, score = connectivity_ranking(s2_server, seeds, kinds)
    room = 30
    ranked = sorted(neighbours, key=lambda n: -score[n])
    assert set(ranked[:room]) != set(neighbours[:room])  # the test would not tell them apart otherwise

    result = run(store, s2_server, paper_ids=seeds, expand=kinds, max_papers=len(seeds) + room)

    kept = {p.id for p in result.papers} - set(seeds)
    assert len(kept) == room
    cutoff = score[ranked[room - 1]]
    assert all(score[k] >= cutoff for k in kept)
    assert {n for n in neighbours if score[n] > cutoff} <= kept
    assert any("most connected" in n for n in result.notes)
    assert s2_server.count("/references") == s2_server.count("/citations") == 0  # lists came in the batch


def test_expansion_along_references_only_depth_two(store, s2_server):
    seed = cs768_paper_id("2005.14165")  # GPT-3
    result = run(store, s2_server, paper_ids=[seed], expand=["references"], depth=2, max_papers=2000)

    corpus = s2_server.corpus
    level1 = set(corpus.references[seed])
    level2 = {r for p in level1 for r in corpus.references[p]} - level1 - {seed}
    assert {p.id for p in result.papers} == {seed} | level1 | level2
    assert s2_server.count("/paper/batch") == 3  # seed, level 1, level 2


# --- faults -----------------------------------------------------------------------------------------------


def test_429_with_retry_after_is_waited_out_instead_of_backoff(store, s2_server):
    s2_server.fail(429, times=2, retry_after="0")
    with fast_client(s2_server, backoff_s=30.0) as client:  # backoff would take a minute: Retry-After wins
        result = collect(store, client, paper_ids=[f"ARXIV:{PYTORCH_ARXIV}"])
    assert len(result.papers) == 1
    assert result.requests == 3
    assert client.waits_s == [0.0, 0.0]


def test_429_without_retry_after_backs_off_exponentially_with_jitter(store, s2_server):
    s2_server.fail(429, times=3)
    with fast_client(s2_server, backoff_s=0.01, max_retries=5) as client:
        collect(store, client, paper_ids=[f"ARXIV:{PYTORCH_ARXIV}"])
    assert len(client.waits_s) == 3
    for attempt, wait in enumerate(client.waits_s):
        assert 0.5 * 0.01 * 2**attempt <= wait <= 0.01 * 2**attempt
    assert len(set(client.waits_s)) == 3


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_are_retried(store, s2_server, status):
    s2_server.fail(status, times=2)
    result = run(store, s2_server, paper_ids=[f"ARXIV:{PYTORCH_ARXIV}"])
    assert len(result.papers) == 1 and result.requests == 3


def test_timeouts_and_truncated_json_are_retried(store, s2_server):
    s2_server.slow(1.0, times=1)
    s2_server.truncate(times=1)
    result = run(store, s2_server, paper_ids=[f"ARXIV:{PYTORCH_ARXIV}"], timeout_s=0.3)
    assert len(result.papers) == 1
    assert result.requests == 3


def test_refused_connection_is_a_source_error_not_an_httpx_error(store):
    with pytest.raises(SourceError, match="could not be reached") as caught:
        collect_papers(
            store,
            paper_ids=["ARXIV:1912.01703"],
            api_url="http://127.0.0.1:9/graph/v1",
            requests_per_s=0,
            max_retries=1,
            timeout_s=0.5,
        )
    # Seed ids need S2: the message names the URL and the ways to build without it.
    assert "http://127.0.0.1:9/graph/v1" in str(caught.value)
    assert "--offline" in str(caught.value) and "papers file" in str(caught.value)


def test_persistent_rate_limit_stops_with_a_message_that_says_what_to_do(store, s2_server, monkeypatch):
    monkeypatch.delenv("S2_API_KEY", raising=False)
    first = run(store, s2_server, query="bandit", max_papers=120)
    s2_server.fail(429, times=None, path="/paper/batch")
    with pytest.raises(SourceError) as caught:
        run(store, s2_server, paper_ids=[f"ARXIV:{PYTORCH_ARXIV}"], max_retries=5)
    message = str(caught.value)
    assert "rate-limited us (429) 6 times" in message
    assert f"{len(first.papers)} papers fetched so far are cached in {store.path}" in message
    assert "rerun the same command to resume" in message and "S2_API_KEY" in message
    assert s2_server.count("/paper/batch") == 1 + 6  # bounded: first run's batch + 1 try + 5 retries


def test_unrecoverable_503_says_so(store, s2_server):
    s2_server.fail(503, times=None)
    with pytest.raises(SourceError, match=r"answered 503 \(server error\) 4 times"):
        run(store, s2_server, paper_ids=[f"ARXIV:{PYTORCH_ARXIV}"])


def test_empty_citation_list_is_refetched_through_the_paged_endpoint(store, s2_server):
    pid = cs768_paper_id(PYTORCH_ARXIV)
    s2_server.empty_citations({pid})
    result = run(store, s2_server, paper_ids=[pid])

    (paper,) = result.papers
    assert len(paper.citations) == 568
    assert s2_server.count(f"/paper/{pid}/citations") == 1
    assert store.get_papers([pid])[pid].citations == paper.citations
    assert not result.notes


def test_citation_list_that_stays_empty_is_reported(store, s2_server):
    pid = cs768_paper_id(PYTORCH_ARXIV)
    s2_server.empty_citations({pid}, paged_too=True)
    result = run(store, s2_server, paper_ids=[pid])
    assert result.papers[0].citations == ()
    assert any("stayed incomplete" in n and "0 of 568 citations" in n for n in result.notes)


# --- cache: resume, offline, refresh ----------------------------------------------------------------------


def corpus_ids(server, n: int) -> list[str]:
    return [pid for pid in server.corpus.papers if pid not in server.corpus.recorded][:n]


def test_a_failed_build_resumes_without_refetching_what_was_stored(store, s2_server):
    ids = corpus_ids(s2_server, 1200)
    s2_server.fail(503, times=None, path="/paper/batch", after=1)  # the first batch gets through

    with (
        fast_client(s2_server, max_retries=1) as client,
        pytest.raises(SourceError, match="500 papers fetched"),
    ):
        collect(store, client, paper_ids=ids)
    assert store.count() == 500

    s2_server.clear_faults()
    s2_server.log.clear()
    result = run(store, s2_server, paper_ids=ids)
    assert len(result.papers) == 1200
    assert result.from_cache == 500
    assert [len(eval_ids(r)) for r in s2_server.log] == [500, 200]
    assert not set(eval_ids(s2_server.log[0])) & set(ids[:500])


def test_cancel_between_requests(store, s2_server):
    cancel = threading.Event()

    def progress(stage, n, total):
        if n >= 500:
            cancel.set()

    with pytest.raises(BuildCancelled):
        collect_papers(
            store,
            paper_ids=corpus_ids(s2_server, 1000),
            api_url=s2_server.url,
            requests_per_s=0,
            progress=progress,
            cancel=cancel,
        )
    assert store.count() == 500
    assert s2_server.count("/paper/batch") == 1


def test_offline_serves_the_cache_and_fails_clearly_on_a_miss(store, s2_server):
    online = run(store, s2_server, query="bandit", expand=["citations"], max_papers=300)
    s2_server.log.clear()

    offline = run(store, s2_server, query="Bandit ", expand=["citations"], max_papers=300, offline=True)
    assert [p.id for p in offline.papers] == [p.id for p in online.papers]
    assert offline.requests == 0 and s2_server.log == []
    assert offline.from_cache == len(online.papers)

    with pytest.raises(OfflineMiss, match="not in the cache"):
        run(store, s2_server, query="diffusion", offline=True)
    with pytest.raises(OfflineMiss, match="ARXIV:2005.14165"):
        run(store, s2_server, paper_ids=["ARXIV:2005.14165"], offline=True)


def test_refresh_refetches(store, s2_server):
    run(store, s2_server, query="bandit", max_papers=50)
    s2_server.log.clear()
    again = run(store, s2_server, query="bandit", max_papers=50)
    assert again.requests == 0 and again.from_cache == 50
    fresh = run(store, s2_server, query="bandit", max_papers=50, refresh=True)
    assert fresh.requests == 2 and fresh.from_cache == 0


# --- configuration and credentials ------------------------------------------------------------------------


def test_api_url_and_key_from_the_environment_key_never_logged_or_cached(
    store, s2_server, monkeypatch, caplog
):
    monkeypatch.setenv("GRAPHX_S2_API_URL", s2_server.url)
    monkeypatch.setenv("S2_API_KEY", SECRET)
    s2_server.required_key = SECRET
    pid = cs768_paper_id(PYTORCH_ARXIV)
    s2_server.empty_citations({pid})  # forces a paged /citations call
    caplog.set_level(logging.DEBUG)

    result = collect_papers(store, query="bandit", paper_ids=[pid], max_papers=10, requests_per_s=0)

    assert len(result.papers) == 11
    assert {r.path.rsplit("/", 1)[-1] for r in s2_server.log} == {"search", "batch", "citations"}
    assert all(r.api_key == SECRET for r in s2_server.log)
    assert SECRET not in caplog.text
    for path in store.path.parent.iterdir():
        assert SECRET.encode() not in path.read_bytes()
    assert SECRET not in repr(S2Client())


def test_wrong_key_is_reported_without_the_key(store, s2_server):
    s2_server.required_key = SECRET
    with pytest.raises(SourceError, match="403") as caught:
        run(store, s2_server, paper_ids=[f"ARXIV:{PYTORCH_ARXIV}"], api_key="wrong-key-999")
    assert "wrong-key-999" not in str(caught.value) and "S2_API_KEY" in str(caught.value)


def test_query_with_ampersand_and_plus_reaches_the_api_intact(store, s2_server):
    run(store, s2_server, query="R&D C++ #1", max_papers=5)
    (search,) = [r for r in s2_server.log if r.path.endswith("/search")]
    assert search.params["query"] == "R&D C++ #1"


def test_one_connection_for_the_whole_collection(store, s2_server):
    run(store, s2_server, query="bandit", max_papers=250)
    assert len({r.client_port for r in s2_server.log}) == 1
    assert len(s2_server.log) == 3  # 189 hits: two search pages, one batch


# --- enrichment -------------------------------------------------------------------------------------------


def test_enrich_fetches_references_for_input_papers_with_ids(store, s2_server):
    inputs = [
        Paper(id="zotero:1", title="PyTorch", doi=f"10.48550/arXiv.{PYTORCH_ARXIV}"),
        Paper(id="zotero:2", title="GPT-3", arxiv="2005.14165v4"),
        Paper(id="zotero:3", title="A paper with no ids at all"),
    ]
    result = run(store, s2_server, enrich=inputs)
    by_arxiv = {p.arxiv: p for p in result.papers}
    assert set(by_arxiv) == {PYTORCH_ARXIV, "2005.14165"}
    assert len(by_arxiv["2005.14165"].references) == len(
        s2_server.corpus.references[cs768_paper_id("2005.14165")]
    )
    # The paper without ids is looked up by title; S2 knows no such paper, so it stays as it was given.
    assert s2_server.count("/paper/search/match") == 1
    assert any("1 title(s) not found on Semantic Scholar" in n for n in result.notes)
    assert s2_server.count("/paper/batch") == 1


def test_bad_options_are_config_errors(store, s2_server):
    from graphx.errors import ConfigError

    for kwargs in ({"expand": ["cousins"]}, {"depth": 0}, {"max_papers": 0}, {"paper_ids": ["not an id"]}):
        with pytest.raises(ConfigError):
            run(store, s2_server, **kwargs)
    assert s2_server.log == []


def test_module_constants_match_the_api_limits():
    assert s2.BATCH_MAX_IDS == 500 and s2.SEARCH_MAX_RESULTS == 1000


KILLED_BUILD = """
import sys
from graphx.sources.s2 import collect_papers
from graphx.store.papers import PaperStore
ids = sys.argv[3].split(",")
collect_papers(PaperStore(sys.argv[1]), paper_ids=ids, api_url=sys.argv[2], requests_per_s=0, timeout_s=60)
"""


def test_a_killed_build_loses_nothing_already_fetched(tmp_path, s2_server):
    import os
    import signal
    import subprocess
    import sys
    import time

    ids = corpus_ids(s2_server, 1200)
    s2_server.slow(30.0, path="/paper/batch", after=1)  # the second batch hangs: the process is killed there
    cache = tmp_path / "cache"
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_BUILD, str(cache), s2_server.url, ",".join(ids)],
        cwd=os.path.dirname(os.path.dirname(__file__)),
    )
    try:
        deadline = time.monotonic() + 30
        while s2_server.count("/paper/batch") < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert s2_server.count("/paper/batch") == 2
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    s2_server.clear_faults()
    s2_server.log.clear()

    with PaperStore(cache) as store:
        assert store.count() == 500
        result = run(store, s2_server, paper_ids=ids)
    assert len(result.papers) == 1200 and result.from_cache == 500
    assert [len(eval_ids(r)) for r in s2_server.log] == [500, 200]


# --- misbehaving servers ------------------------------------------------------------------------------


def run_bounded(store, server, timeout_s: float = 20.0, **kwargs):
    """``run`` in a thread, cancelled after ``timeout_s``: a loop that never ends fails the test instead."""
    cancel = threading.Event()
    outcome: dict = {}

    def target():
        try:
            with fast_client(server, cancel=cancel) as client:
                outcome["result"] = collect(store, client, **kwargs)
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            outcome["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(timeout_s)
    if thread.is_alive():
        cancel.set()
        thread.join(30)
        pytest.fail(f"still running after {timeout_s} s ({server.count()} requests)")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


@pytest.mark.parametrize("next_value", ["same", "abc", None])
def test_a_links_page_whose_next_does_not_advance_stops_with_a_clear_error(
    store, s2_server, monkeypatch, next_value
):
    pid = cs768_paper_id(PYTORCH_ARXIV)
    monkeypatch.setattr(s2_run, "PAGE_LIMIT", 100)  # 568 citers: several pages
    s2_server.empty_citations({pid})
    s2_server.links_next = next_value if next_value is not None else 50  # 50: goes backwards
    with pytest.raises(SourceError, match="does not advance") as caught:
        run_bounded(store, s2_server, paper_ids=[pid])
    assert "cached" in str(caught.value)
    assert s2_server.count(f"/paper/{pid}/citations") <= 2


def test_search_results_without_paper_ids_are_left_out_and_never_cached(store, s2_server):
    s2_server.search_without_ids = True
    result = run(store, s2_server, query="bandit", max_papers=20)
    assert len(result.papers) == 20 and all(p.id for p in result.papers)  # later pages fill the gaps
    assert any("had no Semantic Scholar paperId" in n for n in result.notes)
    (cached,) = store.connection().execute("SELECT paper_ids FROM s2_searches").fetchone()
    assert None not in json.loads(cached)


def test_a_poisoned_cached_search_is_searched_again(store, s2_server):
    run(store, s2_server, query="bandit", max_papers=20)
    with store.transaction() as conn:
        conn.execute("UPDATE s2_searches SET paper_ids = ?", (json.dumps([None, None]),))
    searches = s2_server.count("/paper/search")
    result = run(store, s2_server, query="bandit", max_papers=20)
    assert len(result.papers) == 20
    assert s2_server.count("/paper/search") == searches + 1


def test_a_redirect_to_another_origin_does_not_carry_the_key(store, s2_server):
    from s2server import FakeS2

    with FakeS2(replay=False) as elsewhere:
        s2_server.redirect(s2_server.root + "/", status=307, times=1)  # same origin: key kept
        s2_server.redirect(elsewhere.root + "/", status=307, times=1)
        result = run(store, s2_server, paper_ids=[f"ARXIV:{PYTORCH_ARXIV}"], api_key=SECRET)
        assert len(result.papers) == 1
        assert [r.api_key for r in s2_server.log] == [SECRET, SECRET]
        assert [(r.method, r.api_key) for r in elsewhere.log] == [("POST", None)]


def test_a_redirect_loop_is_a_clear_error(store, s2_server):
    s2_server.redirect(s2_server.root + "/", times=None)
    with pytest.raises(SourceError, match="redirect loop") as caught:
        run_bounded(store, s2_server, paper_ids=[f"ARXIV:{PYTORCH_ARXIV}"])
    assert "--api-url" in str(caught.value)


def test_a_retry_after_beyond_the_cap_is_reported_not_slept(store, s2_server):
    s2_server.fail(429, times=None, retry_after="999999")
    with fast_client(s2_server) as client:
        with pytest.raises(SourceError, match=r"wait 999,999 s .*Retry-After.*retry later"):
            collect(store, client, paper_ids=[f"ARXIV:{PYTORCH_ARXIV}"])
    assert client.waits_s == [] and s2_server.count() == 1
