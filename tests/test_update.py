"""update: adding papers to a built graph keeps the map and links the newcomers."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from graphx.build.pipeline import build_and_save
from graphx.build.update import add_and_save
from graphx.cli import cli
from graphx.errors import ConfigError
from graphx.options import BuildOptions
from graphx.paper import Paper
from graphx.store import graphs as graphstore
from graphx.store.papers import PaperStore

N_OLD, N_NEW = 2000, 20


@pytest.fixture(scope="module")
def built(neurips_papers, tmp_path_factory):
    """2,000 real papers built as 'base'; the next 20 are the ones to add."""
    cache = tmp_path_factory.mktemp("cache")
    old = neurips_papers[:N_OLD]
    with PaperStore(cache) as store:
        store.upsert_papers(old)
    G, _ = build_and_save(old, cache, "base", BuildOptions(seed=3))
    return cache, G, neurips_papers[N_OLD : N_OLD + N_NEW]


@pytest.fixture(scope="module")
def updated(built):
    cache, G_old, new = built
    with PaperStore(cache) as store:
        G, _ = add_and_save(cache, "base", new, store=store)
    return G_old, G, new


def test_old_papers_keep_area_label_and_position(updated):
    G_old, G, _ = updated
    for n, attrs in G_old.nodes(data=True):
        for key in ("community", "subcommunity", "community_label", "x", "y"):
            assert G.nodes[n][key] == attrs[key], (n, key)


def test_new_papers_are_linked_placed_and_assigned(updated):
    G_old, G, new = updated
    assert G.number_of_nodes() == N_OLD + N_NEW
    areas = {c["id"] for c in G.graph["communities"]}
    for p in new:
        attrs = G.nodes[p.id]
        assert attrs["community"] in areas
        assert {"x", "y", "pagerank", "community_label"} <= set(attrs)
    # Real abstracts: nearly every newcomer finds similar papers among the old ones.
    linked = [p for p in new if any(k == "similar" for *_, k in G.edges(p.id, keys=True))
              or any(k == "similar" for *_, k in G.in_edges(p.id, keys=True))]  # fmt: skip
    assert len(linked) >= N_NEW - 2


def test_newcomers_join_the_area_of_their_strongest_links(updated):
    _, G, new = updated
    for p in new:
        own = G.nodes[p.id]["community"]
        neighbours = [v for _, v in G.out_edges(p.id)] + [u for u, _ in G.in_edges(p.id)]
        if neighbours:
            share = sum(G.nodes[m]["community"] == own for m in neighbours) / len(neighbours)
            assert share > 0, p.id


def test_citations_to_and_from_new_papers_are_edges(updated, neurips_papers):
    _, G, new = updated
    ids = set(G)
    expected = {(p.id, r) for p in new for r in p.references if r in ids}
    expected |= {(p.id, q.id) for p in neurips_papers[:N_OLD] for q in new if q.id in p.references}
    found = {
        (u, v)
        for u, v, k in G.edges(keys=True)
        if k == "cites" and (u in {p.id for p in new} or v in {p.id for p in new})
    }
    assert found == expected


def test_saved_embedding_covers_the_new_papers(built, updated):
    """The topic lens reads the build's embedding from the saved text index: after an add it has a row
    for every paper, the new ones embedded as the build embeds them."""
    import numpy as np

    from graphx.build.similarity import local_embedding
    from graphx.build.text import TextIndex

    cache = built[0]
    _, G, new = updated
    index = TextIndex.load(graphstore.graph_dir(cache, "base"))
    assert index.vectors is not None and index.vectors.shape[0] == len(index.ids) == G.number_of_nodes()
    rows = [index.ids.index(p.id) for p in new]
    assert np.allclose(index.vectors[rows], local_embedding(new), atol=2e-3)


def test_summaries_and_counts_follow(updated):
    _, G, _ = updated
    assert sum(c["size"] for c in G.graph["communities"]) == N_OLD + N_NEW
    assert G.graph["meta"]["counts"]["papers"] == N_OLD + N_NEW
    assert G.graph["meta"]["added_papers"] == N_NEW
    assert set(G.graph["meta"]["timings_s"]) >= {"similarity", "communities", "layout"}


def test_adding_only_known_papers_is_a_clear_error(built, neurips_papers):
    cache, _, _ = built
    again = Paper(id="another-id", title=neurips_papers[0].title)  # same title: the same paper
    with PaperStore(cache) as store, pytest.raises(ConfigError, match="already in the graph"):
        add_and_save(cache, "base", [again], store=store)


def test_cli_add(tmp_path, shared_data):
    folder = shared_data / "localcitationnetwork-examples"
    runner = CliRunner()
    cache = str(tmp_path / "cache")
    result = runner.invoke(
        cli, ["build", "-i", str(folder / "examples.json"), "--name", "lcn", "--cache-dir", cache]
    )
    assert result.exit_code == 0, result.output
    extra = tmp_path / "more.jsonl"
    extra.write_text(
        '{"id": "new1", "title": "Amazon rainforest resilience loss under drought and deforestation", '
        '"abstract": "We analyse rainforest resilience in the Amazon basin from satellite data."}\n'
    )
    result = runner.invoke(cli, ["add", "lcn", "-i", str(extra), "--cache-dir", cache])
    assert result.exit_code == 0, result.output
    G = graphstore.load_graph(cache, "lcn")
    assert "new1" in G and G.number_of_nodes() == 103
    missing = runner.invoke(cli, ["add", "nope", "-i", str(extra), "--cache-dir", cache])
    assert missing.exit_code == 1 and "graphx list" in missing.output
