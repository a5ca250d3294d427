"""Enrich a built graph later: look its papers up on Semantic Scholar and rebuild it with what S2 adds.

A graph built from pasted text with S2 unreachable has no citations and no SPECTER vectors. Once the
network is back, :func:`enrich_graph` finds its papers on S2 (by S2 id, DOI or arXiv id where they have
one, else by S2's title match under the rules of :mod:`graphx.sources.s2.titles`), merges S2's records
into them (reference lists, citations, vectors; each paper keeps its node id) and rebuilds the graph
under its name with the parameters it was built with.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from graphx.errors import S2Unreachable
from graphx.options import stored_build_options
from graphx.paper import Paper
from graphx.progress import Progress
from graphx.sources.s2 import CollectResult, collect, make_client
from graphx.store.graphs import load_graph, load_meta
from graphx.store.papers import PaperStore

ENRICH_INPUT = "enrich: Semantic Scholar"


def enrich_graph(
    cache_dir: str | os.PathLike,
    name: str,
    *,
    api_url: str | None = None,
    requests_per_s: float | None = None,
    timeout_s: float = 30.0,
    max_retries: int = 5,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    on_retry: Callable[[str], None] | None = None,
) -> tuple[CollectResult, Any, Path | None]:
    """Look the papers of graph ``name`` up on S2 and rebuild it; ``(result, G, folder)``.

    ``G`` and ``folder`` are None when S2 found none of the papers (the graph is left as it was).
    Raises :class:`~graphx.errors.S2Unreachable` (in a few seconds) when S2 cannot be reached; the graph
    is then left as it was too.
    """
    from graphx.build.pipeline import build_and_save

    meta = load_meta(cache_dir, name)
    options = stored_build_options(meta.get("parameters") or {})
    G_old = load_graph(cache_dir, name)
    with PaperStore(cache_dir) as store:
        stored = store.get_papers(list(G_old))
        papers = [stored.get(n) or paper_from_node(n, attrs) for n, attrs in G_old.nodes(data=True)]
        with make_client(
            api_url,
            requests_per_s=requests_per_s,
            timeout_s=timeout_s,
            max_retries=max_retries,
            cancel=cancel,
            on_retry=on_retry,
        ) as client:
            result = collect(store, client, enrich=papers, progress=progress)
    if result.unreachable is not None:
        raise S2Unreachable(
            result.unreachable.url,
            result.unreachable.reason,
            message=f"Semantic Scholar could not be reached at {result.unreachable.url} "
            f"({result.unreachable.reason}); graph {name!r} is unchanged. Run `graphx enrich {name}` again "
            "when the network is back (or check --api-url / $GRAPHX_S2_API_URL).",
        )
    if not result.papers:
        return result, None, None
    inputs = [*meta.get("inputs", [])]
    if ENRICH_INPUT not in inputs:
        inputs.append(ENRICH_INPUT)
    # The graph's own records come first, so every paper keeps its node id; S2's records fill them in.
    G, folder = build_and_save(
        [*papers, *result.papers], cache_dir, name, options, inputs=inputs, progress=progress, cancel=cancel
    )
    return result, G, folder


def paper_from_node(node_id: str, attrs: dict) -> Paper:
    """A paper from its node, for graphs whose papers the store does not hold (text kept as given)."""
    names = set(Paper.__dataclass_fields__) - {"id", "references", "citations", "embedding"}
    kwargs = {k: v for k, v in attrs.items() if k in names}
    for key in ("authors", "fields_of_study"):
        if key in kwargs:
            kwargs[key] = tuple(kwargs[key] or ())
    return Paper(id=node_id, **kwargs)
