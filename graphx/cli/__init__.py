"""The ``graphx`` command: a thin click shell over the library. Each command parses, calls, prints."""

from __future__ import annotations

import os
import re
import sqlite3
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import click

from graphx.cli.demo import demo_option, register, with_demo
from graphx.cli.enrich import enrich_command
from graphx.cli.output import (
    StageBars,
    print_areas,
    print_build_summary,
    print_explanation,
    print_missing,
    print_tables_summary,
)
from graphx.cli.release import load_releases, split_releases
from graphx.errors import ConfigError, GraphxError
from graphx.export import EXPORT_FORMATS, FORMATS
from graphx.options import BUILD, FETCH, OPTIONS, S2AG, SCALE, Option, build_options, group
from graphx.paper import Paper
from graphx.store import graphs as graphstore
from graphx.store.papers import CACHE_ENV, DB_FILENAME, PaperStore, damaged_store, resolve_cache_dir

STDOUT = "-"


class GraphxGroup(click.Group):
    """Turns graphx's own errors into one clear message and exit code 1, never a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except GraphxError as exc:
            raise click.ClickException(str(exc)) from exc
        except sqlite3.DatabaseError as exc:  # a papers.sqlite damaged past the pages opening it reads
            raise click.ClickException(str(damaged_store(_store_path(ctx), exc))) from exc
        except MemoryError:
            raise click.ClickException(
                "Ran out of memory. Build fewer papers (--max-papers), close other programs, or raise the "
                "memory limit (ulimit -v); papers fetched so far are cached."
            ) from None
        except BrokenPipeError:  # output piped into a reader that stopped (`graphx topic ... | head`)
            # Not a disk error: stop quietly (stdout pointed at devnull, so flushing at exit cannot fail
            # again), exit status 1 as Python's documentation advises for SIGPIPE.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(1)
        except OSError as exc:  # full disk, read-only folder, device or folder where a file should go
            where = f" ({exc.filename})" if exc.filename else ""
            raise click.ClickException(
                f"{exc.strerror or exc}{where}. Free some space, fix the permissions or choose another path; "
                "nothing already built or fetched was lost."
            ) from None
        except KeyboardInterrupt:
            click.echo(
                "\nInterrupted. Papers fetched so far are cached and the previous graph of this name is "
                "intact; rerun the same command to resume.",
                err=True,
            )
            sys.exit(130)


CACHE_META_KEY = "graphx.cache_dir"


def _store_path(ctx: click.Context) -> Path:
    return resolve_cache_dir(ctx.meta.get(CACHE_META_KEY)) / DB_FILENAME


def _remember_cache_dir(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    ctx.meta[CACHE_META_KEY] = value  # meta is shared by the whole context tree: the group reads it
    return value


cache_option = click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    callback=_remember_cache_dir,
    help=f"Cache folder for papers and built graphs (default: ${CACHE_ENV} or ./cache).",
)


@click.group(cls=GraphxGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="graphx")
def cli() -> None:
    """graphx: map a research literature as a citation-and-similarity graph with labelled areas.

    Build a graph from papers files or Semantic Scholar, look at its areas, export it for Gephi,
    or explore it in the browser with `graphx serve`.
    """


def default_name(inputs: Sequence[str], query: str | None, paper_ids: Sequence[str]) -> str:
    """A graph name from the first input file, the query, or the first seed."""
    base = Path(inputs[0]).stem if inputs else (query or (paper_ids[0] if paper_ids else "graph"))
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", base).strip("-._")[:60]
    return slug or "graph"


def option_flag(option: Option):
    """The click option of a declared build/fetch option (graphx.options); values are checked there."""
    help_text = option.help[0].upper() + option.help[1:]
    flags = [option.flag, *([option.short] if option.short else [])]
    if option.type is bool:
        return click.option(*flags, option.name, is_flag=True, default=None, help=help_text)
    if option.default not in (None, ()):
        shown = (
            ",".join(f"{k}={v:g}" for k, v in option.default.items())
            if option.type is dict
            else option.default
        )
        help_text += f"  [default: {shown}]"
    click_type = {int: click.INT, float: click.FLOAT}.get(option.type, click.STRING)
    return click.option(*flags, option.name, type=click_type, default=None, help=help_text)


def declared_options(group_name: str):
    """Every option of a group (graphx.options) as click options, in declaration order."""

    def decorate(fn):
        for option in reversed(group(group_name)):
            fn = option_flag(option)(fn)
        return fn

    return decorate


def given(params: dict, group_name: str) -> dict:
    """The options of ``group_name`` given on the command line, parsed and checked."""
    out = {}
    for option in group(group_name):
        value = params.get(option.name)
        if value is None or (option.type is bool and not value):
            continue
        if option.type in (dict, tuple):
            value = option.parse(value) if option.type is dict else tuple(
                d.strip() for d in value.split(",") if d.strip()
            )  # fmt: skip
        out[option.name] = option.check(value)
    return out


@cli.command()
@click.option(
    "--input",
    "-i",
    "inputs",
    multiple=True,
    type=click.Path(path_type=str),
    help="Papers file: JSONL, JSON, CSV, BibTeX, RIS, Semantic Scholar JSON, or text copied from a "
    "listing page or reading list (.txt, .md); or an S2AG release folder (as --s2ag). Repeatable; several "
    "files merge, duplicates by S2 id, DOI, arXiv id or title.",
)
@click.option(
    "--citations",
    multiple=True,
    type=click.Path(path_type=str),
    help="Citation edge list (TSV/CSV with a citing,cited header) adding references by paper id.",
)
@declared_options(FETCH)
@declared_options(S2AG)
@click.option("--skip-bad", is_flag=True, help="Load the good rows of a papers file and report the bad ones.")
@click.option(
    "--name", "-n", default=None, help="Name of the built graph (default: from the input or query)."
)
@declared_options(BUILD)
@declared_options(SCALE)
@click.option("--quiet", is_flag=True, help="No progress bars.")
@click.option("--dry-run", is_flag=True, help="Print the papers read from --input files and stop.")
@demo_option
@cache_option
def build(inputs, citations, skip_bad, name, quiet, dry_run, demo, cache_dir, **params) -> None:
    """Build a graph: load papers, link them, find and label areas, lay out, store.

    \b
    Examples:
      graphx build -i papers.jsonl --citations edges.tsv --name neurips
      graphx build -i zotero.bib -i more.ris --enrich
      graphx build --query "test-time compute scaling" --max-papers 300 --expand references,citations
      graphx build -i trending-page.txt --dry-run
      graphx build --s2ag s2ag-release/ --fields-of-study "Computer Science" --year-from 2018 -n cs
      graphx build --demo
      graphx build --demo --store tables
    """
    from graphx.build.pipeline import build_and_store
    from graphx.memory import check_build_fits

    inputs, citations, name = with_demo(demo, inputs, citations, name)
    fetch = given(params, FETCH)
    release_options = given(params, S2AG)
    options = build_options(given(params, BUILD))
    store_as = given(params, SCALE).get("store", "graph")
    query, titles_file = fetch.get("query"), fetch.get("titles")
    seeds = [s.strip() for s in (fetch.get("papers") or "").split(",") if s.strip()]
    releases, inputs = split_releases(inputs, release_options)
    if not (inputs or query or seeds or titles_file or releases):
        raise ConfigError(
            "Nothing to build from: give --input FILE, --query TEXT, --papers IDS, --titles FILE or "
            "--s2ag DIR."
        )
    name = graphstore.check_name(name or default_name([*releases, *inputs], query, seeds))
    cache = resolve_cache_dir(cache_dir)
    bars = StageBars(enabled=not quiet)
    started = time.perf_counter()

    scale = given(params, SCALE)
    if _build_on_dask(scale, releases, inputs or citations or query or seeds or titles_file):
        _build_dask(releases[0], release_options, cache, name, options, scale, bars, started)
        return

    papers: list[Paper] = []
    described_releases: list[str] = []
    if releases:
        papers, described_releases = load_releases(releases, release_options, bars)
    if inputs or citations:
        papers = papers + _load_files(inputs, citations, skip_bad)
    if dry_run:
        print_papers(papers)
        return
    with PaperStore(cache) as store:
        if papers:
            store.upsert_papers(papers)
        if query or seeds or titles_file or fetch.get("enrich"):
            s2_options = {k: v for k, v in fetch.items() if k not in ("papers", "titles", "enrich")}
            s2_options.update(
                paper_ids=seeds, titles_file=titles_file, enrich=papers if fetch.get("enrich") else ()
            )
            papers = papers + _collect(store, s2_options, bars, name)
    described = (
        [*described_releases, *inputs, *citations]
        + ([f"query: {query}"] if query else [])
        + [f"paper: {s}" for s in seeds]
    )
    if titles_file:
        described.append(f"titles: {titles_file}")
    check_build_fits(len(papers))  # refuse what cannot fit before the memory-heavy stages
    if store_as == "tables":
        G, folder = _build_tables(papers, cache, name, options, described, bars)
        graph = G.graph
    else:
        graph, folder = build_and_store(
            papers, cache, name, options, inputs=described, progress=bars, processes=scale.get("processes", 0)
        )
    bars.close()
    print_build_summary(graph, folder, time.perf_counter() - started)


def _build_on_dask(scale: dict, releases: list[str], other_inputs) -> bool:
    from graphx.build.distributed import choose_engine

    engine = scale.get("engine", OPTIONS["engine"].default)
    if scale.get("scheduler") and engine == "local":
        raise ConfigError("--scheduler runs a Dask build: give --engine dask (or auto), or leave it out.")
    if engine == "dask" and (len(releases) != 1 or other_inputs):
        raise ConfigError(
            "--engine dask builds from one S2AG release (--s2ag DIR) and nothing else; "
            "use --engine local to combine inputs."
        )
    release = releases[0] if len(releases) == 1 and not other_inputs else None
    return choose_engine(engine, release) == "dask"


def _build_dask(release, values, cache: Path, name: str, options, scale: dict, bars, started: float) -> None:
    """Build a release on Dask (graphx.build.distributed), stored as tables; print the summary."""
    from graphx.build.distributed import build_tables
    from graphx.sources.s2ag import filter_from_options

    folder = build_tables(
        release, name, options, filt=filter_from_options(values), cache_dir=cache,
        scheduler=scale.get("scheduler"), progress=bars, processes=scale.get("processes", 0),
    )  # fmt: skip
    bars.close()
    print_tables_summary(folder, time.perf_counter() - started)


def _build_tables(papers, cache: Path, name: str, options, described, bars):
    """The local engine's graph stored as tables (graphx.store.tables), the save timed as build_and_save's."""
    from graphx.build.pipeline import build_graph
    from graphx.store.tables import save_graph_tables

    G = build_graph(papers, options, name=name, inputs=described, progress=bars, cache_dir=cache)
    started = time.perf_counter()
    G.graph["meta"]["timings_s"]["save"] = 0.0
    folder = save_graph_tables(G, cache, name)
    G.graph["meta"]["timings_s"]["save"] = round(time.perf_counter() - started, 2)
    return G, folder


def _load_files(inputs: Sequence[str], citations: Sequence[str], skip_bad: bool) -> list[Paper]:
    from graphx.sources.files import load_papers

    result = load_papers(inputs, skip_bad=skip_bad, citations=citations)
    for path, count in result.counts.items():
        listing = result.listings.get(path)
        if listing is not None:
            click.echo(f"{path}: {listing.note}", err=True)
        else:
            click.echo(f"read {count:,} papers from {path}", err=True)
    if result.skipped:
        click.echo(f"skipped {len(result.skipped):,} bad entries (--skip-bad):", err=True)
        for bad in result.skipped[:10]:
            click.echo(f"  {bad.path}, {bad.where}: {bad.reason}", err=True)
        if len(result.skipped) > 10:
            click.echo(f"  ... and {len(result.skipped) - 10:,} more", err=True)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    return result.papers


def print_papers(papers: Sequence[Paper]) -> None:
    """One line a paper (year, title, ids, whether it has an abstract): what a build would start from."""
    click.echo(f"{len(papers):,} papers (--dry-run: nothing built)")
    for paper in papers:
        ids = ", ".join(
            f"{kind} {value}"
            for kind, value in (("arXiv", paper.arxiv), ("DOI", paper.doi), ("S2", paper.s2_id))
            if value
        )
        abstract = "abstract" if paper.abstract else "no abstract"
        click.echo(f"{paper.year or '----'}  {paper.title}  [{'; '.join(filter(None, [ids, abstract]))}]")


def _collect(store: PaperStore, s2_options: dict, progress: StageBars, name: str) -> list[Paper]:
    from graphx.sources.s2 import collect_papers

    def say_retry(line: str) -> None:
        click.echo(f"\n{line}", err=True)

    result = collect_papers(store, **s2_options, progress=progress, on_retry=say_retry)
    progress.close()
    if result.unreachable is not None:
        click.echo(
            f"warning: S2 unreachable ({result.unreachable.reason} at {result.unreachable.url}): "
            f"{result.enriched:,} of {result.asked:,} papers enriched; building from the text. "
            f"Rerun to add citations, or run `graphx enrich {name}` later.",
            err=True,
        )
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
    print_build_summary(G.graph, folder, time.perf_counter() - started)


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
    help="Output file (a folder for csv; - for standard output). Default: NAME.<format> here.",
)
@click.option(
    "--area", type=int, default=None, help="Export only this research area (its id from `graphx info`)."
)
@click.option("--ids", default=None, help="Export only these papers (comma-separated ids).")
@cache_option
def export(name, fmt, output, area, ids, cache_dir) -> None:
    """Export a built graph for Gephi, yEd, spreadsheets, a browser or a reference manager."""
    from graphx.export import export_graph, select_subgraph
    from graphx.missing import parse_ids

    cache = resolve_cache_dir(cache_dir)
    if area is not None and graphstore.is_tables(graphstore.graph_dir(cache, name)) and not ids:
        from graphx.store.tables import open_tables

        G = open_tables(cache, name).area(area)  # one area read from the tables, never the whole map
    else:
        G = graphstore.load_graph(cache, name)
        if area is not None:
            known = {c["id"] for c in G.graph.get("communities", [])}
            if area not in known:
                raise ConfigError(
                    f"Graph {name!r} has no area {area}; "
                    f"`graphx info {name}` lists them (0-{len(known) - 1})."
                )
        G = select_subgraph(G, area=area, ids=parse_ids(ids) if ids else None)
    stem = f"{name}-area{area}" if area is not None else (f"{name}-selection" if ids else name)
    output = output or EXPORT_FORMATS[fmt].default_path(stem)
    if str(output) == STDOUT:
        _export_to_stdout(G, fmt, name)
        return
    _check_output(output, fmt)
    for path in export_graph(G, fmt, output):
        click.echo(f"wrote {path} ({G.number_of_nodes():,} papers)")


@cli.command()
@click.argument("name")
@click.option(
    "--area", type=int, default=None, help="Only this research area's links (its id from `graphx info`)."
)
@click.option(
    "--limit", type=click.IntRange(1, 1000), default=20, show_default=True, help="Papers shown of each kind."
)
@click.option(
    "--json", "as_json", is_flag=True, help='Print {"foundations": [...], "follow_ups": [...]} as JSON.'
)
@cache_option
def missing(name, area, limit, as_json, cache_dir) -> None:
    """Papers the map is missing: outside papers it cites most, and outside papers citing most of it.

    Counted from the reference and citation lists in the papers store; nothing is fetched.
    """
    import json

    from graphx.missing import as_json as missing_json
    from graphx.missing import missing_papers

    cache = resolve_cache_dir(cache_dir)
    G = graphstore.load_graph(cache, name)
    with PaperStore(cache) as store:
        found = missing_papers(G, store, area=area, limit=limit)
    if as_json:
        click.echo(json.dumps(missing_json(found), ensure_ascii=False, indent=1))
        return
    print_missing(found, scope=f"area {area}" if area is not None else "the map")


@cli.command()
@click.argument("name")
@click.argument("a")
@click.argument("b")
@click.option("--json", "as_json", is_flag=True, help="Print the explanation as JSON (the API's shape).")
@cache_option
def explain(name, a, b, as_json, cache_dir) -> None:
    """Why papers A and B are linked: citations, shared references and citers, shared terms, similarity."""
    import json

    from graphx.explain import explain_saved

    found = explain_saved(resolve_cache_dir(cache_dir), name, a, b)
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False, indent=1))
        return
    print_explanation(found)


def _export_to_stdout(G, fmt: str, name: str) -> None:
    """``-o -``: the export on standard output (csv as one zip holding nodes.csv and edges.csv)."""
    import shutil
    import tempfile

    from graphx.export import export_graph

    with tempfile.TemporaryDirectory(prefix="graphx-export-") as tmp:
        path = Path(tmp) / f"{name}{EXPORT_FORMATS[fmt].suffix}"
        export_graph(G, fmt, path)
        with open(path, "rb") as fh:
            shutil.copyfileobj(fh, sys.stdout.buffer)


def _check_output(output: Path, fmt: str) -> None:
    """Refuse targets an export would damage or cannot use, before any work."""
    if output.is_dir() and not EXPORT_FORMATS[fmt].folder:
        example = EXPORT_FORMATS[fmt].default_path(str(output / "graph"))
        raise ConfigError(f"{output} is a folder; give a file name, e.g. -o {example}.")
    if output.exists() and not output.is_dir() and not output.is_file():
        raise ConfigError(
            f"{output} is not a regular file (a device or a pipe); graphx will not replace it. "
            "Give a file name, or -o - for standard output."
        )
    for parent in output.parents:
        if parent.exists():
            if not parent.is_dir():
                raise ConfigError(
                    f"{parent} is a file, so {output} cannot be written under it; choose another path."
                )
            break


@cli.command("list")
@cache_option
def list_(cache_dir) -> None:
    """List the built graphs in the cache."""
    cache = resolve_cache_dir(cache_dir)
    graphs = graphstore.list_graphs(cache)
    if not graphs:
        click.echo(f"No built graphs in {cache}. Build one with: graphx build --input papers.jsonl")
        return
    click.echo(f"{'name':<28} {'papers':>9} {'edges':>10} {'areas':>6} {'store':>6}  built")
    for meta in graphs:
        counts = meta.get("counts", {})
        n_edges = sum(counts.get("edges", {}).values())
        n_areas = counts.get("areas", 0)
        built = meta.get("built_at", "?")
        store = meta.get("store", "graph")
        papers = counts.get("papers", 0)
        click.echo(f"{meta['name']:<28} {papers:>9,} {n_edges:>10,} {n_areas:>6} {store:>6}  {built}")


@cli.command()
@click.argument("name")
@click.option(
    "--top", type=click.IntRange(0, 20), default=3, show_default=True, help="Top papers shown per area."
)
@cache_option
def info(name, top, cache_dir) -> None:
    """Show a built graph's areas and sub-areas: labels, sizes, years and top papers."""
    cache = resolve_cache_dir(cache_dir)
    if graphstore.is_tables(graphstore.graph_dir(cache, name)):
        G = _tables_shell(cache, name, top)
    else:
        G = graphstore.load_graph(cache, name)
    meta = G.graph.get("meta", {})
    counts = meta.get("counts", {})
    edges = ", ".join(f"{n:,} {k}" for k, n in counts.get("edges", {}).items())
    click.echo(
        f"{name}: {counts.get('papers', 0):,} papers; edges: {edges}; built {meta.get('built_at', '?')}"
    )
    click.echo(f"inputs: {', '.join(meta.get('inputs', [])) or '?'}; seed {meta.get('seed')}")
    print_areas(G, top)


def _tables_shell(cache: Path, name: str, top: int):
    """A graph of a tables graph's area lists and the top papers ``info`` shows (one search-index query)."""
    import networkx as nx

    from graphx.store.tables import open_tables

    T = open_tables(cache, name)
    G = nx.MultiDiGraph()
    G.graph.update(communities=T.communities, subcommunities=T.subcommunities)
    G.graph["meta"] = {k: v for k, v in T.meta.items() if k not in ("communities", "subcommunities")}
    wanted = [
        pid for c in T.communities if c["size"] > 1 or c["id"] == 0 for pid in c.get("top_papers", [])[:top]
    ]
    G.add_nodes_from(T.briefs(wanted).items())
    return G


@cli.command()
@click.argument("name")
@click.argument("query")
@click.option("--json", "as_json", is_flag=True, help="Print {query, papers, label, area, naming} as JSON.")
@cache_option
def topic(name, query, as_json, cache_dir) -> None:
    """Papers of a topic in a built graph, best first, with the set's label and the area it overlaps most."""
    import json

    from graphx.topic import find_topic, find_topic_in_tables, load_index

    cache = resolve_cache_dir(cache_dir)
    folder = graphstore.graph_dir(cache, name)
    if graphstore.is_tables(folder):
        # Never the whole map: the lens runs on the areas holding the query's matches.
        from graphx.store.tables import open_tables

        T = open_tables(cache, name)
        found = find_topic_in_tables(T, query)
        result, titles = found.topic, {p: b.get("title") for p, b in T.briefs(found.topic.papers).items()}
        searched = f" (searched {len(found.areas)} areas, {found.papers_searched:,} of {T.n_papers:,} papers)"
    else:
        G = graphstore.load_graph(cache, name)
        result = find_topic(G, query, index=load_index(G, folder))
        titles, searched = {n: G.nodes[n].get("title") for n in result.papers}, ""
    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False))
        return
    click.echo(
        f"{query!r}: {len(result.papers):,} papers, {len(result.naming):,} naming it; label: {result.label}; "
        f"area: {result.area}{searched}"
    )
    naming = set(result.naming)
    for n in result.papers:
        # One line per paper: listing titles keep their line breaks ("...Data Analysis on\n  Trusted...").
        click.echo(f"{'*' if n in naming else ' '} {n}  {' '.join(str(titles.get(n) or '').split())}")
    if len(naming) < len(result.papers):
        click.echo("* names the topic in its title or abstract; the others are near those by links and text.")


@cli.command()
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to bind (127.0.0.1: this machine only)."
)
@click.option("--port", type=click.IntRange(1, 65535), default=5000, show_default=True)
@click.option("--open", "open_browser", is_flag=True, help="Open the explorer in the default browser.")
@click.option(
    "--allow-host",
    "allowed_hosts",
    multiple=True,
    help="Host name the server also answers to (besides 127.0.0.1 and localhost). Repeatable.",
)
@cache_option
def serve(host, port, open_browser, allowed_hosts, cache_dir) -> None:
    """Serve the web explorer for the built graphs (and build new ones from the browser).

    The URL printed carries a token (as Jupyter's does): state-changing requests need it, and with a
    --host other than loopback every request does. Set GRAPHX_TOKEN to choose it.
    """
    from webui import serve as run

    run(
        resolve_cache_dir(cache_dir),
        host=host,
        port=port,
        open_browser=open_browser,
        allowed_hosts=tuple(allowed_hosts),
    )


cli.add_command(enrich_command(cache_option, option_flag))
register(cli, build=build, serve=serve, cache_option=cache_option)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``graphx`` command and ``python -m graphx``."""
    cli.main(args=list(argv) if argv is not None else None, prog_name="graphx")
