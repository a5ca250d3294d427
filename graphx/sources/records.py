"""Turn one parsed record (a dict from JSON, JSONL or CSV) into a :class:`~graphx.paper.Paper`.

Three record shapes arrive here: our own flat records (with the S2ORC and Local Citation Network field
names as aliases), Semantic Scholar Graph API paper objects, and rows of a CSV file (strings only).
A record that cannot become a paper raises :class:`BadRecord`; the file readers turn that into an
:class:`~graphx.errors.InputError` or, with ``skip_bad``, into a :class:`Skipped` entry.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphx.errors import BadRecord, InputError, WrongFileKind
from graphx.paper import Paper
from graphx.sources import fields
from graphx.sources.s2.records import paper_from_s2

SKIP_HINT = "fix the entry or pass --skip-bad to load the good rows"
# CSV cells hold lists as text: authors "; "-separated, reference ids by ";" or whitespace.
CSV_AUTHOR_SEPARATOR = re.compile(r"\s*;\s*")
CSV_ID_SEPARATOR = re.compile(r"[;\s]+")


@dataclass(frozen=True)
class Skipped:
    """A record that was left out, where it was, and why."""

    path: str
    where: str  # "line 12", "row 5", "entry 3 (key smith2020)"
    reason: str


class Collector:
    """Applies the ``skip_bad`` policy for one file: raise on the first bad record, or note it."""

    def __init__(self, path: str, skip_bad: bool):
        self.path = path
        self.skip_bad = skip_bad
        self.papers: list[Paper] = []
        self.skipped: list[Skipped] = []

    def bad(self, where: str, reason: str) -> None:
        if not self.skip_bad:
            raise InputError(f"{reason}; {SKIP_HINT}", path=self.path, where=where)
        self.skipped.append(Skipped(self.path, where, reason))

    def note(self, where: str, reason: str) -> None:
        """Record a left-out entry that is not an error (e.g. an S2 batch ``null``)."""
        self.skipped.append(Skipped(self.path, where, reason))


def record_to_paper(record: Any, *, csv_row: bool = False) -> Paper:
    """Map one record to a paper, choosing the Semantic Scholar mapping when it has ``paperId``."""
    if not isinstance(record, Mapping):
        raise BadRecord(f"expected a JSON object, got {type(record).__name__}")
    if "citedPaper" in record or "citingPaper" in record:
        wrapper = "citedPaper" if "citedPaper" in record else "citingPaper"
        raise WrongFileKind(
            f"this is a Semantic Scholar /references or /citations page (its items wrap `{wrapper}`), "
            f"not a papers file; extract the `{wrapper}` objects into a JSON list, or fetch the papers "
            "with POST /paper/batch"
        )
    if "paperId" in record:
        return paper_from_s2(record, embedding_model=None)
    return flat_to_paper(record, csv_row=csv_row)


def flat_to_paper(record: Mapping[str, Any], *, csv_row: bool = False) -> Paper:
    """Our flat record, with S2ORC (``paper_id``, ``outbound_citations``...) and LCN names accepted."""
    paper_id = fields.text(_first(record, "id", "paper_id"))
    if not paper_id:
        raise BadRecord("missing or blank `id`")
    title = fields.text(record.get("title"))
    if not title:
        raise BadRecord(f"missing or blank `title` (id {paper_id})")
    if csv_row:
        authors = tuple(a for a in CSV_AUTHOR_SEPARATOR.split(record.get("authors") or "") if a)
        references = _split_ids(record, "references", "outbound_citations")
        citations = _split_ids(record, "citations", "inbound_citations")
        fields_of_study = tuple(
            a for a in CSV_AUTHOR_SEPARATOR.split(record.get("fields_of_study") or "") if a
        )
    else:
        authors = fields.authors(record.get("authors"))
        references = _id_list(record, "references", "outbound_citations")
        citations = _id_list(record, "citations", "inbound_citations")
        fields_of_study = fields.strings(record.get("fields_of_study"), "fields_of_study")
    embedding = record.get("embedding")
    return Paper(
        id=paper_id,
        title=title,
        abstract=fields.text(record.get("abstract")),
        year=fields.year(record.get("year")),
        authors=authors,
        venue=fields.venue(_first(record, "venue", "journal")),
        doi=fields.text(record.get("doi")),
        arxiv=fields.text(_first(record, "arxiv", "arxiv_id")),
        s2_id=fields.text(record.get("s2_id")),
        corpus_id=fields.whole_number(record.get("corpus_id"), "corpus_id"),
        citation_count=fields.whole_number(
            _first(record, "citation_count", "citationsCount", "citationCount"), "citation_count"
        ),
        influential_citation_count=fields.whole_number(
            record.get("influential_citation_count"), "influential_citation_count"
        ),
        url=fields.text(_first(record, "url", "s2_url")),
        tldr=fields.text(record.get("tldr")),
        publication_date=fields.text(_first(record, "publication_date", "date")),
        fields_of_study=fields_of_study,
        references=references,
        citations=citations,
        embedding=fields.vector(embedding) if embedding not in (None, "") else None,
    )


def _first(record: Mapping[str, Any], *names: str) -> Any:
    """The first of ``names`` that holds a non-empty value (aliases in order of preference)."""
    for name in names:
        value = record.get(name)
        if value not in (None, ""):
            return value
    return None


def _id_list(record: Mapping[str, Any], *names: str) -> tuple[str, ...]:
    for name in names:
        value = record.get(name)
        if value is None:
            continue
        if not isinstance(value, list):
            raise BadRecord(f"`{name}` is {type(value).__name__} {value!r:.60}, expected a list of paper ids")
        ids = (
            fields.text(v.get("paperId") or v.get("id")) if isinstance(v, Mapping) else fields.text(v)
            for v in value
        )
        return tuple(dict.fromkeys(i for i in ids if i))  # LCN writes [""] for "no references"
    return ()


def _split_ids(record: Mapping[str, Any], *names: str) -> tuple[str, ...]:
    value = _first(record, *names) or ""
    return tuple(dict.fromkeys(i for i in CSV_ID_SEPARATOR.split(value) if i))
