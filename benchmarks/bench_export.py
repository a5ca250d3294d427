"""Benchmark: the five exports of the 6,545-paper NeurIPS/ICML graph.

Target (issue 11): all five formats together in at most 4 s on a 2-core machine. The graph is built
once into ``--cache`` (reused on later runs), then loaded and exported; prints each format's time.

    .venv/bin/python benchmarks/bench_export.py [--data ../shared/data] [--cache /tmp/graphx-bench-export]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_S = 4.0
NAME = "neurips-icml"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "graphx-bench-export")
    args = parser.parse_args()

    from graphx.build.pipeline import build_and_save
    from graphx.export import FORMATS, export_graph
    from graphx.sources.files import load_papers
    from graphx.store import graphs

    if not (graphs.graph_dir(args.cache, NAME) / graphs.GRAPH_FILE).exists():
        corpus = args.data / "cs768-neurips-icml-citations"
        loaded = load_papers([corpus / "papers.jsonl"], citations=[corpus / "edges.tsv"])
        build_and_save(loaded.papers, args.cache, NAME)
    G = graphs.load_graph(args.cache, NAME)
    out = Path(tempfile.mkdtemp(prefix="graphx-exports-"))
    total = 0.0
    print(f"exports of {G.number_of_nodes():,} papers, {G.number_of_edges():,} edges -> {out}")
    for fmt in FORMATS:
        start = time.perf_counter()
        export_graph(G, fmt, out / fmt / f"graph.{fmt}")
        seconds = time.perf_counter() - start
        total += seconds
        print(f"  {fmt:<8} {seconds:6.2f} s")
    print(f"  {'total':<8} {total:6.2f} s   target {TARGET_S:.0f} s   ratio {total / TARGET_S:.2f}")
    return 0 if total <= TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
