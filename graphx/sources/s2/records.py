"""Semantic Scholar JSON shapes -> :class:`~graphx.paper.Paper`, and the fields graphx asks for.

Shapes handled (each one is in the recorded responses under ``shared/data/s2-api-cassettes``): a paper
object from ``/paper/{id}``, ``/paper/batch`` or search, ``null`` batch entries, nested ``references`` /
``citations`` lists whose entries may carry ``paperId: null``, and the ``{"citedPaper": ...}`` /
``{"citingPaper": ...}`` wrappers of the paged endpoints.
"""

from __future__ import annotations

from typing import Any

from graphx.paper import Paper

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
LINK_FIELDS = ("references.paperId", "citations.paperId")
PAPER_FIELDS = METADATA_FIELDS + LINK_FIELDS
# The similarity stage compares embeddings by cosine, which only means something within one model.
EMBEDDING_MODEL = "specter_v2"


def paper_from_s2(data: dict[str, Any]) -> Paper:
    """One S2 paper object as a Paper whose ``id`` is its S2 paperId.

    Reference and citation entries without a paperId (S2 could not link them) are left out; a SPECTER
    embedding of another model than v2 is left out too.

    Examples
    --------
    >>> p = paper_from_s2({"paperId": "ab" * 20, "title": "T", "externalIds": {"ArXiv": "1706.03762"},
    ...                    "references": [{"paperId": "cd" * 20}, {"paperId": None}]})
    >>> p.arxiv, p.references == ("cd" * 20,)
    ('1706.03762', True)
    """
    external = data.get("externalIds") or {}
    corpus_id = data.get("corpusId") or external.get("CorpusId")
    embedding = data.get("embedding") or {}
    vector = embedding.get("vector") if str(embedding.get("model", "")).startswith(EMBEDDING_MODEL) else None
    authors = tuple(a["name"] for a in data.get("authors") or () if a and a.get("name"))
    fields_of_study = data.get("fieldsOfStudy") or [
        f.get("category") for f in data.get("s2FieldsOfStudy") or () if f and f.get("category")
    ]
    return Paper(
        id=data["paperId"],
        title=data.get("title") or "",
        abstract=data.get("abstract") or None,
        year=data.get("year"),
        authors=authors,
        venue=data.get("venue") or None,
        doi=external.get("DOI"),
        arxiv=external.get("ArXiv"),
        s2_id=data["paperId"],
        corpus_id=int(corpus_id) if corpus_id is not None else None,
        citation_count=data.get("citationCount"),
        influential_citation_count=data.get("influentialCitationCount"),
        url=data.get("url"),
        tldr=(data.get("tldr") or {}).get("text"),
        publication_date=data.get("publicationDate"),
        fields_of_study=tuple(dict.fromkeys(fields_of_study)),
        references=linked_ids(data.get("references")),
        citations=linked_ids(data.get("citations")),
        embedding=tuple(float(x) for x in vector) if vector else None,
    )


def linked_ids(entries: Any) -> tuple[str, ...]:
    """paperIds of a nested list or a paged ``data`` list, entries without one dropped."""
    out: list[str] = []
    for entry in entries or ():
        if not entry:
            continue
        paper = entry.get("citedPaper") or entry.get("citingPaper") or entry
        if paper.get("paperId"):
            out.append(paper["paperId"])
    return tuple(dict.fromkeys(out))


def unlinked_count(entries: Any) -> int:
    """How many entries of a reference/citation list carry no paperId."""
    count = 0
    for entry in entries or ():
        paper = (entry or {}).get("citedPaper") or (entry or {}).get("citingPaper") or entry or {}
        count += not paper.get("paperId")
    return count
