"""What the CLI prints: a progress bar per build stage, build summaries and area listings.

Terminal output only; the library reports progress through callbacks and never prints.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click
import networkx as nx
from tqdm import tqdm

from graphx.palette import count_areas

STAGE_NAMES = {
    "fetch": "fetching papers",
    "edges": "citation edges",
    "similarity": "similarity edges",
    "metrics": "pagerank",
    "weights": "weighted graph",
    "communities": "communities",
    "labels": "labels",
    "layout": "layout",
    "save": "saving",
}


class StageBars:
    """One tqdm bar per build stage, fed by the pipeline's progress(stage, done, total) callback.

    Without a terminal (logs, CI) each stage prints one line when it ends instead of redrawn bars.
    """

    def __init__(self, enabled: bool = True):
        self.enabled = enabled
        self.live = enabled and sys.stderr.isatty()
        self.bar: tqdm | None = None
        self.stage: str | None = None
        self.started = 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        if stage != self.stage:
            self.close()
            self.stage, self.started = stage, time.perf_counter()
            if self.live:
                self.bar = tqdm(
                    total=total or None,
                    desc=f"{STAGE_NAMES.get(stage, stage):>17}",
                    file=sys.stderr,
                    dynamic_ncols=True,
                    bar_format=_bar_format(total),
                )
        if self.bar is not None:
            if total and self.bar.total != total:
                self.bar.total = total
                self.bar.bar_format = _bar_format(total)
            self.bar.n = done
            self.bar.refresh()
        if total and done >= total:
            self.close()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        elif self.stage is not None and self.enabled:
            label = STAGE_NAMES.get(self.stage, self.stage)
            click.echo(f"{label:>17}: done in {time.perf_counter() - self.started:.1f}s", err=True)
        self.bar, self.stage = None, None


def _bar_format(total: int) -> str:
    if total <= 1:
        return "{desc}: {elapsed}"
    return "{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}]"


def print_build_summary(graph: Mapping[str, Any], folder: Path, elapsed_s: float) -> None:
    """Papers, edges by kind, the largest areas with their labels, and the time per stage, from a built
    graph's attributes (``G.graph``: ``meta``, ``communities``, ``subcommunities``)."""
    meta = graph["meta"]
    counts = meta["counts"]
    edges = ", ".join(f"{n:,} {kind}" for kind, n in counts["edges"].items())
    areas = graph["communities"]
    click.echo(f"\nBuilt {meta['name']!r}: {counts['papers']:,} papers; edges: {edges}")
    _print_areas_and_time(areas, len(graph["subcommunities"]), meta["timings_s"], elapsed_s)
    # A map stored as tables (--store tables) exports an area at a time.
    from graphx.store.graphs import is_tables

    area = " --area 0" if is_tables(folder) else ""
    click.echo(
        f"Stored in {folder}. Next: graphx info {meta['name']} / "
        f"graphx export {meta['name']}{area} --format gexf"
    )


def print_tables_summary(folder: Path, elapsed_s: float) -> None:
    """:func:`print_build_summary` for a graph built on Dask, from its stored ``meta.json``."""
    import json

    meta = json.loads((Path(folder) / "meta.json").read_text(encoding="utf-8"))
    counts = meta["counts"]
    edges = ", ".join(f"{n:,} {kind}" for kind, n in counts["edges"].items())
    click.echo(f"\nBuilt {meta['name']!r} on Dask: {counts['papers']:,} papers; edges: {edges}")
    areas = meta.get("communities", [])
    _print_areas_and_time(areas, len(meta.get("subcommunities", [])), meta["timings_s"], elapsed_s)
    click.echo(f"Stored in {folder}. Next: graphx serve, or graphx export {meta['name']} --area 0")


def _print_areas_and_time(
    areas: list[dict], n_subareas: int, timings_s: dict[str, float], elapsed_s: float
) -> None:
    """The area count, the ten largest areas with their labels, and the time per stage."""
    n_areas, n_small, small_papers = count_areas([int(c["size"]) for c in areas])
    small = f" (and {n_small} small groups, {small_papers:,} papers)" if n_small else ""
    click.echo(f"{n_areas} research areas{small}, {n_subareas} sub-areas. Largest areas:")
    for c in areas[:10]:
        click.echo(f"  {c['id']:>3}  {c['size']:>6,}  {c['label']}")
    timings = ", ".join(f"{stage} {s:.1f}s" for stage, s in timings_s.items())
    click.echo(f"Time: {elapsed_s:.1f}s ({timings})")


def print_areas(G: nx.MultiDiGraph, top: int) -> None:
    """Every area with its label, size, years and top papers, and its sub-areas."""
    subs: dict[int, list[dict]] = {}
    for s in G.graph.get("subcommunities", []):
        subs.setdefault(s["parent"], []).append(s)
    for c in G.graph.get("communities", []):
        if c["size"] == 1 and c["id"] > 0:
            continue
        years = f" {c['years'][0]}-{c['years'][1]}" if c.get("years") else ""
        click.echo(f"\n[{c['id']}] {c['label']}  ({c['size']:,} papers{years})")
        for pid in c["top_papers"][:top]:
            click.echo(f"      * {_paper_line(G, pid)}")
        for s in subs.get(c["id"], []) if len(subs.get(c["id"], [])) > 1 else []:
            click.echo(f"    [{s['id']}] {s['label']}  ({s['size']:,})")
    singles = sum(1 for c in G.graph.get("communities", []) if c["size"] == 1)
    if singles:
        click.echo(f"\n{singles:,} papers are linked to no area (singletons).")


def _paper_line(G: nx.MultiDiGraph, pid: str) -> str:
    node = G.nodes[pid]
    year = f" ({node['year']})" if node.get("year") else ""
    return f"{node.get('title', pid)}{year} [cited {node.get('citation_count', 0):,}]"


MISSING_HEADINGS = {
    "foundations": "Foundations: outside papers that {scope} cites most (count = citing papers of {scope})",
    "follow_ups": "Follow-ups: outside papers citing {scope} most (count = papers of {scope} they cite)",
}


def print_missing(found: dict, *, scope: str) -> None:
    """The two lists of :func:`graphx.missing.missing_papers`, best first."""
    for kind, heading in MISSING_HEADINGS.items():
        click.echo(heading.format(scope=scope))
        if not found[kind]:
            click.echo("  none: the papers store holds no such links (Semantic Scholar builds list citers).")
        for p in found[kind]:
            year = f" ({p.year})" if p.year else ""
            click.echo(f"  {p.count:>5,}  {p.title or '(title unknown)'}{year}  [{p.id}]")
        click.echo("")


def print_explanation(found: dict) -> None:
    """The links between two papers, as :func:`graphx.explain.explain_link` returns them."""
    a, b = found["a"], found["b"]
    click.echo(f"A: {a['title']} ({a.get('year') or '?'})  [{a['id']}]")
    click.echo(f"B: {b['title']} ({b.get('year') or '?'})  [{b['id']}]")
    cites = {
        "a->b": "A cites B",
        "b->a": "B cites A",
        "both": "they cite each other",
        None: "neither cites the other",
    }
    click.echo(f"citation: {cites[found['cites']]}")
    for key, what in (("shared_references", "references"), ("shared_citers", "citers")):
        shared = found[key]
        click.echo(f"shared {what}: {shared['count']:,} (strength {shared['strength']:.3f})")
        for title in shared["titles"]:
            click.echo(f"  - {title}")
    click.echo(f"shared terms: {', '.join(found['shared_terms']) or 'none'}")
    sim = found["similarity"]
    parts = ", ".join(f"{k} {v:.3f}" for k, v in sim.items() if k != "score" and v is not None)
    score = "unknown" if sim["score"] is None else f"{sim['score']:.3f}"
    click.echo(f"similarity: {score}" + (f" ({parts})" if parts else ""))
