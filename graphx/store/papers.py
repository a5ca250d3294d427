"""The papers store: one SQLite database under the cache folder.

Papers are stored as JSON records keyed by their id, with their match keys (S2 id, DOI, arXiv id,
CorpusId) in a side table so that any id finds the paper. Every write is one transaction, so a crash
loses at most the batch being written, never what was committed before. Other modules (the Semantic
Scholar source) keep their own tables in the same database through :meth:`PaperStore.connection`.

Two tables serve questions about papers *outside* a map ("which papers does this map cite most?"):
``paper_links`` holds every citation a stored paper's lists name (citing, cited), indexed both ways, and
``paper_names`` the title and year of papers known only from someone's reference or citation list
(Semantic Scholar names them there). Schema version 1 databases gain both tables when opened; their
links are filled from the stored papers once.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from graphx.errors import CacheCorrupt, ConfigError
from graphx.paper import Paper, paper_from_dict, paper_to_dict

CACHE_ENV = "GRAPHX_CACHE_DIR"
DEFAULT_CACHE_DIR = "cache"
DB_FILENAME = "papers.sqlite"
SCHEMA_VERSION = 2
# SQLite refuses more than 32,766 bound parameters in one statement; stay well under it.
MAX_PARAMS = 900

SCHEMA = """
CREATE TABLE IF NOT EXISTS papers (
    id TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE TABLE IF NOT EXISTS paper_keys (
    key TEXT PRIMARY KEY,
    paper_id TEXT NOT NULL REFERENCES papers(id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS paper_keys_by_paper ON paper_keys(paper_id);
CREATE TABLE IF NOT EXISTS paper_links (
    citing TEXT NOT NULL,
    cited TEXT NOT NULL,
    PRIMARY KEY (citing, cited)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS paper_links_by_cited ON paper_links(cited);
CREATE TABLE IF NOT EXISTS paper_names (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    year INTEGER
);
"""


def resolve_cache_dir(path: str | os.PathLike | None = None) -> Path:
    """The cache folder: ``path`` if given, else ``$GRAPHX_CACHE_DIR``, else ``./cache``."""
    chosen = path or os.environ.get(CACHE_ENV) or DEFAULT_CACHE_DIR
    resolved = Path(chosen).expanduser()
    if resolved.exists() and not resolved.is_dir():
        raise ConfigError(
            f"Cache folder {resolved} exists and is not a folder; pick another with --cache-dir."
        )
    return resolved


def damaged_store(path: str | os.PathLike, exc: BaseException) -> CacheCorrupt:
    """The error for a papers database SQLite cannot read (garbage, truncated, a half-copied file).

    A truncated file opens fine and fails at the first query that reaches a missing page, so the CLI and
    the web app also turn a ``sqlite3.DatabaseError`` met later into this message.
    """
    return CacheCorrupt(
        f"The papers cache {path} is damaged ({exc}). Delete it (and any -wal / -shm file beside it) and "
        "rerun: only cached Semantic Scholar answers are lost, they are fetched again; built graphs are kept."
    )


class PaperStore:
    """Papers and their links in ``CACHE/papers.sqlite``.

    Safe to share between threads of one process (one connection, serialised by a lock); the web app
    and a background build use it concurrently.

    Examples
    --------
    >>> import tempfile
    >>> store = PaperStore(tempfile.mkdtemp())
    >>> store.upsert_papers([Paper(id="p1", title="A paper", doi="10.1145/3292500.3330701")])
    1
    >>> store.find("DOI:10.1145/3292500.3330701").title
    'A paper'
    """

    def __init__(self, cache_dir: str | os.PathLike):
        self.cache_dir = Path(cache_dir)
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        self.path = self.cache_dir / DB_FILENAME
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
        try:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA foreign_keys=ON")
            with self.transaction() as conn:
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                conn.executescript(SCHEMA)
                if version < SCHEMA_VERSION:
                    self._backfill_links(conn)
                conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        except sqlite3.DatabaseError as exc:
            self._conn.close()
            raise damaged_store(self.path, exc) from None

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic unit of work: committed on success, rolled back on any error."""
        with self._lock:
            try:
                yield self._conn
                self._conn.commit()
            except BaseException:
                self._conn.rollback()
                raise

    def connection(self) -> sqlite3.Connection:
        """The underlying connection, for modules that keep their own tables here."""
        return self._conn

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> PaperStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def upsert_papers(self, papers: Iterable[Paper]) -> int:
        """Store papers, merging each with the stored record of the same id; returns how many."""
        papers = list(papers)
        with self.transaction() as conn:
            existing = self._get_many(conn, [p.id for p in papers])
            for paper in papers:
                old = existing.get(paper.id)
                merged = paper.merge(old) if old else paper
                conn.execute(
                    "INSERT INTO papers(id, data) VALUES(?, ?) ON CONFLICT(id) DO UPDATE SET "
                    "data=excluded.data, updated_at=strftime('%Y-%m-%dT%H:%M:%SZ', 'now')",
                    (merged.id, json.dumps(paper_to_dict(merged))),
                )
                conn.executemany(
                    "INSERT OR IGNORE INTO paper_keys(key, paper_id) VALUES(?, ?)",
                    [(alias.lower(), merged.id) for alias in merged.aliases()],
                )
                conn.executemany(
                    "INSERT OR IGNORE INTO paper_links(citing, cited) VALUES(?, ?)", _links(merged)
                )
        return len(papers)

    def upsert_names(self, names: Iterable[tuple[str, str, int | None]]) -> int:
        """Remember ``(id, title, year)`` of papers known only from a reference or citation list."""
        rows = [(pid, title, year) for pid, title, year in names if pid and title]
        with self.transaction() as conn:
            conn.executemany(
                "INSERT INTO paper_names(id, title, year) VALUES(?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
                "title=excluded.title, year=COALESCE(excluded.year, paper_names.year)",
                rows,
            )
        return len(rows)

    def names(self, ids: Iterable[str]) -> dict[str, tuple[str, int | None]]:
        """``(title, year)`` of each id the store can name: stored papers first, then listed names."""
        ids = list(dict.fromkeys(ids))
        out = {pid: (p.title, p.year) for pid, p in self.get_papers(ids).items() if p.title}
        rest = [pid for pid in ids if pid not in out]
        with self._lock:
            for chunk in _chunks(rest):
                marks = ",".join("?" * len(chunk))
                for pid, title, year in self._conn.execute(
                    f"SELECT id, title, year FROM paper_names WHERE id IN ({marks})", chunk
                ):
                    out[pid] = (title, year)
        return out

    def links_from(self, ids: Iterable[str]) -> list[tuple[str, str]]:
        """``(citing, cited)`` for every stored citation made by one of ``ids`` (from any paper's lists)."""
        return self._links("citing", ids)

    def links_to(self, ids: Iterable[str]) -> list[tuple[str, str]]:
        """``(citing, cited)`` for every stored citation of one of ``ids`` (from any paper's lists)."""
        return self._links("cited", ids)

    def _links(self, column: str, ids: Iterable[str]) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        with self._lock:
            for chunk in _chunks(list(dict.fromkeys(ids))):
                marks = ",".join("?" * len(chunk))
                out += self._conn.execute(
                    f"SELECT citing, cited FROM paper_links WHERE {column} IN ({marks})", chunk
                ).fetchall()
        return out

    def _backfill_links(self, conn: sqlite3.Connection) -> None:
        for (data,) in conn.execute("SELECT data FROM papers").fetchall():
            paper = paper_from_dict(json.loads(data))
            conn.executemany("INSERT OR IGNORE INTO paper_links(citing, cited) VALUES(?, ?)", _links(paper))

    def get_papers(self, ids: Iterable[str]) -> dict[str, Paper]:
        """Stored papers by id; ids not stored are simply absent from the result."""
        with self._lock:
            return self._get_many(self._conn, list(ids))

    def find(self, any_id: str) -> Paper | None:
        """The paper known under ``any_id`` (its id, S2 id, ``DOI:``/``ARXIV:``/``CorpusId:`` forms)."""
        with self._lock:
            row = self._conn.execute(
                "SELECT p.data FROM paper_keys k JOIN papers p ON p.id = k.paper_id WHERE k.key = ?",
                (any_id.lower(),),
            ).fetchone()
        return paper_from_dict(json.loads(row[0])) if row else None

    def count(self) -> int:
        with self._lock:
            return self._conn.execute("SELECT COUNT(*) FROM papers").fetchone()[0]

    @staticmethod
    def _get_many(conn: sqlite3.Connection, ids: list[str]) -> dict[str, Paper]:
        out: dict[str, Paper] = {}
        for chunk in _chunks(ids):
            marks = ",".join("?" * len(chunk))
            for pid, data in conn.execute(f"SELECT id, data FROM papers WHERE id IN ({marks})", chunk):
                out[pid] = paper_from_dict(json.loads(data))
        return out


def _chunks(ids: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(ids), MAX_PARAMS):
        yield ids[start : start + MAX_PARAMS]


def _links(paper: Paper) -> list[tuple[str, str]]:
    """The (citing, cited) pairs a paper's own lists name, self-citations left out."""
    pairs = [(paper.id, ref) for ref in paper.references] + [(c, paper.id) for c in paper.citations]
    return [(u, v) for u, v in pairs if u != v]
