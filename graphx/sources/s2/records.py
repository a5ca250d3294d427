"""Semantic Scholar JSON shapes -> :class:`~graphx.paper.Paper`, and the fields graphx asks for.

Shapes handled (each one is in the recorded responses under ``shared/data/s2-api-cassettes``): a paper
object from ``/paper/{id}``, ``/paper/batch`` or search, ``null`` batch entries, nested ``references`` /
``citations`` lists whose entries may carry ``paperId: null``, and the ``{"citedPaper": ...}`` /
``{"citingPaper": ...}`` wrappers of the paged endpoints.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphx.errors import BadRecord, Placeholder
from graphx.paper import Paper
from graphx.sources import fields

# Always explicit: the package's default for get_paper pulls every citation and reference with all their
# fields (megabytes a paper), and a string would be split into letters by its ','.join(fields).
METADATA_FIELDS = (
    "paperId",
    "externalIds",
    "corpusId",
    "url",
    "title",
    "abstract",
    "venue",
    "year",
    "referenceCount",
    "citationCount",
    "influentialCitationCount",
    "fieldsOfStudy",
    "publicationDate",
    "authors",
    "tldr",
    "embedding.specter_v2",
)
# Titles and years of linked papers name the papers outside a map ("papers you are missing").
LINK_FIELDS = (
    "references.paperId",
    "references.title",
    "references.year",
    "citations.paperId",
    "citations.title",
    "citations.year",
)
PAPER_FIELDS = METADATA_FIELDS + LINK_FIELDS
# The similarity stage compares embeddings by cosine, which only means something within one model.
EMBEDDING_MODEL = "specter_v2"


def paper_from_s2(data: Mapping[str, Any], *, embedding_model: str | None = EMBEDDING_MODEL) -> Paper:
    """One Semantic Scholar Graph API paper object (any subset of its fields) as a Paper whose ``id`` is
    its S2 paperId: the one converter for API answers and for S2 JSON in papers files.

    Reference and citation entries without a paperId (S2 could not link them) are left out; an
    embedding of another model than ``embedding_model`` is left out too (None keeps any: a papers file
    is one export, whose vectors compare among themselves; API answers mix whatever S2 has).

    Raises
    ------
    graphx.errors.Placeholder
        The object has no paperId: S2's marker for a reference it could not match to a paper.
    graphx.errors.BadRecord
        It has no title, or a field holds the wrong kind of value.

    Examples
    --------
    >>> p = paper_from_s2({"paperId": "ab" * 20, "title": "T", "externalIds": {"ArXiv": "1706.03762"},
    ...                    "references": [{"paperId": "cd" * 20}, {"paperId": None}]})
    >>> p.arxiv, p.references == ("cd" * 20,)
    ('1706.03762', True)
    """
    paper_id = fields.text(data.get("paperId"))
    if not paper_id:
        # S2 lists bibliography strings it could not match to a paper this way; no id can point at them.
        raise Placeholder(
            "Semantic Scholar could not match this reference to a paper (null paperId): "
            f"{data.get('title')!r:.80}"
        )
    title = fields.text(data.get("title"))
    if not title:
        raise BadRecord(
            f"Semantic Scholar paper {paper_id} has no title; request it with fields=title,abstract,..."
        )
    external = data.get("externalIds") or {}
    corpus_id = data.get("corpusId", external.get("CorpusId"))
    fields_of_study = data.get("fieldsOfStudy") or [
        f.get("category") for f in data.get("s2FieldsOfStudy") or [] if isinstance(f, Mapping)
    ]
    tldr = data.get("tldr")
    return Paper(
        id=paper_id,
        title=title,
        abstract=fields.text(data.get("abstract")),
        year=fields.whole_number(data.get("year"), "year"),
        authors=fields.authors(data.get("authors")),
        venue=fields.venue(data.get("venue"))
        or fields.venue(data.get("journal"))
        or fields.venue(data.get("publicationVenue")),
        doi=fields.text(external.get("DOI")),
        arxiv=fields.text(external.get("ArXiv")),
        s2_id=paper_id,
        corpus_id=fields.whole_number(corpus_id, "corpusId"),
        citation_count=fields.whole_number(data.get("citationCount"), "citationCount"),
        influential_citation_count=fields.whole_number(
            data.get("influentialCitationCount"), "influentialCitationCount"
        ),
        url=fields.text(data.get("url")),
        tldr=fields.text(tldr.get("text")) if isinstance(tldr, Mapping) else fields.text(tldr),
        publication_date=fields.text(data.get("publicationDate")),
        fields_of_study=tuple(dict.fromkeys(f for f in fields_of_study if f)),
        references=_link_list(data.get("references"), "references"),
        citations=_link_list(data.get("citations"), "citations"),
        embedding=_embedding_vector(data.get("embedding"), embedding_model),
    )


def _link_list(value: Any, name: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise BadRecord(f"`{name}` is {type(value).__name__}, expected a list of paper objects")
    return linked_ids(value)


def _embedding_vector(embedding: Any, model: str | None) -> tuple[float, ...] | None:
    """The embedding's vector; None for none or another model than ``model`` (cosine compares within one)."""
    if not isinstance(embedding, Mapping):
        return None
    if model is not None and not str(embedding.get("model", "")).startswith(model):
        return None
    return fields.vector(embedding.get("vector"))


def linked_ids(entries: Any) -> tuple[str, ...]:
    """paperIds of a nested list or a paged ``data`` list, entries without one dropped."""
    out: list[str] = []
    for entry in entries or ():
        if not isinstance(entry, Mapping):
            continue
        paper = entry.get("citedPaper") or entry.get("citingPaper") or entry
        if paper.get("paperId"):
            out.append(paper["paperId"])
    return tuple(dict.fromkeys(out))


def linked_names(entries: Any) -> list[tuple[str, str, int | None]]:
    """``(paperId, title, year)`` of the entries of a nested or paged list that carry an id and a title.

    Examples
    --------
    >>> linked_names([{"paperId": "ab", "title": "T", "year": 2017}, {"paperId": None, "title": "U"}])
    [('ab', 'T', 2017)]
    """
    out: list[tuple[str, str, int | None]] = []
    for entry in entries or ():
        if not entry:
            continue
        paper = entry.get("citedPaper") or entry.get("citingPaper") or entry
        if paper.get("paperId") and paper.get("title"):
            out.append((paper["paperId"], paper["title"], paper.get("year")))
    return out


def unlinked_count(entries: Any) -> int:
    """How many entries of a reference/citation list carry no paperId."""
    count = 0
    for entry in entries or ():
        paper = (entry or {}).get("citedPaper") or (entry or {}).get("citingPaper") or entry or {}
        count += not paper.get("paperId")
    return count
