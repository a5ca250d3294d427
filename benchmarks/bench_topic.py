"""Benchmark: area labels and the topic lens on real data.

Labels (issue 8 item 5), on the NeurIPS/ICML corpus, the pasted trending page (200 of its papers, text
only) and the ICLR 2022 map: share of label terms used by fewer than 3 papers of their area (target 0),
single words against phrases, and the labels of the 10 largest areas (ICLR: beside the curated ones).

Topic lens (item 6), on the ICLR 2022 map: each of its 10 curated clusters is queried by its own label
and the found set scored against the cluster (precision, recall, F1; target mean F1 >= 0.60). A few
queries on the NeurIPS/ICML set and the trending page are printed for a human look.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_topic.py [--data ../shared/data] [--seeds 42,7,1]

Exits 1 if a target is missed. :func:`label_section` and :func:`topic_section` return rows for other
benchmarks (bench_quality) to print.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
TARGET_TOPIC_F1 = 0.60
TARGET_RARE_TERM_SHARE = 0.0
MIN_TERM_PAPERS = 3
LARGEST_AREAS = 10
LOOK_QUERIES = {
    "neurips": (
        "graph neural networks",
        "inference-time scaling",
        "differential privacy",
        "optimal transport",
    ),
    "trending": ("inference-time scaling", "graph neural networks", "bandits"),
}


# ------------------------------------------------------------------------------------------- data sets
def iclr_papers(data: Path = DATA) -> tuple[list, dict[str, int], dict[int, str]]:
    """ICLR 2022 map: papers (title + truncated abstract), curated cluster per paper, cluster labels."""
    from graphx.paper import Paper

    doc = json.loads((data / "zeta-alpha-iclr2022-similarity" / "Zeta-Alpha_ICLR2022.json").read_text())
    network = doc["network"]
    papers, cluster = [], {}
    for item in network["items"]:
        abstract = (item.get("abstract") or "").removesuffix("...")
        papers.append(Paper(id=item["id"], title=item["title"], abstract=abstract or None))
        cluster[item["id"]] = int(item["cluster"])
    labels = {int(c["cluster"]): c["label"] for c in network["clusters"]}
    return papers, cluster, labels


def neurips_papers(data: Path = DATA, *, citations: bool = True) -> list:
    """The 6,545 NeurIPS/ICML papers, with their citation edges unless ``citations`` is false."""
    from graphx.sources.files import load_papers

    folder = data / "cs768-neurips-icml-citations"
    edges = [folder / "edges.tsv"] if citations else []
    return load_papers([folder / "papers.jsonl"], citations=edges).papers


def trending_papers(data: Path = DATA) -> list:
    """The 200 papers of the pasted trending page: titles and abstracts, no citations."""
    gold = json.loads((data / "pasted-listings" / "trending-page.gold.json").read_text())
    by_id = {p.id: p for p in neurips_papers(data, citations=False)}
    return [by_id[g["id"]] for g in gold]


def build(papers: Sequence, *, seed: int = 42, name: str = "bench") -> nx.MultiDiGraph:
    from graphx.build.pipeline import BuildOptions, build_graph

    return build_graph(papers, BuildOptions(seed=seed), name=name)


# ----------------------------------------------------------------------------------------------- labels
def area_term_support(G: nx.MultiDiGraph, level: str = "communities") -> list[dict]:
    """Per area: its label terms and how many of its papers use each (whole-word match on title+abstract)."""
    from graphx.build.labels import term_papers

    attr = "community" if level == "communities" else "subcommunity"
    members: dict[int, list] = {}
    for n, c in G.nodes(data=attr):
        members.setdefault(c, []).append(n)
    out = []
    for c in G.graph[level]:
        texts = [
            f"{G.nodes[n].get('title', '')}. {G.nodes[n].get('abstract') or ''}" for n in members[c["id"]]
        ]
        out.append({**c, "support": {t: term_papers(t, texts) for t in c["terms"] if t != "unclustered"}})
    return out


def label_section(G: nx.MultiDiGraph, *, name: str) -> list[dict]:
    """Rows of label metrics for one built graph (areas, then sub-areas).

    ``rare_share``: label terms used by fewer papers of their area than the labeller requires
    (3, or a third of a small area); ``under3_share``: used by fewer than 3, whatever the area's size.
    """
    from graphx.build.labels import min_term_papers

    rows = []
    for level in ("communities", "subcommunities"):
        areas = area_term_support(G, level)
        terms = [(t, k, a["size"]) for a in areas for t, k in a["support"].items()]
        rare = [t for t, k, size in terms if k < min_term_papers(size)]
        under3 = [t for t, k, size in terms if k < MIN_TERM_PAPERS]
        phrases = sum(1 for t, _, _ in terms if " " in t or "-" in t)
        rows.append(
            {
                "set": name,
                "level": level,
                "areas": len(areas),
                "tiny_named": sum(
                    1 for a in areas if a["size"] < MIN_TERM_PAPERS and a["terms"] != ["unclustered"]
                ),
                "terms": len(terms),
                "rare_share": len(rare) / max(len(terms), 1),
                "under3_share": len(under3) / max(len(terms), 1),
                "phrases": phrases,
                "words": len(terms) - phrases,
                "largest": [
                    (a["size"], a["label"]) for a in sorted(areas, key=lambda a: -a["size"])[:LARGEST_AREAS]
                ],
            }
        )
    return rows


def print_label_rows(rows: list[dict]) -> None:
    for r in rows:
        print(
            f"{r['set']:<9} {r['level']:<15} areas {r['areas']:>4}  tiny named {r['tiny_named']:>3}  "
            f"terms {r['terms']:>4}  under support {r['rare_share']:6.1%}  "
            f"<3 papers {r['under3_share']:6.1%}  "
            f"phrases {r['phrases']:>4}  words {r['words']:>4}"
        )
        if r["level"] == "communities":
            for size, label in r["largest"]:
                print(f"    {size:>5}  {label}")


# -------------------------------------------------------------------------------------------- topic lens
def prf(found: Sequence[str], truth: set[str]) -> tuple[float, float, float]:
    hit = len(set(found) & truth)
    p = hit / len(found) if found else 0.0
    r = hit / len(truth) if truth else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def topic_section(G: nx.MultiDiGraph, cluster: dict[str, int], cluster_labels: dict[int, str]) -> list[dict]:
    """One row per curated cluster: the lens queried with the cluster's label, scored against it."""
    from graphx.topic import find_topic

    rows = []
    for c, query in sorted(cluster_labels.items()):
        truth = {n for n, k in cluster.items() if k == c and n in G}
        start = time.perf_counter()
        result = find_topic(G, query)
        p, r, f1 = prf(result.papers, truth)
        rows.append(
            {
                "cluster": c,
                "query": query,
                "size": len(truth),
                "found": len(result.papers),
                "precision": p,
                "recall": r,
                "f1": f1,
                "label": result.label,
                "seconds": time.perf_counter() - start,
            }
        )
    return rows


def print_topic_rows(rows: list[dict]) -> float:
    print(f"{'cluster query':<58} {'size':>5} {'found':>5} {'P':>5} {'R':>5} {'F1':>5}  label")
    for r in rows:
        print(
            f"{r['query'][:58]:<58} {r['size']:>5} {r['found']:>5} {r['precision']:5.2f} {r['recall']:5.2f} "
            f"{r['f1']:5.2f}  {r['label']}"
        )
    mean = statistics.fmean(r["f1"] for r in rows)
    print(f"mean F1 {mean:.3f}  (target {TARGET_TOPIC_F1}, ratio {mean / TARGET_TOPIC_F1:.2f})")
    return mean


TRENDING_GOLD = ROOT / "tests" / "data" / "trending-topic-gold.json"


def trending_gold_section(G: nx.MultiDiGraph) -> list[dict]:
    """Precision and recall of the lens on the trending page against hand-made gold sets
    (tests/data/trending-topic-gold.json: queries chosen before the lens ran, papers judged from titles
    and abstracts; "related" papers count as hits for precision, only "on_topic" ones for recall)."""
    from graphx.topic import find_topic

    rows = []
    for query, gold in json.loads(TRENDING_GOLD.read_text())["queries"].items():
        on_topic, related = set(gold["on_topic"]), set(gold["related"])
        found = find_topic(G, query).papers
        hits = sum(p in on_topic or p in related for p in found)
        rows.append({
            "query": query, "gold": len(on_topic), "size": len(found),
            "precision": hits / len(found) if found else 0.0,
            "recall": len(on_topic & set(found)) / len(on_topic),
        })  # fmt: skip
    for r in rows:
        size = f"gold {r['gold']:>3}  size {r['size']:>4}"
        print(f"{r['query']:<28} {size}  P {r['precision']:.2f}  R {r['recall']:.2f}")
    return rows


def look(G: nx.MultiDiGraph, queries: Sequence[str], *, show: int = 8) -> None:
    from graphx.topic import find_topic

    for q in queries:
        result = find_topic(G, q)
        print(f"\n{q!r}: {len(result.papers)} papers, label {result.label!r}, area {result.area!r}")
        for n in result.papers[:show]:
            print(f"    {G.nodes[n].get('title', n)[:100]}")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--seeds", default="42", help="comma-separated build seeds for the ICLR topic lens")
    parser.add_argument("--skip-labels", action="store_true")
    parser.add_argument("--skip-topic", action="store_true")
    args = parser.parse_args()
    if not args.data.is_dir():
        print(f"real data not found at {args.data}; pass --data", file=sys.stderr)
        return 2
    seeds = [int(s) for s in args.seeds.split(",")]
    ok = True

    papers, cluster, cluster_labels = iclr_papers(args.data)
    graphs = {"iclr": build(papers, seed=seeds[0], name="iclr")}
    graphs["trending"] = build(trending_papers(args.data), name="trending")
    graphs["neurips"] = build(neurips_papers(args.data), name="neurips")

    if not args.skip_labels:
        print("== labels ==")
        print("ICLR curated clusters: " + " | ".join(cluster_labels[c] for c in sorted(cluster_labels)))
        for name, G in graphs.items():
            rows = label_section(G, name=name)
            print_label_rows(rows)
            ok &= rows[0]["rare_share"] <= TARGET_RARE_TERM_SHARE and rows[0]["tiny_named"] == 0

    if not args.skip_topic:
        print("\n== topic lens: ICLR 2022 clusters queried by their labels ==")
        means = []
        for seed in seeds:
            G = graphs["iclr"] if seed == seeds[0] else build(papers, seed=seed, name="iclr")
            print(f"-- build seed {seed}")
            means.append(print_topic_rows(topic_section(G, cluster, cluster_labels)))
        spread = max(means) - min(means)
        print(f"mean F1 over seeds {statistics.fmean(means):.3f}, spread {spread:.3f}")
        ok &= statistics.fmean(means) >= TARGET_TOPIC_F1
        print("\n-- trending page: hand-made gold sets")
        trending_gold_section(graphs["trending"])
        for name in ("neurips", "trending"):
            print(f"\n-- {name}: a look")
            look(graphs[name], LOOK_QUERIES[name])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
