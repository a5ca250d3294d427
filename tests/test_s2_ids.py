"""Paper ids in every spelling users paste, to the Graph API's forms."""

from __future__ import annotations

import pytest

from graphx.errors import ConfigError
from graphx.sources.s2.ids import split_ids, to_api_id

TURING = "2d5673caa9e6af3a7b82a43f19ee920992db07ad"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (TURING, TURING),
        (TURING.upper(), TURING),
        ("CorpusId:14636783", "CorpusId:14636783"),
        ("corpusid: 14636783", "CorpusId:14636783"),
        ("DOI:10.1093/MIND/LIX.236.433", "DOI:10.1093/mind/lix.236.433"),
        ("10.1093/mind/lix.236.433", "DOI:10.1093/mind/lix.236.433"),
        ("https://doi.org/10.1145/3544585.3544600", "DOI:10.1145/3544585.3544600"),
        ("doi.org/10.1145/3544585.3544600", "DOI:10.1145/3544585.3544600"),
        ("ARXIV:1706.03762", "ARXIV:1706.03762"),
        ("arXiv:1706.03762v7", "ARXIV:1706.03762"),
        ("1706.03762", "ARXIV:1706.03762"),
        ("1706.03762v2", "ARXIV:1706.03762"),
        ("hep-th/9901001", "ARXIV:hep-th/9901001"),
        ("https://arxiv.org/abs/1706.03762v7", "ARXIV:1706.03762"),
        ("https://arxiv.org/pdf/1706.03762v5.pdf", "ARXIV:1706.03762"),
        ("http://www.arxiv.org/abs/2203.11171", "ARXIV:2203.11171"),
        (
            f"https://www.semanticscholar.org/paper/Computing-Machinery-and-Intelligence-Turing/{TURING}",
            TURING,
        ),
        (f"https://www.semanticscholar.org/paper/{TURING}", TURING),
        ("https://www.semanticscholar.org/arxiv/1706.03762", "ARXIV:1706.03762"),
        ("https://aclanthology.org/N19-1423/", "URL:https://aclanthology.org/N19-1423/"),
        ("PMID:19872477", "PMID:19872477"),
    ],
)
def test_to_api_id(given, expected):
    assert to_api_id(given) == expected


@pytest.mark.parametrize("bad", ["", "   ", "attention is all you need", "12345", "DOI:nonsense"])
def test_unreadable_ids_name_the_id(bad):
    with pytest.raises(ConfigError) as caught:
        to_api_id(bad)
    assert "id" in str(caught.value)


def test_split_ids_accepts_commas_and_spaces_and_drops_repeats():
    assert split_ids(["a,b", "c  d,", "a"]) == ["a", "b", "c", "d"]
