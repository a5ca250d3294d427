"""Benchmark: how well areas match what a researcher would draw, on several real sets at once (issue 8).

Sections (each a function returning rows, so another section can be added beside them):

- ``iclr``: the ICLR 2022 map (1,218 papers, 10 hand-curated clusters, titles + truncated abstracts, no
  citations): NMI and ARI of areas and sub-areas against the clusters, mean, std and min-max over seeds.
- ``synthetic``: 2,000 planted-topic papers (graphx.synthetic, one corpus per seed): ARI of areas against
  the planted topics.
- ``neurips``: the 6,545-paper NeurIPS/ICML corpus with citations: areas, areas under 3 papers, share of
  label terms used by fewer than 3 papers of their area, labels of the 10 largest areas, build stages'
  time and peak memory.
- ``small``: a text-only set of 250 papers (25 per ICLR cluster, fixed sample): NMI over seeds, and the
  F1 of the best area for each cluster (a narrow topic), mean over clusters.
- ``topic``: ``benchmarks/bench_topic.py``'s ``topic_section(data, seeds)`` when that file exists.

Every row has a target where issue 8 sets one; the table prints the ratio to it and the previous run's
value (results are kept as JSON in ``cache/bench/``)::

    .venv/bin/python benchmarks/bench_quality.py [--data ../shared/data] [--seeds 5] [--only iclr,small]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from graphx.build.labels import term_papers  # noqa: E402
from graphx.build.pipeline import build_graph  # noqa: E402
from graphx.build.text import paper_text  # noqa: E402
from graphx.options import BuildOptions  # noqa: E402
from graphx.paper import Paper  # noqa: E402

RESULTS_DIR = ROOT / "cache" / "bench"
ICLR_FILE = Path("zeta-alpha-iclr2022-similarity") / "Zeta-Alpha_ICLR2022.json"
NEURIPS_DIR = Path("cs768-neurips-icml-citations")
SYNTHETIC_PAPERS = 2000
SMALL_PER_CLUSTER = 25
SMALL_SAMPLE_SEED = 0
MIN_AREA_PAPERS = 3  # an area smaller than this is not an area a researcher would name
MIN_TERM_PAPERS = 3  # a label term used by fewer papers of its area does not describe the area
LABELS_SHOWN = 10

# Targets of issue 8: (">=" or "<=", value).
TARGETS: dict[str, tuple[str, float]] = {
    "iclr area NMI mean": (">=", 0.50),
    "iclr area NMI std": ("<=", 0.01),
    "synthetic area ARI mean": (">=", 0.95),
    "neurips areas < 3 papers": ("<=", 0.0),
    "neurips label terms used by < 3 papers": ("<=", 0.0),
    "neurips build stages s": ("<=", 10.0),
    "neurips peak memory MB": ("<=", 2048.0),
    "topic ICLR mean F1 mean": (">=", 0.60),
}

Row = dict[str, Any]
# Build options other than the defaults, from --set (for trying a change before making it the default).
OVERRIDES: dict[str, Any] = {}


def options(seed: int | None = None) -> BuildOptions:
    return BuildOptions(**({} if seed is None else {"seed": seed}), **OVERRIDES)


def row(section: str, metric: str, value: Any, detail: str = "") -> Row:
    return {"section": section, "metric": f"{section} {metric}", "value": value, "detail": detail}


def spread_rows(section: str, metric: str, values: Sequence[float]) -> list[Row]:
    """Mean, std and min-max of one measure over seeds."""
    v = np.asarray(values, dtype=float)
    detail = f"min {v.min():.3f} max {v.max():.3f} over {len(v)} seeds"
    return [
        row(section, f"{metric} mean", round(float(v.mean()), 4), detail),
        row(section, f"{metric} std", round(float(v.std()), 4)),
    ]


# --- data -----------------------------------------------------------------------------------------


def read_iclr(data: Path) -> tuple[list[Paper], list[int], dict[int, str]]:
    """The ICLR 2022 map's papers, each paper's cluster and the clusters' labels (VOSviewer JSON)."""
    with open(data / ICLR_FILE, encoding="utf-8") as fh:
        network = json.load(fh)["network"]
    papers, clusters = [], []
    for item in network["items"]:
        papers.append(Paper(id=item["id"], title=item["title"], abstract=item.get("abstract") or None))
        clusters.append(int(item["cluster"]))
    names = {int(c["cluster"]): c["label"] for c in network["clusters"]}
    return papers, clusters, names


def small_sample(papers: Sequence[Paper], clusters: Sequence[int]) -> tuple[list[Paper], list[int]]:
    """A fixed stratified sample of the ICLR map: SMALL_PER_CLUSTER papers of every cluster."""
    rng = np.random.default_rng(SMALL_SAMPLE_SEED)
    by_cluster: dict[int, list[int]] = {}
    for i, c in enumerate(clusters):
        by_cluster.setdefault(c, []).append(i)
    chosen = sorted(
        i for c in sorted(by_cluster) for i in rng.choice(by_cluster[c], SMALL_PER_CLUSTER, replace=False)
    )
    return [papers[i] for i in chosen], [clusters[i] for i in chosen]


def membership(G, papers: Sequence[Paper], attr: str = "community") -> list[int]:
    return [G.nodes[p.id][attr] for p in papers]


def best_f1(found: Sequence[int], truth: Sequence[int], cluster: int) -> float:
    """F1 of the area that best matches one true cluster."""
    want = {i for i, t in enumerate(truth) if t == cluster}
    best = 0.0
    for area in set(found):
        got = {i for i, a in enumerate(found) if a == area}
        tp = len(want & got)
        if tp:
            best = max(best, 2 * tp / (len(want) + len(got)))
    return best


# --- sections -------------------------------------------------------------------------------------


def iclr_section(data: Path, seeds: Sequence[int]) -> list[Row]:
    papers, clusters, _ = read_iclr(data)
    scores: dict[str, list[float]] = {k: [] for k in ("area NMI", "area ARI", "sub-area NMI", "sub-area ARI")}
    n_areas, seconds = [], []
    for seed in seeds:
        t = time.perf_counter()
        G = build_graph(papers, options(seed), name="iclr")
        seconds.append(time.perf_counter() - t)
        areas, subs = membership(G, papers), membership(G, papers, "subcommunity")
        scores["area NMI"].append(normalized_mutual_info_score(clusters, areas))
        scores["area ARI"].append(adjusted_rand_score(clusters, areas))
        scores["sub-area NMI"].append(normalized_mutual_info_score(clusters, subs))
        scores["sub-area ARI"].append(adjusted_rand_score(clusters, subs))
        n_areas.append(len(set(areas)))
    rows = [r for metric, values in scores.items() for r in spread_rows("iclr", metric, values)]
    rows.append(row("iclr", "areas", round(float(np.mean(n_areas)), 1), f"per seed {n_areas}"))
    rows.append(row("iclr", "build s", round(float(np.mean(seconds)), 2)))
    return rows


def synthetic_section(data: Path, seeds: Sequence[int]) -> list[Row]:
    from graphx.synthetic import generate_corpus, paper_topics

    words = data / NEURIPS_DIR / "papers.jsonl"
    ari, n_areas = [], []
    for seed in seeds:
        # A new corpus per seed: the score should not rest on one draw of the planted topics.
        papers = generate_corpus(SYNTHETIC_PAPERS, seed=seed, words_file=words)
        topics = paper_topics(SYNTHETIC_PAPERS, seed=seed).tolist()
        G = build_graph(papers, options(seed), name="synthetic")
        areas = membership(G, papers)
        ari.append(adjusted_rand_score(topics, areas))
        n_areas.append(len(set(areas)))
    return [
        *spread_rows("synthetic", "area ARI", ari),
        row("synthetic", "areas", round(float(np.mean(n_areas)), 1), f"planted {len(set(topics))}"),
    ]


def neurips_section(data: Path, seeds: Sequence[int]) -> list[Row]:
    from graphx.sources.files import load_papers

    folder = data / NEURIPS_DIR
    papers = load_papers([folder / "papers.jsonl"], citations=[folder / "edges.tsv"]).papers
    cpu = time.process_time()
    G = build_graph(papers, options(), name="neurips")  # the default seed a user gets
    cpu = time.process_time() - cpu
    stages = {k: v for k, v in G.graph["meta"]["timings_s"].items() if k != "save"}
    areas = G.graph["communities"]
    members: dict[int, list[str]] = {}
    for n, a in G.nodes(data="community"):
        members.setdefault(a, []).append(n)
    # Whole-word use, as the labeller counts it (labels.term_papers): a completed phrase such as
    # "large language models" is not one of the analyser's tokens.
    text = {p.id: paper_text(p) for p in papers}
    terms_total, terms_rare, small_named = 0, 0, 0
    for c in areas:
        if c["size"] < MIN_AREA_PAPERS and not c.get("unclustered"):
            small_named += 1
        floor = min(MIN_TERM_PAPERS, c["size"])
        for term in c["terms"]:
            if term.startswith("#") or term == "(all)":
                continue
            terms_total += 1
            used = term_papers(term, [text[n] for n in members[c["id"]]])
            terms_rare += used < floor
    sizes = sorted((c["size"] for c in areas), reverse=True)
    rows = [
        row("neurips", "areas", len(areas), f"largest {sizes[0]}, sizes {sizes[:12]}"),
        row("neurips", "areas < 3 papers", sum(s < MIN_AREA_PAPERS for s in sizes),
            f"{small_named} of them named from their own terms"),
        row("neurips", "label terms used by < 3 papers", round(terms_rare / max(terms_total, 1), 4),
            f"{terms_rare} of {terms_total} terms"),
        row("neurips", "build stages s", round(sum(stages.values()), 2),
            " ".join(f"{k} {v:.2f}" for k, v in stages.items())),
        row("neurips", "build CPU s", round(cpu, 2),
            f"all threads; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (wall is noisy)"),
        row("neurips", "peak memory MB", round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)),
    ]  # fmt: skip
    for c in sorted(areas, key=lambda c: -c["size"])[:LABELS_SHOWN]:
        rows.append(row("neurips", f"label #{c['id']}", c["label"], f"{c['size']} papers"))
    warnings = G.graph["meta"].get("warnings")
    if warnings:
        rows.append(row("neurips", "build warnings", "; ".join(warnings)))
    return rows


def small_section(data: Path, seeds: Sequence[int]) -> list[Row]:
    papers, clusters, _ = read_iclr(data)
    papers, clusters = small_sample(papers, clusters)
    nmi, f1 = [], []
    for seed in seeds:
        G = build_graph(papers, options(seed), name="small")
        areas = membership(G, papers)
        nmi.append(normalized_mutual_info_score(clusters, areas))
        f1.append(float(np.mean([best_f1(areas, clusters, c) for c in sorted(set(clusters))])))
    return [*spread_rows("small", "area NMI", nmi), *spread_rows("small", "best-area F1", f1)]


def topic_rows(data: Path, seeds: Sequence[int]) -> list[Row]:
    """Topic lens on the ICLR map (``benchmarks/bench_topic.py``'s ``topic_section``, where that file
    exists): each curated cluster queried by its own label, mean F1 over clusters, then over seeds."""
    path = Path(__file__).with_name("bench_topic.py")
    if not path.is_file():
        return []
    spec = importlib.util.spec_from_file_location("bench_topic", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    papers, cluster, cluster_labels = module.iclr_papers(data)
    f1, precision, recall, found = [], [], [], []
    for seed in seeds:
        G = build_graph(papers, options(seed), name="iclr")
        rows = module.topic_section(G, cluster, cluster_labels)
        f1.append(float(np.mean([r["f1"] for r in rows])))
        precision.append(float(np.mean([r["precision"] for r in rows])))
        recall.append(float(np.mean([r["recall"] for r in rows])))
        found.append(float(np.mean([r["found"] for r in rows])))
    worst = min(rows, key=lambda r: r["f1"])
    return [
        *spread_rows("topic", "ICLR mean F1", f1),
        row("topic", "ICLR mean precision", round(float(np.mean(precision)), 4)),
        row("topic", "ICLR mean recall", round(float(np.mean(recall)), 4)),
        row("topic", "ICLR mean papers found", round(float(np.mean(found)), 1), "clusters hold ~120 papers"),
        row("topic", "ICLR worst cluster F1", round(worst["f1"], 4), f"last seed: {worst['query']!r}"),
    ]


SECTIONS: dict[str, Callable[[Path, Sequence[int]], list[Row]]] = {
    "neurips": neurips_section,
    "iclr": iclr_section,
    "synthetic": synthetic_section,
    "small": small_section,
    "topic": topic_rows,
}


# --- report ---------------------------------------------------------------------------------------


def ratio(metric: str, value: Any) -> tuple[str, str]:
    """(target text, ratio text) for a metric; zero targets print met/missed instead of a ratio."""
    if metric not in TARGETS or not isinstance(value, int | float):
        return "", ""
    op, target = TARGETS[metric]
    met = value >= target if op == ">=" else value <= target
    if target == 0:
        return f"{op} 0", "met" if met else "MISSED"
    return f"{op} {target:g}", f"{value / target:.2f}" + ("" if met else " MISSED")


def previous_results(before: Path | None) -> dict[str, Any]:
    if before is None or not before.is_file():
        return {}
    with open(before, encoding="utf-8") as fh:
        return {r["metric"]: r["value"] for r in json.load(fh)["rows"]}


def print_table(rows: list[Row], previous: dict[str, Any], out=sys.stdout) -> None:
    print(f"{'metric':<46} {'value':>10} {'target':>8} {'ratio':>12} {'previous':>10}  detail", file=out)
    for r in rows:
        value, prev = r["value"], previous.get(r["metric"], "")
        if isinstance(value, str):
            print(f"{r['metric']:<46} {value}", file=out)
            if prev and prev != value:
                print(f"{'':<46} (previous: {prev})", file=out)
            continue
        target, rat = ratio(r["metric"], value)
        print(f"{r['metric']:<46} {value:>10} {target:>8} {rat:>12} {prev!s:>10}  {r['detail']}", file=out)


def save_results(rows: list[Row], meta: dict[str, Any]) -> Path:
    """Write this run to cache/bench/quality-<time>.json atomically; returns the path."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    path = RESULTS_DIR / f"quality-{stamp}.json"
    fd, tmp = tempfile.mkstemp(dir=RESULTS_DIR, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump({"meta": meta, "rows": rows}, fh, indent=1, ensure_ascii=False)
    os.replace(tmp, path)
    return path


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--seeds", type=int, default=5, help="seeds per set (default 5)")
    parser.add_argument("--only", default="", help="comma-separated sections: " + ", ".join(SECTIONS))
    parser.add_argument("--before", type=Path, help="results JSON to compare with (default: the last run)")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="OPTION=VALUE",
        help="build option other than its default, e.g. --set top_k=10 (JSON values)",
    )
    parser.add_argument("--no-save", action="store_true", help="do not keep this run's results")
    args = parser.parse_args()
    if not (args.data / ICLR_FILE).is_file():
        print(f"real data not found at {args.data}; pass --data", file=sys.stderr)
        return 2
    OVERRIDES.update({k: json.loads(v) for k, v in (item.split("=", 1) for item in args.set)})
    chosen = [s for s in args.only.split(",") if s] or list(SECTIONS)
    seeds = list(range(1, args.seeds + 1))
    runs = sorted(RESULTS_DIR.glob("quality-*.json"))
    previous = previous_results(args.before or (runs[-1] if runs else None))

    start = time.perf_counter()
    rows: list[Row] = []
    seconds: dict[str, float] = {}
    for name in chosen:
        t = time.perf_counter()
        rows.extend(SECTIONS[name](args.data, seeds))
        seconds[name] = round(time.perf_counter() - t, 1)
    total = time.perf_counter() - start
    print_table(rows, previous)
    print(f"sections: {seconds}; total {total:.0f} s")
    if not args.no_save:
        meta = {
            "overrides": OVERRIDES,
            "seeds": seeds,
            "sections_s": seconds,
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        print(f"saved {save_results(rows, meta)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
