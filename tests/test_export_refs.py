"""export_refs: BibTeX, RIS and plain-list exports, read back by graphx's own loaders on real data."""

from __future__ import annotations

import re

import bibtexparser
import networkx as nx
import pytest
from click.testing import CliRunner

from graphx.build.citations import paper_nodes
from graphx.cli import cli
from graphx.errors import ConfigError
from graphx.export import select_subgraph
from graphx.export.references import bibtex_escape, citation_keys, write_bibtex, write_ris, write_txt
from graphx.paper import Paper
from graphx.sources.files import load_papers
from graphx.store import graphs as graphstore

# The one NeurIPS/ICML abstract whose math uses the author's own macros (\G, \H): pylatexenc, reading
# the export back, drops macros it does not know even inside $...$; the file holds them as written.
OWN_MACROS = "2105.09989"


def fields(p: Paper) -> tuple:
    def ws(text):
        return " ".join(text.split()) if text else text

    return ws(p.title), tuple(ws(a) for a in p.authors), p.year, p.doi, p.arxiv, ws(p.abstract)


def graph_of(papers) -> nx.MultiDiGraph:
    G = nx.MultiDiGraph()
    G.add_nodes_from(paper_nodes(papers))
    return G


# Reading BibTeX back costs ~20 ms an entry (bibtexparser + LaTeX decoding): round trips use the records
# that carry the most to get wrong, not all of them.
ROUND_TRIP_PAPERS = 250


@pytest.fixture(scope="module")
def s2orc(shared_data):
    """1,000 S2ORC records: authors (Korean, accented, initials), years, DOIs, arXiv ids, abstracts."""
    return load_papers([shared_data / "s2orc-2020-sample" / "metadata_sample.jsonl"]).papers


def richest(papers, n=ROUND_TRIP_PAPERS):
    """The ``n`` papers with the most fields and non-ASCII or TeX-special characters, in file order."""

    def score(p):
        text = f"{p.title} {p.abstract or ''} {' '.join(p.authors)}"
        specials = sum(c in "$%&#_{}~^\\" or ord(c) > 127 for c in text)
        return (bool(p.arxiv) + bool(p.doi) + bool(p.abstract) + bool(p.authors), specials)

    chosen = set(sorted(range(len(papers)), key=lambda i: score(papers[i]), reverse=True)[:n])
    return [p for i, p in enumerate(papers) if i in chosen]


@pytest.mark.parametrize("writer, suffix", [(write_bibtex, ".bib"), (write_ris, ".ris")])
def test_s2orc_export_reads_back_as_the_same_papers(s2orc, tmp_path, writer, suffix):
    papers = richest(s2orc)
    path = tmp_path / f"s2orc{suffix}"
    writer(graph_of(papers), path)
    back = load_papers([path]).papers
    assert [fields(p) for p in back] == [fields(p) for p in papers]
    assert sum(bool(p.doi) for p in back) > 100 and sum(bool(p.arxiv) for p in back) > 10
    assert sum(bool(p.abstract) for p in back) > 200
    assert sum(any(ord(c) > 127 for a in p.authors for c in a) for p in back) > 5


@pytest.mark.parametrize("writer, suffix", [(write_bibtex, ".bib"), (write_ris, ".ris")])
def test_neurips_abstracts_with_latex_and_specials_read_back(neurips_papers, tmp_path, writer, suffix):
    papers = richest(neurips_papers) + [p for p in neurips_papers if p.id.startswith(OWN_MACROS)]
    path = tmp_path / f"neurips{suffix}"
    writer(graph_of(papers), path)
    back = load_papers([path]).papers
    assert len(back) == len(papers)
    differ = [a.id for a, b in zip(papers, back, strict=True) if fields(a) != fields(b)]
    assert differ == ([f"{OWN_MACROS}v1"] if suffix == ".bib" else [])
    assert sum("$" in (p.abstract or "") for p in back) > 200


def test_bibtex_escapes_specials_and_keeps_math():
    assert bibtex_escape("50% of R&D_x #1 {a} ~ ^ \\cmd") == (
        r"50\% of R\&D\_x \#1 \{a\} \textasciitilde{} \textasciicircum{} \textbackslash{}cmd"
    )
    assert bibtex_escape("cost $O(n^2)$ -- ``quoted'' ?`") == "cost $O(n^2)$ -{}- `{}`quoted'{}' ?{}`"
    assert bibtex_escape("one $ sign") == r"one \$ sign"  # an unpaired $ is a dollar, not math
    title = "Q&A: 100% {Braces} $\\alpha_1$ -- x_y ~ 2^k \\ end"
    G = graph_of([Paper(id="x", title=title, authors=("Émile Borel",), year=1909)])
    text = bibtexparser.parse_string(_bib(G)).entries[0]
    assert text.key == "borel1909qa"
    back = _read_bib(G)
    assert back.title == title and back.authors == ("Émile Borel",)


def _bib(G) -> str:
    from graphx.export.references import bibtex_text

    return bibtex_text(G)


def _read_bib(G) -> Paper:
    from graphx.sources.bibliography import read_bibtex
    from graphx.sources.records import Collector

    col = Collector("x.bib", False)
    read_bibtex(_bib(G), col)
    return col.papers[0]


def test_citation_keys_are_unique_on_real_data(neurips_papers, s2orc):
    for papers in (neurips_papers, s2orc):
        records = [{"title": p.title, "year": p.year, "authors": list(p.authors)} for p in papers]
        keys = citation_keys(records)
        assert len(set(keys)) == len(keys)
        assert all(re.fullmatch(r"[a-z0-9]+", k) for k in keys)
    parsed = bibtexparser.parse_string(_bib(graph_of(s2orc)))
    assert len(parsed.entries) == 1000 and not parsed.failed_blocks


def test_plain_list_one_line_a_paper(s2orc, tmp_path):
    path = tmp_path / "list.txt"
    write_txt(graph_of(s2orc[:50]), path)
    lines = path.read_text().splitlines()
    assert len(lines) == 50
    first = s2orc[0]
    assert lines[0].startswith(f"{', '.join(first.authors)} ({first.year}). {first.title}.")


def test_cli_exports_an_area_or_ids_and_reads_back(neurips_part_cache, tmp_path):
    G = graphstore.load_graph(neurips_part_cache, "part")
    area0 = sorted(n for n, c in G.nodes(data="community") if c == 0)
    run = CliRunner().invoke
    out = tmp_path / "area0.bib"
    args = ["export", "part", "--format", "bibtex", "--area", "0", "-o", str(out)]
    result = run(cli, [*args, "--cache-dir", str(neurips_part_cache)])
    assert result.exit_code == 0, result.output
    titles = sorted(" ".join(G.nodes[n]["title"].split()) for n in area0)
    assert sorted(p.title for p in load_papers([out]).papers) == titles
    ids = ",".join(area0[:3])
    out = tmp_path / "three.ris"
    args = [
        "export",
        "part",
        "-f",
        "ris",
        "--ids",
        ids,
        "-o",
        str(out),
        "--cache-dir",
        str(neurips_part_cache),
    ]
    assert run(cli, args).exit_code == 0
    assert sorted(p.title for p in load_papers([out]).papers) == sorted(
        " ".join(G.nodes[n]["title"].split()) for n in area0[:3]
    )
    bad = run(cli, ["export", "part", "-f", "txt", "--ids", "nope", "--cache-dir", str(neurips_part_cache)])
    assert bad.exit_code == 1 and "not papers of this map" in bad.output


def test_select_subgraph_errors_say_what_to_do(fixture_graph):
    assert sorted(select_subgraph(fixture_graph, ids=["p2", "p1"])) == ["p1", "p2"]
    assert select_subgraph(fixture_graph, area=1).number_of_nodes() == 12
    with pytest.raises(ConfigError, match="No research area 7"):
        select_subgraph(fixture_graph, area=7)
    with pytest.raises(ConfigError, match="not papers of this map"):
        select_subgraph(fixture_graph, ids=["p1", "nope"])
