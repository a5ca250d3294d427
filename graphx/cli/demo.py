"""The shipped demo on the command line: ``graphx build --demo`` and ``graphx demo``.

The demo corpus (:mod:`graphx.demo`) lives inside the package, so these work on a fresh machine with
nothing beside the install: no data folder, no network.
"""

from __future__ import annotations

from collections.abc import Sequence

import click

from graphx.demo import DEMO_NAME, demo_files

demo_option = click.option(
    "--demo",
    is_flag=True,
    help=f"Add the shipped demo corpus (6,545 NeurIPS/ICML papers and their citations) to the inputs; "
    f"the graph is named {DEMO_NAME!r} unless --name says otherwise.",
)


def with_demo(
    demo: bool, inputs: Sequence[str], citations: Sequence[str], name: str | None
) -> tuple[list[str], list[str], str | None]:
    """The inputs, citation files and name of a build, with the demo files added when ``demo`` is set."""
    if not demo:
        return list(inputs), list(citations), name
    papers_file, edges_file = demo_files()
    return [*inputs, str(papers_file)], [*citations, str(edges_file)], name or DEMO_NAME


def register(cli: click.Group, *, build: click.Command, serve: click.Command, cache_option) -> None:
    """Add ``graphx demo`` to the command group; it runs the group's ``build`` and ``serve`` commands.

    They are passed in (not imported) so that graphx.cli and this module do not import each other.
    """
    from graphx.errors import GraphNotFound
    from graphx.store.graphs import load_meta
    from graphx.store.papers import resolve_cache_dir

    @cli.command()
    @click.option("--name", "-n", default=DEMO_NAME, show_default=True, help="Name of the demo graph.")
    @click.option("--port", type=click.IntRange(1, 65535), default=5000, show_default=True)
    @click.option("--no-open", is_flag=True, help="Only print the explorer's URL; do not open a browser.")
    @click.option("--rebuild", is_flag=True, help="Build the demo graph again even if it is built.")
    @cache_option
    @click.pass_context
    def demo(ctx: click.Context, name, port, no_open, rebuild, cache_dir) -> None:
        """Build the shipped demo corpus (once, about a minute) and explore it in the browser.

        The same as `graphx build --demo` (when the graph is not built yet) followed by
        `graphx serve --open`. Needs no data files and no network.
        """
        try:
            load_meta(resolve_cache_dir(cache_dir), name)
            built = not rebuild
        except GraphNotFound:
            built = False
        if built:
            click.echo(
                f"The demo graph {name!r} is built; `graphx demo --rebuild` builds it again.", err=True
            )
        else:
            ctx.invoke(build, demo=True, name=name, cache_dir=cache_dir)
        ctx.invoke(serve, port=port, open_browser=not no_open, cache_dir=cache_dir)
