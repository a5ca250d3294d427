"""Stored x/y positions: each research area laid out on its own, areas then placed as discs.

Laying the whole graph out at once (networkx spring / ForceAtlas2) costs minutes at 10k papers and
mixes areas at the centre. Here each area gets a seeded Fruchterman-Reingold layout (igraph, with
edges inside a sub-area pulled harder), shrunk into a disc whose area grows with its paper count; the
discs are placed by a layout of the area graph and pushed apart until none overlap. Papers linked to
nothing sit on a grid below the map. Cost grows with edges + areas squared, not papers squared.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import igraph as ig
import networkx as nx
import numpy as np

from graphx.build.communities import Shipped, edge_ends, kept_graph, seeded_igraph
from graphx.build.edgearrays import unique_sorted
from graphx.build.parallel import Helper, Kept, Pending

EXTENT = 1000.0  # coordinates end up in [-EXTENT, EXTENT]
SUBAREA_PULL = 2.0  # weight multiplier for edges inside a sub-area
FR_ITERATIONS = 300
GRID_MIN_PAPERS = 100
LAYOUT_NEIGHBOURS = 8  # strongest links per paper that the layout follows
DISC_GAP = 1.15  # discs stay this factor of their radii apart
OVERLAP_ROUNDS = 200


def place(G: nx.MultiDiGraph, pos: Mapping) -> None:
    """Set ``x`` and ``y`` on the nodes of ``pos`` (``{node: (x, y)}``), rounded to hundredths."""
    for n, (x, y) in pos.items():
        G.nodes[n]["x"] = round(float(x), 2)
        G.nodes[n]["y"] = round(float(y), 2)


def vertex_positions(graph: Kept[Shipped], area: np.ndarray, sub: np.ndarray, seed: int) -> np.ndarray:
    """:func:`area_positions` of every vertex of the kept weighted graph, as an ``(n, 2)`` array in
    vertex order (the build's helper process lays out while the labels are chosen)."""
    return positions(graph.value.graph, area, sub, seed)


def positions_there(
    helper: Helper, g: ig.Graph, area: np.ndarray, sub: np.ndarray, seed: int, here: Callable[[], np.ndarray]
) -> Pending[np.ndarray]:
    """:func:`positions` of ``g``, made by the build's ``helper`` process (which holds ``g`` from then on,
    and lets it go once laid out), or by ``here()`` in this process when there is none or it fails.
    Both engines lay out this way while their labels are chosen."""
    kept = kept_graph(helper, g)
    laid = helper.submit_or(here, vertex_positions, kept, area, sub, seed)
    helper.forget(kept)
    return laid


def positions(g: ig.Graph, area: np.ndarray, sub: np.ndarray, seed: int) -> np.ndarray:
    """:func:`area_positions` of every vertex of ``g``, as an ``(n, 2)`` array in vertex order."""
    pos = area_positions(g, list(range(g.vcount())), area, sub, seed=seed)
    P = np.zeros((g.vcount(), 2))
    if pos:
        P[list(pos)] = np.array(list(pos.values()))
    return P


def area_positions(g: ig.Graph, nodes: list, area: np.ndarray, sub: np.ndarray, *, seed: int) -> dict:
    """Positions ``{node: (x, y)}`` in [-EXTENT, EXTENT]^2 of the weighted graph ``g`` (not changed;
    ``nodes[i]`` is vertex i) from each vertex's area and sub-area, the same for the same graph and
    seed: what the build (:func:`positions`) and the Dask engine call."""
    rng = np.random.default_rng(seed)
    ends = edge_ends(g)  # no Python tuple per edge (gigabytes at a million papers)
    w = np.asarray(g.es["weight"], dtype=float) if g.ecount() else np.zeros(0)
    w = np.where(sub[ends[:, 0]] == sub[ends[:, 1]], w * SUBAREA_PULL, w)

    # Fruchterman-Reingold costs iterations x edges: lay out each paper's strongest links only. The
    # backbone keeps its edges in ``g``'s order and takes the pulled weights (``g`` is not copied).
    strongest = _strongest_edges(ends, w, LAYOUT_NEIGHBOURS)
    backbone = g.subgraph_edges(strongest, delete_vertices=False)
    if backbone.ecount():
        backbone.es["weight"] = w[strongest].tolist()
    linked = np.asarray(g.degree()) > 0
    keys = sorted({int(a) for a in area[linked]})
    members = {a: np.flatnonzero((area == a) & linked) for a in keys}
    radii = np.array([np.sqrt(len(members[a])) for a in keys])
    centres = _place_discs(ends, w, area, keys, radii, rng, seed)

    pos: dict = {}
    for a, centre, r in zip(keys, centres, radii, strict=True):
        local = _disc_layout(backbone.induced_subgraph(members[a].tolist()), rng, seed)
        for i, p in zip(members[a], local, strict=True):
            pos[nodes[i]] = centre + r * p
    loose = [nodes[i] for i in np.flatnonzero(~linked)]
    if loose:
        pos.update(_grid_below(loose, pos))
    return _rescale(pos)


def _strongest_edges(ends: np.ndarray, w: np.ndarray, k: int) -> list[int]:
    """Ids of the edges among the ``k`` heaviest of either end (ties: the earlier edge)."""
    if len(w) == 0:
        return []
    node = ends.ravel()  # edge e's two ends at 2e and 2e + 1: positions in edge order
    # Per node, its edges by weight, ties in edge order: one sort of node x (the edge's rank by weight,
    # heaviest first, ties in edge order). 1.5 s for 4.6 million edges, where two stable sorts took 2.2 s
    # (and a three-key lexsort 4.7 s of CPU). The keys differ but for a loop's two ends, one edge.
    by_weight = np.empty(len(w), dtype=np.int64)
    by_weight[np.argsort(-w, kind="stable")] = np.arange(len(w))
    order = np.argsort(node.astype(np.int64) * len(w) + np.repeat(by_weight, 2))
    node = node[order]
    rank = np.arange(len(node)) - np.searchsorted(node, node)
    return unique_sorted(order[rank < k] // 2).tolist()


def _fr(g: ig.Graph, rng: np.random.Generator, seed: int) -> np.ndarray:
    # Start spread over sqrt(n), as igraph's own random start: the grid's cells are of unit size, and
    # all papers starting in one cell make every iteration n^2 again (1.8 s against 0.2 s at 1,200).
    reach = np.sqrt(g.vcount())
    start = rng.uniform(-reach, reach, size=(g.vcount(), 2)).tolist()
    with seeded_igraph(seed):
        coords = g.layout_fruchterman_reingold(
            weights="weight" if g.ecount() else None,
            niter=FR_ITERATIONS,
            seed=start,
            # igraph's "auto" grids only above 1,000 papers; below, each iteration costs n^2 (1.3 s
            # for a 1,000-paper area against 0.1 s with the grid, which approximates only far pairs).
            grid=g.vcount() > GRID_MIN_PAPERS,
        ).coords
    return np.asarray(coords, dtype=float)


def _disc_layout(g: ig.Graph, rng: np.random.Generator, seed: int) -> np.ndarray:
    """Layout of one area (rows in vertex order), centred and scaled so nearly all fall in the unit disc."""
    if g.vcount() == 1:
        return np.zeros((1, 2))
    P = _fr(g, rng, seed)
    P -= P.mean(axis=0)
    reach = np.quantile(np.linalg.norm(P, axis=1), 0.95) or 1.0
    P /= reach
    # Stragglers beyond the disc are pulled to its rim so they never land inside another area.
    norms = np.linalg.norm(P, axis=1, keepdims=True)
    return np.where(norms > 1.0, P / np.maximum(norms, 1e-9), P)


def _place_discs(
    ends: np.ndarray,
    w: np.ndarray,
    area: np.ndarray,
    keys: list,
    radii: np.ndarray,
    rng: np.random.Generator,
    seed: int,
) -> np.ndarray:
    """Disc centres: a layout of the area graph, scaled to the discs, then pushed apart until none overlap."""
    if len(keys) <= 1:
        return np.zeros((len(keys), 2))
    a, b = _key_index(area[ends[:, 0]], keys), _key_index(area[ends[:, 1]], keys)
    between = (a != b) & (a >= 0) & (b >= 0)
    lo, hi = np.minimum(a, b)[between], np.maximum(a, b)[between]
    codes, inverse = np.unique(lo * len(keys) + hi, return_inverse=True)
    Q = ig.Graph(n=len(keys), edges=np.column_stack([codes // len(keys), codes % len(keys)]).tolist())
    Q.es["weight"] = np.bincount(inverse, weights=w[between], minlength=len(codes)).tolist()
    C = _fr(Q, rng, seed)
    C -= C.mean(axis=0)
    spread = np.quantile(np.linalg.norm(C, axis=1), 0.9) or 1.0
    C *= np.sqrt(radii.sum() * radii.max()) / spread
    return _separate(C, radii * DISC_GAP)


def _key_index(values: np.ndarray, keys: list) -> np.ndarray:
    """The position of each value in the sorted ``keys``, -1 for a value not among them.

    >>> _key_index(np.array([7, 3, 5, 3]), [3, 7]).tolist()
    [1, 0, -1, 0]
    """
    sorted_keys = np.asarray(keys, dtype=np.int64)
    values = np.asarray(values, dtype=np.int64)
    at = np.minimum(np.searchsorted(sorted_keys, values), max(len(keys) - 1, 0))
    found = sorted_keys[at] == values if len(keys) else np.zeros(len(values), dtype=bool)
    return np.where(found, at, -1)


def _separate(C: np.ndarray, radii: np.ndarray) -> np.ndarray:
    """Push overlapping discs apart along the line between their centres (vectorised, bounded rounds)."""
    C = C.copy()
    need = radii[:, None] + radii[None, :]
    for _ in range(OVERLAP_ROUNDS):
        D = C[:, None, :] - C[None, :, :]
        dist = np.linalg.norm(D, axis=2)
        np.fill_diagonal(dist, np.inf)
        overlap = np.clip(need - dist, 0.0, None)
        if overlap.max() < 1e-6:
            break
        safe = np.where(dist > 1e-9, dist, 1.0)
        direction = D / safe[:, :, None]
        # Coincident centres: push along a fixed, index-dependent direction.
        coincident = dist <= 1e-9
        if coincident.any():
            angle = np.arange(len(C))[:, None] * 2.399963  # golden angle
            fallback = np.stack([np.cos(angle), np.sin(angle)], axis=2).repeat(len(C), axis=1)
            direction = np.where(coincident[:, :, None], fallback, direction)
        # Small discs move more than big ones.
        share = radii[None, :] / (radii[:, None] + radii[None, :])
        C += (direction * (overlap * share)[:, :, None] * 0.5).sum(axis=1)
    return C


def _grid_below(nodes: list, pos: dict) -> dict:
    """Unlinked papers on a square grid under the map, spaced like an average paper in an area."""
    P = np.array(list(pos.values())) if pos else np.zeros((1, 2))
    left, bottom = P[:, 0].min(), P[:, 1].min()
    width = max(P[:, 0].max() - left, 1.0)
    cols = max(1, int(np.ceil(np.sqrt(len(nodes) * 4))))
    step = width / cols
    return {
        n: np.array([left + step * (i % cols), bottom - step * (2 + i // cols)]) for i, n in enumerate(nodes)
    }


def _rescale(pos: dict) -> dict:
    if not pos:
        return {}
    P = np.array(list(pos.values()))
    P -= (P.max(axis=0) + P.min(axis=0)) / 2
    half = np.abs(P).max() or 1.0
    P *= EXTENT / half
    return dict(zip(pos, P, strict=True))
