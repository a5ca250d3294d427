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
    factor = arrays.kind_factor(weights)
    keep = (factor > 0) & (arrays.src != arrays.dst)
    a, b, w = arrays.src[keep], arrays.dst[keep], (factor * arrays.weight)[keep]
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    codes, inverse = np.unique(lo * len(nodes) + hi, return_inverse=True)
    summed = np.bincount(inverse, weights=w, minlength=len(codes))
    pairs = np.column_stack([codes // max(len(nodes), 1), codes % max(len(nodes), 1)])
    g = ig.Graph(n=len(nodes), edges=pairs.tolist(), directed=False)
    g.es["weight"] = summed.tolist()
    return g, nodes


def detect_igraph(
    g: ig.Graph,
    *,
    resolution: float,
    seed: int,
    min_size: int = MIN_AREA_PAPERS,
    choose_resolution: bool = False,
    n_runs: int = CONSENSUS_RUNS,
    n_final_runs: int = FINAL_RUNS,
) -> list[list[int]]:
    """Consensus Leiden (modularity) communities of an igraph graph as vertex lists, largest first.

    One Leiden run depends on its seed: on a 250-paper text-only set the F1 of the best area for a
    topic ranged 0.46-0.78 over seeds. So ``CONSENSUS_RUNS`` runs (seeds drawn from ``seed``) vote: each
    edge is weighted by the share of runs that put its two ends together, edges that fewer than half
    the runs keep together are dropped, and the partition of highest modularity (on the original
    weights) among ``FINAL_RUNS`` Leiden runs on that consensus graph is returned. Communities under
    ``min_size`` vertices then join the community they are most linked to (:func:`merge_small`).

    With ``choose_resolution``, the resolution is chosen, not assumed: among ``resolution`` times each
    of ``RESOLUTION_FACTORS``, the one whose independent runs agree most (mean pairwise adjusted Rand
    index, :func:`stability`) - a partition that the graph supports comes out of every run, one that
    the optimiser invents does not. Near-ties (within ``STABILITY_TIE``) go to the finer partition.
    """
    if g.vcount() == 0:
        return []
    if g.ecount() == 0:
        return [[i] for i in range(g.vcount())]
    rng = random.Random(seed)
    factors = RESOLUTION_FACTORS if choose_resolution else (1.0,)
    best_stability, runs = -1.0, None
    for factor in factors:  # ascending: a later (finer) resolution must beat the best by STABILITY_TIE
        seeds = rng.sample(range(2**31), n_runs)
        trial = np.array([_leiden(g, resolution * factor, s) for s in seeds])
        score = stability(trial) if len(factors) > 1 else 0.0
        if runs is None or score >= best_stability - STABILITY_TIE:
            chosen, runs = resolution * factor, trial
            best_stability = max(best_stability, score)
    resolution = chosen
    seeds = rng.sample(range(2**31), n_final_runs)
    edges = np.asarray(g.get_edgelist(), dtype=np.int64)
    weight = np.asarray(g.es["weight"], dtype=np.float64)
    agree = (runs[:, edges[:, 0]] == runs[:, edges[:, 1]]).mean(axis=0)
    keep = agree >= CONSENSUS_AGREEMENT
    h = ig.Graph(n=g.vcount(), edges=edges[keep].tolist(), directed=False)
    h.es["weight"] = (weight * agree)[keep].tolist()
    finals = [_leiden(h, resolution, s) for s in seeds]
    best = max(finals, key=lambda m: g.modularity(m.tolist(), weights="weight", resolution=resolution))
    best = merge_small(edges, weight, best, min_size)
    groups: dict[int, list[int]] = {}
    for v, c in enumerate(best.tolist()):
        groups.setdefault(c, []).append(v)
    return sorted(groups.values(), key=lambda c: (-len(c), min(c)))


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
) -> Partition:
    """Research areas, and sub-areas inside every area of at least ``min_subarea_papers`` papers.

    Areas are numbered by size (0 = largest); sub-areas are numbered globally, grouped by area and by
    size within it. An area too small to split, or that does not split, is one sub-area.
    ``weighted`` is :func:`weighted_igraph` of ``G`` if the caller already has it.
    """
    g, nodes = weighted or weighted_igraph(G, weights)
    part = Partition()
    next_sub = 0
    for a, members in enumerate(detect_igraph(g, resolution=resolution, seed=seed, choose_resolution=True)):
        members = sorted(members)
        for i in members:
            part.area[nodes[i]] = a
        subs = [list(range(len(members)))]
        if len(members) >= min_subarea_papers:
            subs = detect_igraph(
                g.induced_subgraph(members),
                resolution=sub_resolution,
                seed=seed,
                min_size=MIN_SUBAREA_PAPERS,
                n_runs=SUB_CONSENSUS_RUNS,
                n_final_runs=SUB_FINAL_RUNS,
            )
        for sub in subs:
            part.parent[next_sub] = a
            for i in sub:
                part.subarea[nodes[members[i]]] = next_sub
            next_sub += 1
    return part
