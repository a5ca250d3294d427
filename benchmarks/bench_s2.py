"""How many requests, and how long, graphx's Semantic Scholar source needs: against the local fake API.

    /work/venv/bin/python benchmarks/bench_s2.py

Starts tests/s2server.py (the 6,545-paper NeurIPS/ICML corpus in S2's wire format) on 127.0.0.1 and prints
1. HTTP requests per 1,000 papers fetched for a query of 300 papers expanded along references and
   citations (target: at most 10, retries included), against litstudy's one request per paper with a 3 s
   sleep between them;
2. the time to build a 300-paper query graph with a 429 on every 4th request, at the public keyed rate
   (1 request/s) and unthrottled, with the default backoff.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from s2server import FakeS2  # noqa: E402

from graphx.sources.s2 import collect_papers  # noqa: E402
from graphx.store.papers import PaperStore  # noqa: E402

QUERY = "variational"  # 335 corpus papers match; the search keeps the first 300
SEED_PAPERS = 300
MAX_PAPERS = 1000
LITSTUDY_SLEEP_S = 3.0


def requests_per_1000(server: FakeS2) -> None:
    with tempfile.TemporaryDirectory() as cache, PaperStore(cache) as store:
        server.log.clear()
        start = time.perf_counter()
        seeds = collect_papers(
            store, query=QUERY, max_papers=SEED_PAPERS, api_url=server.url, requests_per_s=0
        )
        grown = collect_papers(
            store,
            paper_ids=[p.id for p in seeds.papers],
            expand=("references", "citations"),
            max_papers=MAX_PAPERS,
            api_url=server.url,
            requests_per_s=0,
        )
        elapsed = time.perf_counter() - start
        requests = seeds.requests + grown.requests
        fetched = len(grown.papers)
        per_1000 = requests / fetched * 1000
        kinds = {}
        for r in server.log:
            kind = r.path.rsplit("/", 1)[-1] if not r.path.endswith("references") else "references"
            kinds[kind] = kinds.get(kind, 0) + 1
        print(
            f"1. Query of {len(seeds.papers)} papers, expanded along references and citations to {fetched:,}"
        )
        print(f"   graphx:   {requests} HTTP requests ({kinds}) = {per_1000:.1f} per 1,000 papers fetched")
        print(f"             {elapsed:.2f} s unthrottled; at 1 request/s with a key: {requests} s")
        litstudy_s = fetched * LITSTUDY_SLEEP_S
        print(
            f"   litstudy: {fetched:,} requests = 1,000 per 1,000 papers, {litstudy_s:,.0f} s of sleeps alone"
        )


def time_with_429s(server: FakeS2, requests_per_s: float) -> None:
    with tempfile.TemporaryDirectory() as cache, PaperStore(cache) as store:
        server.log.clear()
        server.clear_faults()
        server.fail(429, every=4)
        start = time.perf_counter()
        result = collect_papers(
            store, query=QUERY, max_papers=SEED_PAPERS, api_url=server.url, requests_per_s=requests_per_s
        )
        fetched_s = time.perf_counter() - start
        build_s = _build(result.papers)
        server.clear_faults()
        rejected = sum(1 for r in server.log if r.status == 429)
        rate = f"{requests_per_s:g} request/s" if requests_per_s > 0 else "unthrottled"
        built = f" + graph build {build_s:.2f} s" if build_s is not None else " (graph stages not importable)"
        print(
            f"   {rate:>15}: {len(result.papers)} papers, {result.requests} requests "
            f"({rejected} answered 429), fetch {fetched_s:.2f} s{built}"
        )


def _build(papers) -> float | None:
    try:
        from graphx.build.pipeline import build_graph
    except ImportError:
        return None
    start = time.perf_counter()
    build_graph(papers)
    return time.perf_counter() - start


def main() -> None:
    with FakeS2() as server:
        requests_per_1000(server)
        print(
            f"2. {SEED_PAPERS}-paper query graph, 429 on every 4th request (default backoff, no Retry-After)"
        )
        time_with_429s(server, 1.0)
        time_with_429s(server, 0)


if __name__ == "__main__":
    main()
