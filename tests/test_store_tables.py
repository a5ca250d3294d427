"""graphx.store.tables: a built graph stored as Parquet tables and read back an area at a time."""

from __future__ import annotations

import math

import numpy as np
import pytest

pytest.importorskip("pyarrow", reason="tables need pyarrow (pip install 'graphx[scale]')")

import graphx  # noqa: E402
from graphx.errors import ConfigError, GraphNotFound, PaperNotFound, StoredAsTables  # noqa: E402
from graphx.export import subgraph_for_community  # noqa: E402
from graphx.store import graphs as graphstore  # noqa: E402
from graphx.store import tables  # noqa: E402

FLOAT32_TOLERANCE = 1e-5


@pytest.fixture(scope="module")
def neurips_tables(neurips_graph, tmp_path_factory):
    """The local build of the shipped demo (6,545 papers) stored with save_graph_tables."""
    cache = tmp_path_factory.mktemp("tables") / "cache"
    tables.save_graph_tables(neurips_graph, cache, "neurips")
    return cache


def _same_attrs(a: dict, b: dict) -> list[str]:
    """Keys whose values differ (floats within float32 precision); ``x``/``y`` are stored as float32."""
    bad = []
    for key in set(a) | set(b):
        x, y = a.get(key), b.get(key)
        if isinstance(x, float) or isinstance(y, float):
            if x is None or y is None or not math.isclose(x, y, rel_tol=FLOAT32_TOLERANCE, abs_tol=1e-4):
                bad.append(key)
        elif x != y:
            bad.append(key)
    return bad


def test_every_area_equals_the_networkx_area_subgraph(neurips_graph, neurips_tables):
    T = tables.open_tables(neurips_tables, "neurips")
    assert T.n_papers == neurips_graph.number_of_nodes()
    areas = sorted({c for _, c in neurips_graph.nodes(data="community")})
    assert T.area_ids() == areas
    for k in areas:
        want = subgraph_for_community(neurips_graph, k)
        got = T.area(k)
        assert set(got) == set(want), k
        assert sorted(got.edges(keys=True)) == sorted(want.edges(keys=True)), k
        for n in want:
            wanted = {key: v for key, v in want.nodes[n].items() if key not in ("tldr", "s2_id")}
            gotten = {key: v for key, v in got.nodes[n].items() if key not in ("tldr", "s2_id")}
            assert not _same_attrs(gotten, wanted), (n, _same_attrs(gotten, wanted))
        for u, v, key, data in want.edges(keys=True, data=True):
            assert got.edges[u, v, key]["kind"] == data["kind"]
            assert math.isclose(got.edges[u, v, key]["weight"], data["weight"], rel_tol=FLOAT32_TOLERANCE)
        assert got.graph["communities"] == want.graph["communities"]
        assert got.graph["subcommunities"] == want.graph["subcommunities"]
        assert got.graph["meta"]["counts"]["papers"] == want.graph["meta"]["counts"]["papers"]
        assert got.graph["meta"]["area"]["community"] == k


def test_sub_area_holds_its_papers_and_the_edges_among_them(neurips_graph, neurips_tables):
    T = tables.open_tables(neurips_tables, "neurips")
    sub = next(c for c in T.subcommunities if c["parent"] == 0)
    members = {n for n, s in neurips_graph.nodes(data="subcommunity") if s == sub["id"]}
    got = T.area(0, sub=sub["id"])
    assert set(got) == members
    assert sorted(got.edges(keys=True)) == sorted(neurips_graph.subgraph(members).edges(keys=True))


def test_overview_counts_papers_and_links_between_areas(neurips_graph, neurips_tables):
    H = tables.open_tables(neurips_tables, "neurips").overview()
    area = dict(neurips_graph.nodes(data="community"))
    assert sum(a["papers"] for _, a in H.nodes(data=True)) == neurips_graph.number_of_nodes()
    between: dict = {}
    for u, v in neurips_graph.edges():
        a, b = sorted((area[u], area[v]))
        if a != b:
            between[(a, b)] = between.get((a, b), 0) + 1
    assert {tuple(sorted((a, b))): w for a, b, w in H.edges(data="weight")} == between
    labels = {c["id"]: c["label"] for c in neurips_graph.graph["communities"]}
    assert all(H.nodes[k]["label"] == labels[k] for k in H)


def test_overview_of_one_area_is_its_sub_areas(neurips_graph, neurips_tables):
    H = tables.open_tables(neurips_tables, "neurips").overview(area=0)
    members = {n: s for n, (c, s) in _area_sub(neurips_graph).items() if c == 0}
    assert sorted(H) == sorted(set(members.values()))
    assert sum(H.nodes[s]["papers"] for s in H) == len(members)
    between: dict = {}
    for u, v in neurips_graph.subgraph(members).edges():
        a, b = sorted((members[u], members[v]))
        if a != b:
            between[(a, b)] = between.get((a, b), 0) + 1
    assert {tuple(sorted((a, b))): w for a, b, w in H.edges(data="weight")} == between


def _area_sub(G):
    return {n: (a["community"], a["subcommunity"]) for n, a in G.nodes(data=True)}


def test_search_ranks_title_words_first_and_finds_abstract_words(neurips_graph, neurips_tables):
    T = tables.open_tables(neurips_tables, "neurips")
    hits = T.search("generative adversarial", limit=20)
    assert len(hits) == 20
    assert "adversarial" in hits[0]["title"].lower() and "generative" in hits[0]["title"].lower()
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    assert T.count_matches("generative adversarial") > 20
    # A word only in an abstract is found, by word start too.
    pid = next(
        n
        for n, a in neurips_graph.nodes(data=True)
        if "hamiltonian" in a.get("abstract", "").lower() and "hamiltonian" not in a["title"].lower()
    )
    assert pid in {h["id"] for h in T.search("hamiltoni", limit=1000)}
    assert T.search("!!!") == []


def test_paper_reads_one_row_with_its_abstract(neurips_graph, neurips_tables):
    T = tables.open_tables(neurips_tables, "neurips")
    pid = next(n for n, a in neurips_graph.nodes(data=True) if a.get("abstract"))
    got = T.paper(pid)
    assert got["abstract"] == neurips_graph.nodes[pid]["abstract"]
    assert got["authors"] == list(neurips_graph.nodes[pid].get("authors") or [])
    assert got["title"] == neurips_graph.nodes[pid]["title"]
    with pytest.raises(PaperNotFound):
        T.paper("no-such-paper")


def test_load_points_to_areas_and_list_shows_the_graph(neurips_tables, neurips_graph):
    with pytest.raises(StoredAsTables, match=r"area=K"):
        graphx.load("neurips", cache_dir=neurips_tables)
    G = graphx.load("neurips", area=1, cache_dir=neurips_tables)
    assert set(G) == {n for n, c in neurips_graph.nodes(data="community") if c == 1}
    listed = graphx.list_graphs(cache_dir=neurips_tables)
    assert [(m["name"], m["store"], m["counts"]["papers"]) for m in listed] == [
        ("neurips", "tables", neurips_graph.number_of_nodes())
    ]
    with pytest.raises(ConfigError, match="No research area 999"):
        tables.open_tables(neurips_tables, "neurips").area(999)
    with pytest.raises(GraphNotFound):
        tables.open_tables(neurips_tables, "nothing")


def test_save_from_numpy_columns_sorts_and_indexes_areas(tmp_path):
    rng = np.random.default_rng(0)
    n, m = 3000, 20000
    area = rng.integers(0, 7, n)
    ids = np.array([f"p{i}" for i in range(n)])
    nodes = {"id": ids, "title": [f"paper {i}" for i in range(n)], "community": area,
             "subcommunity": area * 10,
             "x": rng.normal(size=n).astype(np.float32), "y": rng.normal(size=n).astype(np.float32),
             "authors": [f"Ada {i}; Bo {i}" for i in range(n)]}  # fmt: skip
    u, v = rng.integers(0, n, m), rng.integers(0, n, m)
    edges = {"u": ids[u], "v": ids[v], "kind": np.where(u % 2, "similar", "cites"), "weight": rng.random(m)}
    texts = {"id": ids[::2], "abstract": [f"abstract {i}" for i in range(0, n, 2)]}
    areas = [{"id": int(k), "label": f"area {k}", "size": int((area == k).sum())} for k in range(7)]
    tables.save_tables(tmp_path, "np", nodes=nodes, edges=edges, texts=texts, communities=areas,
                       subcommunities=[], meta={"built_at": "2026-01-01T00:00:00+00:00"})  # fmt: skip
    T = tables.open_tables(tmp_path, "np")
    for k in range(7):
        G = T.area(k)
        members = set(ids[area == k])
        assert set(G) == members
        # One edge per (u, v, kind), as in a built graph: the random pairs repeat a few.
        inside = {
            (a, b, c) for a, b, c in zip(u, v, edges["kind"], strict=True) if area[a] == k and area[b] == k
        }
        assert G.number_of_edges() == len(inside)
    assert T.paper("p3")["title"] == "paper 3" and "abstract" not in T.paper("p3")
    assert T.paper("p4")["abstract"] == "abstract 4"
    assert T.paper("p4")["authors"] == ["Ada 4", "Bo 4"]
    # A save that fails (an edge to a paper not in the nodes) leaves the stored graph as it was.
    with pytest.raises(ConfigError, match="not in the nodes table"):
        tables.save_tables(tmp_path, "np", nodes=nodes, edges={**edges, "v": np.r_[ids[v[:-1]], ["zz"]]},
                           texts=texts, communities=areas, subcommunities=[], meta={})  # fmt: skip
    assert tables.open_tables(tmp_path, "np").area(0).number_of_nodes() == int((area == 0).sum())
    assert not list((tmp_path / graphstore.GRAPHS_DIR).glob(".tmp-*"))


# --- the CLI over a graph stored as tables ------------------------------------------------------------


@pytest.fixture(scope="module")
def part_file(neurips_papers, tmp_path_factory):
    """June 2021's 273 papers of the shipped demo as a JSON Lines papers file."""
    import json

    path = tmp_path_factory.mktemp("part") / "june.jsonl"
    with open(path, "w", encoding="utf-8") as fh:
        for p in neurips_papers:
            if p.id.startswith("2106"):
                record = {"id": p.id, "title": p.title, "abstract": p.abstract, "year": p.year}
                fh.write(json.dumps({**record, "references": list(p.references)}) + "\n")
    return path


def test_cli_builds_lists_describes_and_exports_a_tables_graph(part_file, tmp_path):
    from click.testing import CliRunner

    from graphx.cli import cli

    cache = str(tmp_path / "cache")

    def run(*args):
        return CliRunner().invoke(cli, [*args, "--cache-dir", cache], catch_exceptions=False)

    built = run("build", "-i", str(part_file), "--name", "june", "--store", "tables", "--quiet")
    assert built.exit_code == 0, built.output
    assert "graphx export june --area 0" in built.output
    T = tables.open_tables(cache, "june")
    assert T.n_papers == 273
    assert not (graphstore.graph_dir(cache, "june") / graphstore.GRAPH_FILE).exists()
    listed = run("list")
    assert "june" in listed.output and "tables" in listed.output and "273" in listed.output
    info = run("info", "june")
    assert info.exit_code == 0, info.output
    assert T.communities[0]["label"] in info.output
    out = tmp_path / "area0.graphml"
    exported = run("export", "june", "--area", "0", "--format", "graphml", "-o", str(out))
    assert exported.exit_code == 0, exported.output
    import networkx as nx

    H = nx.read_graphml(out)
    assert set(H) == set(T.area(0)) and H.number_of_nodes() == T.area_papers(0)
    whole = run("export", "june", "-o", str(tmp_path / "all.gexf"))
    assert whole.exit_code == 1 and "area=K" in whole.output and "Traceback" not in whole.output
    bad = run("build", "-i", str(part_file), "--name", "june", "--store", "parquet")
    assert bad.exit_code == 1 and "--store takes graph or tables" in bad.output
