"""missing: foundations and follow-ups of a map, checked against counts made straight from the data files."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from click.testing import CliRunner
from conftest import NEURIPS_PART_PREFIX
from s2server import cs768_paper_id

from graphx.cli import cli
from graphx.errors import ConfigError
from graphx.missing import add_missing, as_json, missing_papers, rank
from graphx.sources.s2 import collect_papers
from graphx.store import graphs as graphstore
from graphx.store.papers import PaperStore


def edges_tsv(shared_data) -> list[tuple[str, str]]:
    lines = (shared_data / "cs768-neurips-icml-citations" / "edges.tsv").read_text().splitlines()[1:]
    return [tuple(line.split("\t")) for line in lines]


def counted(edges, members: set[str], on_map: set[str]) -> tuple[list, list]:
    """Foundations and follow-ups computed independently of graphx, from the edge list alone."""
    found = Counter(b for a, b in set(edges) if a in members and b not in on_map)
    follow = Counter(a for a, b in set(edges) if b in members and a not in on_map)
    return rank(found, 10_000), rank(follow, 10_000)


@pytest.fixture(scope="module")
def part(neurips_part_cache):
    return graphstore.load_graph(neurips_part_cache, "part")


def test_foundations_and_follow_ups_are_exactly_the_edge_list_counts(neurips_part_cache, part, shared_data):
    on_map = set(part)
    assert len(on_map) == 273 and all(n.startswith(NEURIPS_PART_PREFIX) for n in on_map)
    found, follow = counted(edges_tsv(shared_data), on_map, on_map)
    with PaperStore(neurips_part_cache) as store:
        result = missing_papers(part, store, limit=1000)
    assert [(p.id, p.count) for p in result["foundations"]] == found[:1000]
    assert [(p.id, p.count) for p in result["follow_ups"]] == follow[:1000]
    assert (len(found), len(follow)) == (864, 482)  # the part reaches well into the rest of the corpus
    top = result["foundations"][0]
    assert (top.id, top.count) == ("1912.01703v1", 45)
    assert top.title == "PyTorch: An Imperative Style, High-Performance Deep Learning Library"
    assert all(p.title for kind in result.values() for p in kind)  # the store holds the whole corpus


def test_per_area_counts_only_that_areas_links(neurips_part_cache, part, shared_data):
    sizes = Counter(c for _, c in part.nodes(data="community"))
    area = max(sizes, key=lambda a: (sizes[a], -a))
    members = {n for n, c in part.nodes(data="community") if c == area}
    found, follow = counted(edges_tsv(shared_data), members, set(part))
    with PaperStore(neurips_part_cache) as store:
        result = missing_papers(part, store, area=area, limit=15)
    assert [(p.id, p.count) for p in result["foundations"]] == found[:15]
    assert [(p.id, p.count) for p in result["follow_ups"]] == follow[:15]
    with PaperStore(neurips_part_cache) as store, pytest.raises(ConfigError, match="no area 999"):
        missing_papers(part, store, area=999)


def test_cli_json_prints_the_ids_the_input_used_best_first(neurips_part_cache):
    result = CliRunner().invoke(
        cli, ["missing", "part", "--json", "--limit", "3", "--cache-dir", str(neurips_part_cache)]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert list(data) == ["foundations", "follow_ups"]
    assert [(p["id"], p["count"]) for p in data["foundations"]] == [
        ("1912.01703v1", 45), ("1502.03167v3", 36), ("2005.14165v4", 18),
    ]  # fmt: skip
    assert set(data["foundations"][0]) == {"id", "title", "count", "year"}
    text = CliRunner().invoke(cli, ["missing", "part", "--area", "0", "--cache-dir", str(neurips_part_cache)])
    assert text.exit_code == 0 and "Foundations" in text.output and "Follow-ups" in text.output


def test_follow_ups_from_semantic_scholar_citation_lists(tmp_path, s2_server):
    """A map fetched from (the fake) S2: follow-ups come from the papers' citation lists, named by S2."""
    corpus = s2_server.corpus
    seeds = [cs768_paper_id(a) for a in ("1912.01703", "2005.14165", "1502.03167")]  # most cited
    with PaperStore(tmp_path / "cache") as store:
        result = collect_papers(store, paper_ids=seeds, api_url=s2_server.url, requests_per_s=0)
        from graphx.build.pipeline import build_and_save

        G, _ = build_and_save(result.papers, tmp_path / "cache", "s2map")
        found = missing_papers(G, store, limit=10)
    members = set(G)
    follow = Counter(c for m in members for c in set(corpus.citations[m]) if c not in members)
    refs = Counter(r for m in members for r in set(corpus.references[m]) if r and r not in members)
    assert [(p.id, p.count) for p in found["follow_ups"]] == rank(follow, 10)
    assert [(p.id, p.count) for p in found["foundations"]] == rank(refs, 10)
    for p in found["follow_ups"] + found["foundations"]:
        assert p.title == corpus.papers[p.id]["title"] and p.year == corpus.papers[p.id]["year"]
    assert found["follow_ups"][0].count >= 2  # papers citing two of the three seeds exist in the corpus


def test_add_from_the_store_when_semantic_scholar_is_unreachable(neurips_part_copy):
    cache = neurips_part_copy
    G = graphstore.load_graph(cache, "part")
    with PaperStore(cache) as store:
        top = missing_papers(G, store, limit=2)["foundations"]
        ids = [p.id for p in top] + [next(iter(G)), "no-such-paper"]
        result = add_missing(cache, "part", ids, store=store, api_url="http://127.0.0.1:9/graph/v1")
    assert [p.id for p in result.added] == [p.id for p in top]
    assert set(result.skipped) == {next(iter(G)), "no-such-paper"}
    assert "could not be reached" in result.message and "already on the map" in result.message
    H = graphstore.load_graph(cache, "part")
    assert H.number_of_nodes() == G.number_of_nodes() + 2
    citers = {u for u, _, k in H.in_edges("1912.01703v1", keys=True) if k == "cites"}
    assert len(citers) == top[0].count == 45
    with PaperStore(cache) as store:
        again = missing_papers(H, store, limit=2)["foundations"]
    assert "1912.01703v1" not in {p.id for p in again}


def test_add_fetches_from_semantic_scholar_and_keeps_the_listed_id(tmp_path, s2_server):
    cache = tmp_path / "cache"
    seeds = [cs768_paper_id(a) for a in ("1912.01703", "2005.14165")]
    with PaperStore(cache) as store:
        papers = collect_papers(store, paper_ids=seeds, api_url=s2_server.url, requests_per_s=0).papers
        from graphx.build.pipeline import build_and_save

        G, _ = build_and_save(papers, cache, "s2map")
        follow = missing_papers(G, store, limit=1)["follow_ups"][0]
        result = add_missing(cache, "s2map", [follow.id], store=store, api_url=s2_server.url)
    assert result.fetched and [p.id for p in result.added] == [follow.id]
    assert result.added[0].abstract  # the full record, not just the name
    H = graphstore.load_graph(cache, "s2map")
    assert follow.id in H
    cited = {v for _, v, k in H.out_edges(follow.id, keys=True) if k == "cites"}
    assert len(cited) == follow.count


def test_as_json_shape(neurips_part_cache, part):
    with PaperStore(neurips_part_cache) as store:
        data = as_json(missing_papers(part, store, limit=2))
    assert {k: len(v) for k, v in data.items()} == {"foundations": 2, "follow_ups": 2}
    assert all(list(p) == ["id", "title", "count", "year"] for v in data.values() for p in v)
