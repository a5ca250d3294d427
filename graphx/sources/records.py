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

from graphx.errors import InputError
from graphx.paper import Paper

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


class BadRecord(ValueError):
    """One record cannot become a paper; ``reason`` says what is wrong with it."""


class Placeholder(ValueError):
    """A source's own marker for a paper it could not resolve; left out and noted, never an error."""


class WrongFileKind(ValueError):
    """The file is a known kind of data, but not a papers file (e.g. an S2 /references page)."""


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
        return s2_to_paper(record)
    return flat_to_paper(record, csv_row=csv_row)


def flat_to_paper(record: Mapping[str, Any], *, csv_row: bool = False) -> Paper:
    """Our flat record, with S2ORC (``paper_id``, ``outbound_citations``...) and LCN names accepted."""
    paper_id = _text(_first(record, "id", "paper_id"))
    if not paper_id:
        raise BadRecord("missing or blank `id`")
    title = _text(record.get("title"))
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
        authors = _authors(record.get("authors"))
        references = _id_list(record, "references", "outbound_citations")
        citations = _id_list(record, "citations", "inbound_citations")
        fields_of_study = _strings(record.get("fields_of_study"), "fields_of_study")
    embedding = record.get("embedding")
    return Paper(
        id=paper_id,
        title=title,
        abstract=_text(record.get("abstract")),
        year=_int(record.get("year"), "year"),
        authors=authors,
        venue=_venue(_first(record, "venue", "journal")),
        doi=_text(record.get("doi")),
        arxiv=_text(_first(record, "arxiv", "arxiv_id")),
        s2_id=_text(record.get("s2_id")),
        corpus_id=_int(record.get("corpus_id"), "corpus_id"),
        citation_count=_int(
            _first(record, "citation_count", "citationsCount", "citationCount"), "citation_count"
        ),
        influential_citation_count=_int(
            record.get("influential_citation_count"), "influential_citation_count"
        ),
        url=_text(_first(record, "url", "s2_url")),
        tldr=_text(record.get("tldr")),
        publication_date=_text(_first(record, "publication_date", "date")),
        fields_of_study=fields_of_study,
        references=references,
        citations=citations,
        embedding=_vector(embedding) if embedding not in (None, "") else None,
    )


def s2_to_paper(record: Mapping[str, Any]) -> Paper:
    """A Semantic Scholar Graph API paper object (any subset of its fields)."""
    paper_id = _text(record.get("paperId"))
    if not paper_id:
        # S2 lists bibliography strings it could not match to a paper this way; no id can point at them.
        raise Placeholder(
            "Semantic Scholar could not match this reference to a paper (null paperId): "
            f"{record.get('title')!r:.80}"
        )
    title = _text(record.get("title"))
    if not title:
        raise BadRecord(
            f"Semantic Scholar paper {paper_id} has no title; request it with fields=title,abstract,..."
        )
    external = record.get("externalIds") or {}
    corpus_id = record.get("corpusId", external.get("CorpusId"))
    fields_of_study = record.get("fieldsOfStudy") or [
        f.get("category") for f in record.get("s2FieldsOfStudy") or [] if isinstance(f, Mapping)
    ]
    tldr = record.get("tldr")
    embedding = record.get("embedding")
    return Paper(
        id=paper_id,
        title=title,
        abstract=_text(record.get("abstract")),
        year=_int(record.get("year"), "year"),
        authors=_authors(record.get("authors")),
        venue=_venue(record.get("venue"))
        or _venue(record.get("journal"))
        or _venue(record.get("publicationVenue")),
        doi=_text(external.get("DOI")),
        arxiv=_text(external.get("ArXiv")),
        s2_id=paper_id,
        corpus_id=_int(corpus_id, "corpusId"),
        citation_count=_int(record.get("citationCount"), "citationCount"),
        influential_citation_count=_int(record.get("influentialCitationCount"), "influentialCitationCount"),
        url=_text(record.get("url")),
        tldr=_text(tldr.get("text")) if isinstance(tldr, Mapping) else _text(tldr),
        publication_date=_text(record.get("publicationDate")),
        fields_of_study=tuple(dict.fromkeys(f for f in fields_of_study if f)),
        references=_s2_ids(record.get("references"), "references"),
        citations=_s2_ids(record.get("citations"), "citations"),
        embedding=_vector(embedding.get("vector")) if isinstance(embedding, Mapping) else None,
    )


def _first(record: Mapping[str, Any], *names: str) -> Any:
    """The first of ``names`` that holds a non-empty value (aliases in order of preference)."""
    for name in names:
        value = record.get(name)
        if value not in (None, ""):
            return value
    return None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise BadRecord(f"expected text, got {type(value).__name__} {value!r:.60}")
    text = str(value).strip()
    return text or None


def _int(value: Any, name: str) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise BadRecord(f"`{name}` is {value!r}, not a whole number")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
        return int(value)
    raise BadRecord(f"`{name}` is {value!r:.60}, not a whole number")


def _venue(value: Any) -> str | None:
    if isinstance(value, Mapping):  # S2 `journal` / `publicationVenue` objects
        return _text(value.get("name"))
    return _text(value)


def _author_name(author: Any) -> str | None:
    if isinstance(author, str):
        return author.strip() or None
    if not isinstance(author, Mapping):
        raise BadRecord(f"an author is {type(author).__name__}, expected a name or an object with one")
    if author.get("name"):
        return _text(author["name"])
    if "LN" in author or "FN" in author:  # Local Citation Network
        parts = [author.get("FN"), author.get("LN")]
    else:  # S2ORC: first, middle (a list), last, suffix
        middle = author.get("middle") or []
        parts = [author.get("first"), *(middle if isinstance(middle, list) else [middle])]
        parts += [author.get("last"), author.get("suffix")]
    name = " ".join(str(p).strip() for p in parts if p and str(p).strip())
    return name or None


def _authors(value: Any) -> tuple[str, ...]:
    if value in (None, ""):
        return ()
    if not isinstance(value, list):
        raise BadRecord(f"`authors` is {type(value).__name__}, expected a list")
    return tuple(n for n in (_author_name(a) for a in value) if n)


def _strings(value: Any, name: str) -> tuple[str, ...]:
    if value in (None, ""):
        return ()
    if not isinstance(value, list):
        raise BadRecord(f"`{name}` is {type(value).__name__}, expected a list")
    return tuple(s for s in (_text(v) for v in value) if s)


def _id_list(record: Mapping[str, Any], *names: str) -> tuple[str, ...]:
    for name in names:
        value = record.get(name)
        if value is None:
            continue
        if not isinstance(value, list):
            raise BadRecord(f"`{name}` is {type(value).__name__} {value!r:.60}, expected a list of paper ids")
        ids = (_text(v.get("paperId") or v.get("id")) if isinstance(v, Mapping) else _text(v) for v in value)
        return tuple(dict.fromkeys(i for i in ids if i))  # LCN writes [""] for "no references"
    return ()


def _split_ids(record: Mapping[str, Any], *names: str) -> tuple[str, ...]:
    value = _first(record, *names) or ""
    return tuple(dict.fromkeys(i for i in CSV_ID_SEPARATOR.split(value) if i))


def _s2_ids(value: Any, name: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise BadRecord(f"`{name}` is {type(value).__name__}, expected a list of paper objects")
    # S2 lists papers it could not resolve with a null paperId: there is nothing to link them to.
    ids = (v.get("paperId") for v in value if isinstance(v, Mapping))
    return tuple(dict.fromkeys(i for i in ids if i))


def _vector(value: Any) -> tuple[float, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(x, int | float) for x in value):
        raise BadRecord("`embedding` must be a list of numbers")
    return tuple(float(x) for x in value)
