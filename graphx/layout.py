"""Stored x/y positions: each research area laid out on its own, areas then placed as discs.

Laying the whole graph out at once (networkx spring / ForceAtlas2) costs minutes at 10k papers and
mixes areas at the centre. Here each area gets a seeded Fruchterman-Reingold layout (igraph, with
edges inside a sub-area pulled harder), shrunk into a disc whose area grows with its paper count; the
discs are placed by a layout of the area graph and pushed apart until none overlap. Papers linked to
nothing sit on a grid below the map. Cost grows with edges + areas squared, not papers squared.
"""

from __future__ import annotations

from collections.abc import Mapping

import networkx as nx
import numpy as np

from graphx.communities import seeded_igraph, to_igraph, weighted_graph

EXTENT = 1000.0  # coordinates end up in [-EXTENT, EXTENT]
SUBAREA_PULL = 2.0  # weight multiplier for edges inside a sub-area
FR_ITERATIONS = 300
DISC_GAP = 1.15  # discs stay this factor of their radii apart
OVERLAP_ROUNDS = 200


def annotate(G: nx.MultiDiGraph, *, weights: Mapping[str, float], seed: int = 42) -> None:
    """Set ``x`` and ``y`` on every node of ``G`` (which must carry ``community``/``subcommunity``)."""
    pos = community_layout(G, weights=weights, seed=seed)
    for n, (x, y) in pos.items():
        G.nodes[n]["x"] = round(float(x), 2)
        G.nodes[n]["y"] = round(float(y), 2)


def community_layout(G: nx.MultiDiGraph, *, weights: Mapping[str, float], seed: int = 42) -> dict:
    """Positions ``{node: (x, y)}`` in [-EXTENT, EXTENT]^2, the same for the same graph and seed."""
    rng = np.random.default_rng(seed)
    H = weighted_graph(G, weights)
    for u, v, data in H.edges(data=True):
        if G.nodes[u].get("subcommunity") == G.nodes[v].get("subcommunity"):
            data["weight"] *= SUBAREA_PULL
    areas: dict[int, list] = {}
    loose: list = []
    for n, a in G.nodes(data="community", default=0):
        (loose if H.degree(n) == 0 else areas.setdefault(a, [])).append(n)

    keys = sorted(areas)
    local = {a: _disc_layout(H.subgraph(areas[a]), rng, seed) for a in keys}
    radii = np.array([np.sqrt(len(areas[a])) for a in keys])
    centres = _place_discs(H, G, keys, radii, rng, seed)

    pos: dict = {}
    for a, centre, r in zip(keys, centres, radii, strict=True):
        for n, p in local[a].items():
            pos[n] = centre + r * p
    if loose:
        pos.update(_grid_below(loose, pos))
    return _rescale(pos)


def _fr(H: nx.Graph, rng: np.random.Generator, seed: int) -> dict:
    g, nodes = to_igraph(H)
    start = rng.uniform(-1, 1, size=(len(nodes), 2)).tolist()
    with seeded_igraph(seed):
        coords = g.layout_fruchterman_reingold(
            weights="weight" if g.ecount() else None, niter=FR_ITERATIONS, seed=start, grid="auto"
        ).coords
    return dict(zip(nodes, np.asarray(coords, dtype=float), strict=True))


def _disc_layout(H: nx.Graph, rng: np.random.Generator, seed: int) -> dict:
    """Layout of one area, centred and scaled so that nearly all papers fall in the unit disc."""
    if H.number_of_nodes() == 1:
        return {n: np.zeros(2) for n in H}
    pos = _fr(H, rng, seed)
    P = np.array(list(pos.values()))
    P -= P.mean(axis=0)
    reach = np.quantile(np.linalg.norm(P, axis=1), 0.95) or 1.0
    P /= reach
    # Stragglers beyond the disc are pulled to its rim so they never land inside another area.
    norms = np.linalg.norm(P, axis=1, keepdims=True)
    P = np.where(norms > 1.0, P / np.maximum(norms, 1e-9), P)
    return dict(zip(pos, P, strict=True))


def _place_discs(
    H: nx.Graph, G: nx.MultiDiGraph, keys: list, radii: np.ndarray, rng: np.random.Generator, seed: int
) -> np.ndarray:
    """Disc centres: a layout of the area graph, scaled to the discs, then pushed apart until none overlap."""
    if len(keys) <= 1:
        return np.zeros((len(keys), 2))
    index = {a: i for i, a in enumerate(keys)}
    Q = nx.Graph()
    Q.add_nodes_from(range(len(keys)))
    for u, v, w in H.edges(data="weight"):
        a, b = index[G.nodes[u]["community"]], index[G.nodes[v]["community"]]
        if a != b:
            Q.add_edge(a, b, weight=Q.get_edge_data(a, b, {"weight": 0.0})["weight"] + w)
    pos = _fr(Q, rng, seed)
    C = np.array([pos[i] for i in range(len(keys))])
    C -= C.mean(axis=0)
    spread = np.quantile(np.linalg.norm(C, axis=1), 0.9) or 1.0
    C *= np.sqrt(radii.sum() * radii.max()) / spread
    return _separate(C, radii * DISC_GAP)


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
