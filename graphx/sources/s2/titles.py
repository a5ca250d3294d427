"""``--titles FILE``: paper titles, one a line, or text pasted from a listing page, resolved on S2.

A listing page pasted as text (a proceedings index, an arXiv listing, a reading list) holds, for each
paper, a title line, often an author line, an abstract paragraph (wrapped or not), and site boilerplate
around them ("PDF | BibTeX", menus). :func:`read_titles` finds each abstract paragraph and takes the
nearest title-like line before it; a file without any paragraph is read as one title a line.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from graphx.errors import InputError, OfflineMiss, S2NotFound
from graphx.paper import Paper, normalize_title
from graphx.sources.s2.client import S2Client
from graphx.sources.s2.run import Run

# Lines at least this long are prose (or a long title); abstracts are runs of them with enough words.
PROSE_LINE_CHARS = 60
MIN_ABSTRACT_WORDS = 40
MAX_TITLE_WORDS = 30
# How many lines above an abstract its title may sit (authors, "Abstract", a date in between).
TITLE_LOOKBACK_LINES = 4
# S2's title match always answers its best guess; below this similarity the guess is another paper.
MIN_TITLE_SIMILARITY = 0.85
BOILERPLATE = re.compile(
    r"^(abstract|pdf|bibtex|bib|code|download|supplemental|reviews?|poster|slides|video|home|login|"
    r"search|menu|next|previous|authors?|cite|share|\W|\d+)([\s|/·•,]+(pdf|bibtex|bib|code|download|"
    r"supplemental|reviews?|poster|slides|video|paper|abstract|cite|share))*\W*$",
    re.IGNORECASE,
)
NUMBERING = re.compile(r"^\s*(?:\[\d+\]|\d+[.)]|[-*•])\s+")
LABEL = re.compile(r"^(title|abstract)\s*:\s*", re.IGNORECASE)


@dataclass(frozen=True)
class TitleEntry:
    title: str
    abstract: str | None = None


def read_titles(path: str | os.PathLike) -> list[TitleEntry]:
    """Titles (with their abstracts when the file is pasted listing text) from a titles file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the titles file: {exc}", path=str(path)) from exc
    return parse_titles(text)


def parse_titles(text: str) -> list[TitleEntry]:
    """:func:`read_titles` on a string.

    Examples
    --------
    >>> [e.title for e in parse_titles("Attention Is All You Need\\n\\n# note\\n2. Deep Residual Learning")]
    ['Attention Is All You Need', 'Deep Residual Learning']
    """
    lines = [LABEL.sub("", line.strip()) for line in text.splitlines()]
    blocks = _abstract_blocks(lines)
    if not blocks:
        titles = [NUMBERING.sub("", line) for line in lines if line and not line.startswith("#")]
        return [TitleEntry(t) for t in dict.fromkeys(t for t in titles if t and not BOILERPLATE.match(t))]
    entries: list[TitleEntry] = []
    previous_end = 0
    for start, end in blocks:
        title_at = _title_before(lines, start, previous_end)
        abstract_lines = lines[start:end]
        if title_at is None and _title_like(abstract_lines[0]):
            title_at, abstract_lines = start, abstract_lines[1:]
        if title_at is not None and abstract_lines:
            entries.append(TitleEntry(NUMBERING.sub("", lines[title_at]), " ".join(abstract_lines)))
        previous_end = end
    return entries


def _abstract_blocks(lines: list[str]) -> list[tuple[int, int]]:
    blocks: list[tuple[int, int]] = []
    i = 0
    while i < len(lines):
        if len(lines[i]) < PROSE_LINE_CHARS or _author_like(lines[i]):
            i += 1
            continue
        start = i
        # A paragraph goes on through long lines, and through short ones while no sentence has ended
        # (wrapped text has short lines too); it stops at a blank, author or boilerplate line.
        while i < len(lines) and lines[i] and not _author_like(lines[i]) and not BOILERPLATE.match(lines[i]):
            if i > start and len(lines[i]) < PROSE_LINE_CHARS and lines[i - 1][-1] in ".!?":
                break
            i += 1
        words = sum(len(line.split()) for line in lines[start:i])
        if words >= MIN_ABSTRACT_WORDS and re.search(r"[.!?](\s|$)", " ".join(lines[start:i])):
            blocks.append((start, i))
    return blocks


def _title_before(lines: list[str], start: int, floor: int) -> int | None:
    for j in range(start - 1, max(floor, start - TITLE_LOOKBACK_LINES) - 1, -1):
        line = lines[j]
        if not line or _author_like(line) or BOILERPLATE.match(line):
            continue
        return j if _title_like(line) else None
    return None


def _title_like(line: str) -> bool:
    words = line.split()
    return 1 <= len(words) <= MAX_TITLE_WORDS and not re.search(r"[.!?]\s+[A-Z]", line)


def _author_like(line: str) -> bool:
    parts = [p.strip() for p in re.split(r",|\band\b|;|·", line) if p.strip()]
    if len(parts) < 2 or line.endswith("."):
        return False
    return all(len(p.split()) <= 4 and p[:1].isupper() for p in parts)


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
    entries = read_titles(path)
    if not entries:
        run.notes.append(f"No titles found in {path}.")
        return [], []
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
        Paper(
            id=f"title:{hashlib.sha1(normalize_title(e.title).encode()).hexdigest()[:16]}",
            title=e.title,
            abstract=e.abstract,
        )
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
