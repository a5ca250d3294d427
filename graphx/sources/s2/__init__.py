"""Papers from Semantic Scholar: search, seed ids, titles, enrichment, and citation-neighbourhood expansion.

:func:`collect_papers` is what the CLI and the web app call. Everything fetched is committed to the papers
store batch by batch, so a build that is killed or fails resumes where it stopped: the next run asks the
API only for what the cache lacks. Requests go through one :class:`~graphx.sources.s2.client.S2Client`
(rate limit, retries, Retry-After); metadata and link lists arrive through ``POST /paper/batch``, 500 ids a
call, never one request per paper.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from graphx.errors import BuildCancelled, ConfigError, S2RequestFailed, S2Stopped, S2Unreachable
from graphx.options import OPTIONS
from graphx.paper import Paper
from graphx.progress import Progress
from graphx.sources.s2.client import S2Client
from graphx.sources.s2.expand import expand_papers
from graphx.sources.s2.ids import split_ids, to_api_id
from graphx.sources.s2.run import BATCH_MAX_IDS, EXPAND_KINDS, SEARCH_MAX_RESULTS, Run, examples
from graphx.sources.s2.titles import TitleEntry, collect_titles, resolve_entries
from graphx.store.papers import PaperStore

__all__ = ["BATCH_MAX_IDS", "CollectResult", "EXPAND_KINDS", "collect", "collect_papers", "make_client"]

# Defaults of the declared fetch options (graphx/options.py), for callers of the library.
DEFAULT_DEPTH = OPTIONS["depth"].default
DEFAULT_MAX_PAPERS = OPTIONS["max_papers"].default


@dataclass
class CollectResult:
    """What :func:`collect_papers` gathered."""

    papers: list[Paper]
    notes: list[str] = field(default_factory=list)
    requests: int = 0
    from_cache: int = 0
    # Set when S2 could not be reached: the build goes on from the text; ``enriched`` of ``asked`` papers
    # (titles and --enrich papers) got S2's record, from the cache.
    unreachable: S2Unreachable | None = None
    enriched: int = 0
    asked: int = 0


def collect_papers(
    store: PaperStore,
    *,
    query: str | None = None,
    paper_ids: Sequence[str] = (),
    titles_file: str | os.PathLike | None = None,
    enrich: Sequence[Paper] = (),
    expand: Sequence[str] = (),
    depth: int = DEFAULT_DEPTH,
    max_papers: int = DEFAULT_MAX_PAPERS,
    api_url: str | None = None,
    api_key: str | None = None,
    requests_per_s: float | None = None,
    timeout_s: float = 30.0,
    max_retries: int = 5,
    offline: bool = False,
    refresh: bool = False,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    on_retry: Callable[[str], None] | None = None,
) -> CollectResult:
    """Fetch papers from Semantic Scholar into ``store`` and return them.

    Parameters
    ----------
    query : str, optional
        Relevance search; up to ``max_papers`` results (at most 1,000, the API's limit).
    paper_ids : sequence of str
        Seeds: S2 paperId, ``CorpusId:``, ``DOI:``, ``ARXIV:``, bare DOIs and arXiv ids, or
        semanticscholar.org / arxiv.org / doi.org URLs (several per string, comma-separated).
    titles_file : path, optional
        Titles, one a line, or text copied from a listing page; resolved by S2's title match.
    enrich : sequence of Paper
        Papers from input files, fetched (with references) by S2 id, DOI or arXiv id, or found by title
        (S2's title match) when they carry no id.
    expand : sequence of str
        ``"references"`` and/or ``"citations"``: grow the set along those links, ``depth`` levels, keeping
        the neighbours most connected to the set when there are more than ``max_papers`` allows.
    offline, refresh : bool
        Cache only / ignore the cache. Offline, a search or seed ids not in the cache are an
        :class:`~graphx.errors.OfflineMiss`; titles and ``enrich`` papers take what the cache has.
    on_retry : callable, optional
        Called with one line before each retry wait (what failed, when the next try is).

    Returns papers whose ``id`` is their S2 paperId (plus titles kept as the text gave them). Titles and
    ``enrich`` only add to a build: with S2 unreachable they take what the cache has and
    :attr:`CollectResult.unreachable` says so. A search and seed ids need S2: unreachable, they raise
    :class:`~graphx.errors.S2Unreachable` (after one quick retry, in well under 5 s). Raises
    :class:`~graphx.errors.S2Stopped` when the API keeps failing; what was fetched stays cached.
    """
    client = make_client(
        api_url,
        api_key,
        requests_per_s=requests_per_s,
        timeout_s=timeout_s,
        max_retries=max_retries,
        cancel=cancel,
        on_retry=on_retry,
    )
    with client:
        return collect(
            store,
            client,
            query=query,
            paper_ids=paper_ids,
            titles_file=titles_file,
            enrich=enrich,
            expand=expand,
            depth=depth,
            max_papers=max_papers,
            offline=offline,
            refresh=refresh,
            progress=progress,
        )


def make_client(
    api_url: str | None = None,
    api_key: str | None = None,
    *,
    requests_per_s: float | None = None,
    timeout_s: float = 30.0,
    max_retries: int = 5,
    cancel: threading.Event | None = None,
    on_retry: Callable[[str], None] | None = None,
) -> S2Client:
    """The client :func:`collect_papers` uses: cancelling raises :class:`~graphx.errors.BuildCancelled`."""
    return S2Client(
        api_url,
        api_key,
        requests_per_s=requests_per_s,
        timeout_s=timeout_s,
        max_retries=max_retries,
        cancel=cancel,
        on_cancel=_raise_cancelled,
        on_retry=on_retry,
    )


def collect(
    store: PaperStore,
    client: S2Client,
    *,
    query: str | None = None,
    paper_ids: Sequence[str] = (),
    titles_file: str | os.PathLike | None = None,
    enrich: Sequence[Paper] = (),
    expand: Sequence[str] = (),
    depth: int = DEFAULT_DEPTH,
    max_papers: int = DEFAULT_MAX_PAPERS,
    offline: bool = False,
    refresh: bool = False,
    progress: Progress | None = None,
) -> CollectResult:
    """:func:`collect_papers` with a client of your own (tests pass one with short backoff)."""
    unknown_kinds = set(expand) - set(EXPAND_KINDS)
    if unknown_kinds:
        raise ConfigError(
            f"--expand takes references and/or citations, not {', '.join(sorted(unknown_kinds))}."
        )
    if depth < 1:
        raise ConfigError(f"--depth must be 1 or more (got {depth}).")
    if max_papers < 1:
        raise ConfigError(f"--max-papers must be at least 1 (got {max_papers}).")
    api_ids = [to_api_id(x) for x in split_ids(paper_ids)]
    run = Run(store, client, offline=offline, refresh=refresh, progress=progress)
    requests_before = client.requests
    try:
        seeds: list[Paper] = []
        try:
            if query and query.strip():
                seeds += run.search(query, min(max_papers, SEARCH_MAX_RESULTS))
            if api_ids:
                found = run.fetch(api_ids)
                seeds += [p for p in found.values() if p]
                run.note_missing("ids", [a for a, p in found.items() if p is None])
        except S2Unreachable as exc:
            needed_for = "--query" if query and query.strip() else "--papers (seed papers)"
            raise S2Unreachable(exc.url, exc.reason, needed_for=needed_for) from None
        kept_without_ids: list[Paper] = []
        if titles_file is not None:
            resolved, kept_without_ids = collect_titles(run, titles_file)
            seeds += resolved
        if enrich:
            with_ids = [p for p in enrich if p.s2_id or p.doi or p.arxiv]
            seeds += run.enrich(with_ids) if with_ids else []
            by_title = [
                TitleEntry(p.title, p.abstract, p) for p in enrich if not (p.s2_id or p.doi or p.arxiv)
            ]
            if by_title:
                seeds += resolve_entries(run, by_title)[0]  # the input papers themselves are already kept
        seeds = list({p.id: p for p in seeds}.values())
        papers = seeds
        if expand and run.unreachable is None:
            try:
                papers = expand_papers(run, seeds, expand, depth, max_papers)
            except S2Unreachable as exc:
                run.unreachable = exc
        if expand and run.unreachable is not None:
            run.notes.append(f"Not grown along {' and '.join(expand)}: Semantic Scholar is unreachable.")
        if run.incomplete:
            run.notes.append(
                f"Reference/citation lists stayed incomplete after refetching for {len(run.incomplete):,} "
                f"papers: {examples(run.incomplete)}."
            )
    except S2RequestFailed as exc:
        hint = " or set S2_API_KEY" if "429" in exc.failures and not client.has_key else ""
        raise S2Stopped(exc.reason, run.cache.fetched_count(), str(store.path), hint) from exc
    return CollectResult(
        papers=papers + kept_without_ids,
        notes=run.notes,
        requests=client.requests - requests_before,
        from_cache=run.from_cache,
        unreachable=run.unreachable,
        enriched=run.enriched,
        asked=run.enrich_asked,
    )


def _raise_cancelled() -> None:
    raise BuildCancelled("Build cancelled; papers fetched so far stay cached and the next run resumes.")
