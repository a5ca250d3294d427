"""explain: every link between two papers, checked against edges.tsv and the weights the build gave."""

from __future__ import annotations

import json
import math

import pytest
from click.testing import CliRunner
from s2server import cs768_paper_id

from graphx.build.text import analyze
from graphx.cli import cli
from graphx.errors import PaperNotFound
from graphx.explain import explain_saved
from graphx.options import BuildOptions
from graphx.store import graphs as graphstore


@pytest.fixture(scope="module")
def part(neurips_part_cache):
    return graphstore.load_graph(neurips_part_cache, "part")


@pytest.fixture(scope="module")
def edges(shared_data):
    lines = (shared_data / "cs768-neurips-icml-citations" / "edges.tsv").read_text().splitlines()[1:]
    return {tuple(line.split("\t")) for line in lines}


def first_edge(G, *kinds):
    """The first pair (in edge order) linked by every one of ``kinds`` (either direction)."""
    for u, v, k in G.edges(keys=True):
        if k == kinds[0] and all(G.has_edge(u, v, key=x) or G.has_edge(v, u, key=x) for x in kinds):
            return u, v
    raise AssertionError(f"no pair linked by {kinds}")


def test_cited_coupled_and_similar_pair(neurips_part_cache, part, edges):
    a, b = first_edge(part, "coupled", "cites", "similar")
    assert (a, b) == ("2106.03097v5", "2106.05001v2")
    found = explain_saved(neurips_part_cache, "part", a, b)
    assert found["cites"] == "a->b" and (a, b) in edges
    refs = {n: {y for x, y in edges if x == n} for n in (a, b)}
    shared = refs[a] & refs[b]
    assert found["shared_references"] == {
        "count": 2,
        "titles": [
            "Bayesian Nonparametric Federated Learning of Neural Networks",
            "Ensemble Distillation for Robust Model Fusion in Federated Learning",
        ],
        "strength": round(len(shared) / math.sqrt(len(refs[a]) * len(refs[b])), 6),
    }
    assert found["shared_references"]["strength"] == pytest.approx(part[a][b]["coupled"]["weight"], abs=1e-6)
    assert found["shared_citers"] == {"count": 0, "titles": [], "strength": 0.0}
    sim = found["similarity"]
    assert sim["tfidf"] == 0.240412 and 0 < sim["embedding"] <= 1  # the local text embedding's cosine
    weight = BuildOptions().text_embedding_weight
    assert sim["score"] == pytest.approx((1 - weight) * sim["tfidf"] + weight * sim["embedding"], abs=1e-6)
    assert found["similarity"]["score"] == pytest.approx(part[a][b]["similar"]["weight"], abs=1e-6)
    assert found["shared_terms"][:4] == [
        "federated",
        "federated learning",
        "heterogeneity",
        "data heterogeneity",
    ]
    for n in (a, b):
        terms = set(analyze(f"{part.nodes[n]['title']}. {part.nodes[n]['abstract']}"))
        assert set(found["shared_terms"]) <= terms
    assert found["a"] == {
        "id": a,
        "title": part.nodes[a]["title"],
        "year": 2021,
        "authors": [],
    }  # year from the arXiv id


def test_unlinked_papers_have_nothing_shared_and_unknown_ids_fail(neurips_part_cache, part):
    a, b = sorted(part)[:2]
    found = explain_saved(neurips_part_cache, "part", a, b)
    if not any(part.has_edge(u, v) for u, v in ((a, b), (b, a))):
        assert found["cites"] is None
    with pytest.raises(PaperNotFound, match="nope"):
        explain_saved(neurips_part_cache, "part", a, "nope")


def test_embeddings_from_semantic_scholar_give_the_blended_score(tmp_path, s2_server):
    from graphx.build.pipeline import build_and_save
    from graphx.sources.s2 import collect_papers
    from graphx.store.papers import PaperStore

    cache = tmp_path / "cache"
    seeds = [cs768_paper_id(x) for x in ("1912.01703", "2005.14165")]
    with PaperStore(cache) as store:
        papers = collect_papers(
            store,
            paper_ids=seeds,
            expand=["citations"],
            max_papers=40,
            api_url=s2_server.url,
            requests_per_s=0,
        ).papers
    G, _ = build_and_save(papers, cache, "s2")
    a, b = first_edge(G, "similar")
    found = explain_saved(cache, "s2", a, b)
    sim = found["similarity"]
    assert sim["embedding"] is not None and sim["tfidf"] is not None
    assert sim["score"] == pytest.approx(0.5 * sim["tfidf"] + 0.5 * sim["embedding"], abs=1e-6)
    assert sim["score"] == pytest.approx(G[a][b]["similar"]["weight"], abs=1e-5)

    # Co-citation: citers come from S2's citation lists (outside the map too), as in the build.
    a, b = first_edge(G, "cocited")
    found = explain_saved(cache, "s2", a, b)
    corpus = s2_server.corpus
    citers = {
        n: set(corpus.citations[n]) | {u for u, _, k in G.in_edges(n, keys=True) if k == "cites"}
        for n in (a, b)
    }
    shared = citers[a] & citers[b]
    assert found["shared_citers"]["count"] == len(shared) > 0
    expected = sorted(corpus.papers[n]["title"] for n in shared)
    assert found["shared_citers"]["titles"] == expected[:20]
    strength = len(shared) / math.sqrt(len(citers[a]) * len(citers[b]))
    assert found["shared_citers"]["strength"] == pytest.approx(strength, abs=1e-6)
    assert found["shared_citers"]["strength"] == pytest.approx(G[a][b]["cocited"]["weight"], abs=1e-6)


def test_cli_explain_text_and_json(neurips_part_cache):
    args = ["explain", "part", "2106.03097v5", "2106.05001v2", "--cache-dir", str(neurips_part_cache)]
    text = CliRunner().invoke(cli, args)
    assert text.exit_code == 0, text.output
    assert "A cites B" in text.output and "shared references: 2 (strength 0.316)" in text.output
    data = json.loads(CliRunner().invoke(cli, [*args, "--json"]).output)
    assert list(data) == [
        "a", "b", "cites", "shared_references", "shared_citers", "shared_terms", "similarity",
    ]  # fmt: skip
    missing = CliRunner().invoke(cli, ["explain", "part", "x", "y", "--cache-dir", str(neurips_part_cache)])
    assert missing.exit_code == 1 and "No paper 'x'" in missing.output
