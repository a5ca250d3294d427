"""Research areas and sub-areas: seeded Leiden (modularity) on a weighted blend of the edge kinds.

igraph's Leiden runs 100x faster than networkx's Louvain at 100k papers with equal or better
modularity; networkx stays the graph model, igraph only sits behind these functions. Note that
Leiden's default objective in igraph (CPM at resolution 1) puts every node alone: the modularity
objective is set explicitly.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

import igraph as ig
import networkx as nx
import numpy as np

from graphx.build.edgearrays import EdgeArrays, edge_arrays

# igraph draws from one process-wide generator: builds in web threads must not interleave seeds.
_RNG_LOCK = threading.Lock()
# Passes of Leiden's refinement. Measured at 100k papers (62 areas): 2 passes 4.2 s, until stable
# 11.2 s, with the same modularity (0.8211) to four decimals.
LEIDEN_ITERATIONS = 2


@contextmanager
def seeded_igraph(seed: int) -> Iterator[None]:
    """Run igraph code with its random generator seeded, restoring the default afterwards."""
    with _RNG_LOCK:
        ig.set_random_number_generator(random.Random(seed))
        try:
            yield
        finally:
            ig.set_random_number_generator(random)


def to_igraph(H: nx.Graph) -> tuple[ig.Graph, list]:
    """igraph copy of a weighted undirected networkx graph, and the node list (igraph index -> node)."""
    nodes = list(H)
    index = {n: i for i, n in enumerate(nodes)}
    g = ig.Graph(n=len(nodes), edges=[(index[u], index[v]) for u, v in H.edges()], directed=False)
    g.es["weight"] = [w for _, _, w in H.edges(data="weight", default=1.0)]
    return g, nodes


def weighted_igraph(
    G: nx.MultiDiGraph, weights: Mapping[str, float], *, arrays: EdgeArrays | None = None
) -> tuple[ig.Graph, list]:
    """Undirected igraph graph whose edge weight sums ``weights[kind] * weight`` over the edge kinds.

    Edge kinds weighted 0 (or missing from ``weights``) and self-loops are left out; every node of ``G``
    is a vertex. Numpy sums, no networkx copy.

    Returns the graph (edge attribute ``weight``) and the node list (igraph index -> node of ``G``).
    ``arrays`` is :func:`graphx.build.edgearrays.edge_arrays` of ``G`` if the caller already has it.
    """
    arrays = arrays if arrays is not None else edge_arrays(G)
    nodes = arrays.nodes
    factor = np.array([weights.get(str(k), 0.0) for k in arrays.kinds], dtype=np.float64)
    keep = (factor > 0) & (arrays.src != arrays.dst)
    a, b, w = arrays.src[keep], arrays.dst[keep], (factor * arrays.weight)[keep]
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    codes, inverse = np.unique(lo * len(nodes) + hi, return_inverse=True)
    summed = np.bincount(inverse, weights=w, minlength=len(codes))
    pairs = np.column_stack([codes // max(len(nodes), 1), codes % max(len(nodes), 1)])
    g = ig.Graph(n=len(nodes), edges=pairs.tolist(), directed=False)
    g.es["weight"] = summed.tolist()
    return g, nodes


def detect_igraph(g: ig.Graph, *, resolution: float, seed: int) -> list[list[int]]:
    """Leiden (modularity) communities of an igraph graph as vertex lists, largest first."""
    if g.vcount() == 0:
        return []
    if g.ecount() == 0:
        return [[i] for i in range(g.vcount())]
    with seeded_igraph(seed):
        clustering = g.community_leiden(
            objective_function="modularity", weights="weight", resolution=resolution,
            n_iterations=LEIDEN_ITERATIONS,
        )  # fmt: skip
    groups = [list(members) for members in clustering]
    return sorted(groups, key=lambda c: (-len(c), min(c)))


def detect(H: nx.Graph, *, resolution: float, seed: int) -> list[set]:
    """Communities of a weighted undirected graph, largest first, as a partition of its nodes.

    Parameters
    ----------
    H : networkx.Graph
        Undirected, edge attribute ``weight``.
    resolution : float
        Modularity resolution: above 1 favours more, smaller communities.
    seed : int
        Same graph and seed give the same partition.

    Examples
    --------
    >>> H = nx.Graph([(0, 1), (1, 2), (0, 2), (3, 4), (4, 5), (3, 5), (2, 3)])
    >>> detect(H, resolution=1.0, seed=1)
    [{0, 1, 2}, {3, 4, 5}]
    """
    g, nodes = to_igraph(H)
    return [{nodes[i] for i in group} for group in detect_igraph(g, resolution=resolution, seed=seed)]


@dataclass
class Partition:
    """Two-level membership: ``area[node]``, ``subarea[node]`` and ``parent[subarea]``."""

    area: dict = field(default_factory=dict)
    subarea: dict = field(default_factory=dict)
    parent: dict[int, int] = field(default_factory=dict)

    @property
    def n_areas(self) -> int:
        return len(set(self.area.values()))


def detect_two_levels(
    G: nx.MultiDiGraph,
    *,
    weights: Mapping[str, float],
    resolution: float,
    sub_resolution: float,
    min_subarea_papers: int,
    seed: int,
    weighted: tuple[ig.Graph, list] | None = None,
) -> Partition:
    """Research areas, and sub-areas inside every area of at least ``min_subarea_papers`` papers.

    Areas are numbered by size (0 = largest); sub-areas are numbered globally, grouped by area and by
    size within it. An area too small to split, or that does not split, is one sub-area.
    ``weighted`` is :func:`weighted_igraph` of ``G`` if the caller already has it.
    """
    g, nodes = weighted or weighted_igraph(G, weights)
    part = Partition()
    next_sub = 0
    for a, members in enumerate(detect_igraph(g, resolution=resolution, seed=seed)):
        members = sorted(members)
        for i in members:
            part.area[nodes[i]] = a
        subs = [list(range(len(members)))]
        if len(members) >= min_subarea_papers:
            subs = detect_igraph(g.induced_subgraph(members), resolution=sub_resolution, seed=seed)
        for sub in subs:
            part.parent[next_sub] = a
            for i in sub:
                part.subarea[nodes[members[i]]] = next_sub
            next_sub += 1
    return part
