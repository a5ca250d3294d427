"""What the Semantic Scholar source remembers, in its own tables of the papers database.

- ``s2_papers``: papers fetched from S2 with their link lists, and the link kinds still to be paged
  (a run killed between a batch and its paging pages them next time);
- ``s2_ids``: what each id the user gave resolved to, NULL when S2 knows no such paper;
- ``s2_searches``: paperIds of a search, by normalised query, so ``--offline`` can replay it;
- ``s2_titles``: the title-match answer for each normalised title, NULL when there was none.

No credential is ever written here: keys are the normalised request, never a header.
"""

from __future__ import annotations

import json
import re

from graphx.paper import Paper
from graphx.store.papers import PaperStore

SCHEMA = """
CREATE TABLE IF NOT EXISTS s2_papers (
    paper_id TEXT PRIMARY KEY,
    pending TEXT NOT NULL DEFAULT '',
    fetched_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE TABLE IF NOT EXISTS s2_ids (
    api_id TEXT PRIMARY KEY,
    paper_id TEXT
);
CREATE TABLE IF NOT EXISTS s2_searches (
    query_key TEXT PRIMARY KEY,
    max_results INTEGER NOT NULL,
    paper_ids TEXT NOT NULL,
    fetched_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE TABLE IF NOT EXISTS s2_titles (
    title_key TEXT PRIMARY KEY,
    paper_id TEXT,
    matched_title TEXT
);
"""


def query_key(query: str) -> str:
    """Searches that differ only in case and spacing are the same search."""
    return re.sub(r"\s+", " ", query).strip().lower()


class S2Cache:
    """The S2 tables of one :class:`~graphx.store.PaperStore`."""

    def __init__(self, store: PaperStore):
        self.store = store
        with store.transaction() as conn:
            conn.executescript(SCHEMA)

    def lookup(self, api_id: str) -> Paper | bool | None:
        """The cached, fully fetched paper for ``api_id``; False if S2 is known not to have it; None if
        it must be fetched."""
        conn = self.store.connection()
        with self.store.transaction():
            row = conn.execute("SELECT paper_id FROM s2_ids WHERE api_id = ?", (api_id.lower(),)).fetchone()
        if row is not None and row[0] is None:
            return False
        paper_id = row[0] if row else None
        if paper_id is None:
            found = self.store.find(api_id)
            paper_id = found.id if found else None
        if paper_id is None:
            return None
        with self.store.transaction():
            done = conn.execute(
                "SELECT 1 FROM s2_papers WHERE paper_id = ? AND pending = ''", (paper_id,)
            ).fetchone()
        if not done:
            return None
        return self.store.get_papers([paper_id]).get(paper_id)

    def save_batch(self, by_api_id: dict[str, Paper | None], pending: dict[str, list[str]]) -> None:
        """One batch answer, committed in one transaction with the papers themselves."""
        papers = {p.id: p for p in by_api_id.values() if p is not None}
        with self.store.transaction() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO s2_ids(api_id, paper_id) VALUES(?, ?)",
                [(a.lower(), p.id if p else None) for a, p in by_api_id.items()],
            )
            conn.executemany(
                "INSERT OR REPLACE INTO s2_papers(paper_id, pending) VALUES(?, ?)",
                [(pid, ",".join(pending.get(pid, ()))) for pid in papers],
            )
            # upsert_papers opens a nested transaction on the same connection: its commit covers the
            # rows above too, so ids, markers and papers land together or not at all.
            self.store.upsert_papers(papers.values())

    def save_paged(self, paper: Paper) -> None:
        with self.store.transaction() as conn:
            conn.execute("UPDATE s2_papers SET pending = '' WHERE paper_id = ?", (paper.id,))
            self.store.upsert_papers([paper])

    def fetched_count(self) -> int:
        with self.store.transaction() as conn:
            return conn.execute("SELECT COUNT(*) FROM s2_papers").fetchone()[0]

    def search(self, query: str, max_results: int) -> list[str] | None:
        """Cached paperIds of a search asked for at least ``max_results`` results (or exhausted)."""
        with self.store.transaction() as conn:
            row = conn.execute(
                "SELECT max_results, paper_ids FROM s2_searches WHERE query_key = ?", (query_key(query),)
            ).fetchone()
        if row is None:
            return None
        cached_max, ids = row[0], _json_or_none(row[1])
        if not isinstance(ids, list) or not all(isinstance(i, str) and i for i in ids):
            return None  # a damaged entry (e.g. [null, ...] from an older graphx): search again
        if cached_max >= max_results or len(ids) < cached_max:
            return ids[:max_results]
        return None

    def save_search(self, query: str, max_results: int, paper_ids: list[str]) -> None:
        with self.store.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO s2_searches(query_key, max_results, paper_ids) VALUES(?, ?, ?)",
                (query_key(query), max_results, json.dumps(paper_ids)),
            )

    def title(self, title_key: str) -> tuple[str | None, str | None] | None:
        """(paperId or None, matched title) for a title matched before; None if never asked."""
        with self.store.transaction() as conn:
            row = conn.execute(
                "SELECT paper_id, matched_title FROM s2_titles WHERE title_key = ?", (title_key,)
            ).fetchone()
        return (row[0], row[1]) if row else None

    def save_title(self, title_key: str, paper_id: str | None, matched_title: str | None) -> None:
        with self.store.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO s2_titles(title_key, paper_id, matched_title) VALUES(?, ?, ?)",
                (title_key, paper_id, matched_title),
            )


def _json_or_none(text: str) -> object:
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return None
