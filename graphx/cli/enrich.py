"""``graphx enrich NAME``: add Semantic Scholar's citations and vectors to a graph built without them."""

from __future__ import annotations

import time

import click

from graphx.cli.output import StageBars, print_build_summary
from graphx.options import OPTIONS
from graphx.store.papers import resolve_cache_dir


def enrich_command(cache_option, option_flag) -> click.Command:
    """The command, decorated with the group's shared options (passed in: the group module defines them)."""

    @click.command("enrich")
    @click.argument("name")
    @option_flag(OPTIONS["api_url"])
    @option_flag(OPTIONS["requests_per_s"])
    @click.option("--quiet", is_flag=True, help="No progress bars.")
    @cache_option
    def enrich(name, api_url, requests_per_s, quiet, cache_dir) -> None:
        """Look a built graph's papers up on Semantic Scholar and rebuild it with their citations.

        For graphs built from pasted text or files while S2 was unreachable: papers are found by S2 id,
        DOI or arXiv id, else by title; S2's references, citations and SPECTER vectors are added and the
        graph is rebuilt under its name with the parameters it was built with. With S2 unreachable it
        says so in a few seconds and leaves the graph as it was.
        """
        from graphx.sources.s2.enrich import enrich_graph

        cache = resolve_cache_dir(cache_dir)
        bars = StageBars(enabled=not quiet)
        started = time.perf_counter()

        def say_retry(line: str) -> None:
            click.echo(f"\n{line}", err=True)

        result, G, folder = enrich_graph(
            cache,
            name,
            api_url=api_url,
            requests_per_s=requests_per_s,
            progress=bars,
            on_retry=say_retry,
        )
        bars.close()
        click.echo(
            f"Semantic Scholar: {result.enriched:,} of {result.asked:,} papers found "
            f"({result.from_cache:,} from the cache, {result.requests:,} requests)",
            err=True,
        )
        for note in result.notes:
            click.echo(f"  note: {note}", err=True)
        if G is None:
            click.echo(f"Semantic Scholar knows none of the papers of {name!r}; the graph is unchanged.")
            return
        print_build_summary(G.graph, folder, time.perf_counter() - started)

    return enrich
