"""The build: papers -> graph with edges, communities, labels, layout -> saved graph.

Each stage is a function of its own module; this module only runs them in order, times them, reports
progress and stores the result. The CLI and the web app both call :func:`build_graph` /
:func:`build_and_save`.
"""

from __future__ import annotations

import contextvars
import os
import platform
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from graphx.build import (
    citations,
    communities,
    embedding,
    labels,
    layout,
    metrics,
    parallel,
    similarity,
    text,
    transformer,
)
from graphx.build.edgearrays import EdgeArrays, add_to_graph, node_ranks, order_of
from graphx.build.runner import StageTimer, paused_gc
from graphx.build.text import VECTORS_DTYPE, TextIndex, build_text_index, paper_text
from graphx.edgekinds import EDGE_KINDS
from graphx.errors import ConfigError
from graphx.options import BuildOptions
from graphx.palette import count_areas
from graphx.paper import Paper, merge_duplicates
from graphx.progress import Progress
from graphx.store.graphs import check_name, save_graph
from graphx.version import __version__

VECTORS_FOLDER = (
    "vectors"  # CACHE/vectors: transformer vectors by text (graphx.build.transformer.VectorStore)
)
STAGES = ("edges", "similarity", "metrics", "weights", "communities", "labels", "layout", "graph", "save")


def build_graph(
    papers: Sequence[Paper],
    options: BuildOptions | None = None,
    *,
    name: str = "graph",
    inputs: Sequence[str] = (),
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    cache_dir: str | os.PathLike | None = None,
    processes: int = parallel.AUTO,
) -> nx.MultiDiGraph:
    """Build the labelled, laid-out graph of ``papers``.

    Duplicates are merged first. Timings per stage land in ``G.graph["meta"]["timings_s"]``. With
    ``cache_dir``, transformer vectors are read from and kept in ``CACHE/vectors`` (:func:`_vectors_in`).
    """
    with _vectors_in(cache_dir), parallel.helper(len(papers), processes) as helper:
        return _build(
            papers, options, name=name, inputs=inputs, progress=progress, cancel=cancel, helper=helper
        )[0]


def _vectors_in(cache_dir: str | os.PathLike | None):
    """The transformer's vector cache in ``CACHE/vectors`` (:func:`graphx.build.transformer.vector_cache`;
    none without ``cache_dir``): the same abstracts are not encoded again by the next build."""
    return transformer.vector_cache(Path(cache_dir) / VECTORS_FOLDER if cache_dir is not None else None)


@paused_gc
def _build(
    papers: Sequence[Paper],
    options: BuildOptions | None,
    *,
    name: str,
    inputs: Sequence[str],
    progress: Progress | None,
    cancel: threading.Event | None,
    helper: parallel.Helper,
    with_edges: bool = True,
) -> tuple[nx.MultiDiGraph, TextIndex, EdgeArrays]:
    """The graph, its text index and its edges as arrays in ``G.edges(keys=True)`` order (the order
    they have once in ``G``; without ``with_edges`` they are not added to ``G``, which holds the papers,
    their attributes and the graph's, as :func:`build_and_store` needs). ``helper``: the caller's
    :func:`graphx.build.parallel.helper`, which shares the work if it has a process (the same graph
    either way; the caller ends it, after the save if it saves)."""
    options = options or BuildOptions()
    stage = StageTimer(progress, cancel)
    papers = merge_duplicates(papers)
    if not papers:
        raise ConfigError("No papers to build a graph from: give --input files (or a query/paper ids).")

    # Edges stay arrays through the stages (every stage after them reads arrays); networkx's graph gets
    # its nodes now and its edges once, at the end ("graph").
    G = nx.MultiDiGraph()
    G.add_nodes_from(citations.paper_nodes(papers))
    encoder = (
        similarity.choose_text_encoder(papers, transformer_max_words=options.transformer_max_words)
        if options.text_embedding_weight > 0
        else similarity.WORDLLAMA
    )
    texts = [paper_text(p) for p in papers]
    # With a helper process, its share of the text (the last texts' tokens, then the local embedding,
    # needed later in the stage), then the citation edges, which read no text: all found there while
    # the text is indexed here. Without one, each is made here when it is needed.
    tail, local = _text_pieces(helper, texts, options, encoder)
    cited = helper.submit(
        citations.citation_arrays,
        citations.links(papers),
        top_k=options.top_k,
        min_strength=options.min_link_strength,
    )
    index, similar = stage(
        "similarity", lambda: _similarity(papers, texts, options, encoder, stage.cancel, tail, local)
    )
    texts = tail = local = None  # read by no later stage
    edges = stage("edges", lambda: _with_similar(cited.result(), papers, similar))
    # One weighted, undirected graph serves communities and layout; a helper makes its own meanwhile,
    # then finds the order the save writes the edges in (G's nodes are all there: it is theirs).
    there = communities.weighted_there(helper, options.weights, edges)
    ordered = helper.submit(order_of, node_ranks(G, edges), edges.src, edges.dst)
    stage("metrics", lambda: metrics.annotate(G, arrays=edges))
    weighted = stage("weights", lambda: communities.weighted_igraph(G, options.weights, arrays=edges))
    communities.made_there(weighted[0], there)
    partition = stage(
        "communities",
        lambda: communities.detect_two_levels(
            G,
            weighted=weighted,
            weights=options.weights,
            resolution=options.resolution,
            sub_resolution=options.sub_resolution,
            min_subarea_papers=options.min_subarea_papers,
            seed=options.seed,
            helper=helper,
        ),
    )
    # The layout reads the areas, not their labels: with a helper it is laid out there meanwhile.
    g, order = weighted
    area = np.array([partition.area[n] for n in order])
    sub = np.array([partition.subarea[n] for n in order])

    def lay_out_here() -> np.ndarray:  # no helper; or it died, after this process let its graph go
        here = (
            weighted[0]
            if weighted is not None
            else communities.weighted_igraph(G, options.weights, arrays=edges)[0]
        )
        return layout.positions(here, area, sub, options.seed)

    laid = layout.positions_there(helper, g, area, sub, options.seed, lay_out_here)
    if helper.active:
        weighted = None  # the helper holds the graph: ~0.4 GB less here at 100k papers, while labels run
    del g
    stage("labels", lambda: labels.annotate(G, index, partition, max_terms=options.label_terms))
    stage("layout", lambda: layout.place(G, dict(zip(order, laid.result(), strict=True))))
    weighted = laid = None  # read by no later stage: freed before networkx's edges are made
    if with_edges:
        edges = stage("graph", lambda: fill_graph(G, edges, ordered.result()))
    else:
        edges = edges.taken(ordered.result())

    G.graph["name"] = name
    G.graph["meta"] = {
        "name": name,
        "inputs": [str(i) for i in inputs],
        "parameters": asdict(options),
        "seed": options.seed,
        "versions": versions(),
        "timings_s": stage.timings,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "text_encoder": encoder if options.text_embedding_weight > 0 else None,
        "warnings": _embedding_warnings(papers, options) + ([helper.warning] if helper.warning else []),
    }
    report = helper.report()
    if report is not None:  # how the build ran, like its timings: not a parameter of the graph
        G.graph["meta"]["helper"] = report
    refresh_counts(G, edges=edges)
    return G, index, edges


def fill_graph(G: nx.MultiDiGraph, edges: EdgeArrays, order: np.ndarray) -> EdgeArrays:
    """Add ``edges`` to ``G`` (the "graph" stage); returns them in ``G.edges(keys=True)`` order
    (``order``: :func:`graphx.build.edgearrays.graph_order` of ``G`` and ``edges``), which the save reads
    instead of walking millions of networkx edges."""
    add_to_graph(G, edges)
    return edges.taken(order)


def refresh_counts(G: nx.MultiDiGraph, *, edges: EdgeArrays | None = None) -> None:
    """Recompute the counts and area preview kept in ``G.graph["meta"]`` (after a build or an update).

    ``edges`` are ``G``'s edges as arrays, if the caller has them (counting them is quicker).
    """
    areas = G.graph.get("communities", [])
    n_areas, n_small, small_papers = count_areas([int(c["size"]) for c in areas])
    G.graph["meta"]["counts"] = {
        **edge_counts(G, edges=edges),
        "areas": n_areas,
        "small_areas": n_small,
        "small_area_papers": small_papers,
        "subareas": len(G.graph.get("subcommunities", [])),
    }
    G.graph["meta"]["areas"] = [{k: c[k] for k in ("id", "label", "size")} for c in areas[:n_areas]]


def build_and_save(
    papers: Sequence[Paper],
    cache_dir: str | os.PathLike,
    name: str,
    options: BuildOptions | None = None,
    *,
    inputs: Sequence[str] = (),
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    processes: int = parallel.AUTO,
) -> tuple[nx.MultiDiGraph, Path]:
    """:func:`build_graph`, then store it atomically as ``CACHE/graphs/NAME`` with its text index
    (transformer vectors kept in ``CACHE/vectors``, :func:`_vectors_in`)."""
    return _build_and_save(
        papers, cache_dir, name, options, inputs, progress, cancel, with_edges=True, processes=processes
    )


def build_and_store(
    papers: Sequence[Paper],
    cache_dir: str | os.PathLike,
    name: str,
    options: BuildOptions | None = None,
    *,
    inputs: Sequence[str] = (),
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    processes: int = parallel.AUTO,
) -> tuple[dict[str, Any], Path]:
    """:func:`build_and_save` for callers that want the stored graph, not a networkx object in memory
    (the CLI's and the web app's builds): the same files, byte for byte, but networkx's edges are never
    made. At 100k papers they were the "graph" stage (9-12 s of CPU) and ~1.9 GB held at the build's end
    (~430 bytes an edge, 4.6 million edges): its peak fell from 3.66 to 2.75 GB, now the similarity
    stage's. ``graphx.load_graph`` reads the stored graph.

    Returns the graph's attributes (``G.graph``: its ``meta``, ``communities`` and ``subcommunities``) and
    its folder.
    """
    G, folder = _build_and_save(
        papers, cache_dir, name, options, inputs, progress, cancel, with_edges=False, processes=processes
    )
    return G.graph, folder


def _build_and_save(
    papers: Sequence[Paper],
    cache_dir: str | os.PathLike,
    name: str,
    options: BuildOptions | None,
    inputs: Sequence[str],
    progress: Progress | None,
    cancel: threading.Event | None,
    *,
    with_edges: bool,
    processes: int = parallel.AUTO,
) -> tuple[nx.MultiDiGraph, Path]:
    """The build and its save, shared by :func:`build_and_save` and :func:`build_and_store` (``G`` with
    or without networkx's edges: :func:`_build`)."""
    check_name(name)
    # One helper process for the build and its save (which writes graph.json's edges there).
    with _vectors_in(cache_dir), parallel.helper(len(papers), processes) as helper:
        G, index, edges = _build(
            papers,
            options,
            name=name,
            inputs=inputs,
            progress=progress,
            cancel=cancel,
            with_edges=with_edges,
            helper=helper,
        )
        folder = save_built(
            G, index, cache_dir, name, edges=edges, progress=progress, cancel=cancel, helper=helper
        )
    warnings = G.graph["meta"]["warnings"]
    if helper.warning and helper.warning not in warnings:
        # It stopped during the save: the stored graph is the same; the caller is told how it went.
        warnings.append(helper.warning)
    return G, folder


def save_built(
    G: nx.MultiDiGraph,
    index: TextIndex,
    cache_dir: str | os.PathLike,
    name: str,
    *,
    edges: EdgeArrays | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    helper: parallel.Helper | None = None,
) -> Path:
    """Store a built graph and its text index atomically (the "save" stage, timed into the metadata).

    ``edges`` are ``G``'s edges as arrays in ``G.edges(keys=True)`` order (:func:`fill_graph`), if the
    caller has them; with them, a build's ``helper`` process writes graph.json's edges
    (:func:`graphx.store.graphs.write_node_link`)."""
    timer = StageTimer(progress, cancel)
    folder = timer(
        "save", lambda: save_graph(G, cache_dir, name, extra=index.save, edges=edges, helper=helper)
    )
    G.graph["meta"]["timings_s"]["save"] = timer.timings["save"]
    return folder


def _embedding_warnings(papers: Sequence[Paper], options: BuildOptions) -> list[str]:
    """Why a local encoder the options ask for was not used (the build went on without it)."""
    if options.text_embedding_weight <= 0:
        return []
    reasons = [embedding.unavailable_reason()]
    if similarity.transformer_wanted(papers, transformer_max_words=options.transformer_max_words):
        reasons.append(transformer.unavailable_reason())
    return [r for r in reasons if r]


# With a helper process, the share of the texts tokenised here: the helper, its modules imported while
# the papers were merged, starts on its share as this process does, and tokenises ~10% faster (this
# process's other threads); measured at 100k papers, both shares then take ~4.3 s.
TOKENS_HERE = 0.46


def _text_pieces(
    helper: parallel.Helper, texts: list[str], options: BuildOptions, encoder: str
) -> tuple[tuple[int, parallel.Pending] | None, parallel.Pending | None]:
    """The helper's share of the text, handed to it: the tokens of the last texts (``tail`` of
    :func:`build_text_index`) and WordLlama's vectors of all; ``(None, None)`` without a helper."""
    if not helper.active:
        return None, None
    shared = helper.keep(texts, key="texts")
    start = int(len(texts) * TOKENS_HERE)
    tail = (start, helper.submit(text.tail_tokens, shared, start))
    # The transformer (small sets) keeps its vector cache in this process: it stays on a thread here.
    wordllama = options.text_embedding_weight > 0 and encoder == similarity.WORDLLAMA
    local = helper.submit(similarity.embed_kept, shared, encoder) if wordllama else None
    helper.forget(shared)  # read by no later piece: ~0.3 GB of the helper's at 100k papers
    return tail, local


def _similarity(
    papers: Sequence[Paper],
    texts: list[str],
    options: BuildOptions,
    encoder: str,
    cancel: threading.Event | None = None,
    tail: tuple[int, parallel.Pending] | None = None,
    local: parallel.Pending | None = None,
) -> tuple[TextIndex, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """The TF-IDF index of the papers, and their ``similar`` pairs ``(i, j, score)`` (rows of ``papers``).

    ``tail`` and ``local``: the helper's pieces of the text (:func:`_text_pieces`)."""
    # Without a helper, the local embedding (mostly the tokenizer and sparse products, which release the
    # GIL) runs on a second thread while the TF-IDF index (Python tokenising) is built: 1-1.5 s less at
    # 6.5k papers.
    with ThreadPoolExecutor(max_workers=1) as pool:
        if local is None and options.text_embedding_weight > 0:
            # In this thread's context, where the transformer's vector cache (vector_cache) is set.
            local = pool.submit(
                contextvars.copy_context().run, similarity.embed_local, texts, encoder, cancel=cancel
            )
        index = build_text_index(papers, texts=texts, tail=tail)
        pairs = similarity.similarity_pairs(
            papers,
            top_k=options.top_k,
            min_score=options.min_similarity,
            embedding_weight=options.embedding_weight,
            text_embedding_weight=options.text_embedding_weight,
            index=index,
            local=local,
        )
    vectors = local.result() if local is not None else None
    tag = similarity.local_model_tag(encoder)
    if vectors is not None and tag is not None:
        # Kept with the text index, so the topic lens reads the build's own vectors (with the transformer:
        # the joint vectors, whose query it embeds by both models) under a tag naming what made them.
        index.vectors = vectors.astype(VECTORS_DTYPE)
        index.vectors_model = tag
    return index, pairs


def _with_similar(
    edges: EdgeArrays, papers: Sequence[Paper], similar: tuple[np.ndarray, np.ndarray, np.ndarray]
) -> EdgeArrays:
    """``edges`` (the citation edges) followed by the ``similar`` pairs of :func:`_similarity`."""
    i, j, score = similar
    # Rows of papers -> rows of the edge arrays' nodes (the same papers, maybe in another order).
    row = {n: r for r, n in enumerate(edges.nodes)}
    node = np.fromiter((row[p.id] for p in papers), dtype=np.int64, count=len(papers))
    return edges.extended(node[i], node[j], "similar", score.astype(np.float64))


def edge_counts(G: nx.MultiDiGraph, *, edges: EdgeArrays | None = None) -> dict[str, Any]:
    """Papers and edges by kind (from ``edges``, ``G``'s edges as arrays, when given)."""
    if edges is not None:
        counts = np.bincount(edges.codes, minlength=len(EDGE_KINDS)).tolist()
        return {"papers": G.number_of_nodes(), "edges": dict(zip(EDGE_KINDS, counts, strict=True))}
    by_kind = {kind: 0 for kind in EDGE_KINDS}
    for _, _, kind in G.edges(keys=True):
        by_kind[kind] = by_kind.get(kind, 0) + 1
    return {"papers": G.number_of_nodes(), "edges": by_kind}


def versions() -> dict[str, str]:
    """The versions of graphx, Python and the libraries that made a graph (stored in its metadata)."""
    import igraph
    import numpy
    import scipy
    import sklearn

    return {
        "graphx": __version__,
        "python": platform.python_version(),
        "networkx": nx.__version__,
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "scikit-learn": sklearn.__version__,
        "igraph": igraph.__version__,
    }
