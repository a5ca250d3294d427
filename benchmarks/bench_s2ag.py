"""Benchmark: writing and reading S2AG bulk releases (graphx.sources.s2ag), and the extrapolation to 1M.

For each size, in fresh subprocesses so each peak memory (ru_maxrss) is its own:

- ``write``: ``write_synthetic_release(n)`` (synthetic corpus streamed chunk by chunk into 8 shards);
- ``read``: ``load_release`` of the whole release (the local engine's input);
- ``read filtered``: ``--year-from 2020`` and a text query (``--match``), the usual shape of a build.

Prints wall and CPU seconds (the machine is shared: CPU time is the steadier figure), peak MB, the load
average, and a linear extrapolation of the write to 1,000,000 papers: CPU time, and peak memory from
the two largest sizes (target: under 1 GB, i.e. the papers are not held; both sizes should hold
several generation chunks of 20,000). Results also go to ``cache/bench/s2ag.json``.

    .venv/bin/python benchmarks/bench_s2ag.py                       # 100k and 300k
    .venv/bin/python benchmarks/bench_s2ag.py --sizes 10k,100k,300k,1m
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "cache" / "bench" / "s2ag.json"
SIZES = {"10k": 10_000, "100k": 100_000, "300k": 300_000, "1m": 1_000_000}
SHARDS = 8
FILTER = {"year_from": 2020, "query": "learning"}
# Writing must not hold the papers: its peak, extrapolated linearly from the two largest sizes to a
# million papers, stays under this (holding a million Paper records alone takes several GB).
TARGET_1M_WRITE_PEAK_MB = 1024


def run(step: str, n: int, folder: str) -> dict:
    """One step in this process (called through the subprocess below)."""
    from graphx.sources.s2ag import S2AGFilter, load_release, write_synthetic_release

    wall, cpu = time.perf_counter(), time.process_time()
    if step == "write":
        counts = write_synthetic_release(n, folder, seed=0, shards=SHARDS)
        out: dict = {"rows": counts}
    else:
        filt = S2AGFilter(**FILTER) if step == "read filtered" else S2AGFilter()
        result = load_release(folder, filt)
        out = {"summary": result.summary()}
    out.update(
        wall_s=round(time.perf_counter() - wall, 1),
        cpu_s=round(time.process_time() - cpu, 1),
        peak_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        load=round(os.getloadavg()[0], 1),
    )
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100k,300k")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        print(json.dumps(run(args.step, args.n, args.folder)))
        return 0
    results: dict[str, dict] = {}
    for size in args.sizes.split(","):
        n = SIZES[size]
        with tempfile.TemporaryDirectory(prefix="bench-s2ag-") as folder:
            for step in ("write", "read", "read filtered"):
                cmd = [sys.executable, __file__, "--step", step, "--n", str(n), "--folder", folder]
                done = subprocess.run(cmd, capture_output=True, text=True, check=True)
                results.setdefault(size, {})[step] = json.loads(done.stdout.strip().splitlines()[-1])
                r = results[size][step]
                note = r.get("summary") or f"{r['rows']['citations']:,} citations"
                print(
                    f"{size:>5} {step:<14} wall {r['wall_s']:>7.1f} s  cpu {r['cpu_s']:>7.1f} s  "
                    f"peak {r['peak_mb']:>6,} MB  load {r['load']:>4}  {note}",
                    flush=True,
                )
    sizes = list(results)
    last = results[sizes[-1]]["write"]
    per_paper = last["cpu_s"] / SIZES[sizes[-1]]
    print(f"write extrapolated to 1,000,000 papers: {per_paper * 1e6 / 60:.1f} min of CPU")
    ok = True
    if len(sizes) > 1:
        (n0, p0), (n1, p1) = [(SIZES[s], results[s]["write"]["peak_mb"]) for s in sizes[-2:]]
        peak_1m = p1 + (p1 - p0) / (n1 - n0) * (1_000_000 - n1)
        ok = peak_1m <= TARGET_1M_WRITE_PEAK_MB
        print(
            f"write peak extrapolated to 1,000,000 papers: {peak_1m:,.0f} MB "
            f"(target <= {TARGET_1M_WRITE_PEAK_MB:,} MB: {'met' if ok else 'MISSED'})"
        )
    from graphx.atomic import atomic_write

    atomic_write(RESULTS, lambda fh: fh.write(json.dumps(results, indent=1).encode()))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
