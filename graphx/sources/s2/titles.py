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

from graphx.errors import InputError, OfflineMiss, S2NotFound
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
    """(papers resolved on S2, unresolved titles that carried an abstract, as papers without ids)."""
    listing = _read(path)
    entries = _entries(listing)
    if not entries:
        run.notes.append(f"No titles found in {path}.")
        return [], []
    run.notes.append(f"{path}: {listing.note}.")
    matched: dict[str, str | None] = {}
    for entry in entries:
        key = normalize_title(entry.title)
        cached = None if run.refresh else run.cache.title(key)
        if cached is None:
            if run.offline:
                raise OfflineMiss(
                    f"--offline: the title {entry.title!r} was never looked up. Run once without --offline."
                )
            paper_id, matched_title = match_title(run.client, entry.title)
            run.cache.save_title(key, paper_id, matched_title)
        else:
            paper_id = cached[0]
        matched[entry.title] = paper_id
    found = run.fetch([pid for pid in matched.values() if pid])
    resolved = [found[pid] for pid in dict.fromkeys(p for p in matched.values() if p) if found.get(pid)]
    unresolved = [e for e in entries if not matched[e.title] or not found.get(matched[e.title])]
    kept = [
        e.paper or Paper(id=title_id(e.title), title=e.title, abstract=e.abstract)
        for e in unresolved
        if e.abstract
    ]
    if unresolved:
        names = ", ".join(repr(e.title) for e in unresolved[:5])
        more = f" and {len(unresolved) - 5} more" if len(unresolved) > 5 else ""
        run.notes.append(
            f"{len(unresolved)} title(s) not found on Semantic Scholar: {names}{more}"
            + (f"; {len(kept)} kept as papers without ids (they came with an abstract)." if kept else ".")
        )
    return resolved, kept
