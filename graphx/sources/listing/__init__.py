"""Papers from text pasted from a listing page: trending papers, arXiv listings, proceedings, reading lists.

:func:`read_listing` reads the text in two steps. :mod:`graphx.sources.listing.lines` cleans each line,
joins hard-wrapped ones and gives each a kind (furniture, id, metadata, authors, prose, title
candidate). Then the lines are segmented into papers: a title candidate (or a ``Title:`` field) opens a
paper; the authors, metadata, ids and prose after it belong to it; an id line that heads a record
(``[3] arXiv:2106.05582``) waits for the title after it. Last, where most candidates carry evidence of
being a paper (an abstract, authors, an id, a list marker, a year), candidates without any are page
headers and tabs and are dropped.

Examples
--------
>>> listing = read_listing('''Get trending papers in your email inbox!
... SubscribeAttention Is All You Need
... The dominant sequence transduction models are based on complex recurrent or convolutional networks.
... 1,234 upvotes
... ''')
>>> [(p.title, p.abstract is not None) for p in listing.papers], listing.skipped_lines
([('Attention Is All You Need', True)], 2)
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field, replace

from graphx.paper import Paper, normalize_title
from graphx.sources.listing.lines import Line, first_year, logical_lines

__all__ = ["Listing", "read_listing"]

# Where at least this share of title candidates carries evidence, the others are headers and tabs...
EVIDENCE_SHARE = 0.25
# ...unless they sit between papers and are long enough to be a title themselves.
MIN_LONE_TITLE_WORDS = 4
# A page's papers share a signature (authors, an abstract, an id, a list marker): the kinds of evidence
# at least this share of them shows. Judged on at least this many papers.
SIGNATURE_SHARE = 0.6
MIN_PAPERS_FOR_SIGNATURE = 3
# A page is named after what at least this share of its papers shows.
STYLE_SHARE = 0.5


@dataclass(frozen=True)
class Listing:
    """What :func:`read_listing` found: the papers, how many lines it left out, and how it read them."""

    papers: list[Paper]
    skipped_lines: int
    style: str
    source: str = "<pasted>"

    @property
    def with_abstracts(self) -> int:
        return sum(1 for p in self.papers if p.abstract)

    @property
    def note(self) -> str:
        """``"N papers read (M with abstracts), K lines skipped"`` and the style the text was read as."""
        return (
            f"{len(self.papers):,} papers read ({self.with_abstracts:,} with abstracts), "
            f"{self.skipped_lines:,} lines skipped; read as {self.style}"
        )


@dataclass
class _Draft:
    title: str
    rows: list[int]
    item: bool = False
    heading: bool = False
    abstract: list[str] = field(default_factory=list)
    authors: tuple[str, ...] = ()
    ids: dict[str, str] = field(default_factory=dict)
    years: list[int] = field(default_factory=list)
    venue: str | None = None
    tldr: str | None = None
    labelled: bool = False

    def evidence(self) -> set[str]:
        """Signs that this is a paper, not a header: a markdown heading needs an id or authors."""
        signs = {"abstract": bool(self.abstract or self.tldr), "authors": bool(self.authors)}
        signs |= {"ids": bool(self.ids), "item": self.item}
        if self.heading:
            signs["abstract"] = signs["item"] = False
        return {kind for kind, present in signs.items() if present}


def read_listing(text: str, *, source: str = "<pasted>") -> Listing:
    """Papers in text pasted from a listing page, in the order they appear.

    Parameters
    ----------
    text : the pasted text (any line endings; bullets, numbering and markdown links are understood).
    source : where the text came from, for messages.

    Returns
    -------
    Listing
        ``papers`` carry the title, the abstract where the page shows one, and the authors, year,
        venue, arXiv id, DOI, S2 id, CorpusId and URL found with them. ``skipped_lines`` counts the
        non-blank lines that belong to no paper (page furniture).
    """
    lines = logical_lines(text)
    drafts = _segment(lines)
    kept = _drop_headers(drafts)
    used = {row for d in kept for row in d.rows}
    skipped = sum(1 for line in lines if line.kind != "blank" for row in line.rows if row not in used)
    papers = [_to_paper(d) for d in kept]
    return Listing(papers=papers, skipped_lines=skipped, style=_style(kept), source=source)


def _segment(lines: list[Line]) -> list[_Draft]:
    drafts: list[_Draft] = []
    current: _Draft | None = None
    pending: dict[str, str] = {}
    pending_rows: list[int] = []
    previous = "blank"  # kind of the last line that was not furniture
    for i, line in enumerate(lines):
        kind = line.kind
        if kind == "furniture":
            continue
        if kind == "blank":
            previous = "blank" if previous != "prose" else "prose-blank"
            continue
        if kind == "title":
            current = _Draft(
                title=line.text, rows=list(line.rows) + pending_rows, item=line.item, heading=line.heading,
                ids={**pending, **line.ids}, years=list(line.years), labelled=line.label == "title",
            )  # fmt: skip
            drafts.append(current)
            pending, pending_rows = {}, []
        elif kind == "id":
            if current is None or _heads_record(lines, i, previous) or line.ids.keys() & current.ids.keys():
                pending.update(line.ids)
                pending_rows += line.rows
            else:
                _attach(current, line)
        elif current is None:
            pass  # metadata, authors or prose before the first title: the page's own
        elif line.label == "volume":
            current = None  # "Proceedings of ...": a volume's header, what follows is not a paper's
        elif kind == "authors":
            if not current.authors and not current.abstract:
                current.authors = _split_authors(line.text)
                _attach(current, line)
        elif kind == "prose":
            # A list item is one line: a paragraph after the blank below the list is the page's own.
            after_list = current.item and previous == "blank"
            if (not current.abstract and not after_list) or previous in ("prose", "prose-blank"):
                current.abstract.append(line.text)
                _attach(current, line)
        elif kind == "meta" and not current.abstract or line.label == "tldr":
            if line.label == "tldr":
                current.tldr = current.tldr or line.text
            elif line.label in ("journal-ref", "venue", "conference", "journal", "in", "proceedings"):
                current.venue = current.venue or line.text
            _attach(current, line)
        previous = kind
    return drafts


def _heads_record(lines: list[Line], i: int, previous: str) -> bool:
    """An id line that opens the next record (``[3] arXiv:...`` then ``Title:``), not ends this one."""
    after = next((x for x in lines[i + 1 :] if x.kind not in ("furniture", "blank")), None)
    if after is None or after.kind != "title":
        return False
    return lines[i].record_number or after.label == "title" or previous in ("blank", "prose-blank")


def _attach(draft: _Draft, line: Line) -> None:
    draft.rows += line.rows
    for kind, value in line.ids.items():
        draft.ids.setdefault(kind, value)
    if line.kind != "prose":  # a year inside an abstract ("since 1960") is not the paper's
        draft.years += line.years


def _split_authors(text: str) -> tuple[str, ...]:
    from graphx.sources.listing.lines import AUTHOR_SEPARATORS, author_part

    head = author_part(text)
    return tuple(p.strip(" .*") for p in AUTHOR_SEPARATORS.split(head) if p.strip(" .*") and p != "et al.")


def _drop_headers(drafts: list[_Draft]) -> list[_Draft]:
    """Leave out title candidates with no evidence of being papers, where most others have some."""
    evidenced = [i for i, d in enumerate(drafts) if d.evidence()]
    if len(evidenced) < 2 or len(evidenced) < EVIDENCE_SHARE * len(drafts):
        return [d for d in drafts if d.title]
    first, last = evidenced[0], evidenced[-1]
    if len(evidenced) >= MIN_PAPERS_FOR_SIGNATURE:
        # What nearly every paper of the page shows (authors on OpenReview, an abstract on a trending
        # page); a footer paragraph under a menu entry lacks it.
        counts = Counter(kind for i in evidenced for kind in drafts[i].evidence())
        signature = {kind for kind, n in counts.items() if n >= SIGNATURE_SHARE * len(evidenced)}
        if signature:
            drafts = [
                d if not d.evidence() or d.evidence() & signature else replace(d, title="") for d in drafts
            ]
    return [
        d
        for i, d in enumerate(drafts)
        if d.title
        and (
            d.evidence()
            or (first < i < last and len(d.title.split()) >= MIN_LONE_TITLE_WORDS and not d.heading)
        )
    ]


def _to_paper(draft: _Draft) -> Paper:
    ids = draft.ids
    title = draft.title.strip(" *_").rstrip(".").strip()
    corpus_id = int(ids["corpus_id"]) if "corpus_id" in ids else None
    if ids.get("s2_id"):
        paper_id = ids["s2_id"]
    elif corpus_id is not None:
        paper_id = f"CorpusId:{corpus_id}"
    elif ids.get("arxiv"):
        paper_id = f"arXiv:{ids['arxiv']}"
    elif ids.get("doi"):
        paper_id = f"DOI:{ids['doi']}"
    else:
        paper_id = title_id(title)
    return Paper(
        id=paper_id,
        title=title,
        abstract=" ".join(draft.abstract) or None,
        year=first_year(draft.years),
        authors=draft.authors,
        venue=draft.venue,
        doi=ids.get("doi"),
        arxiv=ids.get("arxiv"),
        s2_id=ids.get("s2_id"),
        corpus_id=corpus_id,
        url=ids.get("url"),
        tldr=draft.tldr,
    )


def title_id(title: str) -> str:
    """The id of a paper known only by its title (stable across runs and sources).

    >>> title_id("Attention Is All You Need") == title_id("attention is all you need.")
    True
    """
    return f"title:{hashlib.sha1(normalize_title(title).encode()).hexdigest()[:16]}"


def _style(drafts: list[_Draft]) -> str:
    n = len(drafts) or 1

    def share(test) -> float:
        return sum(1 for d in drafts if test(d)) / n

    if share(lambda d: d.labelled) >= STYLE_SHARE:
        return "an arXiv-style listing (Title:/Authors: fields)"
    if share(lambda d: d.abstract) >= STYLE_SHARE:
        return "titles with abstracts (a trending-papers or proceedings page)"
    if share(lambda d: d.authors) >= STYLE_SHARE:
        return "titles with authors (a proceedings, OpenReview or Scholar page)"
    if share(lambda d: d.item) >= STYLE_SHARE:
        return "a numbered or bulleted list"
    return "a plain list of titles"
