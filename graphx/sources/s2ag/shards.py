"""Where a release's shards are, and their rows streamed one at a time.

A release as AI2 ships it has one folder per dataset (``DIR/papers/*.jsonl.gz``, ``DIR/abstracts/...``);
a flat folder of files named ``papers-*.jsonl.gz``, ``abstracts-*.jsonl.gz``... (as the sample files
are named) is read too. Rows are JSON objects, one a line, gzipped or not. A line that is not a JSON
object is skipped and noted (:class:`ReadLog`); a shard cut short (a truncated download) keeps the rows
before the cut, with a warning; a shard of another dataset is an error before anything is read.
"""

from __future__ import annotations

import gzip
import json
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphx.errors import InputError
from graphx.sources.records import Skipped

DATASETS = ("papers", "abstracts", "citations", "embeddings", "tldrs")
REQUIRED = ("papers",)
SHARD_SUFFIXES = (".jsonl.gz", ".json.gz", ".jsonl", ".gz")
NAME_SEPARATORS = ("-", "_", ".")
MAX_NOTED = 50  # skipped rows listed one by one; the rest are only counted
# The keys that tell each bulk dataset's rows apart (the first key found decides), including datasets
# graphx does not read, so that a misplaced shard is named.
DATASET_KEYS = (
    ("citingcorpusid", "citations"),
    ("vector", "embeddings"),
    ("abstract", "abstracts"),
    ("title", "papers"),
    ("text", "tldrs"),
    ("content", "s2orc"),
    ("sha", "paper-ids"),
    ("authorid", "authors"),
    ("issn", "publication-venues"),
)
LAYOUT_HINT = (
    "an S2AG release folder holds papers/*.jsonl.gz (and abstracts/, citations/, optionally embeddings/ "
    "and tldrs/), or files named papers-*.jsonl.gz, abstracts-*.jsonl.gz ... side by side"
)


@dataclass
class ReadLog:
    """What reading a release left out: skipped rows (the first :data:`MAX_NOTED` listed) and warnings."""

    skipped_rows: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def skip(self, path: Path, where: str, reason: str) -> None:
        self.skipped_rows += 1
        if len(self.skipped) < MAX_NOTED:
            self.skipped.append(Skipped(os.fspath(path), where, reason))

    def warn(self, message: str) -> None:
        self.warnings.append(message)


def release_files(path: str | os.PathLike) -> dict[str, list[Path]]:
    """Dataset name -> its shard files (sorted), for every dataset graphx reads; absent ones -> ``[]``.

    Raises
    ------
    graphx.errors.InputError
        ``path`` is not a folder, or it holds no ``papers`` shards.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "papers").mkdir(), (folder / "papers" / "part0.jsonl.gz").write_bytes(b"")
    >>> {k: [p.name for p in v] for k, v in release_files(folder).items()}["papers"]
    ['part0.jsonl.gz']
    """
    root = Path(path)
    name = os.fspath(path)
    if not root.exists():
        raise InputError(f"no such folder; check the path ({LAYOUT_HINT})", path=name)
    if not root.is_dir():
        raise InputError(f"this is a file, not a release folder; {LAYOUT_HINT}", path=name)
    out = {dataset: _dataset_files(root, dataset) for dataset in DATASETS}
    for dataset in REQUIRED:
        if not out[dataset]:
            raise InputError(
                f"no {dataset} shards here; {LAYOUT_HINT}. Download the {dataset} dataset into "
                f"{root / dataset}/",
                path=name,
            )
    return out


def is_release(path: str | os.PathLike) -> bool:
    """True when ``path`` is a folder holding a release's ``papers`` shards."""
    try:
        release_files(path)
    except InputError:
        return False
    return True


def _is_shard(p: Path) -> bool:
    return p.is_file() and not p.name.startswith(".") and p.name.lower().endswith(SHARD_SUFFIXES)


def _dataset_files(root: Path, dataset: str) -> list[Path]:
    folder = root / dataset
    if folder.is_dir():
        return sorted(p for p in folder.iterdir() if _is_shard(p))
    prefixes = tuple(dataset + s for s in NAME_SEPARATORS)
    return sorted(p for p in root.iterdir() if _is_shard(p) and p.name.lower().startswith(prefixes))


def row_dataset(row: Any) -> str | None:
    """The bulk dataset a row belongs to, from its keys (None: not a row of a known dataset).

    Examples
    --------
    >>> row_dataset({"citingcorpusid": "1", "citedcorpusid": "2"}), row_dataset({"corpusid": 1, "title": "T"})
    ('citations', 'papers')
    """
    if not isinstance(row, dict):
        return None
    for key, dataset in DATASET_KEYS:
        if key in row:
            return dataset
    return None


def check_shard(path: Path, dataset: str) -> None:
    """Raise :class:`~graphx.errors.InputError` when the first row of a shard belongs to another dataset."""
    for number, row in iter_rows(path, ReadLog(), dataset=None):
        found = row_dataset(row)
        if found is not None and found != dataset:
            raise InputError(
                f"this shard holds {found} rows (keys {', '.join(sorted(row)[:6])}), not {dataset}; move "
                f"it to the {found}/ folder of the release or delete it",
                path=os.fspath(path),
                where=f"line {number}",
            )
        return


def iter_rows(path: Path, log: ReadLog, *, dataset: str | None) -> Iterator[tuple[int, dict]]:
    """``(line number, row)`` for each JSON-object line of one shard, gzipped or not.

    Lines that are not JSON objects are skipped and noted in ``log``; a file cut short (or damaged past
    some point) ends the rows there with a warning in ``log``: the rows before it are kept.
    """
    for number, line in iter_lines(path, log, dataset=dataset):
        row = parse_row(path, number, line, log)
        if row is not None:
            yield number, row


def parse_row(path: Path, number: int, line: bytes, log: ReadLog) -> dict | None:
    """One line as a JSON object, or None (noted in ``log`` as a skipped row)."""
    try:
        row = _loads(line)
    except (ValueError, UnicodeDecodeError) as exc:  # json's and orjson's JSONDecodeError are ValueErrors
        reason = getattr(exc, "msg", None) or str(exc).split(":")[0]
        log.skip(path, f"line {number}", f"not a JSON line ({reason})")
        return None
    except RecursionError:
        log.skip(path, f"line {number}", "JSON nested too deeply")
        return None
    if not isinstance(row, dict):
        log.skip(path, f"line {number}", f"a JSON {type(row).__name__}, not an object")
        return None
    return row


def iter_lines(path: Path, log: ReadLog, *, dataset: str | None) -> Iterator[tuple[int, bytes]]:
    """``(line number, line)`` of the non-blank lines of one shard; a cut-short file ends with a warning."""
    number = 0
    try:
        with _open(path) as fh:
            for number, line in enumerate(fh, start=1):  # noqa: B007 (number is read after the loop)
                if line.strip():
                    yield number, line
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        what = dataset or "rows"
        log.warn(
            f"{path}: the file ends or is damaged after line {number:,} ({exc}); the {what} before it "
            "were read. Download this shard again to read the rest."
        )
    except OSError as exc:
        raise InputError(f"cannot read this shard ({exc.strerror or exc})", path=os.fspath(path)) from None


def _json_loads(line: bytes) -> Any:
    return json.loads(line.decode("utf-8"))  # decoding first skips json's encoding detection


try:  # orjson (the `scale` extra) parses shards about twice as fast as the json module
    from orjson import loads as _loads
except ImportError:  # pragma: no cover - depends on the install
    _loads = _json_loads


def _open(path: Path):
    with open(path, "rb") as probe:
        magic = probe.read(2)
    return gzip.open(path, "rb") if magic == b"\x1f\x8b" else open(path, "rb")
