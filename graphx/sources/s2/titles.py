"""``--titles FILE``: paper titles, one a line, or text pasted from a listing page, resolved on S2.

The file is read by :func:`graphx.sources.listing.read_listing` (trending pages, arXiv listings,
proceedings and OpenReview pages, reading lists, plain title lists); each title it finds is looked up
with S2's title match, and titles S2 does not know are kept as papers of their own when the text gave
them an abstract.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from graphx.errors import InputError, S2NotFound, S2Unreachable
from graphx.paper import Paper, normalize_title
from graphx.sources.listing import Listing, read_listing, title_id
from graphx.sources.s2.client import S2Client
from graphx.sources.s2.run import Run

# S2's title match always answers its best guess; below this similarity the guess is another paper.
MIN_TITLE_SIMILARITY = 0.85


@dataclass(frozen=True)
class TitleEntry:
    title: str
    abstract: str | None = None
    paper: Paper | None = None  # the paper as the text gave it (ids, year, authors found there)


def read_titles(path: str | os.PathLike) -> list[TitleEntry]:
    """Titles (with their abstracts when the file is pasted listing text) from a titles file."""
    return _entries(_read(path))


def _read(path: str | os.PathLike) -> Listing:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the titles file: {exc}", path=str(path)) from exc
    return read_listing(text, source=os.fspath(path))


def parse_titles(text: str) -> list[TitleEntry]:
    """:func:`read_titles` on a string.

    Examples
    --------
    >>> [e.title for e in parse_titles("Attention Is All You Need\\n\\n# note\\n2. Deep Residual Learning")]
    ['Attention Is All You Need', 'Deep Residual Learning']
    """
    return _entries(read_listing(text))


def _entries(listing: Listing) -> list[TitleEntry]:
    seen: dict[str, TitleEntry] = {}
    for paper in listing.papers:
        seen.setdefault(normalize_title(paper.title), TitleEntry(paper.title, paper.abstract, paper))
    return list(seen.values())


def match_title(client: S2Client, title: str) -> tuple[str | None, str | None]:
    """(paperId, matched title) from S2's title match; paperId None when it found nothing close."""
    try:
        # Quoted ourselves: the package pastes the query into the URL as is ('&' would cut it short).
        item = client.package().search_paper(
            quote(title, safe=""), fields=["paperId", "title"], match_title=True
        )
    except (S2NotFound, IndexError):
        return None, None
    matched = getattr(item, "title", None) or ""
    ratio = difflib.SequenceMatcher(None, normalize_title(matched), normalize_title(title)).ratio()
    if ratio >= MIN_TITLE_SIMILARITY and getattr(item, "paperId", None):
        return item.paperId, matched
    return None, matched


def collect_titles(run: Run, path: str | os.PathLike) -> tuple[list[Paper], list[Paper]]:
    """(papers resolved on S2, papers kept from the text as given).

    Titles S2 does not know are kept when the text gave them an abstract; titles that were never looked
    up (S2 unreachable, or ``--offline`` and not in the cache) are all kept as the text gave them.
    """
    listing = _read(path)
    entries = _entries(listing)
    if not entries:
        run.notes.append(f"No titles found in {path}.")
        return [], []
    run.notes.append(f"{path}: {listing.note}.")
    return resolve_entries(run, entries)


def resolve_entries(run: Run, entries: list[TitleEntry]) -> tuple[list[Paper], list[Paper]]:
    """Look titles up (title cache first), fetch the matches; see :func:`collect_titles`."""
    matched: dict[str, str | None] = {}
    for entry in entries:
        key = normalize_title(entry.title)
        cached = None if run.refresh else run.cache.title(key)
        if cached is not None:
            matched[entry.title] = cached[0]
            continue
        if run.offline or run.unreachable is not None:
            continue
        try:
            paper_id, matched_title = match_title(run.client, entry.title)
        except S2Unreachable as exc:
            run.unreachable = exc
            continue
        run.cache.save_title(key, paper_id, matched_title)
        matched[entry.title] = paper_id
    found = run.fetch_available([pid for pid in matched.values() if pid])
    resolved = [found[pid] for pid in dict.fromkeys(p for p in matched.values() if p) if found.get(pid)]
    not_asked: list[TitleEntry] = []  # never looked up: S2 unreachable, or offline and not cached
    unknown: list[TitleEntry] = []  # S2 knows no such paper
    for e in entries:
        pid = matched.get(e.title, "")
        if e.title not in matched or (pid and pid not in found):
            not_asked.append(e)
        elif not pid or not found[pid]:
            unknown.append(e)
    kept = [_from_text(e) for e in unknown if e.abstract] + [_from_text(e) for e in not_asked]
    run.enrich_asked += len(entries)
    run.enriched += len(entries) - len(unknown) - len(not_asked)
    if unknown:
        names = ", ".join(repr(e.title) for e in unknown[:5])
        more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        n_kept = sum(1 for e in unknown if e.abstract)
        run.notes.append(
            f"{len(unknown)} title(s) not found on Semantic Scholar: {names}{more}"
            + (f"; {n_kept} kept as papers without ids (they came with an abstract)." if n_kept else ".")
        )
    if not_asked and run.offline and run.unreachable is None:
        run.notes.append(
            f"--offline: {len(not_asked)} title(s) were never looked up on Semantic Scholar; "
            "kept as the text gave them."
        )
    return resolved, kept


def _from_text(entry: TitleEntry) -> Paper:
    return entry.paper or Paper(id=title_id(entry.title), title=entry.title, abstract=entry.abstract)
