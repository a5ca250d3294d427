"""graphx.sources.files: papers files in every supported format, real data and hand-made exports."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from graphx.errors import InputError
from graphx.paper import normalize_title
from graphx.sources import LoadResult, load_papers, read_citation_edges, read_papers_file

FIXTURES = Path(__file__).parent / "fixtures"
CS768_PAPERS = 6545
CS768_EDGES = 30_762
S2_HEAD = ("s2-api-cassettes", "head-v0.12.0")


def by_id(papers):
    return {p.id: p for p in papers}


def in_set_edges(papers) -> int:
    ids = {p.id for p in papers}
    return sum(1 for p in papers for r in p.references if r in ids)


# --- real data -------------------------------------------------------------------------------------


def test_cs768_papers_with_edge_file(shared_data):
    folder = shared_data / "cs768-neurips-icml-citations"
    result = load_papers([folder / "papers.jsonl"], citations=[folder / "edges.tsv"])
    assert isinstance(result, LoadResult)
    assert len(result.papers) == CS768_PAPERS
    assert result.counts == {str(folder / "papers.jsonl"): CS768_PAPERS}
    assert result.skipped == []
    assert sum(len(p.references) for p in result.papers) == CS768_EDGES
    assert in_set_edges(result.papers) == CS768_EDGES
    papers = by_id(result.papers)
    batchnorm = papers["1502.03167v3"]  # the id is kept as given, with its version
    assert batchnorm.title.startswith("Batch Normalization") and batchnorm.abstract
    in_degree = sum(1 for p in result.papers for r in p.references if r == "1912.01703v1")
    assert in_degree == 568  # the highest in-degree, per PROVENANCE.md


def test_read_citation_edges_cs768(shared_data):
    edges = read_citation_edges(shared_data / "cs768-neurips-icml-citations" / "edges.tsv")
    assert len(edges) == CS768_EDGES
    assert edges[0] == ("2106.04689v1", "1502.07073v3")
    assert all(citing != cited for citing, cited in edges)


def test_local_citation_network_examples(shared_data, tmp_path):
    path = shared_data / "localcitationnetwork-examples" / "examples.json"
    papers, skipped = read_papers_file(path)
    # LCN keeps placeholders for references it could not resolve: 4 without an id ("Missing: ...") and
    # one OpenCitations DOI with a blank title. They are reported, not loaded, and need no skip_bad.
    assert len(papers) == 102 and len(skipped) == 5
    assert sum("could not resolve" in s.reason for s in skipped) == 4
    fisher = by_id(papers)["10.1038/136474B0"]
    assert fisher.authors == ("K. A. Fisher",) and fisher.venue == "Nature" and fisher.year == 1935
    assert fisher.references == ()  # LCN writes [""] for "no references"

    sessions = json.loads(path.read_text(encoding="utf-8"))
    found = []
    for i, session in enumerate(sessions):
        one = tmp_path / f"session{i}.json"
        one.write_text(json.dumps(session), encoding="utf-8")  # a single saved session, not a list
        session_papers, session_skipped = read_papers_file(one)
        found.append(
            (
                len(session_papers) + len(session_skipped),
                len(session_papers),
                in_set_edges(session_papers),
                sum(1 for p in session_papers if p.abstract),
            )
        )
    # Documented input counts 11/38/58. PROVENANCE.md's 20/66/562 "edges among inputs" also count the
    # null reference ids as matching the id-less placeholders (1 and 367 of them); between real papers
    # there are 20/65/195 edges, 16 in the first session once its untitled paper (4 edges) is left out.
    assert found == [(11, 10, 16, 0), (38, 37, 65, 32), (58, 55, 195, 29)]


def test_s2orc_metadata_through_aliases(shared_data):
    result = load_papers([shared_data / "s2orc-2020-sample" / "metadata_sample.jsonl"])
    assert len(result.papers) == 1000
    assert sum(1 for p in result.papers if p.abstract) == 488
    first = result.papers[0]
    assert first.id == "77490025"
    assert first.authors == ("Pen'kov Ma", "Konstantinovskaia Ke", "Zhukova Sv")  # first + last as given
    assert first.venue == "Oftalmologicheskii\u0306 zhurnal"  # from `journal`, venue being null
    assert first.url == "https://api.semanticscholar.org/CorpusID:77490025"
    # PROVENANCE.md counts 3107 outbound and 2974 inbound ids; repeats within a list are dropped on
    # reading and self-citations on merging.
    papers, _ = read_papers_file(shared_data / "s2orc-2020-sample" / "metadata_sample.jsonl")
    assert sum(len(p.references) for p in papers) == 3094
    assert sum(len(p.citations) for p in papers) == 2972
    assert sum(len(p.citations) for p in result.papers) == 2968
    # PROVENANCE.md's "4 edges within the sample" are all self-citations, which merging drops.
    assert in_set_edges(papers) == 4 == sum(1 for p in papers if p.id in p.references)
    assert in_set_edges(result.papers) == 0


def test_s2_paper_citations_as_a_papers_list(shared_data, tmp_path):
    paper = json.loads(shared_data.joinpath(*S2_HEAD, "Paper.json").read_text(encoding="utf-8"))
    path = tmp_path / "citations.json"
    path.write_text(json.dumps(paper["citations"]), encoding="utf-8")
    papers, skipped = read_papers_file(path)
    assert len(papers) == 1000 and skipped == []
    assert sum(1 for p in papers if p.abstract) == 774
    assert all(p.s2_id == p.id and len(p.id) == 40 for p in papers)
    assert sum(1 for p in papers if p.doi) > 500
    # One paper appears twice: its journal version and its arXiv preprint share the title.
    merged = load_papers([path]).papers
    assert len(merged) == 999
    proof = [p for p in merged if p.title == "Proof in the time of machines"]
    assert len(proof) == 1 and proof[0].doi == "10.1090/bull/1826" and proof[0].arxiv == "2305.02329"


def test_s2_full_paper_object(shared_data):
    (paper,), skipped = read_papers_file(shared_data.joinpath(*S2_HEAD, "Paper.json"))
    assert skipped == []
    assert paper.id == paper.s2_id == "2d5673caa9e6af3a7b82a43f19ee920992db07ad"
    assert paper.title == "Computing Machinery and Intelligence"
    assert (paper.year, paper.corpus_id, paper.doi) == (1950, 14636783, "10.1093/mind/lix.236.433")
    assert paper.authors == ("A. Turing",)
    assert len(paper.citations) == 1000
    assert len(paper.references) == 8  # of 14: S2 matched 6 bibliography strings to no paper (null paperId)
    assert paper.embedding is not None and len(paper.embedding) == 768
    assert paper.tldr and paper.tldr.startswith("If the meaning")
    assert paper.fields_of_study and paper.publication_date == "1950-10-01"
    assert paper.citation_count == 10059 and paper.influential_citation_count == 530


def test_s2_batch_response_with_null_and_data_page(shared_data, tmp_path):
    paper = json.loads(shared_data.joinpath(*S2_HEAD, "Paper.json").read_text(encoding="utf-8"))
    refs = paper["references"]
    batch = tmp_path / "batch.json"
    batch.write_text(json.dumps([None, *refs]), encoding="utf-8")  # POST /paper/batch: null = not found
    papers, skipped = read_papers_file(batch)
    # 14 references, 5 with an abstract (PROVENANCE.md); 6 are unmatched strings with a null paperId.
    assert len(refs) == 14 and len(papers) == 8 and sum(1 for p in papers if p.abstract) == 5
    assert len(skipped) == 1 + 6 and skipped[0].where == "entry 1" and "found no paper" in skipped[0].reason
    assert all("could not match" in s.reason for s in skipped[1:])

    page = tmp_path / "search.json"
    page.write_text(json.dumps({"total": 14, "offset": 0, "data": refs}), encoding="utf-8")
    assert [p.id for p in read_papers_file(page)[0]] == [p.id for p in papers]
    jsonl = tmp_path / "refs.jsonl"
    jsonl.write_text("".join(json.dumps(r) + "\n" for r in [*refs, None]), encoding="utf-8")
    assert len(read_papers_file(jsonl)[0]) == 8


def recorded_bodies(cassette: Path) -> list[str]:
    """The JSON response bodies of a vcrpy cassette (PyYAML is a test-only helper here, not a dependency)."""
    yaml = pytest.importorskip("yaml", reason="PyYAML is not installed; the .json tests cover S2 objects")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load(cassette.read_text(encoding="utf-8"), Loader=loader)
    responses = [i["response"] for i in data["interactions"]]
    return [r["body"]["string"] if "body" in r else r["content"] for r in responses]


@pytest.mark.parametrize("folder", [S2_HEAD[1], "full-fields-2024-06-01"])
def test_s2_recorded_batch_response_with_null(shared_data, tmp_path, folder):
    cassette = shared_data / S2_HEAD[0] / folder / "test_get_papers_return_not_found.yaml"
    (body,) = recorded_bodies(cassette)
    path = tmp_path / "batch.json"
    path.write_text(body, encoding="utf-8")
    papers, skipped = read_papers_file(path)
    assert len(papers) == 3 and sum(1 for p in papers if p.abstract) == 3  # per INDEX.tsv
    assert [s.where for s in skipped] == ["entry 1"]  # CorpusId:211530585 is unknown to S2
    assert all(p.authors and p.corpus_id and p.year for p in papers)
    assert "10.2139/ssrn.288970" in {p.doi for p in papers}


def test_s2_recorded_bulk_search_page(shared_data, tmp_path):
    cassette = shared_data / S2_HEAD[0] / "full-fields-2024-06-01" / "test_search_paper_bulk_retrieval.yaml"
    (body,) = recorded_bodies(cassette)
    path = tmp_path / "bulk.json"
    path.write_text(body, encoding="utf-8")
    papers, skipped = read_papers_file(path)
    assert len(papers) == 1000 and skipped == []
    assert sum(1 for p in papers if p.abstract) == 814  # per PROVENANCE.md


def test_s2_recorded_references_page_is_rejected(shared_data, tmp_path):
    cassette = shared_data / S2_HEAD[0] / "full-fields-2024-06-01" / "test_get_paper_references.yaml"
    path = tmp_path / "references.json"
    path.write_text(recorded_bodies(cassette)[0], encoding="utf-8")
    with pytest.raises(InputError, match="citedPaper"):
        read_papers_file(path, skip_bad=True)


def test_s2_paper_with_null_values_has_no_title(shared_data):
    path = shared_data.joinpath(*S2_HEAD, "PaperWithNullValues.json")
    with pytest.raises(InputError) as info:
        read_papers_file(path)
    message = str(info.value)
    assert str(path) in message and "entry 1" in message and "no title" in message
    assert "--skip-bad" in message
    papers, skipped = read_papers_file(path, skip_bad=True)
    assert papers == [] and len(skipped) == 1


@pytest.mark.parametrize(
    ("name", "wrapper"), [("Reference.json", "citedPaper"), ("Citation.json", "citingPaper")]
)
def test_s2_references_and_citations_pages_are_rejected(shared_data, tmp_path, name, wrapper):
    path = shared_data.joinpath(*S2_HEAD, name)
    with pytest.raises(InputError, match=wrapper) as info:
        read_papers_file(path, skip_bad=True)
    assert str(path) in str(info.value) and "POST /paper/batch" in str(info.value)
    page = tmp_path / "page.json"
    page.write_text(json.dumps({"offset": 0, "data": [json.loads(path.read_text(encoding="utf-8"))]}))
    with pytest.raises(InputError, match=wrapper):
        read_papers_file(page)


# --- reference-manager exports --------------------------------------------------------------------


def test_zotero_bibtex():
    papers = by_id(read_papers_file(FIXTURES / "zotero.bib")[0])
    assert len(papers) == 6
    attention = papers["10.48550/arxiv.1706.03762"]
    assert attention.title == "Attention Is All You Need"
    assert attention.arxiv == "1706.03762" and attention.year == 2017
    assert attention.authors[0] == "Ashish Vaswani" and len(attention.authors) == 8
    assert attention.url == "http://arxiv.org/abs/1706.03762"
    assert attention.abstract.startswith("The dominant sequence transduction models")
    bert = papers["10.18653/v1/n19-1423"]
    assert bert.title == "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding"
    assert bert.venue.startswith("Proceedings of the 2019 Conference of the North American Chapter")
    sklearn = papers["pedregosa_scikit-learn_2011"]  # no DOI or arXiv id: the key is the id
    assert "Gaël Varoquaux" in sklearn.authors and "Édouard Duchesnay" in sklearn.authors
    assert sklearn.venue == "Journal of Machine Learning Research"
    assert papers["10.1038/s41598-019-41695-z"].authors == ("V. A. Traag", "L. Waltman", "N. J. van Eck")
    assert papers["manning_introduction_2008"].authors[-1] == "Hinrich Schütze"


def test_mendeley_bibtex():
    papers = by_id(read_papers_file(FIXTURES / "mendeley.bib")[0])
    assert set(papers) == {"1706.03762", "1301.3781", "10.1145/2939672.2939754", "10.1073/pnas.0601602103"}
    attention = papers["1706.03762"]  # arXiv id from Mendeley's `arxivId`
    assert attention.title == "Attention is all you need" and attention.arxiv == "1706.03762"
    assert "Łukasz Kaiser" in attention.authors
    assert attention.venue == "Advances in Neural Information Processing Systems"
    assert papers["10.1145/2939672.2939754"].title == "node2vec: Scalable Feature Learning for Networks"


def test_zotero_ris_with_bom_and_crlf():
    assert (FIXTURES / "zotero.ris").read_bytes().startswith(b"\xef\xbb\xbfTY  - JOUR\r\n")
    papers = by_id(read_papers_file(FIXTURES / "zotero.ris")[0])
    assert len(papers) == 5
    leiden = papers["10.1038/s41598-019-41695-z"]
    assert leiden.venue == "Scientific Reports" and leiden.year == 2019
    assert leiden.authors == ("V. A. Traag", "L. Waltman", "N. J. van Eck")
    assert leiden.abstract.startswith("Community detection")
    assert papers["10.1145/2939672.2939754"].venue.startswith("Proceedings of the 22nd ACM SIGKDD")
    resnet = papers["10.48550/arxiv.1512.03385"]
    assert resnet.arxiv == "1512.03385" and resnet.url == "http://arxiv.org/abs/1512.03385"
    assert papers["10.1038/30918"].year == 1998  # DA 1998/06// and PY 1998
    digest = hashlib.sha1(normalize_title("Networks").encode()).hexdigest()[:16]
    assert papers[f"title-{digest}"].title == "Networks"  # no DOI, arXiv id or ID: a title hash


def test_mendeley_ris():
    papers = by_id(read_papers_file(FIXTURES / "mendeley.ris")[0])
    assert papers["10.1073/pnas.0601602103"].venue == "Proceedings of the National Academy of Sciences"
    louvain = papers["10.1088/1742-5468/2008/10/p10008"]
    assert louvain.venue == "Journal of Statistical Mechanics: Theory and Experiment"
    assert louvain.arxiv == "0803.0476"  # from an arxiv.org URL
    assert papers["Page1999"].authors[0] == "Lawrence Page"


def test_duplicate_across_bibtex_and_jsonl_merges_by_doi():
    bib, jsonl = FIXTURES / "zotero.bib", FIXTURES / "papers.jsonl"
    result = load_papers([bib, jsonl])
    assert result.counts == {str(bib): 6, str(jsonl): 4}
    papers = by_id(result.papers)
    assert len(papers) == 8  # Leiden (DOI) and Louvain (title) appear in both files
    leiden = papers["10.1038/s41598-019-41695-z"]  # the first file's id wins
    assert leiden.abstract.startswith("Community detection")  # from BibTeX
    assert leiden.authors == ("V. A. Traag", "L. Waltman", "N. J. van Eck")  # from BibTeX
    assert leiden.citation_count == 3511  # from JSONL
    assert leiden.fields_of_study == ("Computer Science", "Physics")  # from JSONL
    assert leiden.url == "https://www.nature.com/articles/s41598-019-41695-z"
    # References to the merged-away JSONL ids now point at the surviving records.
    assert leiden.references == ("10.1088/1742-5468/2008/10/p10008", "newman2006")
    assert papers["10.1088/1742-5468/2008/10/p10008"].arxiv == "0803.0476"
    assert "leiden2019" not in papers and "louvain2008" not in papers


def test_all_fixtures_together_merge_zotero_and_mendeley_copies():
    names = ["zotero.bib", "mendeley.bib", "zotero.ris", "mendeley.ris", "papers.jsonl", "papers.csv"]
    result = load_papers([FIXTURES / n for n in names])
    assert sum(result.counts.values()) == 6 + 4 + 5 + 3 + 4 + 3
    attention = [p for p in result.papers if p.arxiv == "1706.03762"]
    assert len(attention) == 1 and attention[0].venue == "Advances in Neural Information Processing Systems"
    titles = [normalize_title(p.title) for p in result.papers]
    assert len(titles) == len(set(titles))


def test_jsonl_aliases():
    papers = by_id(read_papers_file(FIXTURES / "papers.jsonl")[0])
    newman = papers["newman2006"]
    assert newman.authors == ("M. E. J. Newman",) and newman.venue == "PNAS"  # journal -> venue
    assert newman.year == 2006 and newman.citation_count == 11000  # "2006", citationsCount
    girvan = papers["girvan2002"]  # S2ORC-style names
    assert girvan.authors == ("M. Girvan", "M. E. J. Newman")
    assert girvan.references == ("watts1998",) and girvan.citations == ("newman2006",)
    assert girvan.arxiv == "cond-mat/0112110" and girvan.url.endswith("CorpusID:5227384")
    assert papers["louvain2008"].arxiv == "0803.0476"


def test_csv_lists_and_multiline_cells():
    papers, skipped = read_papers_file(FIXTURES / "papers.csv")
    assert skipped == []
    papers = by_id(papers)
    assert papers["barabasi1999"].authors == ("Albert-László Barabási", "Réka Albert")
    assert papers["barabasi1999"].citation_count == 40000
    assert papers["newman2003"].references == ("watts1998", "barabasi1999", "outside-paper")
    assert "\nWe review developments" in papers["newman2003"].abstract
    assert papers["watts1998"].arxiv is None and papers["watts1998"].year == 1998


# --- broken entries -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "first_error", "kept", "wheres"),
    [
        ("bad.jsonl", "line 2: malformed JSON", 2, ["line 2", "line 3", "line 4", "line 6", "line 7"]),
        ("bad.csv", "row 2 (line 3): `year` is '19x8'", 2, ["row 2 (line 3)", "row 3 (line 4)"]),
        (
            "broken.bib",
            "entry 2 (key unclosed_2020, line 8): BibTeX syntax error",
            2,
            [
                "entry 2 (key unclosed_2020, line 8)",
                "entry 3 (key no_title_2021, line 13)",
                "entry 4 (key bad_year_2022, line 18)",
            ],
        ),
        (
            "broken.ris",
            "entry 2 (line 8): the record has no title",
            2,
            ["entry 2 (line 8)", "entry 3 (line 13)"],
        ),
    ],
)
def test_bad_entries_raise_or_are_skipped(name, first_error, kept, wheres):
    path = FIXTURES / name
    with pytest.raises(InputError) as info:
        read_papers_file(path)
    assert str(info.value).startswith(f"{path}, {first_error}")
    assert str(info.value).endswith("fix the entry or pass --skip-bad to load the good rows")
    assert info.value.path == str(path) and info.value.where == wheres[0]
    papers, skipped = read_papers_file(path, skip_bad=True)
    assert len(papers) == kept
    assert [s.where for s in skipped] == wheres and all(s.path == str(path) for s in skipped)
    result = load_papers([path], skip_bad=True)
    assert len(result.skipped) == len(wheres) and result.counts == {str(path): kept}


def test_jsonl_error_reasons():
    _, skipped = read_papers_file(FIXTURES / "bad.jsonl", skip_bad=True)
    reasons = [s.reason for s in skipped]
    assert "blank `id`" in reasons[1] and "`title`" in reasons[2]
    assert "'2019a', not a whole number" in reasons[3] and "expected a list" in reasons[4]


def test_broken_ris_record_without_end():
    _, skipped = read_papers_file(FIXTURES / "broken.ris", skip_bad=True)
    assert "no `ER  -` line" in skipped[1].reason


def test_malformed_json_document_names_the_line(tmp_path):
    path = tmp_path / "papers.json"
    path.write_text('[\n  {"id": "a", "title": "A paper title here"},\n  {"id": "b" "title": "B"}\n]\n')
    with pytest.raises(InputError, match=r"papers\.json, line 3: malformed JSON"):
        read_papers_file(path, skip_bad=True)  # one document: nothing good to keep


def test_unknown_json_shape_lists_formats(shared_data):
    path = shared_data / "zeta-alpha-iclr2022-similarity" / "Zeta-Alpha_ICLR2022.json"
    with pytest.raises(InputError, match=r"not a papers file; supported formats are .*BibTeX \(\.bib\)"):
        read_papers_file(path)


@pytest.mark.parametrize("skip_bad", [False, True])
def test_unreadable_files_always_fail(tmp_path, skip_bad):
    latin1 = tmp_path / "latin1.bib"
    latin1.write_bytes("@article{k, title = {Schütze}}\n".encode("latin-1"))
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n  \n")
    cases = {
        tmp_path / "missing.jsonl": "no such file",
        tmp_path: "is a directory",
        latin1: r"not UTF-8 text \(byte 0xfc at offset 24\)",
        empty: "the file is empty",
    }
    for path, message in cases.items():
        with pytest.raises(InputError, match=message) as info:
            load_papers([path], skip_bad=skip_bad)
        assert str(info.value).startswith(str(path))


def test_no_files_given():
    with pytest.raises(InputError, match="no papers files given"):
        load_papers([])


# --- format detection -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "count"), [("papers.jsonl", 4), ("zotero.ris", 5), ("mendeley.bib", 4), ("papers.csv", 3)]
)
def test_format_detected_from_content(tmp_path, source, count):
    path = tmp_path / "export.txt"
    path.write_bytes((FIXTURES / source).read_bytes())
    assert len(read_papers_file(path)[0]) == count


def test_jsonl_saved_as_json(tmp_path):
    path = tmp_path / "papers.json"
    path.write_bytes((FIXTURES / "papers.jsonl").read_bytes())
    assert len(read_papers_file(path)[0]) == 4


def test_unknown_format_lists_supported(tmp_path):
    path = tmp_path / "notes.dat"  # .txt and .md are read as listing text (tests/test_listing.py)
    path.write_text("Some notes about papers I should read.\nNothing structured.\n")
    with pytest.raises(InputError) as info:
        read_papers_file(path)
    message = str(info.value)
    assert message.startswith(str(path)) and "unknown file format" in message
    for fmt in (".jsonl", ".json", ".csv", ".bib", ".ris"):
        assert fmt in message


# --- citation edge files --------------------------------------------------------------------------


def test_citations_add_references_and_keep_outside_ids(tmp_path):
    edges = tmp_path / "edges.csv"
    edges.write_text("citing,cited\nwatts1998,outside-1\nnewman2003,watts1998\n\nbarabasi1999,newman2003\n")
    result = load_papers([FIXTURES / "papers.csv"], citations=[edges])
    papers = by_id(result.papers)
    assert papers["watts1998"].references == ("outside-1",)
    assert papers["newman2003"].references == ("watts1998", "barabasi1999", "outside-paper")  # no duplicate
    assert papers["barabasi1999"].references == ("watts1998", "newman2003")
    assert read_citation_edges(edges)[-1] == ("barabasi1999", "newman2003")


def test_citations_unknown_citing_id(tmp_path):
    edges = tmp_path / "edges.tsv"
    edges.write_text("citing\tcited\nwatts1998\tbarabasi1999\nnobody2020\twatts1998\n")
    with pytest.raises(InputError) as info:
        load_papers([FIXTURES / "papers.csv"], citations=[edges])
    assert str(info.value).startswith(f"{edges}, line 3: citing paper 'nobody2020' is in no papers file")
    result = load_papers([FIXTURES / "papers.csv"], citations=[edges], skip_bad=True)
    assert [(s.where, s.path) for s in result.skipped] == [("line 3", str(edges))]
    assert by_id(result.papers)["watts1998"].references == ("barabasi1999",)


def test_citation_file_needs_header_and_two_columns(tmp_path):
    no_header = tmp_path / "a.tsv"
    no_header.write_text("watts1998\tbarabasi1999\n")
    with pytest.raises(InputError, match=r"a\.tsv, line 1: .*expected the header"):
        read_citation_edges(no_header)
    three = tmp_path / "b.tsv"
    three.write_text("citing\tcited\nwatts1998\tbarabasi1999\textra\n")
    with pytest.raises(InputError, match=r"b\.tsv, line 2: expected two ids"):
        read_citation_edges(three)


# --- hostile files ---------------------------------------------------------------------------------


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\u0085"])
def test_jsonl_strings_holding_unicode_line_separators_stay_whole(tmp_path, separator):
    path = tmp_path / "papers.jsonl"
    records = [
        {"id": "a", "title": f"First{separator}line and more", "abstract": f"x{separator}y"},
        {"id": "b", "title": "Second paper"},
    ]
    # ensure_ascii=False writes the separator raw, as most exporters do.
    path.write_text("\r\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8")
    result = load_papers([path])
    assert by_id(result.papers)["a"].title == f"First{separator}line and more"
    assert len(result.papers) == 2 and result.skipped == []


def test_csv_with_an_unterminated_quote_names_the_row(tmp_path):
    path = tmp_path / "papers.csv"
    rows = [f'p{i},"Title {i}"' for i in range(1, 6)]
    rows[2] = 'p3,"Title 3 with a stray quote'
    broken_at_end = "id,title\n" + "\n".join([*rows[:2], rows[3], rows[4], rows[2]]) + "\n"
    path.write_text("id,title\n" + "\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_papers([path])
    assert caught.value.where == "row 3 (line 4)"
    assert "stray quote" in str(caught.value)
    path.write_text(broken_at_end, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_papers([path])
    assert caught.value.where == "row 5 (line 6)" and "never closed" in str(caught.value)


def test_two_papers_sharing_an_id_are_reported(tmp_path):
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_text(json.dumps({"id": "x1", "title": "Graph attention networks"}) + "\n")
    second.write_text(
        json.dumps({"id": "x1", "title": "Denoising diffusion models"})
        + "\n"
        + json.dumps({"id": "x2", "title": "Same title"})
        + "\n"
        + json.dumps({"id": "x2", "title": "Same title."})
    )
    result = load_papers([first, second])
    (warning,) = result.warnings
    assert "'x1'" in warning and "Graph attention networks" in warning and "Denoising diffusion" in warning
    assert str(first) in warning and str(second) in warning


def test_deeply_nested_json_is_a_clear_error(tmp_path):
    deep = "[" * 100_000 + "]" * 100_000
    whole, lines = tmp_path / "deep.json", tmp_path / "deep.jsonl"
    whole.write_text(deep)
    lines.write_text(json.dumps({"id": "a", "title": "Fine"}) + "\n" + deep + "\n")
    with pytest.raises(InputError, match="nested too deeply"):
        load_papers([whole])
    result = load_papers([lines], skip_bad=True)
    assert [p.id for p in result.papers] == ["a"]
    assert result.skipped[0].where == "line 2" and "nested too deeply" in result.skipped[0].reason


@pytest.mark.parametrize("year", ["100000000000000000000000000", "-5", "99999"])
def test_implausible_years_are_bad_records(tmp_path, year):
    path = tmp_path / "papers.csv"
    path.write_text(f"id,title,year\na,Fine paper,2020\nb,Odd paper,{year}\n", encoding="utf-8")
    with pytest.raises(InputError, match="not a year between"):
        load_papers([path])
    assert [p.id for p in load_papers([path], skip_bad=True).papers] == ["a"]
