"""``graphx build --s2ag DIR`` (and ``-i DIR``): which inputs are S2AG releases, and reading them with
the filters of the ``s2ag`` option group, printing what was read."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click

from graphx.cli.output import StageBars
from graphx.errors import ConfigError
from graphx.options import OPTIONS
from graphx.paper import Paper


def split_releases(inputs: Sequence[str], release_options: dict) -> tuple[list[str], list[str]]:
    """(S2AG release folders: --s2ag and every -i DIR that is one, the other inputs); filters without a
    release are refused."""
    from graphx.sources.s2ag import is_release

    releases = [release_options["s2ag"]] if release_options.get("s2ag") else []
    releases += [i for i in inputs if Path(i).is_dir() and is_release(i)]
    filters = [OPTIONS[k].flag for k in release_options if k != "s2ag"]
    if filters and not releases:
        raise ConfigError(
            f"{', '.join(filters)} filter(s) an S2AG release: give the release folder with --s2ag DIR."
        )
    return releases, [i for i in inputs if i not in releases]


def load_releases(folders: Sequence[str], values: dict, bars: StageBars) -> tuple[list[Paper], list[str]]:
    """The papers the filters keep from each release, a summary line each; and how to describe them."""
    from graphx.sources.s2ag import filter_from_options, load_release

    filt = filter_from_options(values)
    papers: list[Paper] = []
    described = []
    for folder in folders:
        result = load_release(folder, filt, progress=bars, embeddings=bool(values.get("s2ag_embeddings")))
        bars.close()
        criteria = filt.describe()
        click.echo(f"{folder}: {result.summary()}" + (f" (kept: {criteria})" if criteria else ""), err=True)
        for dataset in result.absent:
            click.echo(f"  note: the release has no {dataset} dataset", err=True)
        for note in result.notes():
            click.echo(f"  note: {note}", err=True)
        for bad in result.log.skipped[:10]:
            click.echo(f"  skipped {bad.path}, {bad.where}: {bad.reason}", err=True)
        if result.log.skipped_rows > 10:
            click.echo(f"  ... and {result.log.skipped_rows - 10:,} more skipped rows", err=True)
        for warning in result.log.warnings:
            click.echo(f"warning: {warning}", err=True)
        if not result.papers:
            raise ConfigError(
                f"The filters kept no paper of {folder} ({criteria or 'no filter'}); loosen them "
                "(--fields-of-study, --year-from/--year-to, --venue, --corpus-ids, --match)."
            )
        papers += result.papers
        described.append(f"s2ag: {folder}" + (f" ({criteria})" if criteria else ""))
    return papers, described
