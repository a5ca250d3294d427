"""Stream an S2AG release into papers for the local engine, holding only what the filter keeps.

Order of the passes: the ``papers`` shards first (each row is checked by the filter and converted, or
dropped at once), then ``abstracts``, ``tldrs``, ``embeddings`` and ``citations``, each keeping only the
rows of kept papers. A text query that a title alone does not satisfy leaves the paper's corpus id
(only the id) pending until the abstracts pass; the papers it then keeps are read in a second, short
pass over the ``papers`` shards. Nothing unfiltered is held.

Citations between kept papers become references; with ``outside_links`` (the default) a kept paper
also keeps the ids of outside papers it cites (``references``) and of outside papers citing it
(``citations``), which co-citation and bibliographic coupling count, as for papers from the Graph API.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from graphx.errors import BadRecord
from graphx.paper import Paper
from graphx.progress import Progress
from graphx.sources.s2ag.filter import S2AGFilter
from graphx.sources.s2ag.records import corpus_number, joined_fields, paper_id, paper_record
from graphx.sources.s2ag.shards import ReadLog, check_shard, iter_lines, iter_rows, parse_row, release_files

JOINED = {"abstracts": "abstract_row", "tldrs": "tldr_row", "embeddings": "embedding_row"}


@dataclass
class ReleaseRead:
    """What :func:`load_release` read: the papers, and counts for the summary line."""

    papers: list[Paper]
    path: str
    rows: dict[str, int] = field(default_factory=dict)  # rows read per dataset (kept or not)
    inside_citations: int = 0  # citations whose both ends are kept papers
    log: ReadLog = field(default_factory=ReadLog)
    absent: tuple[str, ...] = ()  # datasets the release does not have

    @property
    def with_abstracts(self) -> int:
        return sum(p.abstract is not None for p in self.papers)

    def summary(self) -> str:
        """``"N papers, M with abstracts, K citations inside the set, J skipped rows"``."""
        return (
            f"{len(self.papers):,} papers, {self.with_abstracts:,} with abstracts, "
            f"{self.inside_citations:,} citations inside the set, {self.log.skipped_rows:,} skipped rows"
        )


def read_release(
    path: str | os.PathLike,
    filt: S2AGFilter = S2AGFilter(),  # noqa: B008 (frozen, so one shared default is safe)
    *,
    progress: Progress | None = None,
    embeddings: bool = False,
    outside_links: bool = True,
) -> list[Paper]:
    """The papers of a release that ``filt`` keeps, with abstracts, tldrs, references and citations.

    See :func:`load_release` (which also returns the counts, skipped rows and warnings).
    """
    return load_release(
        path, filt, progress=progress, embeddings=embeddings, outside_links=outside_links
    ).papers


def load_release(
    path: str | os.PathLike,
    filt: S2AGFilter = S2AGFilter(),  # noqa: B008
    *,
    progress: Progress | None = None,
    embeddings: bool = False,
    outside_links: bool = True,
) -> ReleaseRead:
    """Stream a release's shards into the papers ``filt`` keeps.

    Parameters
    ----------
    path : the release folder (see :func:`graphx.sources.s2ag.release_files`).
    filt : which papers to keep (default: all).
    progress : called as ``progress("read papers", shards done, shards)`` and so on per dataset.
    embeddings : read the ``embeddings`` dataset too (768 floats a paper: about 25 KB in memory each).
    outside_links : keep citations to and from papers outside the kept set (see the module notes).

    Raises
    ------
    graphx.errors.InputError
        No papers shards, or a shard of another dataset among them (checked before reading anything).
        Lines that are not JSON objects and rows that are not papers are skipped and counted; a shard
        cut short keeps the rows before the cut with a warning (``ReleaseRead.log``).
    """
    files = release_files(path)
    if not embeddings:
        files["embeddings"] = []
    for dataset, shards in files.items():
        for shard in shards:
            check_shard(shard, dataset)
    result = ReleaseRead(papers=[], path=os.fspath(path))
    result.absent = tuple(d for d in ("abstracts", "citations") if not files[d])
    kept: dict[int, tuple[tuple[int, int], Paper]] = {}
    pending: dict[int, int] = {}  # corpus id -> query words its title lacks
    _read_papers(files["papers"], filt, kept, pending, result, progress)
    joined: dict[int, dict[str, Any]] = {}
    for dataset in ("abstracts", "tldrs", "embeddings"):
        newly = _read_joined(dataset, files[dataset], filt, kept, pending, joined, result, progress)
        if newly:  # papers the query keeps for their abstract: fetch their rows
            _read_papers(files["papers"], filt, kept, {}, result, progress, only=newly)
        pending = {}
    references, citers = _read_citations(files["citations"], kept, outside_links, result, progress)
    papers = []
    for number, (_, paper) in sorted(kept.items(), key=lambda item: item[1][0]):
        updates = dict(joined.get(number, {}))
        if number in references:
            updates["references"] = tuple(dict.fromkeys(references[number]))
        if number in citers:
            updates["citations"] = tuple(dict.fromkeys(citers[number]))
        papers.append(replace(paper, **updates) if updates else paper)
    result.papers = papers
    return result


def _shards(
    dataset: str, shards: list[Path], result: ReleaseRead, progress: Progress | None, *, count: bool = True
) -> Iterator[tuple[int, int, dict]]:
    """``(shard index, line, row)`` over a dataset's shards, counting rows and reporting progress."""
    stage = f"read {dataset}"
    for k, shard in enumerate(shards):
        if progress:
            progress(stage, k, len(shards))
        for number, row in iter_rows(shard, result.log, dataset=dataset):
            if count:
                result.rows[dataset] = result.rows.get(dataset, 0) + 1
            yield k, number, row
    if progress and shards:
        progress(stage, len(shards), len(shards))


def _read_papers(
    shards: list[Path],
    filt: S2AGFilter,
    kept: dict[int, tuple[tuple[int, int], Paper]],
    pending: dict[int, int],
    result: ReleaseRead,
    progress: Progress | None,
    *,
    only: set[int] | None = None,
) -> None:
    skip = _skipper(result.log, shards)
    for k, number, row in _shards("papers", shards, result, progress, count=only is None):
        if only is not None:
            corpusid = corpus_number(row.get("corpusid"))
            if corpusid in only and corpusid not in kept:
                kept[corpusid] = ((k, number), paper_record(row))  # its first row, checked in pass one
            continue
        if not filt.keeps_metadata(row):
            continue
        try:
            paper = paper_record(row)
        except BadRecord as exc:
            skip(k, number, str(exc))
            continue
        number_id = paper.corpus_id
        assert number_id is not None
        if number_id in kept or number_id in pending:
            skip(k, number, f"corpus id {number_id} again (its first row is kept)")
            continue
        missing = filt.terms_missing(filt.terms_found(paper.title))
        if missing:
            pending[number_id] = missing
        else:
            kept[number_id] = ((k, number), paper)


def _read_joined(
    dataset: str,
    shards: list[Path],
    filt: S2AGFilter,
    kept: dict[int, Any],
    pending: dict[int, int],
    joined: dict[int, dict[str, Any]],
    result: ReleaseRead,
    progress: Progress | None,
) -> set[int]:
    """Join one dataset's rows of kept papers; the pending ids whose abstract completes the query."""
    skip = _skipper(result.log, shards)
    newly: set[int] = set()
    for k, number, row in _shards(dataset, shards, result, progress):
        corpusid = corpus_number(row.get("corpusid"))
        if corpusid is None:
            skip(k, number, "no `corpusid`")
            continue
        wanted = corpusid in kept
        if not wanted and corpusid in pending and dataset == "abstracts":
            wanted = filt.terms_missing(filt.terms_found(row.get("abstract")) | ~pending[corpusid]) == 0
            if wanted:
                newly.add(corpusid)
        if not wanted:
            continue
        try:
            joined.setdefault(corpusid, {}).update(joined_fields(**{JOINED[dataset]: row}))
        except BadRecord as exc:
            skip(k, number, str(exc))
    return newly


# Both ends of a citations row, read without parsing the rest of it (contexts can be long); a row
# that does not start this way is parsed as JSON.
CITATION_ENDS = re.compile(rb'^\{"citingcorpusid":\s*"?(\d+|null)"?,\s*"citedcorpusid":\s*"?(\d+|null)"?[,}]')


def _citation_ends(
    path: Path, number: int, line: bytes, log: ReadLog
) -> tuple[int | None, int | None] | None:
    """(citing, cited) corpus ids of one citations line (None for a null end); None for a bad line."""
    match = CITATION_ENDS.match(line)
    if match and line.rstrip().endswith(b"}"):
        citing, cited = match.groups()
        return (None if citing == b"null" else int(citing)), (None if cited == b"null" else int(cited))
    row = parse_row(path, number, line, log)
    if row is None:
        return None
    return corpus_number(row.get("citingcorpusid")), corpus_number(row.get("citedcorpusid"))


def _read_citations(
    shards: list[Path],
    kept: dict[int, Any],
    outside_links: bool,
    result: ReleaseRead,
    progress: Progress | None,
) -> tuple[dict[int, list[str]], dict[int, list[str]]]:
    references: dict[int, list[str]] = {}
    citers: dict[int, list[str]] = {}
    rows = 0
    for k, shard in enumerate(shards):
        if progress:
            progress("read citations", k, len(shards))
        for number, line in iter_lines(shard, result.log, dataset="citations"):
            ends = _citation_ends(shard, number, line, result.log)
            if ends is None:
                continue
            rows += 1
            citing, cited = ends
            if citing is None:
                result.log.skip(shard, f"line {number}", "no `citingcorpusid`")
                continue
            if cited is None or citing == cited:  # S2 could not match the reference to a paper
                continue
            if citing in kept:
                if cited in kept:
                    result.inside_citations += 1
                elif not outside_links:
                    continue
                references.setdefault(citing, []).append(paper_id(cited))
            elif cited in kept and outside_links:
                citers.setdefault(cited, []).append(paper_id(citing))
    if progress and shards:
        progress("read citations", len(shards), len(shards))
    result.rows["citations"] = rows
    return references, citers


def _skipper(log: ReadLog, shards: list[Path]) -> Callable[[int, int, str], None]:
    def skip(k: int, number: int, reason: str) -> None:
        log.skip(shards[k], f"line {number}", reason)

    return skip
