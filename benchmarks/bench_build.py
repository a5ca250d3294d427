"""Benchmark: the 6,545-paper NeurIPS/ICML corpus from papers file to stored graph with every export.

Targets (issue 2): at most 30 s wall time and 2 GB peak memory on a 2-core machine. Prints each stage's
time and the ratio to the target; exits 1 if a target is missed.

    .venv/bin/python benchmarks/bench_build.py [--data ../shared/data] [--out /tmp/graphx-bench]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_S = 30.0
TARGET_MB = 2048.0


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=None, help="cache folder (default: a temporary one)")
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="graphx-bench-"))
    corpus = args.data / "cs768-neurips-icml-citations"

    start = time.perf_counter()
    from graphx.build.pipeline import build_and_save
    from graphx.export import FORMATS, export_graph
    from graphx.options import BuildOptions
    from graphx.sources.files import load_papers
    from graphx.store.papers import PaperStore

    timings: dict[str, float] = {"import": time.perf_counter() - start}
    t = time.perf_counter()
    loaded = load_papers([corpus / "papers.jsonl"], citations=[corpus / "edges.tsv"])
    timings["load"] = time.perf_counter() - t
    t = time.perf_counter()
    with PaperStore(out) as store:
        store.upsert_papers(loaded.papers)
    timings["store"] = time.perf_counter() - t
    G, folder = build_and_save(loaded.papers, out, "neurips-icml", BuildOptions(seed=42))
    timings.update({f"build:{k}": v for k, v in G.graph["meta"]["timings_s"].items()})
    for fmt in FORMATS:
        t = time.perf_counter()
        export_graph(G, fmt, folder / "exports" / f"graph.{fmt}")
        timings[f"export:{fmt}"] = time.perf_counter() - t
    total = time.perf_counter() - start
    mem = peak_mb()

    print(
        f"graphx build benchmark: {G.number_of_nodes():,} papers, {G.number_of_edges():,} edges -> {folder}"
    )
    for stage, seconds in timings.items():
        print(f"  {stage:<22} {seconds:7.2f} s")
    print(f"  {'total':<22} {total:7.2f} s   target {TARGET_S:.0f} s   ratio {total / TARGET_S:.2f}")
    print(f"  {'peak memory':<22} {mem:7.0f} MB  target {TARGET_MB:.0f} MB ratio {mem / TARGET_MB:.2f}")
    areas = G.graph["communities"]
    n = G.number_of_nodes()
    print(f"  areas {len(areas)}, largest {areas[0]['size'] / n:.1%}, "
          f"papers in singletons {sum(c['size'] == 1 for c in areas) / n:.1%}")  # fmt: skip
    for c in areas[:10]:
        print(f"    {c['size']:>5}  {c['label']}")
    return 0 if total <= TARGET_S and mem <= TARGET_MB else 1


if __name__ == "__main__":
    sys.exit(main())
