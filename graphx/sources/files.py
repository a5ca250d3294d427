"""Load papers from local files: JSON Lines, JSON, CSV, BibTeX, RIS, listing text, plus citation edge lists.

:func:`load_papers` is what the CLI and the web app call: it reads every papers file, adds the edges of
any citation files, and merges records of the same paper across files with
:func:`graphx.paper.merge_duplicates`. A broken record stops the load with an
:class:`~graphx.errors.InputError` that names the file and the line or entry, unless ``skip_bad`` is
set, in which case it is left out and listed in :attr:`LoadResult.skipped`. A file that cannot be read
at all (missing, a directory, not UTF-8, empty) is always an error. Text files (``.txt``, ``.md``) are
read as text pasted from a listing page (:mod:`graphx.sources.listing`); what each yielded is in
:attr:`LoadResult.listings`.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from graphx.errors import BadRecord, InputError, Placeholder, WrongFileKind
from graphx.paper import Paper, merge_duplicates, normalize_title
from graphx.sources.bibliography import looks_like_bibtex, looks_like_ris, read_bibtex, read_ris
from graphx.sources.listing import Listing, read_listing
from graphx.sources.records import Collector, Skipped, record_to_paper

__all__ = ["LoadResult", "Skipped", "load_papers", "read_citation_edges", "read_papers_file"]

SUPPORTED_FORMATS = (
    "JSON Lines (.jsonl), JSON (.json: a list of papers, a Semantic Scholar batch/search response or "
    "{data: [...]} page, a Local Citation Network file), CSV or TSV with `id` and `title` columns "
    "(.csv, .tsv), BibTeX (.bib), RIS (.ris), text copied from a listing page or a reading list (.txt, .md); "
    "any of them gzipped (.gz)"
)
EXTENSION_FORMATS = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".tsv": "tsv",
    ".bib": "bibtex",
    ".bibtex": "bibtex",
    ".ris": "ris",
    ".txt": "listing",
    ".md": "listing",
    ".markdown": "listing",
}
GZIP_SUFFIX = ".gz"
GZIP_MAGIC = b"\x1f\x8b"
NULL_ENTRY_REASON = "null entry: Semantic Scholar found no paper for the id asked at this position"
EDGE_HEADER = ("citing", "cited")
TOO_DEEP = "JSON nested too deeply to be a papers file; check that this is the right file"


@dataclass(frozen=True)
class LoadResult:
    """What :func:`load_papers` read."""

    papers: list[Paper]  # merged across all files
    skipped: list[Skipped]
    counts: dict[str, int]  # papers read per file path, before merging
    listings: dict[str, Listing] = field(default_factory=dict)  # what each listing text file held
    warnings: list[str] = field(default_factory=list)  # e.g. one id given to two different papers


def load_papers(
    paths: Sequence[str | os.PathLike],
    *,
    skip_bad: bool = False,
    citations: Sequence[str | os.PathLike] = (),
) -> LoadResult:
    """Read papers files and citation edge files into one merged list of papers.

    Parameters
    ----------
    paths : papers files in any supported format (detected from the extension, else the content), or
        folders of S2AG bulk releases (:mod:`graphx.sources.s2ag`; unfiltered, bad rows skipped).
    skip_bad : leave out broken records and list them in ``skipped`` instead of raising.
    citations : edge lists (``citing<TAB>cited`` header, see :func:`read_citation_edges`). Each edge
        is added to the citing paper's ``references``; the cited id may be outside the set.

    Raises
    ------
    InputError
        A file cannot be read, has an unknown format, or (without ``skip_bad``) holds a broken record or
        an edge whose citing id is in no papers file.
    """
    if not paths:
        raise InputError("no papers files given; pass at least one .jsonl, .json, .csv, .bib or .ris file")
    papers: list[Paper] = []
    skipped: list[Skipped] = []
    counts: dict[str, int] = {}
    listings: dict[str, Listing] = {}
    sources: list[str] = []
    release_warnings: list[str] = []
    for path in paths:
        key = os.fspath(path)
        if Path(path).is_dir():  # an S2AG bulk release, read whole (graphx.sources.s2ag filters it)
            from graphx.sources.s2ag import LAYOUT_HINT, is_release, load_release

            if not is_release(path):
                raise InputError(
                    f"this is a directory; pass the papers files inside it. A folder is read only as an S2AG "
                    f"release: {LAYOUT_HINT}",
                    path=key,
                )
            release = load_release(path)
            counts[key] = len(release.papers)
            papers += release.papers
            sources += [key] * len(release.papers)
            skipped += release.log.skipped
            release_warnings += release.log.warnings
            continue
        file_papers, file_skipped, listing = _read_file(path, skip_bad=skip_bad)
        if listing is not None:
            listings[key] = listing
        counts[key] = counts.get(key, 0) + len(file_papers)
        papers += file_papers
        sources += [key] * len(file_papers)
        skipped += file_skipped
    warnings = release_warnings + _conflicting_ids(papers, sources)
    for path in citations:
        papers, edge_skipped = _add_citation_edges(papers, path, skip_bad=skip_bad)
        skipped += edge_skipped
    return LoadResult(
        papers=merge_duplicates(papers), skipped=skipped, counts=counts, listings=listings, warnings=warnings
    )


def _conflicting_ids(papers: Sequence[Paper], sources: Sequence[str]) -> list[str]:
    """One warning per id that two records with different titles share (they are merged into one)."""
    first: dict[str, tuple[str, str, str]] = {}
    warned: set[str] = set()
    out: list[str] = []
    for paper, source in zip(papers, sources, strict=True):
        key = normalize_title(paper.title)
        seen = first.setdefault(paper.id, (key, paper.title or "", source))
        if key and seen[0] and key != seen[0] and paper.id not in warned:
            warned.add(paper.id)
            out.append(
                f"id {paper.id!r} is given to two different papers, {seen[1]!r:.80} ({seen[2]}) and "
                f"{paper.title!r:.80} ({source}); they were merged into one. Give them distinct ids if "
                "they are different papers."
            )
    return out


def read_papers_file(path: str | os.PathLike, *, skip_bad: bool = False) -> tuple[list[Paper], list[Skipped]]:
    """Read one papers file (not merged). See :func:`load_papers` for formats and errors."""
    papers, skipped, _ = _read_file(path, skip_bad=skip_bad)
    return papers, skipped


def _read_file(
    path: str | os.PathLike, *, skip_bad: bool
) -> tuple[list[Paper], list[Skipped], Listing | None]:
    name = os.fspath(path)
    text = _read_text(path)
    kind = EXTENSION_FORMATS.get(_suffix(name)) or _detect_format(name, text)
    if kind == "listing":
        # A .txt export of JSON Lines, RIS, BibTeX or CSV is read as what it holds.
        try:
            detected = _detect_format(name, text)
        except InputError:
            detected = "listing"
        if detected != "json" or _starts_with_json(text):  # "[1] arXiv:..." is a listing, not JSON
            kind = detected
    if kind == "listing":
        listing = read_listing(text, source=name)
        if not listing.papers:
            raise InputError(
                "no paper titles found in this text; paste one title a line, or the text of a listing page "
                "(titles with their abstracts, authors or ids). Other supported formats are "
                f"{SUPPORTED_FORMATS}",
                path=name,
            )
        return listing.papers, [], listing
    col = Collector(name, skip_bad)
    try:
        if kind == "jsonl":
            _read_jsonl(text, col)
        elif kind == "json":
            _read_json(text, col)
        elif kind in ("csv", "tsv"):
            _read_csv(text, col, delimiter="\t" if kind == "tsv" else ",")
        elif kind == "bibtex":
            read_bibtex(text, col)
        else:
            read_ris(text, col)
    except WrongFileKind as exc:
        raise InputError(str(exc), path=name) from None
    if not col.papers and not col.skipped:
        raise InputError(f"no papers found in this {kind} file; is it the right file?", path=name)
    return col.papers, col.skipped, None


def read_citation_edges(path: str | os.PathLike) -> list[tuple[str, str]]:
    """Citing -> cited id pairs from a TSV or CSV file whose first line is the header ``citing,cited``.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as f:
    ...     _ = f.write("citing\\tcited\\n1706.03762v7\\t1409.0473v7\\n")
    >>> read_citation_edges(f.name)
    [('1706.03762v7', '1409.0473v7')]
    """
    return [(citing, cited) for _, citing, cited in _read_edges(path)]


def _read_edges(path: str | os.PathLike) -> list[tuple[int, str, str]]:
    name = os.fspath(path)
    lines = _read_text(path).splitlines()
    first = next(i for i, line in enumerate(lines) if line.strip())
    delimiter = "\t" if "\t" in lines[first] else ","
    header = tuple(h.strip().lower() for h in lines[first].split(delimiter))
    if header != EDGE_HEADER:
        raise InputError(
            f"the first line is {lines[first]!r:.80}, expected the header `citing<TAB>cited` (or "
            "`citing,cited`); add that header line",
            path=name,
            where=f"line {first + 1}",
        )
    edges = []
    for number, line in enumerate(lines[first + 1 :], start=first + 2):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split(delimiter)]
        if len(parts) != len(EDGE_HEADER) or not all(parts):
            raise InputError(
                f"expected two ids separated by {'a tab' if delimiter == chr(9) else 'a comma'}, got "
                f"{line!r:.80}; fix or delete this line",
                path=name,
                where=f"line {number}",
            )
        edges.append((number, parts[0], parts[1]))
    return edges


def _add_citation_edges(
    papers: list[Paper], path: str | os.PathLike, *, skip_bad: bool
) -> tuple[list[Paper], list[Skipped]]:
    name = os.fspath(path)
    index: dict[str, list[int]] = {}
    for i, paper in enumerate(papers):
        for alias in paper.aliases():
            index.setdefault(alias, []).append(i)
    extra: dict[int, list[str]] = {}
    skipped: list[Skipped] = []
    for number, citing, cited in _read_edges(path):
        owners = index.get(citing)
        if owners is None:
            reason = f"citing paper {citing!r} is in no papers file"
            if not skip_bad:
                raise InputError(
                    f"{reason}; load the file that has it, fix the id, or pass --skip-bad to drop its edges",
                    path=name,
                    where=f"line {number}",
                )
            skipped.append(Skipped(name, f"line {number}", reason))
            continue
        for i in dict.fromkeys(owners):
            extra.setdefault(i, []).append(cited)
    out = list(papers)
    for i, cited_ids in extra.items():
        refs = tuple(dict.fromkeys((*out[i].references, *cited_ids)))
        out[i] = replace(out[i], references=refs)
    return out, skipped


def _suffix(name: str) -> str:
    """The format's extension: ``papers.jsonl.gz`` -> ``.jsonl``."""
    p = Path(name)
    return (p.with_suffix("") if p.suffix.lower() == GZIP_SUFFIX else p).suffix.lower()


def _read_text(path: str | os.PathLike) -> str:
    name = os.fspath(path)
    p = Path(path)
    if not p.exists():
        raise InputError("no such file; check the path", path=name)
    if p.is_dir():
        raise InputError("this is a directory; pass the papers files inside it", path=name)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror}); check its permissions", path=name) from None
    if data.startswith(GZIP_MAGIC):  # any format may come gzipped (the shipped demo corpus does)
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise InputError(
                f"a damaged gzip file ({exc}); download or compress it again", path=name
            ) from None
    try:
        text = data.decode("utf-8-sig")  # Zotero and Excel write a byte-order mark
    except UnicodeDecodeError as exc:
        raise InputError(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); re-save the file as UTF-8",
            path=name,
        ) from None
    if not text.strip():
        raise InputError("the file is empty; export the papers again", path=name)
    return text


def _starts_with_json(text: str) -> bool:
    for candidate in (text, text.lstrip().splitlines()[0]):
        try:
            json.loads(candidate)
            return True
        except json.JSONDecodeError:
            continue
    return False


def _detect_format(name: str, text: str) -> str:
    head = text.lstrip()
    if head[:1] in "[{":
        return "json"
    if looks_like_ris(text):
        return "ris"
    if looks_like_bibtex(text):
        return "bibtex"
    first_line = head.splitlines()[0]
    for kind, delimiter in (("tsv", "\t"), ("csv", ",")):
        columns = {c.strip().lower() for c in first_line.split(delimiter)}
        if "title" in columns and columns & {"id", "paper_id"}:
            return kind
    raise InputError(f"unknown file format; supported formats are {SUPPORTED_FORMATS}", path=name)


def _read_jsonl(text: str, col: Collector) -> None:
    # Split on \n only: splitlines() also splits at U+2028, U+2029 and U+0085, which JSON strings may hold.
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        where = f"line {number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            col.bad(where, f"malformed JSON: {exc.msg} (column {exc.colno})")
            continue
        except RecursionError:
            col.bad(where, TOO_DEEP)
            continue
        _add_record(record, where, col)


def _read_json(text: str, col: Collector) -> None:
    try:
        doc = json.loads(text)
    except RecursionError:
        raise InputError(TOO_DEEP, path=col.path) from None
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data":  # several documents: JSON Lines saved as .json
            _read_jsonl(text, col)
            return
        raise InputError(
            f"malformed JSON: {exc.msg} (column {exc.colno}); fix the file, a JSON file must hold one "
            "valid document",
            path=col.path,
            where=f"line {exc.lineno}",
        ) from None
    if isinstance(doc, list) and doc and all(isinstance(s, dict) and "input" in s for s in doc):
        for s, session in enumerate(doc, start=1):
            _read_lcn_session(session, f"session {s} ", col)
        return
    if isinstance(doc, dict):
        if isinstance(doc.get("input"), list):
            _read_lcn_session(doc, "", col)
            return
        for key in ("data", "recommendedPapers", "papers"):
            if isinstance(doc.get(key), list):
                doc = doc[key]
                break
        else:
            if (
                "paperId" in doc
                or "id" in doc
                or "paper_id" in doc
                or "citedPaper" in doc
                or "citingPaper" in doc
            ):
                doc = [doc]
            else:
                raise InputError(
                    f"a JSON object with keys {sorted(doc)[:8]} is not a papers file; supported formats "
                    f"are {SUPPORTED_FORMATS}",
                    path=col.path,
                )
    if not isinstance(doc, list):
        raise InputError(
            f"the JSON document is a {type(doc).__name__}, not a list of papers; supported formats are "
            f"{SUPPORTED_FORMATS}",
            path=col.path,
        )
    _add_records(doc, "", col)


def _read_lcn_session(session: dict, prefix: str, col: Collector) -> None:
    """A Local Citation Network save: its ``input`` papers (the seed and its references) with their links.

    LCN keeps a placeholder for each reference it could not resolve (no ``id``, title "Missing: ...")
    and keeps unresolved OpenCitations DOIs with a blank title. These are not broken rows but LCN's own
    record of a gap, so they are listed in ``skipped`` without needing ``skip_bad``.
    """
    for number, record in enumerate(session["input"], start=1):
        where = f"{prefix}input entry {number}"
        if isinstance(record, dict) and not str(record.get("id") or "").strip():
            col.note(
                where, f"Local Citation Network could not resolve this reference: {record.get('title')!r}"
            )
        elif isinstance(record, dict) and not str(record.get("title") or "").strip():
            col.note(f"{where} (id {record['id']})", "Local Citation Network found no title for this paper")
        else:
            _add_record(record, _with_id(where, record), col)


def _add_records(records: Iterable[Any], prefix: str, col: Collector) -> None:
    for number, record in enumerate(records, start=1):
        _add_record(record, _with_id(f"{prefix}entry {number}", record), col)


def _with_id(where: str, record: Any) -> str:
    if isinstance(record, dict):
        ident = record.get("paperId") or record.get("id") or record.get("paper_id")
        if isinstance(ident, str | int) and str(ident).strip():
            return f"{where} (id {ident})"
    return where


def _add_record(record: Any, where: str, col: Collector) -> None:
    if record is None:
        col.note(where, NULL_ENTRY_REASON)
        return
    try:
        col.papers.append(record_to_paper(record))
    except Placeholder as exc:
        col.note(where, str(exc))
    except BadRecord as exc:
        col.bad(where, str(exc))


def _read_csv(text: str, col: Collector, *, delimiter: str) -> None:
    # strict: a quote opened and never closed is an error, not a cell swallowing the rest of the file.
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    number, last_line = 0, 1
    try:
        columns = {(c or "").strip().lower() for c in reader.fieldnames or ()}
        if "title" not in columns or not columns & {"id", "paper_id"}:
            raise InputError(
                f"the header row needs `id` and `title` columns, it has {sorted(columns)}; add them",
                path=col.path,
                where="line 1",
            )
        for number, row in enumerate(reader, start=1):
            where = f"row {number} (line {reader.line_num})"
            cells = {
                (k or "").strip().lower(): (v or "").strip() for k, v in row.items() if isinstance(v, str)
            }
            last_line = reader.line_num
            try:
                col.papers.append(record_to_paper({k: v for k, v in cells.items() if v}, csv_row=True))
            except BadRecord as exc:
                col.bad(where, str(exc))
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            reason = "a quoted cell opens on this row and is never closed: it would swallow the file's rest"
        else:
            reason = f"broken CSV ({exc}), most likely a stray quote in this row or the next"
        raise InputError(
            f'{reason}; close the quote (") or remove it',
            path=col.path,
            where=f"row {number + 1} (line {last_line + 1})",
        ) from None
