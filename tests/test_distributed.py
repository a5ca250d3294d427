"""The Dask engine (graphx.build.distributed) against the local engine, on one written S2AG release.

Tolerances (measured at 10k synthetic papers, seed 0, on a 2-worker LocalCluster; see docs/scaling.md):
the Dask engine computes the same TF-IDF matrix (its vocabulary keyed by 62-bit term hashes instead
of fitted strings) and the same per-row top-k searches, so similar edges differ only where the two
engines' float sums break ties differently; areas come from the same consensus Leiden on nearly the
same weighted graph.
"""

from __future__ import annotations

import json
from collections import Counter

import numpy as np
import pytest
from click.testing import CliRunner
from sklearn.metrics import normalized_mutual_info_score

from graphx.build.text import build_text_index, paper_text
from graphx.cli import cli
from graphx.errors import ConfigError
from graphx.options import BuildOptions
from graphx.sources.s2ag import read_release, write_synthetic_release
from graphx.synthetic import generate_corpus

pytest.importorskip("distributed", reason="the Dask engine needs graphx[scale]")
pq = pytest.importorskip("pyarrow.parquet")

from graphx.build.distributed import build_tables, choose_engine  # noqa: E402
from graphx.build.distributed import text as dtext  # noqa: E402

N_PAPERS = 10_000
MIN_SIMILAR_OVERLAP = 0.99  # measured 1.0000; share of the local engine's similar edges the Dask engine finds
MIN_AREA_NMI = 0.97  # measured 1.0000


@pytest.fixture(scope="module")
def both_engines(tmp_path_factory):
    """(local networkx graph, Dask-built tables folder) of one 10k-paper release."""
    from graphx.build.pipeline import build_graph

    root = tmp_path_factory.mktemp("dask")
    release = root / "release"
    write_synthetic_release(N_PAPERS, release, seed=0, shards=4)
    options = BuildOptions(seed=42)
    G = build_graph(read_release(release), options)
    folder = build_tables(
        release, "dask10k", options, cache_dir=root / "cache", n_workers=2, memory_limit="2GB"
    )
    return G, folder


def test_dask_engine_gives_the_local_graph_within_tolerances(both_engines):
    G, folder = both_engines
    nodes = pq.read_table(folder / "nodes.parquet").to_pandas()
    edges = pq.read_table(folder / "edges.parquet").to_pandas()
    assert sorted(nodes["id"]) == sorted(G.nodes)

    def pairs(kind):
        local = {frozenset((u, v)) for u, v, k in G.edges(keys=True) if k == kind}
        dask = {frozenset(e) for e in edges[edges["kind"] == kind][["u", "v"]].itertuples(index=False)}
        return local, dask

    local, dask = pairs("cites")
    assert local == dask  # a join: exact
    local, dask = pairs("similar")
    overlap = len(local & dask) / len(local)
    assert overlap >= MIN_SIMILAR_OVERLAP, f"similar-edge overlap {overlap:.4f}"
    assert len(dask) <= 1.02 * len(local)
    for kind in ("cocited", "coupled"):
        local, dask = pairs(kind)
        assert len(local & dask) / len(local) >= 0.9, kind  # ties of small integer sets break either way

    areas = [G.nodes[i]["community"] for i in nodes["id"]]
    nmi = normalized_mutual_info_score(areas, nodes["community"])
    assert nmi >= MIN_AREA_NMI, f"area NMI {nmi:.4f}"

    meta = json.loads((folder / "meta.json").read_text())
    assert meta["store"] == "tables" and meta["engine"] == "dask"
    assert meta["dask"]["workers"] == 2 and len(meta["dask"]["worker_peak_bytes"]) == 2
    labelled = [c for c in meta["communities"] if c["size"] >= 30]
    assert labelled and all(c["terms"] and not c["label"].startswith("#") for c in labelled)
    assert {"similarity", "communities", "layout", "save"} <= set(meta["timings_s"])
    assert np.isfinite(nodes[["x", "y"]].to_numpy()).all()


def test_hashed_vocabulary_gives_the_fitted_tfidf_matrix():
    papers = generate_corpus(400, n_topics=None, seed=3)
    index = build_text_index(papers)
    texts = [paper_text(p) for p in papers]
    rows, keys, counts = dtext.count_terms(texts)
    uniq, df = dtext.document_frequencies(keys)
    vocab, _, idf = dtext.vocabulary(uniq, df, len(texts))
    X = dtext.tfidf_rows(dtext.count_matrix(rows, keys, counts, len(texts), vocab), idf)
    assert X.nnz == index.X.nnz
    # Same rows up to column order: every pairwise cosine agrees.
    np.testing.assert_allclose((X @ X.T).toarray(), (index.X @ index.X.T).toarray(), atol=1e-5)


def test_engine_choice():
    assert choose_engine("local", "anything") == "local"
    assert choose_engine("auto", None) == "local"
    with pytest.raises(ConfigError, match="one S2AG release"):
        choose_engine("dask", None)


def test_cli_refuses_dask_without_a_release(tmp_path):
    result = CliRunner().invoke(
        cli, ["build", "-i", str(tmp_path / "x.jsonl"), "--engine", "dask", "--cache-dir", str(tmp_path)]
    )
    assert result.exit_code != 0
    assert "--engine dask builds from one S2AG release" in result.output


def test_cli_names_an_unreachable_scheduler(tmp_path):
    release = tmp_path / "release"
    write_synthetic_release(50, release, seed=0, shards=1)
    args = ["build", "--s2ag", str(release), "--engine", "dask", "--scheduler", "tcp://127.0.0.1:9"]
    result = CliRunner().invoke(cli, [*args, "--cache-dir", str(tmp_path), "--quiet"])
    assert result.exit_code != 0
    assert "Could not reach the Dask scheduler at tcp://127.0.0.1:9" in result.output


def test_dask_client_shares_its_igraph_work_with_a_helper_process(both_engines, tmp_path):
    """With a helper process (half the Leiden runs, then the layout while the workers count the label
    terms) the Dask engine stores the same areas, sub-areas, positions and labels as without one."""
    _, alone = both_engines
    release = alone.parents[2] / "release"
    shared = build_tables(
        release, "dask10k-helper", BuildOptions(seed=42), cache_dir=tmp_path / "cache", n_workers=2,
        memory_limit="2GB", processes=2,
    )  # fmt: skip
    meta, alone_meta = (json.loads((f / "meta.json").read_text()) for f in (shared, alone))
    assert meta["helper"]["pieces"] >= 3 and "helper" not in alone_meta  # runs, graph, layout
    columns = ["id", "community", "subcommunity", "x", "y"]
    nodes = [pq.read_table(f / "nodes.parquet", columns=columns).to_pandas() for f in (shared, alone)]
    assert nodes[0].equals(nodes[1])
    assert [c["label"] for c in meta["communities"]] == [c["label"] for c in alone_meta["communities"]]


def test_partition_term_counts_are_the_analysers_terms(neurips_papers):
    """Each partition counts its terms by the local engine's vectorised counting, hashing each distinct
    term once: the same (row, key, count) triples as analysing and hashing every text, on real
    abstracts (LaTeX, phrases across "of", punctuation)."""
    from graphx.build.text import analyze

    texts = [paper_text(p) for p in neurips_papers[:3000]]
    indptr, keys = dtext.term_keys([analyze(t) for t in texts])
    rows = np.repeat(np.arange(len(texts)), np.diff(indptr))
    triples = sorted(Counter(zip(rows.tolist(), keys.tolist(), strict=True)).items())
    got_rows, got_keys, got_counts = dtext.count_terms(texts)
    assert [(r, k) for (r, k), _ in triples] == list(zip(got_rows.tolist(), got_keys.tolist(), strict=True))
    assert [c for _, c in triples] == got_counts.astype(int).tolist()
