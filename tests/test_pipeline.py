"""pipeline + layout + metrics: the whole build on the real 6,545-paper corpus, and on small inputs."""

from __future__ import annotations

import math
import os
import subprocess
import sys
import threading

import pytest
from conftest import assert_same_stored_files

from graphx.build.pipeline import build_graph
from graphx.errors import BuildCancelled, ConfigError
from graphx.options import BuildOptions
from graphx.paper import Paper


def test_every_node_carries_the_graph_format(neurips_graph):
    required = {"title", "authors", "community", "community_label", "subcommunity", "subcommunity_label",
                "pagerank", "citation_count", "in_citations", "degree", "x", "y"}  # fmt: skip
    for n, attrs in neurips_graph.nodes(data=True):
        missing = required - set(attrs)
        assert not missing, (n, missing)
        assert None not in attrs.values()
        assert -1000.01 <= attrs["x"] <= 1000.01 and -1000.01 <= attrs["y"] <= 1000.01


def test_metrics_on_real_corpus(neurips_graph):
    G = neurips_graph
    assert math.isclose(sum(pr for _, pr in G.nodes(data="pagerank")), 1.0, rel_tol=1e-6)
    # The most cited paper of the corpus (568 in-set citations) leads PageRank's top.
    assert G.nodes["1912.01703v1"]["in_citations"] == 568
    top = sorted(G, key=lambda n: -G.nodes[n]["pagerank"])[:20]
    assert "1912.01703v1" in top
    assert sum(G.nodes[n]["in_citations"] for n in G) == 30762


def test_layout_separates_areas(neurips_graph):
    G = neurips_graph
    big = [c["id"] for c in G.graph["communities"][:6]]
    centres = {}
    for a in big:
        pts = [
            (x, y)
            for _, c, x, y in ((n, d["community"], d["x"], d["y"]) for n, d in G.nodes(data=True))
            if c == a
        ]
        centres[a] = (sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts))
    # Each paper of a big area is nearer its own centre than the average paper is to other centres.
    for a in big:
        own = [math.dist((d["x"], d["y"]), centres[a]) for _, d in G.nodes(data=True) if d["community"] == a]
        other = [math.dist(centres[a], centres[b]) for b in big if b != a]
        assert sorted(own)[len(own) // 2] < min(other)


def test_community_summaries(neurips_graph):
    n = neurips_graph.number_of_nodes()
    areas = neurips_graph.graph["communities"]
    assert sum(c["size"] for c in areas) == n
    assert sum(c["size"] for c in neurips_graph.graph["subcommunities"]) == n
    for c in areas:
        assert c["top_papers"][0] in neurips_graph
        assert c["color"].startswith("#") and len(c["color"]) == 7
        ranks = [neurips_graph.nodes[p]["pagerank"] for p in c["top_papers"]]
        assert ranks == sorted(ranks, reverse=True)


def test_meta_records_parameters_and_timings(neurips_graph):
    meta = neurips_graph.graph["meta"]
    assert meta["parameters"]["seed"] == 42 and meta["seed"] == 42
    assert set(meta["timings_s"]) >= {"edges", "similarity", "communities", "labels", "layout"}
    assert meta["counts"]["papers"] == 6545
    assert meta["counts"]["edges"]["cites"] == 30762


def test_same_seed_same_graph_on_a_subset(neurips_papers):
    sample = neurips_papers[:700]
    a = build_graph(sample, BuildOptions(seed=9))
    b = build_graph(sample, BuildOptions(seed=9))
    assert dict(a.nodes(data="community")) == dict(b.nodes(data="community"))
    assert dict(a.nodes(data="x")) == dict(b.nodes(data="x"))
    assert [c["label"] for c in a.graph["communities"]] == [c["label"] for c in b.graph["communities"]]


def test_duplicates_merge_before_building():
    papers = [
        Paper(id="a", title="Deep residual learning for image recognition", doi="10.1109/CVPR.2016.90"),
        Paper(id="b", title="Deep Residual Learning for Image Recognition.", abstract="Deeper networks ..."),
        Paper(id="c", title="Batch normalization accelerates deep network training", references=("b",)),
    ]
    G = build_graph(papers)
    assert set(G) == {"a", "c"}
    assert G.has_edge("c", "a", key="cites")
    assert G.nodes["a"]["abstract"] == "Deeper networks ..."


def test_cancel_stops_between_stages(neurips_papers):
    cancel = threading.Event()
    seen = []

    def progress(stage, done, total):
        seen.append(stage)
        if stage == "similarity":
            cancel.set()

    with pytest.raises(BuildCancelled):
        build_graph(neurips_papers[:200], progress=progress, cancel=cancel)
    assert "labels" not in seen


@pytest.mark.parametrize(
    "kwargs", [{"top_k": 0}, {"min_similarity": 1.5}, {"resolution": 0}, {"weights": {"citation": 1.0}}]
)
def test_bad_options_say_what_to_do(kwargs):
    with pytest.raises(ConfigError) as err:
        BuildOptions(**kwargs)
    assert "--" in str(err.value) or "use" in str(err.value)


def test_empty_input_is_a_clear_error():
    with pytest.raises(ConfigError, match="No papers"):
        build_graph([])


def test_same_seed_same_graph_across_processes(shared_data):
    """String hashing differs between processes: the partition, edges and layout must not."""
    folder = shared_data / "cs768-neurips-icml-citations"
    script = f"""
import hashlib, json
from graphx.sources.files import load_papers
from graphx.build.pipeline import build_graph
papers = load_papers([{str(folder / "papers.jsonl")!r}], citations=[{str(folder / "edges.tsv")!r}]).papers
G = build_graph(papers[:1500])
state = [sorted(G.nodes(data="community")), sorted(G.nodes(data="x")),
         sorted((u, v, k, round(w, 6)) for u, v, k, w in G.edges(keys=True, data="weight"))]
print(hashlib.sha256(json.dumps(state).encode()).hexdigest())
"""
    digests = set()
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env)
        assert result.returncode == 0, result.stderr
        digests.add(result.stdout.strip())
    assert len(digests) == 1


def test_build_and_store_writes_the_same_files_without_networkx_edges(neurips_papers, tmp_path):
    """The CLI's and the web app's build (no networkx edges in memory) stores what build_and_save does:
    every file the same bytes, graph.json and meta.json the same apart from the run's timings."""
    from graphx.build.pipeline import build_and_save, build_and_store
    from graphx.store.graphs import load_graph

    part = neurips_papers[:600]
    G, saved = build_and_save(part, tmp_path / "a", "x", BuildOptions(seed=3))
    graph, stored = build_and_store(part, tmp_path / "b", "x", BuildOptions(seed=3))
    assert G.number_of_edges() > 1000
    assert graph["meta"]["counts"] == G.graph["meta"]["counts"]
    assert "graph" not in graph["meta"]["timings_s"]  # networkx's edges were never made
    assert_same_stored_files(saved, stored)
    loaded = load_graph(tmp_path / "b", "x")
    assert sorted(loaded.edges(keys=True, data="weight")) == sorted(G.edges(keys=True, data="weight"))
