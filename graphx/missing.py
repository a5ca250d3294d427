"""Papers a map is missing: outside papers its papers cite most, and outside papers that cite most of it.

Connected Papers calls them prior and derivative works, Local Citation Network "top references" and
"top citers". Both come from the citation lists the papers store already holds (``paper_links``: every
stored paper's reference and citation lists), so nothing is fetched to answer:

- a **foundation** is a paper outside the map cited by many papers of the map (or of one area); its
  count is how many of them cite it;
- a **follow-up** is a paper outside the map that cites many papers of the map (or of one area); its
  count is how many of them it cites.

Outside papers keep the id their citing list used (an arXiv id from a citations file, an S2 paperId from
Semantic Scholar). Titles come from the store: a stored paper's record, else the name Semantic Scholar
gave it in a reference or citation list; None when nobody named it.

:func:`add_missing` puts chosen outside papers on the map through :func:`graphx.build.update.add_and_save`,
fetching them from Semantic Scholar when it answers, else from what the store holds.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import networkx as nx

from graphx.errors import ConfigError, SourceError
from graphx.paper import Paper
from graphx.store.papers import PaperStore

KINDS = ("foundations", "follow_ups")
DEFAULT_LIMIT = 20
MAX_LIMIT = 1000
# What the explorer's "add to the map" may ask for in one request; more is a rebuild's job.
MAX_ADD_IDS = 200
# Adding from the web must answer while the user waits: one short try at Semantic Scholar.
ADD_TIMEOUT_S = 10.0
ADD_MAX_RETRIES = 1
EXAMPLES_SHOWN = 5


@dataclass(frozen=True)
class MissingPaper:
    """A paper outside the map, how many map papers link to it (or it to them), and its name if known."""

    id: str
    title: str | None
    count: int
    year: int | None = None

    def to_dict(self) -> dict:
        return {"id": self.id, "title": self.title, "count": self.count, "year": self.year}


def node_aliases(G: nx.MultiDiGraph) -> dict[str, str]:
    """Every id a list may use for a paper of ``G`` (its id, S2 id, DOI, arXiv id...) -> its node id."""
    out: dict[str, str] = {}
    for n, attrs in G.nodes(data=True):
        corpus_id = attrs.get("corpus_id")
        stub = Paper(
            id=str(n),
            title="",
            doi=attrs.get("doi"),
            arxiv=attrs.get("arxiv"),
            s2_id=attrs.get("s2_id"),
            corpus_id=int(corpus_id) if corpus_id is not None else None,
        )
        for alias in stub.aliases():
            out.setdefault(alias, str(n))
            out.setdefault(alias.lower(), str(n))
    return out


def area_members(G: nx.MultiDiGraph, area: int | None) -> list[str]:
    """Node ids of area ``area`` (all nodes for None); :class:`ConfigError` for an unknown area."""
    if area is None:
        return [str(n) for n in G]
    known = sorted(int(c["id"]) for c in G.graph.get("communities", []))
    members = [str(n) for n, c in G.nodes(data="community") if c is not None and int(c) == area]
    if area not in known and not members:
        shown = f"{known[0]}-{known[-1]}" if known else "none"
        raise ConfigError(
            f"Graph {G.graph.get('name', '')!r} has no area {area}; its areas are {shown} "
            "(`graphx info NAME` lists them)."
        )
    return members


def rank(counts: Mapping[str, int], limit: int) -> list[tuple[str, int]]:
    """``(id, count)`` best first: highest count, ties by id (so the order never depends on input order).

    Examples
    --------
    >>> rank({"b": 2, "a": 2, "c": 5, "d": 1}, 3)
    [('c', 5), ('a', 2), ('b', 2)]
    """
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]


def count_outside(
    links: Iterable[tuple[str, str]], members: set[str], alias_to_node: Mapping[str, str]
) -> tuple[dict[str, int], dict[str, int]]:
    """Foundation and follow-up counts from ``(citing, cited)`` links.

    A link from a member to a paper outside the map adds one to that paper's foundation count, a link
    from outside the map to a member one to the citer's follow-up count; each pair counts once however
    many lists name it. Ids are resolved to map nodes through ``alias_to_node``.
    """
    cited_by: dict[str, set[str]] = defaultdict(set)
    cites: dict[str, set[str]] = defaultdict(set)
    for citing, cited in links:
        u, v = _resolve(citing, alias_to_node), _resolve(cited, alias_to_node)
        if u in members and v is None:
            cited_by[cited].add(u)
        elif v in members and u is None:
            cites[citing].add(v)
    return {k: len(v) for k, v in cited_by.items()}, {k: len(v) for k, v in cites.items()}


def _resolve(any_id: str, alias_to_node: Mapping[str, str]) -> str | None:
    return alias_to_node.get(any_id) or alias_to_node.get(any_id.lower())


def missing_papers(
    G: nx.MultiDiGraph, store: PaperStore, *, area: int | None = None, limit: int = DEFAULT_LIMIT
) -> dict[str, list[MissingPaper]]:
    """Foundations and follow-ups of the map ``G`` (or of one area), best first, ``limit`` of each.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        A built graph.
    store : PaperStore
        The papers store the graph was built from (its reference and citation lists are read).
    area : int, optional
        Count only links of this area's papers (outside papers are still those outside the whole map).
    limit : int
        Most papers returned of each kind.

    Returns
    -------
    dict
        ``{"foundations": [MissingPaper, ...], "follow_ups": [...]}``.
    """
    if not 1 <= limit <= MAX_LIMIT:
        raise ConfigError(f"--limit must be between 1 and {MAX_LIMIT} (got {limit}).")
    members = set(area_members(G, area))
    alias_to_node = node_aliases(G)
    member_aliases = [a for a, n in alias_to_node.items() if n in members]
    links = store.links_from(member_aliases) + store.links_to(member_aliases)
    found, follow = count_outside(links, members, alias_to_node)
    ranked = {"foundations": rank(found, limit), "follow_ups": rank(follow, limit)}
    names = store.names({pid for pairs in ranked.values() for pid, _ in pairs})
    return {
        kind: [MissingPaper(pid, *_name(names, pid, count)) for pid, count in pairs]
        for kind, pairs in ranked.items()
    }


def _name(names: Mapping[str, tuple[str, int | None]], pid: str, count: int) -> tuple:
    title, year = names.get(pid, (None, None))
    return title, count, year


def as_json(missing: Mapping[str, Sequence[MissingPaper]]) -> dict[str, list[dict]]:
    """The plain-JSON form the CLI (``--json``) and the API print."""
    return {kind: [p.to_dict() for p in missing[kind]] for kind in KINDS}


# ---------------------------------------------------------------------------------- adding them to the map


@dataclass
class AddResult:
    """What :func:`add_missing` did: papers added, ids skipped (with why), notes from the source."""

    added: list[Paper]
    skipped: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    fetched: bool = False

    @property
    def message(self) -> str:
        source = (
            "from Semantic Scholar" if self.fetched else "from the papers store (Semantic Scholar not used)"
        )
        parts = [f"Added {len(self.added):,} papers to the map {source}."]
        if self.skipped:
            shown = "; ".join(f"{pid}: {why}" for pid, why in list(self.skipped.items())[:EXAMPLES_SHOWN])
            more = len(self.skipped) - EXAMPLES_SHOWN
            parts.append(
                f"Skipped {len(self.skipped):,}: {shown}" + (f"; and {more:,} more." if more > 0 else ".")
            )
        parts += self.notes
        return " ".join(parts)


def parse_ids(text: str | Sequence[str]) -> list[str]:
    """Ids from ``"a, b,c"`` (or a list of such strings), blanks and repeats dropped, order kept."""
    parts = [text] if isinstance(text, str) else list(text)
    return list(dict.fromkeys(i.strip() for part in parts for i in part.split(",") if i.strip()))


def papers_for_ids(
    store: PaperStore,
    ids: Sequence[str],
    *,
    offline: bool = False,
    api_url: str | None = None,
    timeout_s: float = ADD_TIMEOUT_S,
    max_retries: int = ADD_MAX_RETRIES,
) -> AddResult:
    """Papers for outside ids: from Semantic Scholar when it answers, else from the store.

    Each paper keeps the id it was asked by (the id the map's lists use), so the map's citations reach it.
    From the store, a fully stored paper is used as is; a paper known only by name becomes a paper with
    that id, title and year. Ids neither source knows are skipped, with the reason.
    """
    result = AddResult(added=[])
    fetched: dict[str, Paper] = {}
    if not offline:
        fetched, note = _fetch(store, ids, api_url=api_url, timeout_s=timeout_s, max_retries=max_retries)
        result.fetched = bool(fetched)
        if note:
            result.notes.append(note)
    names = store.names([i for i in ids if i not in fetched])
    for pid in ids:
        paper = fetched.get(pid) or store.find(pid)
        if paper is not None:
            result.added.append(paper if paper.id == pid else replace(paper, id=pid))
        elif pid in names:
            title, year = names[pid]
            result.added.append(Paper(id=pid, title=title, year=year))
        else:
            result.skipped[pid] = "neither Semantic Scholar nor the papers store knows this id"
    return result


def _fetch(
    store: PaperStore, ids: Sequence[str], *, api_url: str | None, timeout_s: float, max_retries: int
) -> tuple[dict[str, Paper], str | None]:
    """Papers fetched from S2 by requested id, and a note when S2 could not be used."""
    from graphx.sources.s2 import collect_papers

    api_ids = {pid: api for pid in ids if (api := _api_id(pid))}
    if not api_ids:
        return {}, None
    try:
        result = collect_papers(
            store, paper_ids=list(api_ids), api_url=api_url, timeout_s=timeout_s, max_retries=max_retries
        )
    except SourceError as exc:
        return {}, f"Semantic Scholar could not be reached ({exc}); used what the papers store holds."
    by_alias = {alias.lower(): p for p in result.papers for alias in p.aliases()}
    out = {}
    for pid, api in api_ids.items():
        paper = by_alias.get(pid.lower()) or by_alias.get(api.lower())
        if paper is not None:
            out[pid] = paper
    return out, None


def _api_id(pid: str) -> str | None:
    """The S2 form of an id, or None for ids S2 cannot know (a BibTeX key, a title hash)."""
    from graphx.sources.s2.ids import to_api_id

    try:
        return to_api_id(pid)
    except ConfigError:
        return None


def add_missing(
    cache_dir: str | os.PathLike,
    name: str,
    ids: Sequence[str],
    *,
    store: PaperStore,
    G: nx.MultiDiGraph | None = None,
    offline: bool = False,
    api_url: str | None = None,
    timeout_s: float = ADD_TIMEOUT_S,
) -> AddResult:
    """Add outside papers ``ids`` to the built graph ``name`` (the same path as ``graphx add``)."""
    from graphx.build.update import add_and_save
    from graphx.store.graphs import load_graph

    ids = parse_ids(ids)
    if not ids:
        raise ConfigError("No paper ids given: pass the ids of the papers to add, comma-separated.")
    if len(ids) > MAX_ADD_IDS:
        raise ConfigError(
            f"{len(ids):,} ids at once is more than {MAX_ADD_IDS}; add fewer, or rebuild the map with them."
        )
    G = G if G is not None else load_graph(cache_dir, name)
    on_map = node_aliases(G)
    wanted = [i for i in ids if _resolve(i, on_map) is None]
    result = papers_for_ids(store, wanted, offline=offline, api_url=api_url, timeout_s=timeout_s)
    result.skipped = {**{i: "already on the map" for i in ids if i not in wanted}, **result.skipped}
    if result.added:
        add_and_save(cache_dir, name, result.added, store=store, inputs=[f"added: {', '.join(wanted)}"])
    return result
