"""The S2AG bulk-dataset source (graphx.sources.s2ag): the real sample files, and releases written from
the demo corpus and the synthetic generator, read back."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from conftest import SHARED_DATA

from graphx.errors import BadRecord, ConfigError, InputError
from graphx.sources.s2ag import (
    DATASETS,
    S2AGFilter,
    load_release,
    paper_record,
    read_release,
    release_files,
    row_dataset,
    write_release,
)

SAMPLES = SHARED_DATA / "s2ag-dataset-samples"


@pytest.fixture(scope="module")
def samples() -> Path:
    if not (SAMPLES / "papers").is_dir():
        pytest.skip(f"S2AG sample files not found at {SAMPLES}")
    return SAMPLES


def rows(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def dataset_rows(root: Path, dataset: str) -> list[dict]:
    return [row for shard in release_files(root)[dataset] for row in rows(shard)]


@pytest.fixture(scope="module")
def demo_release(tmp_path_factory, neurips_papers) -> Path:
    out = tmp_path_factory.mktemp("demo-release")
    write_release(neurips_papers, out, shards=4)
    return out


def test_release_files_finds_the_sample_layout(samples):
    files = release_files(samples)
    assert set(files) == set(DATASETS)
    assert [p.name for p in files["papers"]] == ["papers-sample.jsonl.gz"]
    assert all(len(files[d]) == 1 for d in DATASETS)


def test_release_files_flat_folder_and_missing_papers(tmp_path, samples):
    (tmp_path / "abstracts-part0.jsonl.gz").write_bytes(
        (samples / "abstracts/abstracts-sample.jsonl.gz").read_bytes()
    )
    with pytest.raises(InputError, match="no papers shards") as err:
        release_files(tmp_path)
    assert str(tmp_path) in str(err.value)
    (tmp_path / "papers-part0.jsonl.gz").write_bytes((samples / "papers/papers-sample.jsonl.gz").read_bytes())
    files = release_files(tmp_path)
    assert [p.name for p in files["papers"]] == ["papers-part0.jsonl.gz"]
    assert [p.name for p in files["abstracts"]] == ["abstracts-part0.jsonl.gz"]
    assert files["citations"] == [] and files["tldrs"] == []
    with pytest.raises(InputError, match="no such folder"):
        release_files(tmp_path / "nowhere")


def test_paper_record_on_every_real_sample_row(samples):
    papers = [paper_record(row) for row in rows(samples / "papers/papers-sample.jsonl.gz")]
    assert len(papers) == 100
    first = papers[0]
    assert first.id == "CorpusId:108228682" and first.corpus_id == 108228682
    assert first.title.startswith("Optimization, characterization and immobilization of alkaline protease")
    assert first.authors == ("Raid D. Thanoon",) and first.year == 2018
    assert first.fields_of_study == ("Agricultural And Food Sciences", "Chemistry")
    assert first.s2_id == "d5ec1ea2c9261c54cf41fef1e5c9f2f8abe28ce2"
    assert sum(p.doi is not None for p in papers) > 10
    assert len({p.id for p in papers}) == 100


def test_paper_record_joins_abstract_tldr_embedding_rows(samples):
    row = rows(samples / "papers/papers-sample.jsonl.gz")[0]
    abstract = rows(samples / "abstracts/abstracts-sample.jsonl.gz")[0]
    tldr = rows(samples / "tldrs/tldrs-sample.jsonl.gz")[0]
    embedding = rows(samples / "embeddings/embeddings-sample.jsonl.gz")[0]
    paper = paper_record(row, abstract, tldr, embedding)
    assert paper.abstract.startswith("Bacteriophages, or phages")
    assert paper.tldr.startswith("The (1 + 2/e)-approximation")
    assert len(paper.embedding) == 768 and paper.embedding[0] == pytest.approx(0.16837537288665771)
    with pytest.raises(BadRecord, match="title"):
        paper_record({**row, "title": None})
    with pytest.raises(BadRecord, match="corpusid"):
        paper_record({**row, "corpusid": None})


def test_row_dataset_tells_the_real_datasets_apart(samples):
    for dataset in (*DATASETS, "authors", "paper-ids", "publication-venues", "s2orc"):
        [shard] = (samples / dataset).glob("*.jsonl.gz")
        assert row_dataset(rows(shard)[0]) == dataset


def test_filter_criteria_on_real_rows(samples):
    papers = rows(samples / "papers/papers-sample.jsonl.gz")
    cs = S2AGFilter(fields_of_study=("computer science",))
    kept = [r for r in papers if cs.keeps(r, None)]
    assert kept and all("Computer Science" in paper_record(r).fields_of_study for r in kept)
    recent = S2AGFilter(year_from=2019, year_to=2020)
    assert all(2019 <= r["year"] <= 2020 for r in papers if recent.keeps(r, None))
    assert S2AGFilter().is_empty and not recent.is_empty
    protease = S2AGFilter(query="Alkaline PROTEASE")
    assert [r["corpusid"] for r in papers if protease.keeps(r, None)] == [108228682]
    assert protease.keeps({"corpusid": 1, "title": "Alkaline enzymes"}, "a protease")
    assert not protease.keeps({"corpusid": 1, "title": "Alkaline enzymes"}, None)
    only = S2AGFilter(corpus_ids=frozenset({"223403092"}))
    assert [r["corpusid"] for r in papers if only.keeps(r, None)] == [223403092]
    with pytest.raises(ConfigError, match="Computer Sciences"):
        S2AGFilter(fields_of_study=("Computer Sciences",))
    with pytest.raises(ConfigError, match="swap"):
        S2AGFilter(year_from=2020, year_to=2019)


def test_written_release_has_the_real_format(demo_release, samples):
    for dataset in ("papers", "abstracts", "citations"):
        real = rows(next((samples / dataset).glob("*.jsonl.gz")))[0]
        written = dataset_rows(demo_release, dataset)[0]
        assert list(written) == list(real), dataset
        for key, value in real.items():
            if value is not None and written[key] is not None:
                assert type(written[key]) is type(value), (dataset, key)
    papers = dataset_rows(demo_release, "papers")
    assert list(papers[0]["externalids"]) == list(
        rows(samples / "papers/papers-sample.jsonl.gz")[0]["externalids"]
    )
    assert len(papers) == 6545
    assert len(dataset_rows(demo_release, "citations")) == 30762
    ids = {r["corpusid"] for r in papers}
    assert all(
        int(r["citingcorpusid"]) in ids and int(r["citedcorpusid"]) in ids
        for r in dataset_rows(demo_release, "citations")
    )
    assert len(release_files(demo_release)["papers"]) == 4


def test_real_samples_read_with_unmatched_datasets(samples):
    result = load_release(samples, embeddings=True)
    assert len(result.papers) == 100
    # The sample files are independent draws: no abstract, tldr or citation row names a sampled paper.
    assert result.summary() == "100 papers, 0 with abstracts, 0 citations inside the set, 0 skipped rows"
    assert result.rows == {"papers": 100, "abstracts": 100, "tldrs": 100, "embeddings": 50, "citations": 100}
    assert not result.log.warnings


def test_demo_round_trip_gives_the_demo_papers_and_citations(demo_release, neurips_papers):
    papers = read_release(demo_release)
    assert len(papers) == len(neurips_papers)
    by_arxiv = {p.arxiv: p for p in papers}
    new_id = {p.id: by_arxiv[p.arxiv].id for p in neurips_papers}
    for demo in neurips_papers:
        read = by_arxiv[demo.arxiv]
        assert (read.title, read.abstract, read.year, read.authors) == (
            demo.title,
            demo.abstract,
            demo.year,
            demo.authors,
        )
        assert set(read.references) == {new_id[r] for r in demo.references}
        assert read.id == f"CorpusId:{read.corpus_id}"


def test_filters_keep_exactly_what_keeps_says(demo_release):
    """The streamed read (papers first, the query's abstract words in a later pass) keeps the same
    papers as the filter applied to each joined row."""
    everything = {p.corpus_id: p for p in read_release(demo_release)}
    rows = {r["corpusid"]: r for r in dataset_rows(demo_release, "papers")}
    for filt in (
        S2AGFilter(query="reinforcement learning policy", year_from=2015),
        S2AGFilter(year_from=2019, year_to=2019),
        S2AGFilter(corpus_ids=frozenset({"1", "2", "77"})),
        S2AGFilter(query="bandit"),
    ):
        expected = {n for n, row in rows.items() if filt.keeps(row, everything[n].abstract)}
        result = load_release(demo_release, filt)
        assert {p.corpus_id for p in result.papers} == expected and expected, filt
        kept_ids = {p.id for p in result.papers}
        inside = sum(r in kept_ids for p in result.papers for r in p.references)
        assert inside == result.inside_citations
        # every kept paper keeps its links out of the set: references and citers outside it
        for p in result.papers:
            whole = everything[p.corpus_id]
            assert set(p.references) == set(whole.references)
            citers = {q.id for q in everything.values() if p.id in q.references and q.id not in kept_ids}
            assert set(p.citations) == citers


def copy_release(src: Path, dst: Path) -> Path:
    for dataset, shards in release_files(src).items():
        for shard in shards:
            (dst / dataset).mkdir(parents=True, exist_ok=True)
            (dst / dataset / shard.name).write_bytes(shard.read_bytes())
    return dst


def test_truncated_shard_keeps_what_was_read_with_a_warning(demo_release, tmp_path):
    release = copy_release(demo_release, tmp_path)
    shard = release_files(release)["papers"][1]
    data = shard.read_bytes()
    shard.write_bytes(data[: len(data) // 2])
    result = load_release(release)
    assert 6545 * 3 // 4 < len(result.papers) < 6545
    [warning] = result.log.warnings
    assert str(shard) in warning and "after line" in warning and "Download this shard again" in warning


@pytest.mark.parametrize("parser", ["default", "json module"])
def test_bad_lines_are_skipped_and_named(demo_release, tmp_path, parser, monkeypatch):
    from graphx.sources.s2ag import shards

    if parser == "json module":  # the parser without the `scale` extra's orjson
        monkeypatch.setattr(shards, "_loads", shards._json_loads)
    release = copy_release(demo_release, tmp_path)
    shard = release_files(release)["abstracts"][0]
    lines = gzip.decompress(shard.read_bytes()).split(b"\n")
    lines[2] = b'{"corpusid": 5, "abstract": '
    lines[4] = b"[1, 2]"
    shard.write_bytes(gzip.compress(b"\n".join(lines)))
    result = load_release(release)
    assert len(result.papers) == 6545 and result.with_abstracts == 6543
    assert result.log.skipped_rows == 2
    assert [(s.path, s.where) for s in result.log.skipped] == [(str(shard), "line 3"), (str(shard), "line 5")]
    assert "not a JSON line" in result.log.skipped[0].reason
    assert result.summary().endswith("2 skipped rows")


def test_shard_of_another_dataset_is_an_error_naming_it(demo_release, tmp_path):
    release = copy_release(demo_release, tmp_path)
    citations = release_files(release)["citations"][0]
    (release / "papers" / "stray.jsonl.gz").write_bytes(citations.read_bytes())
    with pytest.raises(InputError, match="holds citations rows") as err:
        load_release(release)
    assert "stray.jsonl.gz" in str(err.value) and "line 1" in str(err.value)


def test_cli_builds_a_filtered_release_end_to_end(tmp_path, neurips_papers):
    from click.testing import CliRunner

    from graphx.cli import cli
    from graphx.store import graphs as graphstore

    few = [p for p in neurips_papers if p.year and p.year <= 2012]
    release = tmp_path / "release"
    write_release(few, release, shards=2)
    cache = tmp_path / "cache"
    runner = CliRunner()
    args = ["build", "--s2ag", str(release), "--year-from", "2010", "-n", "early", "--cache-dir", str(cache)]
    done = runner.invoke(cli, [*args, "--quiet"])
    assert done.exit_code == 0, done.output
    expected = [p for p in few if p.year >= 2010]
    assert f"{len(expected):,} papers, {len(expected):,} with abstracts" in done.output
    G = graphstore.load_graph(cache, "early")
    assert G.number_of_nodes() == len(expected)
    assert all(n.startswith("CorpusId:") for n in G.nodes)
    cites = sum(1 for *_, kind in G.edges(keys=True) if kind == "cites")
    kept = {p.id for p in expected}
    assert cites == sum(r in kept for p in expected for r in p.references) > 0
    assert any("s2ag:" in i and "years 2010" in i for i in G.graph["meta"]["inputs"])
    # -i DIR is recognised as a release; filters without a release, and filters keeping nothing, are errors
    again = runner.invoke(
        cli, ["build", "-i", str(release), "-n", "all", "--cache-dir", str(cache), "--quiet"]
    )
    assert again.exit_code == 0, again.output
    assert graphstore.load_graph(cache, "all").number_of_nodes() == len(few)
    lone = runner.invoke(cli, ["build", "--match", "bandit", "-i", str(tmp_path / "x.jsonl")])
    assert lone.exit_code == 1 and "--s2ag DIR" in lone.output
    empty = runner.invoke(cli, [*args[:-4], "--year-from", "2100", "-n", "none", "--cache-dir", str(cache)])
    assert empty.exit_code == 1 and "kept no paper" in empty.output and "Traceback" not in empty.output


def test_synthetic_release_streams_the_generator_with_its_structure(tmp_path):
    from graphx.sources.s2ag import write_synthetic_release
    from graphx.synthetic import generate_chunks

    counts = write_synthetic_release(1200, tmp_path, seed=3, shards=3, chunk_size=500)
    assert len(release_files(tmp_path)["papers"]) == 3
    papers = {p.corpus_id: p for p in read_release(tmp_path)}
    generated = [p for chunk in generate_chunks(1200, chunk_size=500, seed=3) for p in chunk]
    assert counts["papers"] == len(papers) == 1200
    assert counts["citations"] == sum(len(p.references) for p in generated)
    for i, source in enumerate(generated):
        read = papers[i + 1]
        assert (read.title, read.abstract, read.year) == (source.title, source.abstract, source.year)
        inside = {f"CorpusId:{int(r[4:]) + 1}" for r in source.references if r.startswith("syn-")}
        outside = {f"CorpusId:{int(r[4:]) + 1201}" for r in source.references if r.startswith("ext-")}
        assert set(read.references) == inside | outside


def test_read_papers_takes_a_release_folder(demo_release, tmp_path):
    import graphx

    assert len(graphx.read_papers(demo_release)) == 6545
    with pytest.raises(InputError, match="is a directory.*S2AG release"):
        graphx.read_papers(tmp_path)


def test_embeddings_and_tldrs_round_trip(tmp_path, samples):
    from graphx.paper import Paper

    vectors = [
        paper_record({"corpusid": 1, "title": "t"}, None, None, row).embedding
        for row in rows(samples / "embeddings/embeddings-sample.jsonl.gz")[:3]
    ]
    papers = [
        Paper(
            id=f"p{i}", title=f"Paper {i}", tldr=f"Short {i}.", embedding=v, references=("p0",) if i else ()
        )
        for i, v in enumerate(vectors)
    ]
    counts = write_release(papers, tmp_path, shards=2, embeddings=True, tldrs=True)
    assert counts == {"papers": 3, "abstracts": 0, "citations": 2, "embeddings": 3, "tldrs": 3}
    real = rows(samples / "embeddings/embeddings-sample.jsonl.gz")[0]
    written = dataset_rows(tmp_path, "embeddings")[0]
    assert list(written) == list(real) and isinstance(written["vector"], str)
    assert list(dataset_rows(tmp_path, "tldrs")[0]) == list(rows(samples / "tldrs/tldrs-sample.jsonl.gz")[0])
    plain = read_release(tmp_path)
    assert all(p.embedding is None and p.tldr for p in plain)
    read = {p.title: p for p in read_release(tmp_path, embeddings=True)}
    for source in papers:
        assert read[source.title].embedding == source.embedding and read[source.title].tldr == source.tldr


def test_citation_rows_in_every_shape_are_read(tmp_path, neurips_papers):
    papers = neurips_papers[:3]
    write_release(papers, tmp_path, shards=1)
    ids = [r["corpusid"] for r in dataset_rows(tmp_path, "papers")]
    a, b, c = ids
    lines = [
        json.dumps({"citingcorpusid": str(a), "citedcorpusid": str(b), "isinfluential": False}),
        json.dumps({"citingcorpusid": b, "citedcorpusid": c, "contexts": ["as in [3], ..."]}),  # ints
        json.dumps({"isinfluential": True, "citedcorpusid": str(a), "citingcorpusid": str(c)}),  # key order
        json.dumps({"citingcorpusid": str(a), "citedcorpusid": None}),  # S2 matched no paper
        json.dumps({"citingcorpusid": str(a), "citedcorpusid": str(c), "isinfluential": 1})[:-8],  # cut
        json.dumps({"citingcorpusid": str(a), "citedcorpusid": "999999999"}),  # outside the set
    ]
    [shard] = release_files(tmp_path)["citations"]
    shard.write_bytes(gzip.compress("\n".join(lines).encode()))
    result = load_release(tmp_path)
    refs = {p.corpus_id: set(p.references) for p in result.papers}
    assert refs == {a: {f"CorpusId:{b}", "CorpusId:999999999"}, b: {f"CorpusId:{c}"}, c: {f"CorpusId:{a}"}}
    assert result.inside_citations == 3
    assert [(s.where, s.reason[:17]) for s in result.log.skipped] == [("line 5", "not a JSON line (")]
