"""BibTeX and RIS as reference managers (Zotero, Mendeley, EndNote) export them.

BibTeX goes through bibtexparser 2 (LaTeX decoding, co-author splitting); RIS through rispy, one record
at a time so that a broken record can be named and, with ``skip_bad``, skipped.

A record's id is its DOI, else its arXiv id, else the BibTeX key / RIS ``ID``, else a hash of its
normalised title, so that the same paper exported twice gets the same id.
"""

from __future__ import annotations

import hashlib
import logging
import re
from typing import Any

import bibtexparser
import rispy
from bibtexparser import middlewares
from bibtexparser.model import DuplicateBlockKeyBlock, Entry, ParsingFailedBlock

# bibtexparser decodes LaTeX in plain fields only, not inside split author names; it uses pylatexenc
# for that, so we call the same decoder on names.
from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

from graphx.paper import Paper, normalize_arxiv, normalize_doi, normalize_title
from graphx.sources.records import Collector

# bibtexparser logs each failed block as a warning, which Python prints to stderr when nobody configured
# logging: a second, rawer copy beside graphx's own error for the same block. Applications that set up
# logging still get these records.
logging.getLogger("bibtexparser").addHandler(logging.NullHandler())

ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.IGNORECASE)
BIBTEX_ENTRY = re.compile(r"^\s*@\s*[a-z]+\s*[{(]", re.IGNORECASE | re.MULTILINE)
BIBTEX_KEY = re.compile(r"@\s*\w+\s*[{(]\s*([^,\s]*)")
RIS_TAG = re.compile(r"^([A-Z][A-Z0-9])  -(?: (.*))?$")
YEAR_IN_TEXT = re.compile(r"(?<!\d)(\d{4})(?!\d)")
TITLE_HASH_CHARS = 16

_latex = LatexNodes2Text(math_mode="verbatim")


def _field_decoder() -> LatexNodes2Text:
    """bibtexparser's own decoder (URLs unwrapped, math kept), with ``\\textasciicircum`` read as ``^``.

    pylatexenc reads it as U+02C6 (a modifier letter); the BibTeX writers of reference managers and
    graphx mean the ASCII caret by it.
    """
    context = get_default_latex_context_db()
    context.add_context_category(
        "graphx-bibtex",
        prepend=True,
        macros=[
            MacroTextSpec("url", simplify_repl="%s"),
            MacroTextSpec("textasciicircum", simplify_repl="^"),
        ],
    )
    return LatexNodes2Text(latex_context=context, keep_braced_groups=False, math_mode="verbatim")


def looks_like_bibtex(text: str) -> bool:
    return bool(BIBTEX_ENTRY.search(text))


def looks_like_ris(text: str) -> bool:
    return any(RIS_TAG.match(line) and line.startswith("TY") for line in text.splitlines()[:50])


def read_bibtex(text: str, col: Collector) -> None:
    """Add the papers of a BibTeX file to ``col``; failed blocks and unusable entries are bad entries."""
    library = bibtexparser.parse_string(
        text,
        append_middleware=[
            middlewares.LatexDecodingMiddleware(decoder=_field_decoder()),
            middlewares.SeparateCoAuthors(),
            middlewares.SplitNameParts(),
        ],
    )
    number = 0
    for block in library.blocks:
        if not isinstance(block, Entry | ParsingFailedBlock):
            continue  # @string, @preamble, @comment and text between entries
        number += 1
        if isinstance(block, ParsingFailedBlock):
            raw = block.raw or ""
            match = BIBTEX_KEY.search(raw)
            key = match.group(1) if match else "?"
            where = f"entry {number} (key {key}, line {block.start_line + 1})"
            if isinstance(block, DuplicateBlockKeyBlock):
                col.bad(where, f"the key {key!r} is used by an earlier entry too")
            else:
                detail = (
                    getattr(block.error, "abort_reason", None) or "an unclosed brace, a missing comma or `=`?"
                )
                col.bad(where, f"BibTeX syntax error ({detail})")
            continue
        where = f"entry {number} (key {block.key}, line {block.start_line + 1})"
        try:
            col.papers.append(_bibtex_to_paper(block))
        except ValueError as exc:
            col.bad(where, str(exc))


def _bibtex_to_paper(entry: Entry) -> Paper:
    fields = {f.key.lower(): f.value for f in entry.fields}
    text = {k: " ".join(v.split()) for k, v in fields.items() if isinstance(v, str) and v.strip()}
    title = text.get("title")
    if not title:
        raise ValueError("the entry has no title")
    doi = normalize_doi(text.get("doi"))
    prefix = (text.get("archiveprefix") or text.get("eprinttype") or "").lower()
    arxiv = (
        (normalize_arxiv(text.get("eprint")) if prefix == "arxiv" else None)
        or normalize_arxiv(text.get("arxivid"))  # Mendeley
        or _arxiv_from(doi, text.get("url"), text.get("journal"), text.get("note"))
    )
    authors = fields.get("author") or []
    return Paper(
        id=_record_id(doi, arxiv, entry.key, title),
        title=title,
        abstract=text.get("abstract"),
        year=_year(text.get("year") or text.get("date")),
        authors=tuple(_name(n) for n in authors if not isinstance(n, str)),
        venue=text.get("journal") or text.get("booktitle") or text.get("journaltitle"),
        doi=doi,
        arxiv=arxiv,
        url=text.get("url"),
    )


def _name(parts: middlewares.NameParts) -> str:
    name = " ".join(p for p in (*parts.first, *parts.von, *parts.last) if p)
    if parts.jr:
        name += ", " + " ".join(parts.jr)
    return " ".join(_latex.latex_to_text(name).split())


def read_ris(text: str, col: Collector) -> None:
    """Add the papers of a RIS file to ``col``; each ``TY ... ER`` record is parsed on its own."""
    number = 0
    lines: list[str] = []
    start = 0
    for line_no, line in enumerate(text.splitlines(), start=1):
        tag = RIS_TAG.match(line.rstrip())
        if tag and tag.group(1) == "TY":
            if lines:
                number += 1
                col.bad(f"entry {number} (line {start})", "the record has no `ER  -` line to end it")
            lines, start = [line], line_no
        elif not lines:
            if line.strip():
                col.bad(f"line {line_no}", "text outside a `TY  -` ... `ER  -` record")
        else:
            lines.append(line)
            if tag and tag.group(1) == "ER":
                number += 1
                _add_ris_record("\n".join(lines) + "\n", f"entry {number} (line {start})", col)
                lines = []
    if lines:
        number += 1
        col.bad(f"entry {number} (line {start})", "the record has no `ER  -` line to end it")


def _add_ris_record(chunk: str, where: str, col: Collector) -> None:
    try:
        records = rispy.loads(chunk)
        if len(records) != 1:
            raise ValueError("rispy found no record")
        col.papers.append(_ris_to_paper(records[0]))
    except (ValueError, KeyError, OSError) as exc:  # rispy raises IOError on some malformed records
        col.bad(where, f"{exc}".strip() or "malformed RIS record")


def _ris_to_paper(record: dict[str, Any]) -> Paper:
    def first(*keys: str) -> str | None:
        for key in keys:
            value = record.get(key)
            if isinstance(value, list):
                value = next((v for v in value if v and v.strip()), None)
            if value and value.strip():
                return " ".join(value.split())
        return None

    title = first("title", "primary_title", "translated_title")
    if not title:
        raise ValueError("the record has no title (TI or T1)")
    doi = normalize_doi(first("doi"))
    urls = record.get("urls") or []
    arxiv = _arxiv_from(doi, *urls, first("notes"), first("note"))
    authors = record.get("authors") or record.get("first_authors") or []
    return Paper(
        id=_record_id(doi, arxiv, first("id"), title),
        title=title,
        abstract=first("abstract", "notes_abstract"),
        year=_year(first("year", "publication_year", "date")),
        authors=tuple(_ris_name(a) for a in authors if a.strip()),
        # Zotero writes the journal or proceedings title to T2, Mendeley to JF/JO.
        venue=first(
            "secondary_title", "alternate_title3", "journal_name", "alternate_title1", "alternate_title2"
        ),
        doi=doi,
        arxiv=arxiv,
        url=urls[0] if urls else None,
    )


def _ris_name(name: str) -> str:
    last, sep, given = name.partition(",")
    return " ".join(f"{given} {last}".split()) if sep else " ".join(name.split())


def _arxiv_from(doi: str | None, *texts: str | None) -> str | None:
    match = ARXIV_DOI.match(doi or "")
    if match:
        return normalize_arxiv(match.group(1))
    for text in texts:
        if text and "arxiv" in text.lower():
            found = normalize_arxiv(text)
            if found:
                return found
    return None


def _year(value: str | None) -> int | None:
    """The year of ``2017``, ``2017///`` (RIS), ``2017-06-12`` or ``2017/06/12/``; error if none."""
    if not value:
        return None
    match = YEAR_IN_TEXT.search(value)
    if not match:
        raise ValueError(f"the year {value!r} holds no four-digit year")
    return int(match.group(1))


def _record_id(doi: str | None, arxiv: str | None, key: str | None, title: str) -> str:
    if doi:
        return doi
    if arxiv:
        return arxiv
    if key and key.strip():
        return key.strip()
    digest = hashlib.sha1(normalize_title(title).encode("utf-8")).hexdigest()
    return f"title-{digest[:TITLE_HASH_CHARS]}"
