"""Facts derived from ids in :class:`graphx.paper.Paper`: year and month from arXiv ids, links from ids."""

from __future__ import annotations

from graphx.paper import Paper, arxiv_year_month, paper_from_dict, paper_to_dict


def test_arxiv_ids_give_year_and_month_in_both_styles():
    assert arxiv_year_month("arXiv:1706.03762v7") == (2017, 6)
    assert arxiv_year_month("https://arxiv.org/abs/2411.12345") == (2024, 11)
    assert arxiv_year_month("hep-th/9901001") == (1999, 1)
    assert arxiv_year_month("math.GT/0309136") == (2003, 9)
    assert arxiv_year_month("not an id") is None


def test_a_given_year_is_kept_and_links_come_from_ids():
    preprint = Paper(id="x", title="T", arxiv="2106.03747v2")
    assert (preprint.year, preprint.publication_date, preprint.url) == (
        2021,
        "2021-06",
        "https://arxiv.org/abs/2106.03747",
    )
    published = Paper(id="y", title="T", arxiv="2106.03747", year=2022, doi="10.1234/ABC")
    assert published.year == 2022 and published.publication_date is None
    assert published.url == "https://arxiv.org/abs/2106.03747"
    assert Paper(id="z", title="T", doi="doi:10.1234/ABC").url == "https://doi.org/10.1234/abc"
    assert Paper(id="w", title="T", doi="10.1234/x", url="https://own.page/").url == "https://own.page/"
    assert Paper(id="v", title="T").year is None
    assert paper_from_dict(paper_to_dict(preprint)) == preprint


def test_neurips_icml_corpus_gets_years_from_its_arxiv_ids(neurips_papers, neurips_graph):
    # papers.jsonl has arXiv ids for ids and no year field at all.
    assert len(neurips_papers) == 6545
    assert all(p.year is not None for p in neurips_papers)
    by_id = {p.id: p for p in neurips_papers}
    assert (by_id["0709.0928v1"].year, by_id["0709.0928v1"].publication_date) == (2007, "2007-09")
    years = [p.year for p in neurips_papers]
    assert 2007 <= min(years) and max(years) <= 2025 and len(set(years)) > 10
    assert all("year" in attrs for _, attrs in neurips_graph.nodes(data=True))
    assert neurips_graph.nodes["0709.0928v1"]["url"] == "https://arxiv.org/abs/0709.0928"
