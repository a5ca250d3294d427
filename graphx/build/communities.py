"""Research areas and sub-areas: seeded Leiden (modularity) on a weighted blend of the edge kinds.

igraph's Leiden runs 100x faster than networkx's Louvain at 100k papers with equal or better
modularity; networkx stays the graph model, igraph only sits behind these functions. Note that
Leiden's default objective in igraph (CPM at resolution 1) puts every node alone: the modularity
objective is set explicitly.
"""

from __future__ import annotations

import random
import threading
import weakref
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import igraph as ig
import networkx as nx
import numpy as np

from graphx.build.edgearrays import EdgeArrays, edge_arrays

if TYPE_CHECKING:
    from graphx.build.parallel import Helper, Kept

# igraph draws from one process-wide generator: builds in web threads must not interleave seeds.
_RNG_LOCK = threading.Lock()
# Edge arrays of the graphs from_pairs made: id(graph) -> (weak reference, ends).
_ENDS: dict[int, tuple[weakref.ref, np.ndarray]] = {}
# Graphs the helper process made itself (made_there): id -> (the graph, the key it holds its copy as).
_MADE: dict[int, tuple[weakref.ref, Hashable]] = {}
# Passes of Leiden's refinement. Measured at 100k papers (62 areas): 2 passes 4.2 s, until stable
# 11.2 s, with the same modularity (0.8211) to four decimals.
LEIDEN_ITERATIONS = 2
# Consensus of Leiden runs (see detect_igraph). 6 + 2 runs measured as good as 8 + 3 (ICLR, synthetic, the
# 250-paper set) at 1.8 s instead of 2.4 s for the two levels at 6,545 papers.
CONSENSUS_RUNS = 6
CONSENSUS_AGREEMENT = 0.5
FINAL_RUNS = 2
# Sub-areas: one consensus per area (22 areas on NeurIPS/ICML: 176 of its 190 Leiden runs at 6 + 2, but
# small graphs: 0.2 s of the stage's 2.0 s CPU).
# 3 + 1 there measured the same ICLR sub-area NMI as 6 + 2 (0.4397, std 0.0032 over 5 seeds; round 2 of
# notes/quality-log.md); the top level keeps 6 + 2, which sets the areas.
SUB_CONSENSUS_RUNS = 3
SUB_FINAL_RUNS = 1
# Big graphs: fewer top-level consensus runs (see consensus_runs). Above LARGE_GRAPH_EDGES weighted edges
# (the quality sets have at most ~0.3M, 100k synthetic papers ~4.6M, a million ~35M) LARGE_CONSENSUS_RUNS
# runs per resolution and LARGE_FINAL_RUNS on the consensus graph.
LARGE_GRAPH_EDGES = 1_000_000
LARGE_CONSENSUS_RUNS = 3
LARGE_FINAL_RUNS = 1
# Resolutions tried (times the given one) when the resolution is chosen by stability (detect_igraph).
RESOLUTION_FACTORS = (1.0, 1.5)
STABILITY_TIE = 0.005
# An area of fewer papers is not an area a researcher would name; a sub-area of fewer is not worth a name.
MIN_AREA_PAPERS = 3
MIN_SUBAREA_PAPERS = 5


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


def edge_ends(g: ig.Graph) -> np.ndarray:
    """The ``(ecount, 2)`` int array of ``g``'s edge ends, in edge order.

    For a graph made by :func:`from_pairs` (as :func:`weighted_igraph` makes them), the array it was
    made from: ``g.get_edgelist()`` makes a Python tuple per edge (~4 GB at 35M edges). Other graphs
    (copies and subgraphs are other graphs) get it from their edge list.
    """
    known = _ENDS.get(id(g))
    if known is not None and known[0]() is g and len(known[1]) == g.ecount():
        return known[1]
    return np.array(g.get_edgelist(), dtype=np.int64).reshape(-1, 2)


def from_pairs(n: int, ends: np.ndarray, weight: np.ndarray) -> ig.Graph:
    """Undirected igraph graph of ``n`` vertices with edges ``ends`` (an ``(m, 2)`` int array, in that
    order) and edge attribute ``weight``; :func:`edge_ends` gives ``ends`` back without igraph.

    igraph reads the array itself (igraph 0.11 and 1.0 alike): 1.8 s for the 4.5M edges of 100k papers,
    where a list of Python pairs took 1.7 s and 0.34 GB more at its peak (~4.5 GB at 35M edges).
    """
    ends = np.asarray(ends).reshape(-1, 2)
    g = ig.Graph(n=n, edges=ends, directed=False)
    g.es["weight"] = np.asarray(weight, dtype=np.float64).tolist()
    _ENDS[id(g)] = (weakref.ref(g), ends)
    weakref.finalize(g, _ENDS.pop, id(g), None)
    return g


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
    return _summed_graph(len(arrays.nodes), *_weighted_edges(arrays, weights)), arrays.nodes


def _weighted_edges(arrays: EdgeArrays, weights: Mapping[str, float]) -> tuple[np.ndarray, ...]:
    """The ends and weighted weights of the edges :func:`weighted_igraph` sums (kinds weighted, no loops)."""
    factor = arrays.kind_factor(weights)
    keep = (factor > 0) & (arrays.src != arrays.dst)
    return arrays.src[keep], arrays.dst[keep], (factor * arrays.weight)[keep]


def _summed_graph(n: int, a: np.ndarray, b: np.ndarray, w: np.ndarray) -> ig.Graph:
    """The graph of :func:`weighted_igraph`: one edge per pair of ends, its weights summed, pairs sorted."""
    codes = np.minimum(a, b).astype(np.int64) * n + np.maximum(a, b)
    codes, inverse = np.unique(codes, return_inverse=True)
    summed = np.bincount(inverse, weights=w, minlength=len(codes))
    del inverse
    pairs = np.column_stack([codes // max(n, 1), codes % max(n, 1)])
    del codes
    return from_pairs(n, pairs, summed)


def weighted_there(helper: Helper, weights: Mapping[str, float], arrays: EdgeArrays) -> Hashable:
    """Have the build's helper process make :func:`weighted_igraph` of ``arrays`` itself while this
    process makes its own (it is sent the weighted edges, 74 MB at 100k papers, not a graph to make
    again when the communities start: its first Leiden runs began ~2.4 s into that stage). Returns the
    key to give :func:`made_there` with this process's graph."""
    key = ("weighted", id(arrays))
    if helper.active:
        a, b, w = _weighted_edges(arrays, weights)
        helper.keep_made(key, _shipped_sum, len(arrays.nodes), a.astype(np.int32), b.astype(np.int32), w)
    return key


def _shipped_sum(n: int, a: np.ndarray, b: np.ndarray, w: np.ndarray) -> Shipped:
    return Shipped(_summed_graph(n, a, b, w))


def made_there(g: ig.Graph, key: Hashable) -> None:
    """``g`` is the graph the helper made as ``key`` (:func:`weighted_there`): :func:`kept_graph` of ``g``
    sends nothing."""
    _MADE[id(g)] = (weakref.ref(g), key)
    weakref.finalize(g, _MADE.pop, id(g), None)


class Shipped:
    """An igraph graph handed to the build's helper process (:mod:`graphx.build.parallel`): pickled as
    arrays (vertex count, edge ends, weights) and made again there by :func:`from_pairs`, the same graph
    with its edges in the same order. Kept in this process, ``graph`` is the graph itself, not a copy."""

    def __init__(self, graph: ig.Graph):
        self.graph = graph

    def __reduce__(self):
        g = self.graph
        weight = np.asarray(g.es["weight"], dtype=np.float64) if g.ecount() else np.zeros(0)
        return _shipped, (g.vcount(), edge_ends(g).astype(np.int32), weight)


def _shipped(n: int, ends: np.ndarray, weight: np.ndarray) -> Shipped:
    return Shipped(from_pairs(n, ends.astype(np.int64), weight))


def leiden_runs(graph: Kept[Shipped], jobs: list[tuple[float, int]]) -> list[np.ndarray]:
    """One Leiden membership per ``(resolution, seed)`` of ``jobs`` (a share of :func:`detect_igraph`'s
    runs, for the helper process)."""
    return [_leiden(graph.value.graph, resolution, seed) for resolution, seed in jobs]


def kept_graph(helper: Helper, g: ig.Graph) -> Kept[Shipped]:
    """``g`` as the helper holds it: sent once, made again there once, for every piece that reads it (or
    made there from its edges, :func:`made_there`)."""
    made = _MADE.get(id(g))
    key = made[1] if made is not None and made[0]() is g else ("graph", id(g))
    return helper.keep(Shipped(g), key=key)


def consensus_runs(n_edges: int) -> tuple[int, int]:
    """Leiden runs per resolution and final runs of the top-level consensus on a graph of ``n_edges``.

    ``CONSENSUS_RUNS`` + ``FINAL_RUNS`` up to ``LARGE_GRAPH_EDGES`` edges (every quality set), fewer
    above, where a Leiden run costs most (about a minute at a million papers, ~35M edges) and varies
    less from seed to seed: two single runs agree to NMI 0.986 (0.978 at 1.5x the resolution) on 100k
    synthetic papers (4.5M edges), against 0.75 (0.86) on the 6,545-paper NeurIPS/ICML graph (0.2M
    edges). Synthetic corpora are cleaner (4 runs identical at 10k), so the threshold sits well above
    every quality set. At 100k, 3 + 1 runs found the planted topics as well as 6 + 2 (NMI 0.929-0.931
    against 0.909-0.930 over two seeds) in 30-32 s of CPU instead of 54 s (docs/scaling.md).
    """
    if n_edges > LARGE_GRAPH_EDGES:
        return LARGE_CONSENSUS_RUNS, LARGE_FINAL_RUNS
    return CONSENSUS_RUNS, FINAL_RUNS


def detect_igraph(
    g: ig.Graph,
    *,
    resolution: float,
    seed: int,
    min_size: int = MIN_AREA_PAPERS,
    choose_resolution: bool = False,
    n_runs: int | None = None,
    n_final_runs: int | None = None,
    helper: Helper | None = None,
) -> list[list[int]]:
    """Consensus Leiden (modularity) communities of an igraph graph as vertex lists, largest first.

    One Leiden run depends on its seed: on a 250-paper text-only set the F1 of the best area for a
    topic ranged 0.46-0.78 over seeds. So ``n_runs`` runs (seeds drawn from ``seed``) vote: each
    edge is weighted by the share of runs that put its two ends together, edges that fewer than half
    the runs keep together are dropped, and the partition of highest modularity (on the original
    weights) among ``n_final_runs`` Leiden runs on that consensus graph is returned. Communities under
    ``min_size`` vertices then join the community they are most linked to (:func:`merge_small`).
    Without ``n_runs`` / ``n_final_runs``: :func:`consensus_runs` of the graph's size. With a
    ``helper`` process, it makes half of the independent runs (the same seeds: the same result).

    With ``choose_resolution``, the resolution is chosen, not assumed: among ``resolution`` times each
    of ``RESOLUTION_FACTORS``, the one whose independent runs agree most (mean pairwise adjusted Rand
    index, :func:`stability`) - a partition that the graph supports comes out of every run, one that
    the optimiser invents does not. Near-ties (within ``STABILITY_TIE``) go to the finer partition.
    """
    if g.vcount() == 0:
        return []
    if g.ecount() == 0:
        return [[i] for i in range(g.vcount())]
    default_runs, default_finals = consensus_runs(g.ecount())
    n_runs = default_runs if n_runs is None else n_runs
    n_final_runs = default_finals if n_final_runs is None else n_final_runs
    rng = random.Random(seed)
    factors = RESOLUTION_FACTORS if choose_resolution else (1.0,)
    # Every seed drawn first, in the order the runs take them (each resolution's, then the finals'):
    # the runs are independent, and with a helper half of them run there at the same time.
    jobs = [(resolution * factor, s) for factor in factors for s in rng.sample(range(2**31), n_runs)]
    seeds = rng.sample(range(2**31), n_final_runs)
    memberships = _shared_runs(g, jobs, helper)
    best_stability, runs = -1.0, None
    for k, factor in enumerate(factors):  # ascending: a finer resolution must beat the best by STABILITY_TIE
        trial = np.array(memberships[k * n_runs : (k + 1) * n_runs])
        score = stability(trial) if len(factors) > 1 else 0.0
        if runs is None or score >= best_stability - STABILITY_TIE:
            chosen, runs = resolution * factor, trial
            best_stability = max(best_stability, score)
        del trial
    del memberships
    resolution = chosen
    edges = edge_ends(g)
    weight = np.asarray(g.es["weight"], dtype=np.float64)
    # Share of runs keeping each edge's ends together, one run at a time (runs x edges at once is
    # gigabytes on a big graph).
    together = np.zeros(len(edges), dtype=np.int32)
    for run in runs:
        together += run[edges[:, 0]] == run[edges[:, 1]]
    agree = together / len(runs)
    del together, runs
    keep = agree >= CONSENSUS_AGREEMENT
    # The consensus graph: the kept edges, in order, weighted by agreement (a copy without the others:
    # no Python list of the edges).
    h = g.copy()
    h.delete_edges(np.flatnonzero(~keep).tolist())
    h.es["weight"] = (weight * agree)[keep].tolist()
    del agree, keep
    finals = [_leiden(h, resolution, s) for s in seeds]
    del h
    best = (
        finals[0]
        if len(finals) == 1
        else max(finals, key=lambda m: g.modularity(m.tolist(), weights="weight", resolution=resolution))
    )
    best = merge_small(edges, weight, best, min_size)
    order = np.argsort(best, kind="stable")
    bounds = np.flatnonzero(np.diff(best[order])) + 1
    groups = [part.tolist() for part in np.split(order, bounds)]
    return sorted(groups, key=lambda c: (-len(c), c[0]))


def _shared_runs(g: ig.Graph, jobs: list[tuple[float, int]], helper: Helper | None) -> list[np.ndarray]:
    """:func:`leiden_runs` of ``jobs``: the later half in the helper process if there is one, the rest here
    meanwhile (on the graph it holds: made there from the edges in a build, :func:`weighted_there`)."""
    if helper is None or not helper.active or len(jobs) < 2:
        return [_leiden(g, resolution, seed) for resolution, seed in jobs]
    half = (len(jobs) + 1) // 2
    theirs = helper.submit(leiden_runs, kept_graph(helper, g), jobs[half:])
    return [_leiden(g, resolution, seed) for resolution, seed in jobs[:half]] + theirs.result()


def stability(runs: np.ndarray) -> float:
    """Mean adjusted Rand index over every pair of partitions (rows of ``runs``): 1 = all identical."""
    from sklearn.metrics import adjusted_rand_score

    pairs = [(a, b) for a in range(len(runs)) for b in range(a + 1, len(runs))]
    return float(np.mean([adjusted_rand_score(runs[a], runs[b]) for a, b in pairs])) if pairs else 1.0


def _leiden(g: ig.Graph, resolution: float, seed: int) -> np.ndarray:
    with seeded_igraph(seed):
        clustering = g.community_leiden(
            objective_function="modularity", weights="weight", resolution=resolution,
            n_iterations=LEIDEN_ITERATIONS,
        )  # fmt: skip
    return np.asarray(clustering.membership, dtype=np.int64)


def merge_small(edges: np.ndarray, weight: np.ndarray, membership: np.ndarray, min_size: int) -> np.ndarray:
    """``membership`` with every community under ``min_size`` vertices moved, whole, into the community
    it has the most link weight to (among those of ``min_size`` or more). A small community with no
    link to a large one stays as it is.

    Examples
    --------
    >>> edges = np.array([[0, 1], [1, 2], [2, 0], [2, 3]])
    >>> merge_small(edges, np.ones(4), np.array([0, 0, 0, 1]), 3).tolist()
    [0, 0, 0, 0]
    """
    membership = membership.copy()
    sizes = np.bincount(membership)
    small = sizes < min_size
    if not small.any() or small.all():
        return membership
    a, b = membership[edges[:, 0]], membership[edges[:, 1]]
    touching = small[a] | small[b]
    a, b, weight = a[touching], b[touching], weight[touching]
    src = np.concatenate([a, b])
    dst = np.concatenate([b, a])
    w = np.concatenate([weight, weight])
    mask = small[src] & ~small[dst]
    if not mask.any():
        return membership
    n_comm = len(sizes)
    codes, inverse = np.unique(src[mask] * n_comm + dst[mask], return_inverse=True)
    total = np.bincount(inverse, weights=w[mask])
    pair_src, pair_dst = codes // n_comm, codes % n_comm
    order = np.lexsort((pair_dst, -total, pair_src))  # per small community: heaviest link, then lowest id
    first = np.unique(pair_src[order], return_index=True)[1]
    target = dict(zip(pair_src[order][first].tolist(), pair_dst[order][first].tolist(), strict=True))
    lookup = np.arange(n_comm)
    for c, t in target.items():
        lookup[c] = t
    return lookup[membership]


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
    map_areas: Callable[[Iterator[tuple]], Iterable[list[list[int]]]] | None = None,
    helper: Helper | None = None,
) -> Partition:
    """Research areas, and sub-areas inside every area of at least ``min_subarea_papers`` papers.

    Areas are numbered by size (0 = largest); sub-areas are numbered globally, grouped by area and by
    size within it. An area too small to split, or that does not split, is one sub-area.
    ``weighted`` is :func:`weighted_igraph` of ``G`` if the caller already has it.

    ``map_areas`` runs the sub-area searches elsewhere (the Dask engine: one task per area): it gets
    one :func:`area_graph` tuple per area to split and returns :func:`subareas` of each, in order.
    Same results as on this node: each task rebuilds the same graph, edges in the same order. A
    ``helper`` process (:mod:`graphx.build.parallel`) makes half of the Leiden runs and searches half of
    the areas, with the same results.
    """
    g, nodes = weighted or weighted_igraph(G, weights)
    areas = [
        sorted(m)
        for m in detect_igraph(g, resolution=resolution, seed=seed, choose_resolution=True, helper=helper)
    ]
    split = [a for a, members in enumerate(areas) if len(members) >= min_subarea_papers]
    if map_areas is None:
        found = _shared_subareas(g, [areas[a] for a in split], sub_resolution, seed, helper)
    else:
        # A generator: the caller can start searching the first areas while the next are cut out.
        found = map_areas((*area_graph(g, areas[a]), sub_resolution, seed) for a in split)
    subs_of = dict(zip(split, found, strict=True))
    part = Partition()
    next_sub = 0
    for a, members in enumerate(areas):
        for i in members:
            part.area[nodes[i]] = a
        for sub in subs_of.get(a, [list(range(len(members)))]):
            part.parent[next_sub] = a
            for i in sub:
                part.subarea[nodes[members[i]]] = next_sub
            next_sub += 1
    return part


def _shared_subareas(
    g: ig.Graph, areas: list[list[int]], sub_resolution: float, seed: int, helper: Helper | None
) -> Iterable[list[list[int]]]:
    """:func:`subareas_in` each of ``areas`` (vertex lists of ``g``), in order: with a helper process,
    every other area by edge count (the largest here) is searched there meanwhile."""
    if helper is None or not helper.active or len(areas) < 2:
        return (_subareas(g, members, sub_resolution, seed) for members in areas)
    area_of = np.full(g.vcount(), -1, dtype=np.int64)
    for k, members in enumerate(areas):
        area_of[members] = k
    ends = edge_ends(g)
    inside = area_of[ends[:, 0]] == area_of[ends[:, 1]]
    n_edges = np.bincount(area_of[ends[inside, 0]], minlength=len(areas))
    by_edges = np.argsort(-n_edges, kind="stable").tolist()
    mine, theirs = sorted(by_edges[0::2]), sorted(by_edges[1::2])
    pending = helper.submit(
        subareas_in, kept_graph(helper, g), [areas[k] for k in theirs], sub_resolution, seed
    )
    found = {k: _subareas(g, areas[k], sub_resolution, seed) for k in mine}
    found.update(zip(theirs, pending.result(), strict=True))
    return [found[k] for k in range(len(areas))]


def subareas_in(
    graph: Kept[Shipped], areas: list[list[int]], sub_resolution: float, seed: int
) -> list[list[list[int]]]:
    """:func:`_subareas` of each area of the kept graph (a piece for the helper process)."""
    return [_subareas(graph.value.graph, members, sub_resolution, seed) for members in areas]


def _subareas(g: ig.Graph, members: list[int], sub_resolution: float, seed: int) -> list[list[int]]:
    """The sub-areas of one area (vertices ``members`` of ``g``), as :func:`detect_two_levels` finds them."""
    return _area_consensus(g.induced_subgraph(members), sub_resolution, seed)


def _area_consensus(area: ig.Graph, sub_resolution: float, seed: int) -> list[list[int]]:
    """The sub-area consensus of one area's own graph: what every path to sub-areas runs (this node's,
    the helper process's, a Dask task's)."""
    return detect_igraph(
        area,
        resolution=sub_resolution,
        seed=seed,
        min_size=MIN_SUBAREA_PAPERS,
        n_runs=SUB_CONSENSUS_RUNS,
        n_final_runs=SUB_FINAL_RUNS,
    )


def area_graph(g: ig.Graph, members: list[int]) -> tuple[int, np.ndarray, np.ndarray]:
    """One area's induced subgraph as arrays: vertices, int32 edge ends (in igraph's order), weights."""
    h = g.induced_subgraph(members)
    return h.vcount(), edge_ends(h).astype(np.int32), np.asarray(h.es["weight"], dtype=np.float64)


def subareas(
    n: int, ends: np.ndarray, weight: np.ndarray, sub_resolution: float, seed: int
) -> list[list[int]]:
    """Sub-areas of one area given as :func:`area_graph` arrays (what a Dask task runs): the same
    consensus as :func:`detect_two_levels` runs on this node."""
    return _area_consensus(from_pairs(n, ends, weight), sub_resolution, seed)
