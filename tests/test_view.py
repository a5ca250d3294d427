"""graphx.view: page data, escaping for script blocks, paper details, the standalone HTML file."""

from __future__ import annotations

import json
import re
import time
from collections import Counter

import networkx as nx
import numpy as np
import pytest
from conftest import XSS_TITLE, make_fixture_graph

from graphx import palette, view
from graphx.errors import PaperNotFound


def embedded_data(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="graphx-data">(.*?)</script>', html, re.S)
    assert match, "no data block"
    return json.loads(match.group(1))


def test_script_json_escapes_what_ends_a_script_block_and_round_trips():
    value = {"t": "</script><!-- & \u2028\u2029 'q\" {{x}}"}
    out = view.script_json(value)
    for raw in ("<", ">", "&", "\u2028", "\u2029"):
        assert raw not in out
    assert json.loads(out) == value


def test_script_json_handles_numpy_scalars():
    assert json.loads(view.script_json({"a": np.int64(3), "b": np.float32(0.5)})) == {"a": 3, "b": 0.5}


def test_node_size_grows_with_citations_on_a_log_scale_and_is_capped():
    sizes = [view.node_size(c) for c in (0, 1, 10, 100, 10**9)]
    assert sizes == sorted(sizes) and len(set(sizes)) == 5
    assert sizes[0] == view.NODE_SIZE_MIN and sizes[-1] == view.NODE_SIZE_MAX
    # log scale: 10x more citations adds a constant, not a factor
    assert sizes[3] - sizes[2] < 2 * (sizes[2] - sizes[1])


def test_page_data_nodes_carry_what_the_view_needs_and_no_abstracts(fixture_graph):
    data = view.page_data(fixture_graph)
    assert [n["id"] for n in data["nodes"]] == list(fixture_graph.nodes)
    p1 = next(n for n in data["nodes"] if n["id"] == "p1")
    assert p1["title"] == "Attention over graphs"
    assert p1["venue"] == "NeurIPS" and p1["year"] == 2011 and p1["citations"] == 500
    assert p1["color"] == palette.PALETTE[1] and p1["area"] == 1  # the palette by rank, not the stored colour
    assert "abstract" not in p1
    assert all(not isinstance(n.get("x"), np.generic) for n in data["nodes"])
    assert data["years"] == [2010, 2021]
    assert data["vis_options"]["physics"]["enabled"] is False
    assert data["vis_options"]["edges"]["smooth"] is False
    assert data["vis_options"]["layout"]["improvedLayout"] is False


def test_page_data_scales_positions_uniformly(fixture_graph):
    data = view.page_data(fixture_graph)
    scale = view.layout_scale(fixture_graph)
    for node in data["nodes"][:5]:
        attrs = fixture_graph.nodes[node["id"]]
        assert node["x"] == pytest.approx(scale * attrs["x"], abs=0.06)
        assert node["y"] == pytest.approx(scale * attrs["y"], abs=0.06)


def test_page_data_edges_index_nodes_and_keep_every_kind(fixture_graph):
    data = view.page_data(fixture_graph)
    ids = [n["id"] for n in data["nodes"]]
    assert len(data["edges"]) == fixture_graph.number_of_edges() == data["edges_total"]
    seen = {(ids[u], ids[v], data["kinds"][k]) for u, v, k, _ in data["edges"]}
    assert seen == {(u, v, k) for u, v, k in fixture_graph.edges(keys=True)}
    assert data["kind_counts"]["cites"] == sum(1 for *_, k in fixture_graph.edges(keys=True) if k == "cites")


def test_edge_cap_keeps_each_kind_its_share_strongest_first(fixture_graph):
    total = fixture_graph.number_of_edges()
    data = view.page_data(fixture_graph, max_edges=total // 2)
    assert len(data["edges"]) == total // 2 and data["edges_total"] == total
    for k, kind in enumerate(data["kinds"]):
        weights = sorted(
            (d["weight"] for *_, key, d in fixture_graph.edges(keys=True, data=True) if key == kind),
            reverse=True,
        )
        kept = sorted((w for *_, kk, w in data["edges"] if kk == k), reverse=True)
        assert abs(len(kept) - len(weights) * (total // 2) / total) <= 1
        assert kept == weights[: len(kept)]
    # citations all weigh 1: those to the most cited papers in the set stay
    ids = [n["id"] for n in data["nodes"]]
    kept_targets = {ids[v] for _, v, kk, _ in data["edges"] if kk == 0}
    assert "p0" not in kept_targets  # p0 is cited by no one


def test_overview_places_areas_at_their_members_and_counts_links_between_areas():
    G = nx.MultiDiGraph()
    for i, (area, x) in enumerate([(0, 0.0), (0, 10.0), (1, 100.0), (1, 110.0), (1, 120.0), (2, 500.0)]):
        G.add_node(f"n{i}", community=area, x=x, y=0.0)
    G.add_edge("n0", "n2", key="cites", kind="cites", weight=1.0)
    G.add_edge("n1", "n3", key="similar", kind="similar", weight=0.5)
    G.add_edge("n0", "n1", key="cites", kind="cites", weight=1.0)  # inside area 0: not a link
    G.add_edge("n5", "n0", key="cites", kind="cites", weight=1.0)  # from the small area: left out
    ov = view.overview(G, min_area_papers=2)
    assert [(n["area"], n["papers"], n["x"]) for n in ov["nodes"]] == [(0, 2, 5.0), (1, 3, 110.0)]
    assert ov["edges"] == [[0, 1, 2]]
    assert (ov["small_areas"], ov["small_area_papers"]) == (1, 1)


def test_page_data_read_from_the_build_arrays_is_the_page_data_of_the_graph(neurips_graph, monkeypatch):
    """The real corpus's edges added to a fresh graph in a shuffled order (as a build adds them: not in
    networkx's order): graph_order lists them as networkx does, and the page data read from those
    arrays (a build's save, no walk over the networkx edges) is the page data of the walk, byte for byte."""
    from graphx.build.edgearrays import add_to_graph, edge_arrays, graph_order
    from graphx.edgekinds import EDGE_KINDS

    G = nx.MultiDiGraph()
    G.add_nodes_from(neurips_graph.nodes(data=True))
    G.graph.update(neurips_graph.graph)
    walked = edge_arrays(neurips_graph)
    shuffled = walked.taken(np.random.default_rng(0).permutation(len(walked)))
    add_to_graph(G, shuffled)
    ordered = shuffled.taken(graph_order(G, shuffled))
    nodes = ordered.nodes
    listed = [
        (nodes[i], nodes[j], EDGE_KINDS[k])
        for i, j, k in zip(ordered.src, ordered.dst, ordered.codes, strict=True)
    ]
    assert listed == list(G.edges(keys=True)) and len(listed) > 100_000
    walk = view.script_json(view.page_data(G))
    # With the arrays, the page data reads no networkx edge.
    monkeypatch.setattr(nx.MultiDiGraph, "edges", property(lambda self: pytest.fail("edges walked")))
    from_arrays = view.page_data(G, edges=ordered)
    assert view.script_json(from_arrays) == walk
    assert len(from_arrays["edges"]) == view.MAX_VIEW_EDGES < from_arrays["edges_total"]


def test_page_weights_are_rounded_as_python_rounds():
    rng = np.random.default_rng(0)
    halves = np.arange(4000) / 2000  # every one near a half of the third decimal
    weights = np.concatenate([rng.random(50_000), halves, [2.675, 0.0005, 1.0005, 1e-9, 1.0]])
    assert view.round_weights(weights).tolist() == [round(float(w), 3) for w in weights]


def test_big_graphs_start_in_overview(fixture_graph):
    assert view.page_data(fixture_graph)["start_in_overview"] is False
    assert view.page_data(fixture_graph, overview_min_papers=10)["start_in_overview"] is True


def test_paper_details_lists_references_citers_and_similar(fixture_graph):
    d = view.paper_details(fixture_graph, "p3")
    assert {r["id"] for r in d["references"]} == {"p6", "p9"}
    assert {c["id"] for c in d["citers"]} == {"p0"}
    assert [s["id"] for s in d["similar"]] == ["p4", "p2"]  # weights 0.5 and 0.4
    assert d["similar"][0]["score"] == pytest.approx(0.5)
    assert d["paper"]["abstract"] == "Abstract of paper 3."
    assert "x" not in d["paper"]


def test_paper_details_links_and_missing_paper(fixture_graph):
    links = view.paper_details(fixture_graph, "p1")["links"]
    assert links == {
        "Semantic Scholar": "https://www.semanticscholar.org/paper/0123456789abcdef0123456789abcdef01234567",
        "DOI": "https://doi.org/10.1234/abc.def",
        "arXiv": "https://arxiv.org/abs/1706.03762",
    }
    fixture_graph.nodes["p2"]["url"] = "javascript:alert(1)"
    assert "Paper" not in view.paper_details(fixture_graph, "p2")["links"]
    with pytest.raises(PaperNotFound):
        view.paper_details(fixture_graph, "nope")


def test_standalone_html_is_offline_and_escapes_paper_text(tmp_path, fixture_graph):
    path = tmp_path / "g.html"
    view.write_html(fixture_graph, path)
    html = path.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=", html), "no external scripts"
    assert not re.search(r"<link[^>]+href=\"(?!data:)", html), "no external styles"
    assert "new vis.Network(" in html  # our explorer script is inlined
    assert "@version 9.1.2" in html and ".vis-overlay{" in html  # vis-network JS and CSS inlined
    assert XSS_TITLE not in html and "<script>window.__pwned" not in html
    data = embedded_data(html)
    assert data["details"]["p0"]["paper"]["title"] == XSS_TITLE
    assert data["api"] is None and data["exports"] == []
    assert {n["id"] for n in data["nodes"]} == set(fixture_graph.nodes)


def test_page_data_is_linear_not_quadratic():
    # pyvis add_node/add_edge take ~11 s for 5,000 nodes / 25,000 edges; this must stay well under.
    G = make_fixture_graph(n_per_area=1700)
    start = time.perf_counter()
    data = view.page_data(G)
    assert time.perf_counter() - start < 3.0
    assert len(data["nodes"]) == 5100


def test_details_from_the_whole_graph_index_equal_the_per_paper_details(fixture_graph):
    G = fixture_graph
    index = view.paper_links_index(G.edges(keys=True, data="weight", default=0.0), G)
    for pid in G.nodes:
        assert view.paper_details(G, pid, links=index[pid]) == view.paper_details(G, pid)


def test_page_data_gives_sub_areas_distinct_shades_and_counts_small_groups_apart(fixture_graph):
    fixture_graph.add_node("stray", title="A stray paper", community=3, subcommunity=6, x=0.0, y=0.0)
    fixture_graph.graph["communities"].append({"id": 3, "label": "stray", "size": 1, "top_papers": ["stray"]})
    data = view.page_data(fixture_graph)
    assert data["area_counts"] == {"areas": 3, "small_areas": 1, "small_area_papers": 1}
    small = next(a for a in data["areas"] if a["id"] == 3)
    assert small["small"] and small["color"] == palette.SMALL_AREA_COLOR
    for area in range(3):
        subs = [s["color"] for s in data["subareas"] if s["parent"] == area]
        assert len(set(subs)) == len(subs) == 2 and palette.PALETTE[area] in subs
    # Label priority: most central first.
    ranks = [fixture_graph.nodes[data["nodes"][i]["id"]].get("pagerank", 0) for i in data["label_order"]]
    assert ranks == sorted(ranks, reverse=True) and len(ranks) == fixture_graph.number_of_nodes()


def test_search_texts_hold_every_abstract(fixture_graph):
    texts = view.search_texts(fixture_graph)["abstracts"]
    assert texts["p0"] == "<b>bold?</b> </script> & {{ config }}"
    assert len(texts) == fixture_graph.number_of_nodes()


def test_every_prefix_of_the_page_edges_keeps_each_kinds_share_strongest_first(fixture_graph, monkeypatch):
    monkeypatch.setattr(view, "ALL_PAPERS_EDGES", 10)
    data = view.page_data(fixture_graph)
    edges, drawn = data["edges"], data["edges_drawn"]
    assert drawn == 10 and len(edges) == fixture_graph.number_of_edges()
    totals = Counter(e[2] for e in edges)
    for prefix in (drawn, len(edges) // 2):
        counts = Counter(e[2] for e in edges[:prefix])
        for kind, total in totals.items():
            assert abs(counts[kind] - prefix * total / len(edges)) <= 1.0
    for kind in totals:
        weights = [e[3] for e in edges if e[2] == kind]
        assert weights == sorted(weights, reverse=True)


def test_all_papers_view_draws_citations_inside_areas_before_those_to_distant_classics(neurips_graph):
    G = neurips_graph
    nodes = list(G.nodes)
    index = {n: i for i, n in enumerate(nodes)}
    rows, total = view.view_edges(G, index, view.MAX_VIEW_EDGES)
    assert total > view.MAX_VIEW_EDGES
    drawn = [r for r in rows[: view.ALL_PAPERS_EDGES] if r[2] == 0]  # the prefix the page draws
    area = [G.nodes[n]["community"] for n in nodes]
    inside = sum(area[u] == area[v] for u, v, _, _ in drawn)
    all_cites = [(u, v) for u, v, k in G.edges(keys=True) if k == "cites"]
    share_overall = sum(G.nodes[u]["community"] == G.nodes[v]["community"] for u, v in all_cites) / len(
        all_cites
    )
    assert drawn and inside == len(drawn) > share_overall * len(drawn)
    hub = max((r[1] for r in drawn), key=[r[1] for r in drawn].count)
    assert [r[1] for r in drawn].count(hub) < len(drawn) / 20  # no starburst around one classic
