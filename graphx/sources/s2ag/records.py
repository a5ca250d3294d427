"""One S2AG bulk-dataset row (lowercase field names) -> :class:`~graphx.paper.Paper`: the one converter.

Both engines (the local one through :func:`graphx.sources.s2ag.read_release`, the Dask one) turn rows
into papers here. A paper's ``id`` is ``"CorpusId:<n>"`` (:func:`paper_id`): the form the Semantic
Scholar Graph API accepts as a paper id, so a map built from a release can be enriched or extended
through the API, and one that never collides with the ids of other sources (a CSV row's ``"1"``).
References and citations use the same form.

Rows of the ``papers`` dataset carry ``corpusid``, ``externalids`` (``DOI``, ``ArXiv``, ``CorpusId``...),
``title``, ``authors`` (``[{authorId, name}]``), ``venue``, ``journal``, ``year``, ``citationcount``,
``influentialcitationcount``, ``s2fieldsofstudy`` (``[{category, source}]``), ``publicationdate`` and
``url`` (``https://www.semanticscholar.org/paper/<paperId>``, which gives the S2 paper id). The
``abstracts``, ``tldrs`` and ``embeddings`` rows add their text or vector, joined by ``corpusid``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from graphx.errors import BadRecord
from graphx.paper import S2_PAPER_ID, Paper
from graphx.sources import fields

ID_PREFIX = "CorpusId:"
S2_PAPER_URL = re.compile(r"semanticscholar\.org/paper/(?:[^/]+/)?([0-9a-f]{40})\b")


def paper_id(corpusid: Any) -> str:
    """The graphx id of the paper with this corpus id (an int or its decimal string).

    Examples
    --------
    >>> paper_id(108228682), paper_id("42")
    ('CorpusId:108228682', 'CorpusId:42')
    """
    number = fields.whole_number(corpusid, "corpusid")
    if number is None:
        raise BadRecord("missing `corpusid`")
    return f"{ID_PREFIX}{number}"


def corpus_number(value: Any) -> int | None:
    """The corpus id of a citations-row end (``"85219962"``, ``85219962`` or null) as an int, else None.

    Examples
    --------
    >>> corpus_number("85219962"), corpus_number(7), corpus_number(None), corpus_number("x")
    (85219962, 7, None, None)
    """
    if type(value) is int:  # the common case first: bool is an int subclass, so `type`, not isinstance
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def paper_record(
    paper_row: Mapping[str, Any],
    abstract_row: Mapping[str, Any] | None = None,
    tldr_row: Mapping[str, Any] | None = None,
    embedding_row: Mapping[str, Any] | None = None,
    *,
    references: tuple[str, ...] = (),
    citations: tuple[str, ...] = (),
) -> Paper:
    """A ``papers`` row, with its ``abstracts``/``tldrs``/``embeddings`` rows if any, as one Paper.

    Raises
    ------
    graphx.errors.BadRecord
        No corpus id or title, or a field holds the wrong kind of value.

    Examples
    --------
    >>> row = {"corpusid": 5, "title": "T", "externalids": {"ArXiv": "1706.03762", "DOI": None},
    ...        "year": 2017, "authors": [{"authorId": "1", "name": "A. Vaswani"}],
    ...        "s2fieldsofstudy": [{"category": "Computer Science", "source": "s2-fos-model"}]}
    >>> p = paper_record(row, {"corpusid": 5, "abstract": "We propose ..."})
    >>> p.id, p.corpus_id, p.arxiv, p.authors, p.fields_of_study, p.abstract
    ('CorpusId:5', 5, '1706.03762', ('A. Vaswani',), ('Computer Science',), 'We propose ...')
    """
    if not isinstance(paper_row, Mapping):
        raise BadRecord(f"expected a JSON object, got {type(paper_row).__name__}")
    ident = paper_id(paper_row.get("corpusid"))
    title = fields.text(paper_row.get("title"))
    if not title:
        raise BadRecord(f"missing or blank `title` ({ident})")
    external = paper_row.get("externalids") or {}
    if not isinstance(external, Mapping):
        raise BadRecord(f"`externalids` is {type(external).__name__}, expected an object")
    url = fields.text(paper_row.get("url"))
    s2 = S2_PAPER_URL.search(url or "")
    return Paper(
        id=ident,
        title=title,
        year=fields.year(paper_row.get("year")),
        authors=fields.authors(paper_row.get("authors")),
        venue=fields.venue(paper_row.get("venue")) or fields.venue(paper_row.get("journal")),
        doi=fields.text(external.get("DOI")),
        arxiv=fields.text(external.get("ArXiv")),
        s2_id=s2.group(1) if s2 and S2_PAPER_ID.match(s2.group(1)) else None,
        corpus_id=int(ident.removeprefix(ID_PREFIX)),
        citation_count=fields.whole_number(paper_row.get("citationcount"), "citationcount"),
        influential_citation_count=fields.whole_number(
            paper_row.get("influentialcitationcount"), "influentialcitationcount"
        ),
        url=url,
        publication_date=fields.text(paper_row.get("publicationdate")),
        fields_of_study=fields_of_study(paper_row),
        references=references,
        citations=citations,
        **joined_fields(abstract_row, tldr_row, embedding_row),
    )


def fields_of_study(paper_row: Mapping[str, Any]) -> tuple[str, ...]:
    """The row's field-of-study categories (``s2fieldsofstudy``, else the older ``fieldsofstudy``)."""
    entries = paper_row.get("s2fieldsofstudy") or paper_row.get("fieldsofstudy") or []
    if not isinstance(entries, list):
        raise BadRecord(f"`s2fieldsofstudy` is {type(entries).__name__}, expected a list")
    names = (fields.text(e.get("category")) if isinstance(e, Mapping) else fields.text(e) for e in entries)
    return tuple(dict.fromkeys(n for n in names if n))


def joined_fields(
    abstract_row: Mapping[str, Any] | None = None,
    tldr_row: Mapping[str, Any] | None = None,
    embedding_row: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The Paper fields the joined datasets give (``abstract``, ``tldr``, ``embedding``), those present."""
    out: dict[str, Any] = {}
    if abstract_row is not None:
        out["abstract"] = fields.text(abstract_row.get("abstract"))
    if tldr_row is not None:
        out["tldr"] = fields.text(tldr_row.get("text"))
    if embedding_row is not None:
        out["embedding"] = embedding_vector(embedding_row)
    return out


def embedding_vector(embedding_row: Mapping[str, Any]) -> tuple[float, ...] | None:
    """An ``embeddings`` row's vector: a JSON string of floats in the release (a list is taken too)."""
    vector = embedding_row.get("vector")
    if isinstance(vector, str):
        try:
            vector = json.loads(vector)
        except json.JSONDecodeError as exc:
            raise BadRecord(f"`vector` is not a JSON list of numbers ({exc.msg})") from None
    return fields.vector(vector)
