"""Edges as numpy arrays: what the edge stages produce and every later stage reads.

A build keeps its edges as arrays (paper index pairs, a kind code, a weight) from the edge stages to
the end: PageRank and degrees, the weighted graph for communities and layout all read the arrays, and
networkx's MultiDiGraph is filled once, at the end (:func:`add_to_graph`). Walking 2.9 million
networkx edges, or inserting them one kind at a time between stages, cost tens of seconds at 100k
papers; the arrays cost a few hundred milliseconds.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import networkx as nx
import numpy as np

from graphx.edgekinds import EDGE_KINDS

# Codes of the kinds in ``EdgeArrays.codes``: an index into EDGE_KINDS (int8: 1 byte per edge, not 28
# for a numpy string).
KIND_CODE = {kind: code for code, kind in enumerate(EDGE_KINDS)}
# Edges turned into Python objects at a time by add_to_graph.
FILL_BLOCK = 250_000


@dataclass(frozen=True)
class EdgeArrays:
    """Edge ``t`` runs from ``nodes[src[t]]`` to ``nodes[dst[t]]``, of kind ``EDGE_KINDS[codes[t]]``,
    with ``weight[t]``. Edges are in the order they enter the graph."""

    nodes: list
    src: np.ndarray
    dst: np.ndarray
    codes: np.ndarray
    weight: np.ndarray

    @property
    def kinds(self) -> np.ndarray:
        """The kind name of every edge (a string array, made on demand)."""
        return np.asarray(EDGE_KINDS, dtype=str)[self.codes] if len(self.codes) else np.zeros(0, dtype=str)

    def __len__(self) -> int:
        return len(self.src)

    def of_kind(self, kind: str) -> np.ndarray:
        """Boolean mask of the edges of ``kind``."""
        return self.codes == KIND_CODE[kind]

    def kind_factor(self, weights: Mapping[str, float]) -> np.ndarray:
        """``weights[kind]`` of every edge (0.0 for a kind missing from ``weights``)."""
        table = np.array([float(weights.get(kind, 0.0)) for kind in EDGE_KINDS], dtype=np.float64)
        return table[self.codes]

    def taken(self, at: np.ndarray) -> EdgeArrays:
        """The edges at indices ``at``, in that order (same nodes)."""
        return EdgeArrays(self.nodes, self.src[at], self.dst[at], self.codes[at], self.weight[at])

    def extended(self, src: np.ndarray, dst: np.ndarray, kind: str, weight: np.ndarray) -> EdgeArrays:
        """These edges followed by ``src[t] -> dst[t]`` of ``kind`` with ``weight[t]``."""
        code = np.full(len(src), KIND_CODE[kind], dtype=np.int8)
        return EdgeArrays(
            self.nodes,
            np.concatenate([self.src, np.asarray(src, dtype=np.int64)]),
            np.concatenate([self.dst, np.asarray(dst, dtype=np.int64)]),
            np.concatenate([self.codes, code]),
            np.concatenate([self.weight, np.asarray(weight, dtype=np.float64)]),
        )


def unique_sorted(values: np.ndarray) -> np.ndarray:
    """The distinct values of an integer array, ascending: ``np.unique(values)``, by a sort.

    numpy 2.3+ answers a bare ``np.unique`` with a hash table: 4-7 s of CPU for the 4.6 million pair
    codes of a 100k-paper graph, against 0.1 s for a sort and a comparison of neighbours. Not a stable
    sort: equal values are equal (numpy's default sort is vectorised, 10x faster than its radix sort).

    Examples
    --------
    >>> unique_sorted(np.array([3, 1, 3, 2, 1])).tolist()
    [1, 2, 3]
    """
    ordered = np.sort(np.asarray(values))
    if len(ordered) == 0:
        return ordered
    return ordered[np.concatenate([[True], ordered[1:] != ordered[:-1]])]


def first_index(codes: np.ndarray) -> np.ndarray:
    """For every element, the index of the first element equal to it (by a sort, as :func:`unique_sorted`).

    >>> first_index(np.array([5, 3, 5, 3, 7])).tolist()
    [0, 1, 0, 1, 4]
    """
    codes = np.asarray(codes)
    order = np.argsort(codes, kind="stable")
    ordered = codes[order]
    starts = np.concatenate([[True], ordered[1:] != ordered[:-1]]) if len(order) else np.zeros(0, dtype=bool)
    group = np.cumsum(starts) - 1
    first = np.empty(len(order), dtype=np.int64)
    first[order] = order[starts][group]
    return first


def graph_order(G: nx.MultiDiGraph, arrays: EdgeArrays) -> np.ndarray:
    """Indices of ``arrays``' edges in the order ``G.edges(keys=True)`` lists them once
    :func:`add_to_graph` filled ``G`` (which had no edges before) from ``arrays``.

    networkx lists edges by source node in ``G``'s node order, then by target in the order that pair
    was first added, then by key in the order added: a walk over the graph reads its edges in this
    order, and readers of the arrays (the explorer's page data) give the same output as the walk.
    """
    return order_of(node_ranks(G, arrays), arrays.src, arrays.dst)


def node_ranks(G: nx.MultiDiGraph, arrays: EdgeArrays) -> np.ndarray:
    """The place in ``G``'s node order of each node of ``arrays``."""
    rank = {n: i for i, n in enumerate(G)}
    return np.fromiter((rank[n] for n in arrays.nodes), dtype=np.int64, count=len(arrays.nodes))


def order_of(node_rank: np.ndarray, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """:func:`graph_order` from arrays alone (``node_rank``: :func:`node_ranks`): a build's helper process
    finds it (two sorts of the edges, ~1.2 s at 100k papers) while the areas are found."""
    n = max(len(node_rank), 1)
    first = first_index(src * n + dst)
    # By source, then the pair's first edge; a stable sort keeps keys of one pair in the arrays' order.
    return np.argsort(node_rank[src] * max(len(src), 1) + first, kind="stable")


def empty_edges(nodes: Sequence) -> EdgeArrays:
    """No edges between ``nodes``."""
    none = np.zeros(0, dtype=np.int64)
    return EdgeArrays(list(nodes), none, none, np.zeros(0, dtype=np.int8), np.zeros(0, dtype=np.float64))


def edge_arrays(G: nx.MultiDiGraph) -> EdgeArrays:
    """The edges of ``G`` (a missing weight counts as 1.0), nodes indexed in ``G``'s order.

    Edge kinds are the edge keys; an edge whose key is not one of EDGE_KINDS is left out.
    """
    nodes = list(G)
    index = {n: i for i, n in enumerate(nodes)}
    rows = [
        (index[u], index[v], KIND_CODE[kind], 1.0 if w is None else w)
        for u, v, kind, w in G.edges(keys=True, data="weight")
        if kind in KIND_CODE
    ]
    if not rows:
        return empty_edges(nodes)
    src, dst, codes, weight = zip(*rows, strict=True)
    return EdgeArrays(
        nodes,
        np.asarray(src, dtype=np.int64),
        np.asarray(dst, dtype=np.int64),
        np.asarray(codes, dtype=np.int8),
        np.asarray(weight, dtype=np.float64),
    )


def edge_rows(arrays: EdgeArrays, block: int) -> Iterator[Iterator[tuple[int, int, int, float]]]:
    """The edges of ``arrays`` as Python ``(source row, target row, kind code, weight)``, ``block`` edges
    at a time: the Python numbers of all 4.6 million edges of a 100k-paper graph at once were ~0.5 GB."""
    for start in range(0, len(arrays), block):
        part = slice(start, start + block)
        yield zip(
            arrays.src[part].tolist(),
            arrays.dst[part].tolist(),
            arrays.codes[part].tolist(),
            arrays.weight[part].tolist(),
            strict=True,
        )


def add_to_graph(G: nx.MultiDiGraph, arrays: EdgeArrays) -> None:
    """Add every edge of ``arrays`` to ``G`` (whose nodes they index), key and ``kind`` = the edge kind.

    The same graph as ``G.add_edges_from((u, v, kind, {"kind": kind, "weight": w}) ...)`` in the
    arrays' order, filled in bulk: networkx's ``add_edges_from`` checks each edge's nodes and key and
    copies its attributes (9 s for 2.9 million edges, against 3 s here). Each ``(u, v, kind)`` must be
    new to ``G`` and occur once in ``arrays``; the edge stages make them so.
    """
    succ, pred = G._succ, G._pred  # noqa: SLF001 - filled as networkx's own add_edges_from does
    nodes = arrays.nodes
    missing = [n for n in nodes if n not in succ]
    if missing:
        G.add_nodes_from(missing)
    names = list(EDGE_KINDS)
    for block in edge_rows(arrays, FILL_BLOCK):
        for i, j, code, w in block:
            u, v, kind = nodes[i], nodes[j], names[code]
            keys = succ[u].get(v)
            if keys is None:
                keys = succ[u][v] = pred[v][u] = G.edge_key_dict_factory()
            keys[kind] = {"kind": kind, "weight": w}
    # What networkx's own adders do after a change: drop converted graphs cached for backends.
    if cache := getattr(G, "__networkx_cache__", None):
        cache.clear()
