"""The notebook face of graphx: read or fetch papers, build a map, store it, look into it, export it.

Every function here is re-exported by :mod:`graphx` (use ``graphx.build``, not ``graphx.api.build``).
The heavy libraries (scipy, scikit-learn, igraph) are imported by the functions that need them, so
``import graphx`` stays quick.

Examples
--------
A map of the 2021 part of the shipped demo, stored, reloaded and looked into:

>>> import tempfile, graphx
>>> papers = [p for p in graphx.demo_papers() if p.id.startswith("2106.")]
>>> G = graphx.build(papers, seed=1)
>>> G.number_of_nodes(), sorted({kind for _, _, kind in G.edges(keys=True)})
(273, ['cites', 'coupled', 'similar'])
>>> cache = tempfile.mkdtemp()
>>> graphx.save(G, "june-2021", cache_dir=cache).name
'june-2021'
>>> [g["name"] for g in graphx.list_graphs(cache_dir=cache)]
['june-2021']
>>> H = graphx.load("june-2021", cache_dir=cache)
>>> sorted(H) == sorted(G)
True
>>> found = graphx.topic(H, "reinforcement learning")
>>> len(found.papers) > 0
True
>>> [p.name for p in graphx.export(H, cache + "/june.gexf")]
['june.gexf']
"""

from __future__ import annotations

import os
import sys
import weakref
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import networkx as nx

    from graphx.build.text import TextIndex
    from graphx.paper import Paper
    from graphx.topic import TopicResult

__all__ = [
    "add",
    "build",
    "demo_papers",
    "explain",
    "export",
    "fetch",
    "list_graphs",
    "load",
    "missing",
    "read_papers",
    "save",
    "topic",
]

PathLike = str | os.PathLike
# The papers each graph of this session was built from, so that save() stores their reference lists
# (which `missing` and `add` read) and explain() sees links outside the map. Weak: graphs are not kept alive.
_BUILT: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _cache(cache_dir: PathLike | None) -> Path:
    from graphx.store.papers import resolve_cache_dir

    return resolve_cache_dir(cache_dir)


def read_papers(*paths: PathLike, citations: Sequence[PathLike] = (), skip_bad: bool = False) -> list[Paper]:
    """Papers from files, merged: JSON Lines, JSON, CSV/TSV, BibTeX, RIS, or text pasted from a listing.

    Parameters
    ----------
    *paths : str or os.PathLike
        Papers files, in any format ``graphx build -i`` reads; a ``.txt`` or ``.md`` file is read as text
        copied from a listing page or a reading list (titles, with abstracts, authors or ids when there).
        Any of them may be gzipped (``.gz``).
    citations : sequence of paths
        Citation edge lists (``citing<TAB>cited`` header) adding references by paper id.
    skip_bad : bool
        Leave out broken records instead of raising.

    Returns
    -------
    list of Paper
        Duplicates (same S2 id, DOI, arXiv id or title) merged.

    Raises
    ------
    graphx.errors.InputError
        A file is missing, unreadable or (without ``skip_bad``) holds a broken record.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
    ...     _ = f.write("Attention Is All You Need\\nDeep Residual Learning for Image Recognition\\n")
    >>> [p.title for p in read_papers(f.name)]
    ['Attention Is All You Need', 'Deep Residual Learning for Image Recognition']
    """
    from graphx.sources.files import load_papers

    return load_papers(paths, citations=citations, skip_bad=skip_bad).papers


def fetch(
    query: str | None = None,
    *,
    papers: str | Iterable[str] = (),
    titles: PathLike | None = None,
    expand: str | Iterable[str] = (),
    enrich: Sequence[Paper] = (),
    cache_dir: PathLike | None = None,
    **options: Any,
) -> list[Paper]:
    """Papers from Semantic Scholar: a search, seed papers, titles to resolve, and their neighbourhood.

    Everything fetched is cached in ``cache_dir`` (papers.sqlite), so a second call, or one with
    ``offline=True``, asks the API only for what the cache lacks.

    Parameters
    ----------
    query : str, optional
        Relevance search on this topic.
    papers : str or iterable of str
        Seed papers: S2 ids, ``DOI:…``, ``ARXIV:…``, ``CorpusId:…`` or their URLs (a string may hold
        several, comma-separated).
    titles : path, optional
        A file of titles, one a line, or text copied from a listing page, resolved by S2's title match.
    expand : str or iterable of str
        ``"references"`` and/or ``"citations"``: grow the set along those links.
    enrich : sequence of Paper
        Papers read from files; those with an S2 id, DOI or arXiv id get their reference lists.
    cache_dir : path, optional
        Default ``$GRAPHX_CACHE_DIR`` or ``./cache``, as the CLI.
    **options
        The other fetch options of :mod:`graphx.options` (``depth``, ``max_papers``, ``api_url``,
        ``requests_per_s``, ``offline``, ``refresh``), checked as ``graphx build`` checks its flags.

    Raises
    ------
    graphx.errors.ConfigError
        An unknown or out-of-range option, or nothing to fetch.
    graphx.errors.SourceError
        The API keeps failing (or, offline, the cache lacks something); what was fetched stays cached.

    Examples
    --------
    >>> fetch(max_papers=0)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    graphx.errors.ConfigError: --max-papers must be between 1 and 100000 (got 0): ...
    """
    from graphx.errors import ConfigError
    from graphx.options import FETCH, OPTIONS, group
    from graphx.sources.s2 import collect_papers
    from graphx.store.papers import PaperStore

    allowed = {o.name for o in group(FETCH)} - {"query", "papers", "titles", "expand", "enrich"}
    unknown = set(options) - allowed
    if unknown:
        raise ConfigError(
            f"Unknown fetch option(s): {', '.join(sorted(unknown))}; the options are query, papers, titles, "
            f"expand, enrich, cache_dir, {', '.join(sorted(allowed))}."
        )
    checked = {name: OPTIONS[name].check(value) for name, value in options.items()}
    seeds = [s.strip() for s in _strings(papers) for s in s.split(",") if s.strip()]
    kinds = tuple(OPTIONS["expand"].check(tuple(_strings(expand, split=","))))
    if not (query or seeds or titles or enrich):
        raise ConfigError("Nothing to fetch: give query=, papers=, titles= or enrich=.")
    with PaperStore(_cache(cache_dir)) as store:
        result = collect_papers(
            store, query=query, paper_ids=seeds, titles_file=titles, enrich=enrich, expand=kinds, **checked
        )
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    return result.papers


def _strings(value: str | Iterable[str], *, split: str | None = None) -> list[str]:
    if isinstance(value, str):
        return [v.strip() for v in value.split(split)] if split else [value]
    return [str(v) for v in value]


def build(papers: Sequence[Paper], *, name: str = "graph", **options: Any) -> nx.MultiDiGraph:
    """Link ``papers`` by citations and similarity, find and label areas, lay the map out.

    Parameters
    ----------
    papers : sequence of Paper
        From :func:`read_papers`, :func:`fetch` or :func:`demo_papers`; duplicates are merged.
    name : str
        The graph's name (``G.graph["name"]``), kept when it is saved.
    **options
        Build options of :mod:`graphx.options` (``seed``, ``top_k``, ``resolution``, ``label_terms``,
        ...), checked as ``graphx build`` checks its flags; see :class:`graphx.options.BuildOptions`.

    Returns
    -------
    networkx.MultiDiGraph
        Papers as nodes (``title``, ``community``, ``community_label``, ``x``, ``y``, ``pagerank``, ...),
        edges keyed by kind (``cites``, ``similar``, ``cocited``, ``coupled``); areas in
        ``G.graph["communities"]``. The format is docs/graph-format.md.

    Raises
    ------
    graphx.errors.ConfigError
        No papers, or an unknown or out-of-range option.

    Examples
    --------
    >>> build([], seed=-1)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    graphx.errors.ConfigError: --seed must be between 0 and 2147483647 (got -1): ...
    """
    from graphx.build.pipeline import build_graph
    from graphx.options import build_options

    G = build_graph(papers, build_options(**options), name=name)
    _BUILT[G] = list(papers)
    return G


def save(G: nx.MultiDiGraph, name: str | None = None, *, cache_dir: PathLike | None = None) -> Path:
    """Store ``G`` as graph ``name`` (default: its own name) where ``graphx serve`` and :func:`load` find it.

    The papers it was built from (when built in this session) go to the papers store, so :func:`missing`
    and :func:`add` work on it as on a graph from ``graphx build``. Returns the graph's folder.
    """
    from graphx.build.pipeline import save_built
    from graphx.store.graphs import check_name
    from graphx.store.papers import PaperStore

    name = check_name(name or G.graph.get("name") or "graph")
    cache = _cache(cache_dir)
    papers = _BUILT.get(G)
    if papers:
        with PaperStore(cache) as store:
            store.upsert_papers(papers)
    G.graph["name"] = name
    G.graph.setdefault("meta", {}).update(name=name)
    G.graph["meta"].setdefault("timings_s", {})
    return save_built(G, _index(G), cache, name)


def _index(G: nx.MultiDiGraph) -> TextIndex:
    """The text index of ``G``, fitted on its nodes' titles and abstracts as a build fits it."""
    from graphx.build.text import build_text_index
    from graphx.paper import Paper

    return build_text_index(
        [Paper(id=n, title=a.get("title") or "", abstract=a.get("abstract")) for n, a in G.nodes(data=True)]
    )


def load(name: str, *, area: int | None = None, cache_dir: PathLike | None = None) -> nx.MultiDiGraph:
    """The stored graph ``name`` (from ``graphx build`` or :func:`save`), or one research ``area`` of it.

    A graph stored as tables (``graphx build --store tables``, maps too big to load whole) is read an
    area at a time: ``load(name, area=k)``; without ``area`` it raises
    :class:`~graphx.errors.StoredAsTables` saying so. Raises :class:`~graphx.errors.GraphNotFound`
    (listing the graphs there are) if there is none.
    """
    from graphx.store import graphs

    cache = _cache(cache_dir)
    if area is None:
        return graphs.load_graph(cache, name)
    if graphs.is_tables(graphs.graph_dir(cache, name)):
        from graphx.store.tables import open_tables

        return open_tables(cache, name).area(area)
    from graphx.export import subgraph_for_community

    return subgraph_for_community(graphs.load_graph(cache, name), area)


def list_graphs(*, cache_dir: PathLike | None = None) -> list[dict[str, Any]]:
    """The stored graphs' metadata (name, inputs, parameters, counts, built_at), by name."""
    from graphx.store.graphs import list_graphs as stored

    return stored(_cache(cache_dir))


def add(name: str, papers: Sequence[Paper], *, cache_dir: PathLike | None = None) -> nx.MultiDiGraph:
    """Add ``papers`` to the stored graph ``name`` without rebuilding it, store it and return it.

    New papers join the area they are most linked to and sit beside their neighbours; the others keep
    their areas, labels and positions (``graphx add``).
    """
    from graphx.build.update import add_and_save
    from graphx.store.papers import PaperStore

    cache = _cache(cache_dir)
    with PaperStore(cache) as store:
        G, _ = add_and_save(cache, name, papers, store=store, inputs=["graphx.add"])
    return G


def export(G: nx.MultiDiGraph, path: PathLike, format: str | None = None) -> list[Path]:
    """Write ``G`` to ``path`` for another tool; the format comes from the suffix unless ``format`` says.

    Formats: ``json`` (networkx node-link), ``gexf`` (Gephi), ``graphml``, ``csv`` (a ``.zip`` or a
    folder of nodes.csv and edges.csv), ``html`` (the offline explorer page), ``bibtex`` (``.bib``),
    ``ris``, ``txt``. Written atomically, folders created. Returns the files written.

    Examples
    --------
    >>> export(None, "graph.xlsx")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    graphx.errors.ConfigError: Cannot tell the export format of 'graph.xlsx' from its suffix; ...
    """
    from graphx.errors import ConfigError
    from graphx.export import EXPORT_FORMATS, export_graph

    if format is None:
        suffix = Path(path).suffix.lower()
        by_suffix = {f.suffix: f.name for f in EXPORT_FORMATS.values()}
        if suffix not in by_suffix:
            raise ConfigError(
                f"Cannot tell the export format of {os.fspath(path)!r} from its suffix; use one of "
                f"{', '.join(sorted(by_suffix))} or pass format= ({', '.join(EXPORT_FORMATS)})."
            )
        format = by_suffix[suffix]
    return export_graph(G, format, path)


def topic(G: nx.MultiDiGraph, query: str) -> TopicResult:
    """The papers of ``G`` on a topic in your words, best first, with a label and the area they overlap.

    The result has ``papers`` (node ids), ``label``, ``area`` and ``to_json()`` (``graphx topic``).
    """
    from graphx.topic import find_topic

    return find_topic(G, query, index=_index(G))


def missing(
    name_or_G: str | nx.MultiDiGraph,
    *,
    area: int | None = None,
    limit: int = 20,
    cache_dir: PathLike | None = None,
) -> dict[str, list[Any]]:
    """Papers the map lacks: ``foundations`` its papers cite most, ``follow_ups`` citing them most.

    Reads the reference lists in the papers store, so the graph must have been built with
    ``graphx build`` or stored with :func:`save` in ``cache_dir``. ``area`` limits the count to one area.
    """
    from graphx.missing import missing_papers
    from graphx.store.papers import PaperStore

    G = load(name_or_G, cache_dir=cache_dir) if isinstance(name_or_G, str) else name_or_G
    with PaperStore(_cache(cache_dir)) as store:
        return missing_papers(G, store, area=area, limit=limit)


def explain(G: nx.MultiDiGraph, a: str, b: str) -> dict[str, Any]:
    """Why papers ``a`` and ``b`` are linked: citations, shared references and citers, shared terms,
    and the parts of their similarity, as plain data (``graphx explain``)."""
    from graphx.explain import explain_link

    built = {p.id: p for p in _BUILT.get(G, ()) if p.id in (a, b)}
    return explain_link(G, a, b, papers=built, index=_index(G))


def demo_papers() -> list[Paper]:
    """The shipped demo corpus: 6,545 NeurIPS/ICML arXiv papers with the citations among them (CC0).

    Ids are arXiv ids with their version (``1706.03762v7``), so ``p.id.startswith("21")`` picks 2021.
    """
    from graphx.demo import demo_papers as papers

    return papers()
