"""Reading text pasted from listing pages: the two real pages exactly, hand-made pages of other styles,
and the messes a browser copy makes (line endings, odd spaces, bullets, glued buttons, no blank lines)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from graphx.cli import cli
from graphx.errors import InputError
from graphx.sources.files import load_papers
from graphx.sources.listing import read_listing

FIXTURES = Path(__file__).parent / "fixtures" / "listings"
FIXTURE_FILES = sorted(p for p in FIXTURES.iterdir() if p.suffix in (".txt", ".md"))


def collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def gold_of(path: Path) -> list[dict]:
    return json.loads(path.with_name(path.stem + ".gold.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def pasted(shared_data) -> Path:
    return shared_data / "pasted-listings"


@pytest.fixture(scope="module")
def abstracts(shared_data) -> dict[str, str]:
    rows = (shared_data / "cs768-neurips-icml-citations" / "papers.jsonl").read_text(encoding="utf-8")
    return {r["id"]: collapse(r["abstract"]) for r in map(json.loads, rows.splitlines())}


@pytest.mark.parametrize("name", ["trending-page", "arxiv-listing"])
def test_shared_pasted_pages_are_read_exactly_with_their_abstracts(pasted, abstracts, name):
    path = pasted / f"{name}.txt"
    gold = gold_of(path)
    listing = read_listing(path.read_text(encoding="utf-8"), source=str(path))
    assert [collapse(p.title) for p in listing.papers] == [g["title"] for g in gold]
    exact = sum(
        collapse(p.abstract or "") == abstracts[g["id"]] for p, g in zip(listing.papers, gold, strict=True)
    )
    assert listing.with_abstracts == len(gold) and exact >= len(gold) - 1  # one "--" line is lost
    if name == "arxiv-listing":
        assert [p.arxiv for p in listing.papers] == [g["id"].split("v")[0] for g in gold]
        assert all(p.year and p.url.startswith("https://arxiv.org/abs/") for p in listing.papers)
        assert listing.skipped_lines == 0
    else:
        assert listing.skipped_lines == 2  # the two "Get trending papers" header lines


def test_subscribe_button_glued_to_the_first_title_is_split_off(pasted):
    listing = read_listing((pasted / "trending-page.txt").read_text(encoding="utf-8"))
    assert listing.papers[0].title == "POMDPs in Continuous Time and Discrete Spaces"
    assert not any("inbox" in p.title.lower() for p in listing.papers)


def test_years_inside_abstracts_are_not_the_papers_years(pasted):
    # The trending page shows no dates; its abstracts mention 1960, 1997, 2012... ("since 1960").
    listing = read_listing((pasted / "trending-page.txt").read_text(encoding="utf-8"))
    assert any(re.search(r"\b(19|20)\d\d\b", p.abstract or "") for p in listing.papers)
    assert [p.year for p in listing.papers] == [None] * 200


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.name)
def test_hand_made_listing_pages_of_other_styles(path):
    gold = gold_of(path)
    listing = read_listing(path.read_text(encoding="utf-8"))
    assert [p.title for p in listing.papers] == [g["title"] for g in gold]
    for paper, expected in zip(listing.papers, gold, strict=True):
        assert bool(paper.abstract) == expected["abstract"], paper.title
        for key in ("year", "arxiv", "doi"):
            assert getattr(paper, key) == expected.get(key), (paper.title, key)
        assert len(paper.authors) == expected.get("authors", 0), paper.title


def test_each_style_is_named_and_page_furniture_is_counted():
    read = {p.name: read_listing(p.read_text(encoding="utf-8")) for p in FIXTURE_FILES}
    assert "authors" in read["openreview.txt"].style and read["openreview.txt"].skipped_lines > 30
    assert "abstracts" in read["google-scholar.txt"].style
    assert "numbered" in read["numbered-list.txt"].style
    assert "plain" in read["plain-titles.txt"].style and read["plain-titles.txt"].skipped_lines == 0
    assert read["reading-list.md"].note.startswith("7 papers read (0 with abstracts), 6 lines skipped")


def test_messy_copies_read_like_clean_ones(pasted):
    clean = (pasted / "arxiv-listing.txt").read_text(encoding="utf-8")
    expected = [p.title for p in read_listing(clean).papers]
    crlf_nbsp = clean.replace("\n", "\r\n").replace("Title: ", "Title:\u00a0").replace(" of ", " of\u00a0")
    assert [p.title for p in read_listing(crlf_nbsp).papers] == [t.replace(" of ", " of ") for t in expected]
    no_blank_lines = "\n".join(line for line in clean.splitlines() if line.strip())
    assert [p.title for p in read_listing(no_blank_lines).papers] == expected

    trending = (pasted / "trending-page.txt").read_text(encoding="utf-8")
    bulleted = "\n".join(f"• {line}" if i % 2 == 0 else line for i, line in enumerate(trending.splitlines()))
    assert len(read_listing(bulleted).papers) == 200


def test_buttons_glued_to_titles_and_bullets_are_removed():
    text = (
        "Trending\r\n"
        "\u2022 UpvoteDeep Residual Learning for Image Recognition\r\n"
        "We present a residual learning framework to ease the training of networks that are much deeper.\r\n"
        "\u200b123\r\n"
        "- SubscribeAttention\u00a0Is All You NeedPDF\r\n"
        "The dominant sequence transduction models are based on complex recurrent or convolutional "
        "networks.\r\n"
    )
    listing = read_listing(text)
    assert [p.title for p in listing.papers] == [
        "Deep Residual Learning for Image Recognition",
        "Attention Is All You Need",
    ]
    assert listing.with_abstracts == 2 and listing.skipped_lines == 2


def test_build_reads_listing_text_and_dry_run_prints_the_papers(tmp_path):
    path = FIXTURES / "numbered-list.txt"
    result = CliRunner().invoke(cli, ["build", "-i", str(path), "--dry-run", "--cache-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert f"{path}: 7 papers read (0 with abstracts), 2 lines skipped" in result.output
    assert "2017  Attention Is All You Need  [arXiv 1706.03762; no abstract]" in result.output
    assert not (tmp_path / "graphs").exists() and list(tmp_path.iterdir()) == []


def test_loader_reports_what_each_listing_held(pasted):
    path = pasted / "trending-page.txt"
    result = load_papers([path])
    assert len(result.papers) == 200 and result.skipped == []
    assert result.listings[str(path)].note.startswith("200 papers read (200 with abstracts), 2 lines skipped")


def test_text_without_titles_is_refused_with_what_to_paste(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("Some notes about papers I should read.\nNothing here is structured at all.\n")
    with pytest.raises(InputError, match="no paper titles found in this text; paste one title a line"):
        load_papers([path])
