"""Which papers of an S2AG release to keep: fields of study, years, venues, a corpus-id list, a text query.

The filter looks at one ``papers`` row (and the paper's abstract, for the query), so a reader can drop a
paper before anything else about it is held; both engines use :meth:`S2AGFilter.keeps`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphx.errors import ConfigError, InputError
from graphx.sources import fields
from graphx.sources.s2ag.records import ID_PREFIX, corpus_number, fields_of_study

# Semantic Scholar's field-of-study categories (s2fieldsofstudy.category), compared case-insensitively.
KNOWN_FIELDS_OF_STUDY = (
    "Agricultural and Food Sciences", "Art", "Biology", "Business", "Chemistry", "Computer Science",
    "Economics", "Education", "Engineering", "Environmental Science", "Geography", "Geology", "History",
    "Law", "Linguistics", "Materials Science", "Mathematics", "Medicine", "Philosophy", "Physics",
    "Political Science", "Psychology", "Sociology",
)  # fmt: skip
WORD = re.compile(r"[0-9a-z]+")
CORPUS_ID_LINE = re.compile(r"^(?:corpusid:)?\s*(\d+)$", re.IGNORECASE)


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def query_terms(query: str | None) -> tuple[str, ...]:
    """The words a text query asks for, lower-cased, each once.

    Examples
    --------
    >>> query_terms("Diffusion models, diffusion!")
    ('diffusion', 'models')
    """
    return tuple(dict.fromkeys(WORD.findall((query or "").casefold())))


@dataclass(frozen=True)
class S2AGFilter:
    """The papers to keep; an empty filter (the default) keeps every paper.

    Parameters
    ----------
    fields_of_study : any of these categories (case-insensitive), e.g. ``("Computer Science",)``.
    year_from, year_to : publication years, both ends included; papers without a year are left out
        when either is given.
    venues : any of these venue names (the row's ``venue`` or ``journal.name``), compared whole and
        case-insensitively.
    corpus_ids : only these corpus ids (decimal strings, see :func:`read_corpus_ids`).
    query : every word of it must occur in the title or the abstract (case-insensitive, whole words).

    Examples
    --------
    >>> f = S2AGFilter(year_from=2018, query="protease")
    >>> f.keeps({"corpusid": 1, "title": "Alkaline protease from feathers", "year": 2018}, None)
    True
    >>> f.keeps({"corpusid": 2, "title": "Enzymes", "year": 2018}, "A protease that ...")
    True
    >>> f.keeps({"corpusid": 3, "title": "Alkaline protease", "year": 2017}, None)
    False
    """

    fields_of_study: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    venues: tuple[str, ...] = ()
    corpus_ids: frozenset[str] | None = None
    query: str | None = None

    def __post_init__(self) -> None:
        known = {f.casefold(): f for f in KNOWN_FIELDS_OF_STUDY}
        unknown = [f for f in self.fields_of_study if f.casefold() not in known]
        if unknown:
            raise ConfigError(
                f"Unknown field(s) of study: {', '.join(unknown)}. Semantic Scholar's are "
                f"{', '.join(KNOWN_FIELDS_OF_STUDY)}."
            )
        for flag, year in (("--year-from", self.year_from), ("--year-to", self.year_to)):
            if year is not None and not fields.MIN_YEAR <= year <= fields.MAX_YEAR:
                raise ConfigError(
                    f"{flag} must be a year between {fields.MIN_YEAR} and {fields.MAX_YEAR} (got {year})."
                )
        if self.year_from is not None and self.year_to is not None and self.year_from > self.year_to:
            raise ConfigError(f"--year-from {self.year_from} is after --year-to {self.year_to}; swap them.")
        if self.query is not None and not query_terms(self.query):
            raise ConfigError(f"--match {self.query!r} has no words to look for; give a word or two.")
        object.__setattr__(self, "_fields", frozenset(f.casefold() for f in self.fields_of_study))
        object.__setattr__(self, "_venues", frozenset(_fold(v) for v in self.venues))
        object.__setattr__(self, "_terms", query_terms(self.query))

    @property
    def is_empty(self) -> bool:
        """True when every paper is kept."""
        return not (
            self.fields_of_study
            or self.year_from is not None
            or self.year_to is not None
            or self.venues
            or self.corpus_ids is not None
            or self.query
        )

    @property
    def terms(self) -> tuple[str, ...]:
        """The words of ``query`` (empty without one)."""
        return self._terms  # type: ignore[attr-defined]

    def keeps(self, paper_row: Mapping[str, Any], abstract: str | None) -> bool:
        """True when the paper of this ``papers`` row, with this abstract, passes every criterion."""
        if not self.keeps_metadata(paper_row):
            return False
        return self.terms_missing(self.terms_found(paper_row.get("title")) | self.terms_found(abstract)) == 0

    def keeps_metadata(self, paper_row: Mapping[str, Any]) -> bool:
        """True when the row passes every criterion but the query (which may need the abstract)."""
        if self.corpus_ids is not None:
            number = corpus_number(paper_row.get("corpusid"))
            if number is None or str(number) not in self.corpus_ids:
                return False
        if self.year_from is not None or self.year_to is not None:
            year = paper_row.get("year")
            if not isinstance(year, int) or isinstance(year, bool):
                return False
            if (self.year_from is not None and year < self.year_from) or (
                self.year_to is not None and year > self.year_to
            ):
                return False
        if self._venues:  # type: ignore[attr-defined]
            names = {paper_row.get("venue"), (paper_row.get("journal") or {}).get("name")}
            if not any(isinstance(n, str) and _fold(n) in self._venues for n in names):  # type: ignore[attr-defined]
                return False
        if self._fields:  # type: ignore[attr-defined]
            try:
                categories = fields_of_study(paper_row)
            except ValueError:
                return False
            if not any(c.casefold() in self._fields for c in categories):  # type: ignore[attr-defined]
                return False
        return True

    def terms_found(self, text: Any) -> int:
        """Bit mask of the query words that occur in ``text`` (bit i: ``terms[i]``)."""
        if not self.terms or not isinstance(text, str):
            return 0
        words = set(WORD.findall(text.casefold()))
        return sum(1 << i for i, term in enumerate(self.terms) if term in words)

    def terms_missing(self, found: int) -> int:
        """Bit mask of the query words not in ``found`` (0: the query is satisfied)."""
        return ((1 << len(self.terms)) - 1) & ~found

    def describe(self) -> str:
        """The criteria in words, for a build's ``inputs`` and the CLI ("" when empty)."""
        parts = []
        if self.fields_of_study:
            parts.append("fields of study " + ", ".join(self.fields_of_study))
        if self.year_from is not None or self.year_to is not None:
            parts.append(f"years {self.year_from or '…'}-{self.year_to or '…'}")
        if self.venues:
            parts.append("venues " + ", ".join(self.venues))
        if self.corpus_ids is not None:
            parts.append(f"{len(self.corpus_ids):,} corpus ids")
        if self.query:
            parts.append(f"matching {self.query!r}")
        return "; ".join(parts)


def read_corpus_ids(path: str | os.PathLike) -> frozenset[str]:
    """Corpus ids from a text file, one a line (``123`` or ``CorpusId:123``; blank lines and ``#`` comments
    ignored).

    Raises
    ------
    graphx.errors.InputError
        The file cannot be read, or a line is not a corpus id (its number is given).
    """
    name = os.fspath(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError("no such corpus-id file; check the path", path=name) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(
            f"cannot read the corpus-id file ({exc}); give a UTF-8 text file", path=name
        ) from None
    out: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        match = CORPUS_ID_LINE.match(line)
        if not match:
            raise InputError(
                f"{line!r:.60} is not a corpus id; write one a line, as 123 or {ID_PREFIX}123",
                path=name,
                where=f"line {number}",
            )
        out.add(str(int(match.group(1))))
    if not out:
        raise InputError("the corpus-id file holds no ids; write one a line", path=name)
    return frozenset(out)


def filter_from_options(values: Mapping[str, Any]) -> S2AGFilter:
    """The filter of the S2AG options given (:data:`graphx.options.OPTIONS`, group ``s2ag``)."""
    ids_file = values.get("corpus_ids")
    return S2AGFilter(
        fields_of_study=_names(values.get("fields_of_study")),
        year_from=values.get("year_from"),
        year_to=values.get("year_to"),
        venues=_names(values.get("venue")),
        corpus_ids=read_corpus_ids(ids_file) if ids_file else None,
        query=fields.text(values.get("match")),
    )


def _names(value: str | Iterable[str] | None) -> tuple[str, ...]:
    if not value:
        return ()
    items = value.split(",") if isinstance(value, str) else value
    return tuple(dict.fromkeys(s.strip() for s in items if s and s.strip()))
