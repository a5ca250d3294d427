"""The public API (graphx/__init__.py): one import, light to import, the same behaviour as the CLI."""

from __future__ import annotations

import subprocess
import sys

import pytest

import graphx
from graphx.errors import ConfigError

HEAVY = ("scipy", "sklearn", "igraph", "networkx", "numpy")


def test_import_graphx_loads_no_heavy_library():
    code = f"import sys, graphx; print([m for m in {HEAVY!r} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_every_public_name_is_documented_and_stays_a_function_after_its_module_is_imported():
    import graphx.build.pipeline  # noqa: F401  (binds graphx.build the package, were it not kept apart)
    import graphx.export.gexf  # noqa: F401
    import graphx.topic  # noqa: F401

    for name in graphx.__all__:
        obj = getattr(graphx, name)
        assert obj.__doc__, name
    assert callable(graphx.build) and graphx.build.__module__ == "graphx.api"
    assert graphx.export.__module__ == "graphx.api" and graphx.topic.__module__ == "graphx.api"


@pytest.fixture(scope="module")
def june(neurips_papers):
    return [p for p in neurips_papers if p.id.startswith("2106.")]


@pytest.fixture(scope="module")
def june_graph(june):
    return graphx.build(june, name="june", seed=1)


def test_build_checks_options_as_the_cli_does(june):
    with pytest.raises(ConfigError, match="--top-k must be between 1 and 1000"):
        graphx.build(june, top_k=0)
    with pytest.raises(ConfigError, match="Unknown build option"):
        graphx.build(june, topk=5)


def test_saved_graph_loads_and_answers_missing_and_add(june_graph, june, tmp_path):
    cache = tmp_path / "cache"
    graphx.save(june_graph, cache_dir=cache)
    assert [g["name"] for g in graphx.list_graphs(cache_dir=cache)] == ["june"]
    G = graphx.load("june", cache_dir=cache)
    assert set(G) == set(june_graph) and G.graph["meta"]["parameters"]["seed"] == 1
    found = graphx.missing("june", cache_dir=cache, limit=5)
    assert len(found["foundations"]) == 5  # June 2021 cites 1,000+ corpus papers outside the map
    added = graphx.add("june", [graphx.Paper(id="x1", title="Offline reinforcement learning with bandits")],
                       cache_dir=cache)  # fmt: skip
    assert "x1" in added and set(june_graph) < set(graphx.load("june", cache_dir=cache))


def test_explain_and_topic_read_the_graph_alone(june_graph):
    u, v = next((u, v) for u, v, kind in june_graph.edges(keys=True) if kind == "cites")
    why = graphx.explain(june_graph, u, v)
    assert why["cites"] is not None  # a direction: one of them cites the other
    assert graphx.topic(june_graph, "reinforcement learning").papers


def test_export_format_from_suffix(june_graph, tmp_path):
    (path,) = graphx.export(june_graph, tmp_path / "new" / "june.graphml")
    assert path.read_text(encoding="utf-8").lstrip().startswith("<?xml")
    with pytest.raises(ConfigError, match="Cannot tell the export format"):
        graphx.export(june_graph, tmp_path / "june.xlsx")
    assert graphx.export(june_graph, tmp_path / "june.data", format="json")[0].stat().st_size > 0


def test_read_papers_reads_a_pasted_listing(tmp_path):
    listing = tmp_path / "trending.txt"
    listing.write_text("Attention Is All You Need\nDeep Residual Learning for Image Recognition\n")
    assert len(graphx.read_papers(listing)) == 2


def test_fetch_from_a_local_s2_server(s2_server, tmp_path):
    papers = graphx.fetch(
        "graph neural", max_papers=20, api_url=s2_server.url, requests_per_s=0, cache_dir=tmp_path
    )
    assert 0 < len(papers) <= 20
    offline = graphx.fetch("graph neural", max_papers=20, offline=True, api_url=s2_server.url,
                           cache_dir=tmp_path)  # fmt: skip
    assert [p.id for p in offline] == [p.id for p in papers]
    with pytest.raises(ConfigError, match="Unknown fetch option"):
        graphx.fetch("x", maxpapers=3)
