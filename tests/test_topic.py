"""topic: the topic lens finds a named topic's papers as a local community, labels and places them."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from graphx.cli import cli
from graphx.errors import ConfigError
from graphx.topic import find_topic

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

# Measured F1: 0.79, 0.75 and 0.78 (mean over the 10 clusters 0.558, see bench_topic.py).
F1_FLOOR = 0.6


@pytest.fixture(scope="module")
def iclr(shared_data):
    from bench_topic import build, iclr_papers

    papers, cluster, labels = iclr_papers(shared_data)
    return build(papers, seed=42, name="iclr"), cluster, labels


@pytest.mark.parametrize(
    "cluster_id", [3, 9, 10]
)  # "Reinforcement Learning Methods", "Robustness, Adversarial Attacks", "Graph Neural Networks"
def test_iclr_cluster_found_by_its_label(iclr, cluster_id):
    from bench_topic import prf

    G, cluster, labels = iclr
    truth = {n for n, c in cluster.items() if c == cluster_id}
    result = find_topic(G, labels[cluster_id])
    assert prf(result.papers, truth)[2] >= F1_FLOOR, (labels[cluster_id], len(result.papers))
    assert result.area in {c["label"] for c in G.graph["communities"]}
    assert result.label and result.label != "unclustered"


# Mean F1 over the 10 ICLR clusters queried by their labels: 0.503 with TF-IDF relevance alone and half the
# graph's volume allowed, 0.566 with the embedding blend, relevance feedback and a quarter, 0.558 with the
# cap of MAX_PAPERS_PER_MATCH times the papers naming the topic (round 2), 0.561 on the transformer-built
# map, 0.620 with the query's areas as restart evidence (round 7; 0.609-0.621 over build seeds 42, 7, 1-5).
MEAN_F1_FLOOR = 0.60


def test_feedback_and_embedding_find_the_iclr_clusters(iclr):
    from bench_topic import prf

    from graphx.topic import MAX_TOPIC_SHARE, blended_adjacency

    G, cluster, labels = iclr
    W = blended_adjacency(G, {"similar": 1.0})
    degree = dict(zip(G, W.sum(axis=1).A1, strict=True))
    f1 = []
    for c, query in sorted(labels.items()):
        result = find_topic(G, query)
        f1.append(prf(result.papers, {n for n, k in cluster.items() if k == c})[2])
        assert sum(degree[n] for n in result.papers) <= MAX_TOPIC_SHARE * W.sum() + 1e-9, query
    assert sum(f1) / len(f1) >= MEAN_F1_FLOOR, [round(f, 2) for f in f1]


@pytest.fixture(scope="module")
def iclr_saved(shared_data, tmp_path_factory):
    """The ICLR map built and saved as the CLI and web app do, with its text index."""
    from bench_topic import iclr_papers

    from graphx.build.pipeline import build_and_save
    from graphx.options import BuildOptions

    papers, cluster, labels = iclr_papers(shared_data)
    G, folder = build_and_save(papers, tmp_path_factory.mktemp("cache"), "iclr", BuildOptions(seed=42))
    return G, folder, papers


def test_lens_reads_the_embedding_the_build_saved(iclr_saved):
    """The build keeps its local embedding with the text index (float16) and the lens reads it instead of
    embedding every paper on each query: same topic as computing them afresh, and a query answered
    from the stored rows (scrambled rows give another answer)."""
    import dataclasses

    import numpy as np

    from graphx.build.similarity import local_embedding
    from graphx.build.text import TextIndex
    from graphx.topic import text_encoder

    G, folder, papers = iclr_saved
    index = TextIndex.load(folder)
    assert index.vectors is not None and index.vectors.dtype == np.float16
    by_id = {p.id: p for p in papers}
    encoder = text_encoder(G)  # the build's own encoder (MiniLM joined with WordLlama where installed)
    assert np.allclose(index.vectors, local_embedding([by_id[i] for i in index.ids], encoder), atol=2e-3)
    query = "Deep Generative Models"
    stored = find_topic(G, query, index=index)
    assert stored.papers == find_topic(G, query, index=dataclasses.replace(index, vectors=None)).papers
    scrambled = dataclasses.replace(index, vectors=np.random.default_rng(0).permutation(index.vectors))
    assert find_topic(G, query, index=scrambled).papers != stored.papers


@pytest.fixture(scope="module")
def trending(shared_data):
    """The pasted trending page's 200 papers (text only), built with the default options."""
    from bench_topic import build, trending_papers

    papers = trending_papers(shared_data)
    return build(papers, name="trending"), papers


# The 250-paper text-only sample of the ICLR map (25 papers a cluster, bench_quality's "small" set):
# mean F1 0.562 over its 10 clusters queried by their labels.
SMALL_MEAN_F1_FLOOR = 0.52


def test_lens_on_a_small_text_only_set(shared_data):
    """A few hundred papers with titles and abstracts only (a pasted reading list) are a case the lens
    is for as much as the full map."""
    from bench_quality import read_iclr, small_sample
    from bench_topic import build, prf

    papers, clusters, labels = read_iclr(shared_data)
    papers, clusters = small_sample(papers, clusters)
    G = build(papers, name="small")
    f1 = []
    for c, query in sorted(labels.items()):
        truth = {p.id for p, k in zip(papers, clusters, strict=True) if k == c}
        result = find_topic(G, query)
        assert 3 <= len(result.papers) <= len(G) / 2, query
        f1.append(prf(result.papers, truth)[2])
    assert sum(f1) / len(f1) >= SMALL_MEAN_F1_FLOOR, [round(f, 2) for f in f1]


def test_a_topic_few_papers_name_stays_small(trending):
    """The trending page (200 papers) barely touches inference-time scaling: without the cap the lens
    returned a quarter of the page (50 papers), now a few times the papers that name the topic."""
    from graphx.build.text import build_text_index
    from graphx.paper import Paper
    from graphx.topic import MAX_PAPERS_PER_MATCH, STRONG_MATCH

    G, papers = trending
    index = build_text_index(papers)
    query = "inference-time scaling"
    relevance = (index.X @ index.transform([Paper(id="q", title=query)]).T).toarray().ravel()
    named = int((relevance >= STRONG_MATCH * relevance.max()).sum())
    result = find_topic(G, query)
    assert 3 <= len(result.papers) <= MAX_PAPERS_PER_MATCH * named < len(G) / 4, (len(result.papers), named)
    assert "Beyond Chinchilla-Optimal: Accounting for Inference in Language Model Scaling Laws" in {
        G.nodes[n]["title"] for n in result.papers[:3]
    }


def test_best_first_is_what_the_papers_say(trending):
    """The trending page holds ~8 papers on graphs; the first ten of "graph neural networks" are papers
    on graphs. Ordered by PageRank and relevance, half of them were well-linked neighbours that share
    only "networks" ("Matching Networks for One Shot Learning", "WSNet")."""
    G, _ = trending
    result = find_topic(G, "graph neural networks")
    texts = [f"{G.nodes[n]['title']} {G.nodes[n].get('abstract') or ''}".lower() for n in result.papers[:10]]
    assert sum("graph" in t for t in texts) >= 9, [G.nodes[n]["title"] for n in result.papers[:10]]
    assert list(result.scores) == result.papers
    scores = list(result.scores.values())
    assert scores == sorted(scores, reverse=True)


def test_same_graph_and_query_give_the_same_topic(iclr):
    G = iclr[0]
    first, second = find_topic(G, "graph neural networks"), find_topic(G, "graph neural networks")
    assert first == second and first.scores == second.scores
    assert "graph neural networks" in first.label


def test_size_follows_the_graph_not_a_fixed_count(iclr):
    G = iclr[0]
    sizes = {q: len(find_topic(G, q).papers) for q in ("graph neural networks", "reinforcement learning")}
    assert sizes["graph neural networks"] != sizes["reinforcement learning"], sizes
    assert all(3 <= n <= len(G) / 2 for n in sizes.values()), sizes


def test_adjacency_is_made_once_per_graph_and_remade_when_it_grows(fixture_graph):
    """The web app answers many queries on one loaded graph: the blended adjacency (most of a query's
    time) is kept with the graph object, and made again once papers or links are added."""
    from graphx.topic import _adjacency, blended_adjacency

    G = fixture_graph.copy()
    weights = {"similar": 1.0, "cites": 0.5}
    first = _adjacency(G, weights)
    assert _adjacency(G, weights) is first
    assert (first != blended_adjacency(G, weights)).nnz == 0
    assert _adjacency(G, {"similar": 1.0}) is not first
    u, v = list(G)[:2]
    G.add_edge(u, v, key="cites", kind="cites", weight=1.0)
    grown = _adjacency(G, {"similar": 1.0, "cites": 0.5})
    assert grown[0, 1] == first[0, 1] + 0.5 and (grown != blended_adjacency(G, weights)).nnz == 0


def test_empty_or_unknown_query_is_a_clear_error(fixture_graph):
    with pytest.raises(ConfigError, match="query is empty"):
        find_topic(fixture_graph, "   ")
    with pytest.raises(ConfigError, match="No paper of this graph"):
        find_topic(fixture_graph, "zzyzx qwertyuiop")


def test_cli_topic_json_shape(cache_dir, fixture_graph):
    result = CliRunner().invoke(
        cli, ["topic", "demo", "reinforcement learning", "--json", "--cache-dir", str(cache_dir)]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"query", "papers", "label", "area", "naming"}
    assert data["query"] == "reinforcement learning"
    assert data["papers"] and set(data["papers"]) <= set(fixture_graph)
    assert data["naming"] and [p for p in data["papers"] if p in data["naming"]] == data["naming"]
    assert data["area"] == "reinforcement learning, policy"


def test_cli_topic_text_and_error(cache_dir):
    ok = CliRunner().invoke(cli, ["topic", "demo", "diffusion", "--cache-dir", str(cache_dir)])
    assert ok.exit_code == 0 and "'diffusion':" in ok.output and "area: diffusion, score" in ok.output
    bad = CliRunner().invoke(cli, ["topic", "demo", " ", "--cache-dir", str(cache_dir)])
    assert bad.exit_code == 1 and "query is empty" in bad.output


def test_cli_topic_prints_one_line_per_paper(cache_dir, fixture_graph):
    """Titles read from listings keep their line breaks; the CLI prints each paper on one line."""
    from graphx.store import graphs as graphstore

    G = fixture_graph.copy()
    first = find_topic(G, "reinforcement learning").papers[0]
    title = G.nodes[first]["title"]
    G.nodes[first]["title"] = title.replace(" ", "\n  ", 1)
    graphstore.save_graph(G, cache_dir, "demo")
    result = CliRunner().invoke(
        cli, ["topic", "demo", "reinforcement learning", "--cache-dir", str(cache_dir)]
    )
    assert result.exit_code == 0, result.output
    head, *rows = result.output.splitlines()
    assert head.startswith("'reinforcement learning': ") and int(head.split(": ")[1].split()[0]) == len(rows)
    assert rows[0] == f"* {first}  {title}" and "\n" in G.nodes[first]["title"]  # *: names the topic


def test_api_topic(client):
    response = client.get("/api/graphs/demo/topic?q=reinforcement+learning")
    assert response.status_code == 200
    assert set(response.get_json()) == {"query", "papers", "label", "area", "naming"}
    empty = client.get("/api/graphs/demo/topic?q=")
    assert empty.status_code == 400 and "?q=" in empty.get_json()["error"]
    assert client.get("/api/graphs/nope/topic?q=x").status_code == 404


def _trending_gold() -> dict:
    return json.loads((Path(__file__).parent / "data" / "trending-topic-gold.json").read_text())["queries"]


@pytest.mark.parametrize("query", list(_trending_gold()))
def test_trending_topics_are_the_papers_about_them(trending, query):
    """Gold sets made by hand from the trending page's titles and abstracts (tests/data), queries chosen
    before the lens ran. The quarter-of-the-graph bound used to size these sets: "graph neural networks"
    gave 50 papers for 9 on topic, "inference-time scaling" 24 for 1. Now the set is bounded by the
    papers with text evidence and their tight neighbourhood. On the transformer-built page (joint vectors
    in the lens's feedback, areas as restart evidence): 15, 8, 34, 7 and 4 papers, recall 1.0 but 7 of 8
    for "adversarial robustness". The bound stays well
    under the old quarter of the page (50): 3x the gold set for the graph papers, 4.5x for the others
    ("adversarial robustness" holds 33 papers for 8 on topic, 32 when it missed one of them)."""
    from graphx.topic import MIN_TOPIC_PAPERS

    G, _ = trending
    gold = _trending_gold()[query]
    on_topic, related = set(gold["on_topic"]), set(gold["related"])
    found = find_topic(G, query).papers
    recall = len(on_topic & set(found)) / len(on_topic)
    precision = sum(p in on_topic or p in related for p in found) / len(found)
    titles = [G.nodes[n]["title"] for n in found]
    assert recall >= 0.8, (recall, titles)
    limit = 3 if query == "graph neural networks" else 4.5
    assert len(found) <= limit * max(len(on_topic), MIN_TOPIC_PAPERS), (len(found), precision, titles)


def test_papers_naming_the_topic_are_marked(trending, tmp_path):
    """Of a topic's papers, those whose title or abstract names it are told apart from those drawn in by
    links and shared text: on the trending page's hand-judged queries nearly all the naming papers are
    on topic or related, against a minority of the others. The one paper on inference-time scaling is
    the one naming it, among the few the lens returns; the CLI marks it."""
    from graphx.store import graphs as graphstore

    G, _ = trending
    naming_ok = naming = others_ok = others = 0
    for query, gold in _trending_gold().items():
        result = find_topic(G, query)
        assert result.naming and [p for p in result.papers if p in set(result.naming)] == result.naming
        judged = set(gold["on_topic"]) | set(gold["related"])
        naming_ok += len(judged & set(result.naming))
        naming += len(result.naming)
        rest = [p for p in result.papers if p not in set(result.naming)]
        others_ok += len(judged & set(rest))
        others += len(rest)
    assert naming_ok / naming >= 0.8 and others_ok / others <= 0.4, (naming_ok, naming, others_ok, others)

    its = find_topic(G, "inference-time scaling")
    assert its.naming == _trending_gold()["inference-time scaling"]["on_topic"] and len(its.papers) > 1
    graphstore.save_graph(G, tmp_path, "trending")
    out = CliRunner().invoke(
        cli, ["topic", "trending", "inference-time scaling", "--cache-dir", str(tmp_path)]
    )
    assert out.exit_code == 0, out.output
    head, *rows = out.output.splitlines()
    assert f"{len(its.papers)} papers, 1 naming it" in head
    assert rows[0].startswith(f"* {its.naming[0]}  Beyond Chinchilla-Optimal")
    assert all(r.startswith("  ") for r in rows[1:-1]) and rows[-1].startswith("* names the topic")


def test_the_paper_naming_a_topic_best_is_always_in_it(trending):
    """A query no paper of the page is about ("test-time compute") still holds its best match: without
    the rule, the walk from the query's areas ranked it out of the set."""
    from graphx.build.text import build_text_index
    from graphx.paper import Paper

    G, papers = trending
    index = build_text_index(papers)
    for query in ("test-time compute", *_trending_gold()):
        relevance = (index.X @ index.transform([Paper(id="q", title=query)]).T).toarray().ravel()
        best = index.ids[int(relevance.argmax())]
        assert best in find_topic(G, query).papers, query


def test_saved_embedding_names_its_model_and_another_models_is_not_used(iclr_saved, tmp_path):
    """text-embedding.json records what made the saved vectors; vectors from another model (helper
    "nmi" may change it) or of unknown origin are computed again, not compared with today's query."""
    import dataclasses
    import shutil

    import numpy as np

    from graphx.build.embedding import model_tag as wordllama_tag
    from graphx.build.similarity import local_model_tag
    from graphx.build.text import VECTORS_META_FILE, TextIndex
    from graphx.topic import load_index, text_encoder

    G, folder, _ = iclr_saved
    tag = local_model_tag(text_encoder(G))  # with MiniLM installed: both models' tags (ICLR is small)
    meta = json.loads((Path(folder) / VECTORS_META_FILE).read_text())
    assert meta["model"] == tag and wordllama_tag() in tag and "256 dims" in tag and "sha256" in tag
    index = TextIndex.load(folder)
    assert (meta["rows"], meta["dims"]) == index.vectors.shape
    query = "Deep Generative Models"
    fresh = find_topic(G, query, index=dataclasses.replace(index, vectors=None)).papers
    scrambled = np.random.default_rng(0).permutation(index.vectors)
    assert find_topic(G, query, index=dataclasses.replace(index, vectors=scrambled)).papers != fresh
    other = dataclasses.replace(index, vectors=scrambled, vectors_model="another model")
    assert find_topic(G, query, index=other).papers == fresh
    # On disk: a tag naming another model, or none at all (saved before tags), is not trusted.
    copy = tmp_path / "graph"
    shutil.copytree(folder, copy)
    (copy / VECTORS_META_FILE).write_text(json.dumps({**meta, "model": "another model"}))
    assert TextIndex.load(copy).current_vectors(tag) is None
    (copy / VECTORS_META_FILE).unlink()
    assert TextIndex.load(copy).current_vectors(tag) is None
    assert TextIndex.load(folder).current_vectors(tag) is not None
    # The CLI and web app load through load_index: stale vectors are computed again once and saved.
    loaded = load_index(G, copy)
    assert loaded.current_vectors(tag) is not None
    assert np.allclose(loaded.vectors, index.vectors, atol=2e-3)
    assert json.loads((copy / VECTORS_META_FILE).read_text())["model"] == tag
    assert TextIndex.load(copy).current_vectors(tag) is not None


def test_api_topic_keeps_the_text_index_with_the_loaded_graph(client, cache_dir, fixture_graph):
    """The API read the text index from disk on every query; now it is kept with the loaded graph and
    read again only when its files change."""
    import os

    from graphx.build.text import MATRIX_FILE, TextIndex, build_text_index
    from graphx.paper import Paper
    from graphx.store import graphs as graphstore

    graphs = client.application.extensions["graphx_graphs"]
    folder = graphstore.graph_dir(cache_dir, "demo")
    papers = [
        Paper(id=n, title=a.get("title") or "", abstract=a.get("abstract"))
        for n, a in fixture_graph.nodes(data=True)
    ]
    build_text_index(papers).save(folder)
    first = client.get("/api/graphs/demo/topic?q=reinforcement+learning").get_json()
    again = client.get("/api/graphs/demo/topic?q=graph+neural+networks")
    assert again.status_code == 200 and first["papers"]
    assert graphs.text_index_loads == 1
    G, index = graphs.text_index("demo")
    assert isinstance(index, TextIndex) and graphs.text_index("demo")[1] is index and G is graphs.get("demo")
    # Rewritten on disk (as `graphx add` does): read again.
    stat = (folder / MATRIX_FILE).stat()
    os.utime(folder / MATRIX_FILE, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert graphs.text_index("demo")[1] is not index and graphs.text_index_loads == 2


def test_a_topic_on_the_large_demo_stays_near_its_papers(neurips_graph):
    """NeurIPS/ICML 2017-24 (6,545 papers, citations add links beyond each paper's 20 neighbours): 105
    papers say "federated". The set was 488 papers (a fifth of them federated); bounded by the papers
    with text evidence and their closest links it is 235, keeping 92% of the 105."""
    import re

    G = neurips_graph
    says = {
        n
        for n, a in G.nodes(data=True)
        if re.search("federated", f"{a.get('title')} {a.get('abstract')}", re.I)
    }
    found = find_topic(G, "federated learning").papers
    assert len(set(found) & says) >= 0.85 * len(says), (len(set(found) & says), len(says))
    assert len(found) <= 3 * len(says), (len(found), len(says))
