"""``--titles``: plain title lists and pasted listing pages, resolved through S2's title match."""

from __future__ import annotations

import json

import pytest
from s2server import CS768_DIR, cs768_paper_id, strip_version

from graphx.sources.s2 import collect
from graphx.sources.s2.client import S2Client
from graphx.sources.s2.titles import parse_titles

FAKE_TITLE = "Quantum Origami Networks for Folding Unfoldable Proteins"
FAKE_ABSTRACT = (
    "We introduce quantum origami networks, a family of models that fold proteins which no classical\n"
    "method can fold. Our networks exploit paper-folding symmetries in Hilbert space and reach a new state\n"
    "of the art on every benchmark that we invented for this purpose, while using fewer parameters than\n"
    "any model ever trained. We discuss why this abstract exists only to test a parser."
)


def corpus_rows(n: int) -> list[dict]:
    rows = []
    with open(CS768_DIR / "papers.jsonl", encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            if len(row["abstract"].split()) > 60:
                rows.append(row)
            if len(rows) == n:
                break
    return rows


def listing_page(rows: list[dict]) -> str:
    parts = ["NeurIPS Proceedings", "Search", "", "Accepted papers", ""]
    for i, row in enumerate(rows):
        parts += [
            row["title"],
            "Ada Lovelace, Alan Turing, Grace Hopper",
            "Abstract",
            row["abstract"],
            "PDF | BibTeX | Supplemental",
            "",
        ]
        if i == 1:
            parts += [FAKE_TITLE, "Jane Doe and John Roe", FAKE_ABSTRACT, "PDF | Reviews", ""]
    parts += ["Back to top", "© 2024 The Conference. All rights reserved."]
    return "\n".join(parts)


@pytest.mark.usefixtures("shared_data")  # the corpus rows come from ../shared/data
def test_listing_page_text_yields_titles_with_their_abstracts():
    rows = corpus_rows(3)
    entries = parse_titles(listing_page(rows))
    assert [e.title for e in entries] == [rows[0]["title"], rows[1]["title"], FAKE_TITLE, rows[2]["title"]]
    assert entries[2].abstract.startswith("We introduce quantum origami")
    assert entries[0].abstract.split() == rows[0]["abstract"].split()


def test_plain_list_one_title_a_line():
    text = "# my reading list\n1. Attention Is All You Need\n- Deep Residual Learning\n\nPDF\n"
    assert [e.title for e in parse_titles(text)] == ["Attention Is All You Need", "Deep Residual Learning"]


def test_titles_resolve_through_title_match_and_unresolved_ones_are_kept(store, s2_server, tmp_path):
    rows = corpus_rows(3)
    path = tmp_path / "listing.txt"
    path.write_text(listing_page(rows), encoding="utf-8")
    with S2Client(s2_server.url, requests_per_s=0) as client:
        result = collect(store, client, titles_file=path)

    expected = [cs768_paper_id(strip_version(r["id"])) for r in rows]
    assert [p.id for p in result.papers[:3]] == expected
    kept = result.papers[3]
    assert kept.title == FAKE_TITLE and kept.id.startswith("title:") and kept.abstract and not kept.s2_id
    assert any(FAKE_TITLE in n and "1 kept as papers without ids" in n for n in result.notes)
    assert s2_server.count("/paper/search/match") == 4
    assert s2_server.count("/paper/batch") == 1
    matches = [r.params["query"] for r in s2_server.log if r.path.endswith("/match")]
    assert matches[0] == rows[0]["title"]

    s2_server.log.clear()
    with S2Client(s2_server.url, requests_per_s=0) as client:
        again = collect(store, client, titles_file=path, offline=True)
    assert [p.id for p in again.papers] == [p.id for p in result.papers] and s2_server.log == []


def test_plain_titles_offline_without_cache_build_from_the_text(store, s2_server, tmp_path):
    path = tmp_path / "titles.txt"
    path.write_text("Computing Machinery and Intelligence\n", encoding="utf-8")
    with S2Client(s2_server.url, requests_per_s=0) as client:
        offline = collect(store, client, titles_file=path, offline=True)
    assert [(p.title, p.s2_id) for p in offline.papers] == [("Computing Machinery and Intelligence", None)]
    assert any("1 title(s) were never looked up" in n for n in offline.notes)
    assert s2_server.log == [] and offline.unreachable is None
    with S2Client(s2_server.url, requests_per_s=0) as client:
        result = collect(store, client, titles_file=path)
    assert [p.s2_id for p in result.papers] == ["2d5673caa9e6af3a7b82a43f19ee920992db07ad"]
