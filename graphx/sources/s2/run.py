"""The state of one collection from Semantic Scholar, shared by the search, seed, title and expansion steps.

:class:`Run` holds the cache, the client, the notes for the user and the progress count; it fetches
papers cache-first, 500 ids a ``POST /paper/batch`` call, and pages link lists the batch answer cut.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from urllib.parse import quote

from graphx.errors import BadRecord, OfflineMiss, S2Unreachable, SourceError
from graphx.paper import Paper
from graphx.progress import Progress
from graphx.sources.s2.cache import S2Cache
from graphx.sources.s2.client import S2Client
from graphx.sources.s2.records import PAPER_FIELDS, linked_ids, linked_names, paper_from_s2, unlinked_count
from graphx.store.papers import PaperStore

EXPAND_KINDS = ("references", "citations")
BATCH_MAX_IDS = 500
SEARCH_PAGE_LIMIT = 100
SEARCH_MAX_RESULTS = 1000  # relevance search serves offsets below 1,000 only
# Nested reference/citation lists of a batch answer stop at 1,000 entries; the paged endpoints go to 10,000.
NESTED_LINKS_MAX = 1000
PAGE_LIMIT = 1000
PAGED_LINKS_MAX = 10_000
NOTE_EXAMPLES = 5


class Run:
    """State of one collection: cache, client, notes, progress."""

    def __init__(
        self, store: PaperStore, client: S2Client, *, offline: bool, refresh: bool, progress: Progress | None
    ):
        self.store = store
        self.client = client
        self.cache = S2Cache(store)
        self.offline = offline
        self.refresh = refresh
        self.progress = progress
        self.notes: list[str] = []
        self.incomplete: list[str] = []
        self.from_cache = 0
        self.done = 0
        self.total = 0
        # Set when S2 turned out unreachable: steps that only enrich go on with what the cache has.
        self.unreachable: S2Unreachable | None = None
        # Papers that steps which only enrich (titles, --enrich) asked for, and how many they got.
        self.enrich_asked = 0
        self.enriched = 0

    def report(self, done: int) -> None:
        self.done += done
        if self.progress is not None:
            self.progress("fetch", self.done, max(self.total, self.done))

    def note_missing(self, what: str, names: Sequence[str]) -> None:
        if names:
            self.notes.append(f"Semantic Scholar knows no paper for {len(names)} {what}: {examples(names)}.")

    def search(self, query: str, limit: int) -> list[Paper]:
        ids = None if self.refresh else self.cache.search(query, limit)
        if ids is None:
            if self.offline:
                raise OfflineMiss(
                    f"--offline: the search {query!r} (up to {limit:,} papers) is not in the cache. "
                    "Run it once without --offline."
                )
            # The package does not URL-encode the query: '&' would end it, '+' would become a space.
            results = self.client.package().search_paper(
                quote(query.strip(), safe=""),
                fields=["paperId", "title"],
                limit=min(SEARCH_PAGE_LIMIT, limit),
            )
            ids = []
            without_id = 0
            for item in results:
                if not isinstance(getattr(item, "paperId", None), str) or not item.paperId:
                    without_id += 1  # never cached: a None here would poison the search for good
                    continue
                ids.append(item.paperId)
                if len(ids) >= limit:
                    break
            if without_id:
                self.notes.append(
                    f"{without_id:,} search results had no Semantic Scholar paperId and were left out."
                )
            self.cache.save_search(query, limit, ids)
        found = self.fetch(ids)
        return [p for p in found.values() if p]

    def enrich(self, papers: Sequence[Paper]) -> list[Paper]:
        """S2's records of ``papers`` (by S2 id, DOI or arXiv id); with S2 unreachable, the cached ones."""
        wanted: list[str] = []
        without = 0
        for paper in papers:
            if paper.s2_id:
                wanted.append(paper.s2_id.lower())
            elif paper.doi:
                wanted.append(f"DOI:{paper.doi}")
            elif paper.arxiv:
                wanted.append(f"ARXIV:{paper.arxiv}")
            else:
                without += 1
        if without:
            self.notes.append(
                f"{without:,} input papers carry no S2 id, DOI or arXiv id and were not enriched."
            )
        found = self.fetch_available(wanted)
        self.note_missing("input papers", [a for a, p in found.items() if p is None])
        enriched = [p for p in found.values() if p]
        self.enrich_asked += len(papers)
        self.enriched += len(enriched)
        return enriched

    def fetch_available(self, api_ids: Sequence[str]) -> dict[str, Paper | None]:
        """:meth:`fetch` for steps that only enrich: when S2 is unreachable (or the run is offline), the
        answers the cache has. Ids left out of the result were not looked up; None: S2 knows no such paper.
        """
        if self.unreachable is None and not self.offline:
            try:
                return self.fetch(api_ids)
            except S2Unreachable as exc:
                self.unreachable = exc
        out: dict[str, Paper | None] = {}
        for api_id in dict.fromkeys(api_ids):
            hit = None if self.refresh else self.cache.lookup(api_id)
            if hit is not None:
                out[api_id] = hit or None
                self.from_cache += hit is not False
        return out

    def fetch(self, api_ids: Sequence[str]) -> dict[str, Paper | None]:
        """Papers (with their link lists) by API id; None for ids S2 does not know. Cache first."""
        result: dict[str, Paper | None] = {}
        missing: list[str] = []
        for api_id in dict.fromkeys(api_ids):
            hit = None if self.refresh else self.cache.lookup(api_id)
            if hit is None:
                missing.append(api_id)
            else:
                result[api_id] = hit or None
                self.from_cache += hit is not False
        self.total += len(result) + len(missing)
        self.report(len(result))
        if missing and self.offline:
            raise OfflineMiss(
                f"--offline: {len(missing):,} papers are not in the cache ({examples(missing)}). "
                "Run once without --offline to fetch them."
            )
        for start in range(0, len(missing), BATCH_MAX_IDS):
            chunk = missing[start : start + BATCH_MAX_IDS]
            result.update(self._fetch_batch(chunk))
            self.report(len(chunk))
        return {a: result[a] for a in dict.fromkeys(api_ids)}

    def _fetch_batch(self, chunk: list[str]) -> dict[str, Paper | None]:
        # httpx directly, not the package's get_papers: it drops null entries, losing which id they were
        # for, and guesses not-found ids by echoing externalIds back, which misses URL and bare-id forms.
        data = self.client.request(
            "POST", "/paper/batch", params={"fields": ",".join(PAPER_FIELDS)}, json={"ids": chunk}
        )
        if not isinstance(data, list) or len(data) != len(chunk):
            raise SourceError(
                f"Semantic Scholar answered a batch of {len(chunk)} ids with {type(data).__name__} "
                f"of {len(data) if hasattr(data, '__len__') else '?'} entries; retry later."
            )
        out: dict[str, Paper | None] = {}
        to_page: list[tuple[Paper, list[str], dict]] = []
        names: list[tuple[str, str, int | None]] = []
        unlinked = 0
        for api_id, item in zip(chunk, data, strict=True):
            if not item or not item.get("paperId"):
                out[api_id] = None
                continue
            try:
                paper = paper_from_s2(item)
            except BadRecord as exc:
                out[api_id] = None
                self.notes.append(f"Left out a Semantic Scholar answer for {api_id}: {exc}.")
                continue
            out[api_id] = paper
            names += linked_names(item.get("references")) + linked_names(item.get("citations"))
            unlinked += unlinked_count(item.get("references"))
            kinds = [k for k in EXPAND_KINDS if _needs_paging(item, k)]
            if kinds:
                to_page.append((paper, kinds, item))
        self.cache.save_batch(out, {p.id: kinds for p, kinds, _ in to_page})
        self.store.upsert_names(names)
        if unlinked:
            self.notes.append(f"{unlinked:,} references had no Semantic Scholar paperId and were left out.")
        for paper, kinds, item in to_page:
            paper = self._page_links(paper, kinds, item)
            out = {a: (paper if p is not None and p.id == paper.id else p) for a, p in out.items()}
        return out

    def _page_links(self, paper: Paper, kinds: list[str], item: dict) -> Paper:
        """Refetch link lists the batch answer left empty or cut, through the paged endpoints."""
        updates: dict[str, tuple[str, ...]] = {}
        for kind in kinds:
            ids: list[str] = []
            offset = 0
            while offset < PAGED_LINKS_MAX:
                page = self.client.request(
                    "GET",
                    f"/paper/{paper.id}/{kind}",
                    params={
                        "fields": "paperId,title,year",
                        "offset": offset,
                        "limit": min(PAGE_LIMIT, PAGED_LINKS_MAX - offset),
                    },
                )
                ids += linked_ids(page.get("data"))
                self.store.upsert_names(linked_names(page.get("data")))
                if page.get("next") is None:
                    break
                offset = _next_offset(page["next"], offset, f"/paper/{paper.id}/{kind}")
            updates[kind] = tuple(dict.fromkeys((*getattr(paper, kind), *ids)))
            expected = item.get(_COUNT_FIELD[kind]) or 0
            if len(updates[kind]) < expected:
                self.incomplete.append(
                    f"{paper.title or paper.id!r} ({len(updates[kind]):,} of {expected:,} {kind})"
                )
        paper = replace(paper, **updates)
        self.cache.save_paged(paper)
        return paper


_COUNT_FIELD = {"references": "referenceCount", "citations": "citationCount"}


def _needs_paging(item: dict, kind: str) -> bool:
    # S2 sometimes answers an empty list for a paper it counts citations of, and nested lists stop at
    # 1,000 entries: both are refetched through the paged endpoint.
    listed = len(item.get(kind) or ())
    expected = item.get(_COUNT_FIELD[kind]) or 0
    return expected > 0 and (listed == 0 or (listed >= NESTED_LINKS_MAX and expected > listed))


def _next_offset(value: object, offset: int, path: str) -> int:
    """The page's ``next`` as an offset past ``offset``; a page that does not advance would loop forever."""
    try:
        nxt = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        nxt = None
    if nxt is None or nxt <= offset:
        raise SourceError(
            f"Semantic Scholar's page of {path} at offset {offset:,} gave next={value!r}, which does not "
            "advance; stopped paging instead of asking for the same page forever. Papers fetched so far are "
            "cached; retry later, or check --api-url if a proxy is in between."
        )
    return nxt


def examples(names: Sequence[str]) -> str:
    shown = ", ".join(names[:NOTE_EXAMPLES])
    return shown + (f" and {len(names) - NOTE_EXAMPLES:,} more" if len(names) > NOTE_EXAMPLES else "")
