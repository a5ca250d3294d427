"""The explorer server under load: concurrent first requests to a cold graph, repeated API requests.

Starts ``graphx serve`` in a child process on a free loopback port over a cache holding a built graph
(the 6,545-paper NeurIPS/ICML graph by default), then:

1. ``--clients`` concurrent first opens of the explorer right after the start (the page, and its page
   data when the page fetches it as a file), each client timed from its first request to its last byte;
2. ``--api-requests`` requests of ``/api/graphs/NAME`` (gzip accepted), ``--api-clients`` at a time.

Prints p50/p95 latency of each and the server's peak resident memory (VmHWM) after the start and at
the end. Everything is bounded: loopback only, a timeout per request and a deadline for the whole run.
``--code PATH`` serves another checkout (e.g. main before a change) for a before/after comparison.

Run: ``python benchmarks/bench_serve.py --cache-dir DIR [--name NAME] [--code PATH]``.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUEST_TIMEOUT_S = 120.0
RUN_DEADLINE_S = 600.0
START_TIMEOUT_S = 60.0
# The explorer page names its stored page data in a fetch() in its head (webui/templates/explorer.html).
PAGE_DATA_URL = re.compile(r'window\.graphxPageData = fetch\("([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory so far (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def get(url: str, gzip: bool = False) -> bytes:
    headers = {"Accept-Encoding": "gzip"} if gzip else {}
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=REQUEST_TIMEOUT_S) as r:
        return r.read()


def open_explorer(base: str, name: str) -> float:
    """Seconds for what a browser needs before drawing: the page, then its page data if it is a file."""
    start = time.perf_counter()
    html = get(f"{base}/graphs/{name}").decode("utf-8")
    match = PAGE_DATA_URL.search(html)
    if match:
        get(base + match.group(1), gzip=True)
    return time.perf_counter() - start


def timed_api(base: str, name: str) -> float:
    start = time.perf_counter()
    get(f"{base}/api/graphs/{name}", gzip=True)
    return time.perf_counter() - start


def percentiles(values: list[float]) -> str:
    values = sorted(values)
    p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
    return f"p50 {statistics.median(values):.2f} s, p95 {p95:.2f} s, max {values[-1]:.2f} s (n={len(values)})"


def start_server(code: Path, cache_dir: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(code)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "graphx", "serve", "--port", str(port), "--cache-dir", str(cache_dir)],
        cwd=code, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.time() + START_TIMEOUT_S
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc
        except OSError:
            if proc.poll() is not None:
                raise SystemExit(f"the server exited with {proc.returncode} before listening") from None
            time.sleep(0.1)
    proc.kill()
    raise SystemExit(f"the server did not listen within {START_TIMEOUT_S:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache-dir", type=Path, required=True, help="a cache holding the built graph")
    parser.add_argument("--name", default="neurips-icml")
    parser.add_argument("--code", type=Path, default=ROOT, help="checkout to serve (default: this one)")
    parser.add_argument("--clients", type=int, default=20, help="concurrent first opens (max 50)")
    parser.add_argument("--api-requests", type=int, default=40, help="API requests (max 200)")
    parser.add_argument("--api-clients", type=int, default=8, help="API requests at a time (max 20)")
    args = parser.parse_args()
    clients, api_requests = min(args.clients, 50), min(args.api_requests, 200)
    api_clients = min(args.api_clients, 20)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start_server(args.code.resolve(), args.cache_dir, port)
    run_deadline = time.time() + RUN_DEADLINE_S
    try:
        idle_mb = peak_rss_mb(proc.pid)
        print(f"server: {args.code.resolve()} on {base}, peak memory after start {idle_mb:.0f} MB")
        with ThreadPoolExecutor(clients) as pool:
            cold = list(pool.map(lambda _: open_explorer(base, args.name), range(clients)))
        print(f"{clients} concurrent first opens of a cold /graphs/{args.name}: {percentiles(cold)}")
        after_cold_mb = peak_rss_mb(proc.pid)
        print(f"peak server memory after them: {after_cold_mb:.0f} MB")
        if time.time() > run_deadline:
            raise SystemExit("deadline passed; API requests skipped")
        with ThreadPoolExecutor(api_clients) as pool:
            api = list(pool.map(lambda _: timed_api(base, args.name), range(api_requests)))
        shown = f"{api_requests} requests of /api/graphs/{args.name}, {api_clients} at a time"
        print(f"{shown}: {percentiles(api)}")
        print(f"peak server memory at the end: {peak_rss_mb(proc.pid):.0f} MB (after start {idle_mb:.0f} MB)")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    main()
