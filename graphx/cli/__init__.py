"""The ``graphx`` command: a thin click shell over the library. Each command parses, calls, prints."""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import click

from graphx.cli.output import StageBars, print_areas, print_build_summary
from graphx.errors import ConfigError, GraphxError
from graphx.export import EXPORT_FORMATS, FORMATS
from graphx.paper import Paper
from graphx.store import graphs as graphstore
from graphx.store.papers import CACHE_ENV, PaperStore, resolve_cache_dir


class GraphxGroup(click.Group):
    """Turns graphx's own errors into one clear message and exit code 1, never a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except GraphxError as exc:
            raise click.ClickException(str(exc)) from exc
        except KeyboardInterrupt:
            click.echo(
                "\nInterrupted. Papers fetched so far are cached and the previous graph of this name is "
                "intact; rerun the same command to resume.",
                err=True,
            )
            sys.exit(130)


cache_option = click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help=f"Cache folder for papers and built graphs (default: ${CACHE_ENV} or ./cache).",
)


@click.group(cls=GraphxGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="graphx")
def cli() -> None:
    """graphx: map a research literature as a citation-and-similarity graph with labelled areas.

    Build a graph from papers files or Semantic Scholar, look at its areas, export it for Gephi,
    or explore it in the browser with `graphx serve`.
    """


def parse_weights(text: str | None) -> dict[str, float] | None:
    """``"cites=1,similar=0.5"`` -> ``{"cites": 1.0, "similar": 0.5}``; unnamed kinds keep their default."""
    if not text:
        return None
    out: dict[str, float] = {}
    for part in text.split(","):
        kind, sep, value = part.partition("=")
        try:
            out[kind.strip()] = float(value)
        except ValueError:
            raise ConfigError(
                f"--weights: {part!r} is not KIND=NUMBER; write e.g. --weights cites=1,similar=1,cocited=0.5"
            ) from None
        if not sep:
            raise ConfigError(f"--weights: {part!r} is not KIND=NUMBER.")
    return out


def default_name(inputs: Sequence[str], query: str | None, paper_ids: Sequence[str]) -> str:
    """A graph name from the first input file, the query, or the first seed."""
    base = Path(inputs[0]).stem if inputs else (query or (paper_ids[0] if paper_ids else "graph"))
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", base).strip("-._")[:60]
    return slug or "graph"


@cli.command()
@click.option(
    "--input",
    "-i",
    "inputs",
    multiple=True,
    type=click.Path(path_type=str),
    help="Papers file: JSONL, JSON, CSV, BibTeX, RIS or Semantic Scholar JSON. Repeatable; "
    "several files merge, duplicates by S2 id, DOI, arXiv id or title.",
)
@click.option(
    "--citations",
    multiple=True,
    type=click.Path(path_type=str),
    help="Citation edge list (TSV/CSV with a citing,cited header) adding references by paper id.",
)
@click.option("--query", "-q", default=None, help="Semantic Scholar search: papers on this topic.")
@click.option(
    "--papers",
    "paper_ids",
    default=None,
    help="Seed papers, comma-separated: S2 ids, DOI:…, ARXIV:…, CorpusId:…, or their URLs.",
)
@click.option(
    "--titles",
    "titles_file",
    type=click.Path(path_type=str),
    default=None,
    help="File of paper titles (one a line, or text copied from a listing page) to resolve on S2.",
)
@click.option(
    "--expand", default="", help="Grow the set along 'references', 'citations' or both (comma-separated)."
)
@click.option("--depth", type=click.IntRange(1, 2), default=1, show_default=True, help="Expansion depth.")
@click.option(
    "--max-papers",
    type=click.IntRange(1, 100_000),
    default=500,
    show_default=True,
    help="Most papers fetched from Semantic Scholar (the most connected to the seeds are kept).",
)
@click.option(
    "--enrich", is_flag=True, help="Fetch references from S2 for --input papers that carry DOI/arXiv ids."
)
@click.option(
    "--api-url", default=None, help="Semantic Scholar Graph API base URL (default: $GRAPHX_S2_API_URL)."
)
@click.option(
    "--requests-per-s",
    type=float,
    default=None,
    help="Most Semantic Scholar requests a second (default: 1 with S2_API_KEY, 1 every 3 s without).",
)
@click.option(
    "--offline", is_flag=True, help="Use only what is cached; fail clearly if something is missing."
)
@click.option("--refresh", is_flag=True, help="Refetch from Semantic Scholar even what is cached.")
@click.option("--skip-bad", is_flag=True, help="Load the good rows of a papers file and report the bad ones.")
@click.option(
    "--name", "-n", default=None, help="Name of the built graph (default: from the input or query)."
)
@click.option("--seed", type=int, default=42, show_default=True, help="Seed: same input + seed = same graph.")
@click.option(
    "--top-k", type=int, default=10, show_default=True, help="Most similar papers linked per paper."
)
@click.option(
    "--min-similarity", type=float, default=0.1, show_default=True, help="Floor of a similarity edge."
)
@click.option(
    "--min-link-strength",
    type=float,
    default=0.1,
    show_default=True,
    help="Floor of co-citation and coupling strengths (Salton cosine).",
)
@click.option(
    "--resolution",
    type=float,
    default=1.0,
    show_default=True,
    help="Area resolution: higher gives more, smaller research areas.",
)
@click.option("--sub-resolution", type=float, default=1.0, show_default=True, help="Sub-area resolution.")
@click.option(
    "--weights",
    default=None,
    help="Edge-kind weights for communities and layout, e.g. cites=1,similar=1,cocited=0.5,coupled=0.5.",
)
@click.option(
    "--embedding-weight",
    type=float,
    default=0.5,
    show_default=True,
    help="Share of SPECTER embedding similarity where papers have embeddings (0 = text only).",
)
@click.option("--quiet", is_flag=True, help="No progress bars.")
@cache_option
def build(
    inputs,
    citations,
    query,
    paper_ids,
    titles_file,
    expand,
    depth,
    max_papers,
    enrich,
    api_url,
    requests_per_s,
    offline,
    refresh,
    skip_bad,
    name,
    seed,
    top_k,
    min_similarity,
    min_link_strength,
    resolution,
    sub_resolution,
    weights,
    embedding_weight,
    quiet,
    cache_dir,
) -> None:
    """Build a graph: load papers, link them, find and label areas, lay out, store.

    \b
    Examples:
      graphx build -i papers.jsonl --citations edges.tsv --name neurips
      graphx build -i zotero.bib -i more.ris --enrich
      graphx build --query "test-time compute scaling" --max-papers 300 --expand references,citations
    """
    from graphx.build.pipeline import BuildOptions, build_and_save

    seeds = [s.strip() for s in (paper_ids or "").split(",") if s.strip()]
    if not (inputs or query or seeds or titles_file):
        raise ConfigError(
            "Nothing to build from: give --input FILE, --query TEXT, --papers IDS or --titles FILE."
        )
    options_kwargs = dict(
        seed=seed,
        top_k=top_k,
        min_similarity=min_similarity,
        resolution=resolution,
        min_link_strength=min_link_strength,
        sub_resolution=sub_resolution,
        embedding_weight=embedding_weight,
    )
    parsed = parse_weights(weights)
    if parsed:
        options_kwargs["weights"] = {**BuildOptions().weights, **parsed}
    options = BuildOptions(**options_kwargs)
    name = graphstore.check_name(name or default_name(inputs, query, seeds))
    cache = resolve_cache_dir(cache_dir)
    bars = StageBars(enabled=not quiet)
    started = time.perf_counter()

    papers: list[Paper] = []
    if inputs or citations:
        papers = _load_files(inputs, citations, skip_bad)
    with PaperStore(cache) as store:
        if papers:
            store.upsert_papers(papers)
        if query or seeds or titles_file or enrich:
            directions = [d.strip() for d in expand.split(",") if d.strip()]
            s2_options = dict(
                query=query, paper_ids=seeds, titles_file=titles_file, enrich=papers if enrich else (),
                expand=directions, depth=depth, max_papers=max_papers, api_url=api_url,
                requests_per_s=requests_per_s, offline=offline, refresh=refresh,
            )  # fmt: skip
            papers = papers + _collect(store, s2_options, bars)
    described = (
        [*inputs, *citations] + ([f"query: {query}"] if query else []) + [f"paper: {s}" for s in seeds]
    )
    if titles_file:
        described.append(f"titles: {titles_file}")
    G, folder = build_and_save(papers, cache, name, options, inputs=described, progress=bars)
    bars.close()
    print_build_summary(G, folder, time.perf_counter() - started)


def _load_files(inputs: Sequence[str], citations: Sequence[str], skip_bad: bool) -> list[Paper]:
    from graphx.sources.files import load_papers

    result = load_papers(inputs, skip_bad=skip_bad, citations=citations)
    for path, count in result.counts.items():
        click.echo(f"read {count:,} papers from {path}", err=True)
    if result.skipped:
        click.echo(f"skipped {len(result.skipped):,} bad entries (--skip-bad):", err=True)
        for bad in result.skipped[:10]:
            click.echo(f"  {bad.path}, {bad.where}: {bad.reason}", err=True)
        if len(result.skipped) > 10:
            click.echo(f"  ... and {len(result.skipped) - 10:,} more", err=True)
    return result.papers


def _collect(store: PaperStore, s2_options: dict, progress: StageBars) -> list[Paper]:
    from graphx.sources.s2 import collect_papers

    bad = set(s2_options["expand"]) - {"references", "citations"}
    if bad:
        raise ConfigError(f"--expand takes 'references', 'citations' or both, not {', '.join(sorted(bad))}.")
    result = collect_papers(store, **s2_options, progress=progress)
    progress.close()
    click.echo(
        f"Semantic Scholar: {len(result.papers):,} papers ({result.from_cache:,} from the cache, "
        f"{result.requests:,} requests)",
        err=True,
    )
    for note in result.notes:
        click.echo(f"  note: {note}", err=True)
    return result.papers


@cli.command()
@click.argument("name")
@click.option(
    "--input",
    "-i",
    "inputs",
    multiple=True,
    type=click.Path(path_type=str),
    required=True,
    help="Papers file(s) to add, in any format `graphx build` reads.",
)
@click.option(
    "--citations", multiple=True, type=click.Path(path_type=str), help="Citation edge list(s) (citing,cited)."
)
@click.option("--skip-bad", is_flag=True, help="Load the good rows of a papers file and report the bad ones.")
@click.option("--quiet", is_flag=True, help="No progress bars.")
@cache_option
def add(name, inputs, citations, skip_bad, quiet, cache_dir) -> None:
    """Add papers to a built graph without rebuilding it: the map stays where it was.

    New papers join the area they are most linked to and are placed beside their neighbours;
    existing papers keep their areas, labels and positions. `graphx build` recomputes everything.
    """
    from graphx.build.update import add_and_save

    cache = resolve_cache_dir(cache_dir)
    graphstore.load_meta(cache, name)  # a missing graph fails before any file is read
    papers = _load_files(inputs, citations, skip_bad)
    bars = StageBars(enabled=not quiet)
    started = time.perf_counter()
    with PaperStore(cache) as store:
        G, folder = add_and_save(
            cache, name, papers, store=store, inputs=[*inputs, *citations], progress=bars
        )
    bars.close()
    click.echo(f"Added {len(papers):,} papers.")
    print_build_summary(G, folder, time.perf_counter() - started)


@cli.command()
@click.argument("name")
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(FORMATS),
    default="gexf",
    show_default=True,
    help="; ".join(f"{f.name}: {f.help}" for f in EXPORT_FORMATS.values()) + ".",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    default=None,
    help="Output file (a folder for csv). Default: NAME.<format> in the current folder.",
)
@click.option(
    "--area", type=int, default=None, help="Export only this research area (its id from `graphx info`)."
)
@cache_option
def export(name, fmt, output, area, cache_dir) -> None:
    """Export a built graph for Gephi, yEd, spreadsheets or a browser."""
    from graphx.export import export_graph, subgraph_for_community

    G = graphstore.load_graph(resolve_cache_dir(cache_dir), name)
    if area is not None:
        known = {c["id"] for c in G.graph.get("communities", [])}
        if area not in known:
            raise ConfigError(
                f"Graph {name!r} has no area {area}; `graphx info {name}` lists them (0-{len(known) - 1})."
            )
        G = subgraph_for_community(G, area)
    output = output or EXPORT_FORMATS[fmt].default_path(
        f"{name}{'-area' + str(area) if area is not None else ''}"
    )
    for path in export_graph(G, fmt, output):
        click.echo(f"wrote {path}")


@cli.command("list")
@cache_option
def list_(cache_dir) -> None:
    """List the built graphs in the cache."""
    cache = resolve_cache_dir(cache_dir)
    graphs = graphstore.list_graphs(cache)
    if not graphs:
        click.echo(f"No built graphs in {cache}. Build one with: graphx build --input papers.jsonl")
        return
    click.echo(f"{'name':<28} {'papers':>8} {'edges':>9} {'areas':>6}  built")
    for meta in graphs:
        counts = meta.get("counts", {})
        n_edges = sum(counts.get("edges", {}).values())
        n_areas = counts.get("areas", 0)
        built = meta.get("built_at", "?")
        click.echo(f"{meta['name']:<28} {counts.get('papers', 0):>8,} {n_edges:>9,} {n_areas:>6}  {built}")


@cli.command()
@click.argument("name")
@click.option(
    "--top", type=click.IntRange(0, 20), default=3, show_default=True, help="Top papers shown per area."
)
@cache_option
def info(name, top, cache_dir) -> None:
    """Show a built graph's areas and sub-areas: labels, sizes, years and top papers."""
    cache = resolve_cache_dir(cache_dir)
    G = graphstore.load_graph(cache, name)
    meta = G.graph.get("meta", {})
    counts = meta.get("counts", {})
    edges = ", ".join(f"{n:,} {k}" for k, n in counts.get("edges", {}).items())
    click.echo(f"{name}: {G.number_of_nodes():,} papers; edges: {edges}; built {meta.get('built_at', '?')}")
    click.echo(f"inputs: {', '.join(meta.get('inputs', [])) or '?'}; seed {meta.get('seed')}")
    print_areas(G, top)


@cli.command()
@click.argument("name")
@click.argument("query")
@click.option("--json", "as_json", is_flag=True, help="Print {query, papers, label, area} as JSON.")
@cache_option
def topic(name, query, as_json, cache_dir) -> None:
    """Papers of a topic in a built graph, best first, with the set's label and the area it overlaps most."""
    import json

    from graphx.build.text import TextIndex
    from graphx.topic import find_topic

    cache = resolve_cache_dir(cache_dir)
    G = graphstore.load_graph(cache, name)
    result = find_topic(G, query, index=TextIndex.load(graphstore.graph_dir(cache, name)))
    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False))
        return
    click.echo(f"{query!r}: {len(result.papers):,} papers; label: {result.label}; area: {result.area}")
    for n in result.papers:
        click.echo(f"  {n}  {G.nodes[n].get('title', '')}")


@cli.command()
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to bind (127.0.0.1: this machine only)."
)
@click.option("--port", type=click.IntRange(1, 65535), default=5000, show_default=True)
@click.option("--open", "open_browser", is_flag=True, help="Open the explorer in the default browser.")
@cache_option
def serve(host, port, open_browser, cache_dir) -> None:
    """Serve the web explorer for the built graphs (and build new ones from the browser)."""
    from webui import serve as run

    run(resolve_cache_dir(cache_dir), host=host, port=port, open_browser=open_browser)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``graphx`` command and ``python -m graphx``."""
    cli.main(args=list(argv) if argv is not None else None, prog_name="graphx")
