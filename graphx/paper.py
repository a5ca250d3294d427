"""One typed record per paper, the ids it carries, and how duplicates merge.

Every source turns its input into :class:`Paper` records; every later stage reads only these.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields, replace

ARXIV_NEW = re.compile(r"^(\d{4}\.\d{4,5})(v\d+)?$")
ARXIV_OLD = re.compile(r"^([a-z\-]+(?:\.[A-Z]{2})?/\d{7})(v\d+)?$", re.IGNORECASE)
# An arXiv id in running text, old style (hep-th/9901001, math.AG/0601001) or new (2106.01345).
ARXIV_ID_BODY = r"[a-z\-]+(?:\.[A-Z]{2})?/\d{7}|\d{4}\.\d{4,5}"
ARXIV_IN_TEXT = re.compile(rf"(?:arxiv\.org/(?:abs|pdf)/|arxiv:\s*)({ARXIV_ID_BODY})(?:v\d+)?", re.IGNORECASE)
DOI_IN_TEXT = re.compile(r"(10\.\d{4,9}/\S+)", re.IGNORECASE)
S2_PAPER_ID = re.compile(r"^[0-9a-f]{40}$")
ARXIV_URL = "https://arxiv.org/abs/"
DOI_URL = "https://doi.org/"
# Old-style arXiv ids (hep-th/9901001) began in 1991; their two-digit years below this are 20YY.
ARXIV_OLD_FIRST_YEAR = 91


def arxiv_year_month(arxiv: str | None) -> tuple[int, int] | None:
    """(year, month) an arXiv id was submitted in: ``2106.03747`` -> 2021/06, ``hep-th/9901001`` -> 1999/01.

    Examples
    --------
    >>> arxiv_year_month("2106.03747"), arxiv_year_month("hep-th/9901001"), arxiv_year_month("math/0211159")
    ((2021, 6), (1999, 1), (2002, 11))
    """
    bare = normalize_arxiv(arxiv)
    if not bare:
        return None
    digits = bare.split("/")[-1]
    yy, mm = int(digits[:2]), int(digits[2:4])
    if not 1 <= mm <= 12:
        return None
    if "/" in bare:
        return (1900 + yy if yy >= ARXIV_OLD_FIRST_YEAR else 2000 + yy), mm
    return 2000 + yy, mm


def normalize_doi(value: str | None) -> str | None:
    """Lower-cased bare DOI (``10.x/y``) from a DOI, ``doi:`` prefix or doi.org URL; None if none."""
    if not value:
        return None
    match = DOI_IN_TEXT.search(str(value).strip())
    if not match:
        return None
    return match.group(1).rstrip(".,;)").lower()


def normalize_arxiv(value: str | None) -> str | None:
    """Bare arXiv id without version (``1706.03762``) from an id, ``arXiv:`` prefix or arxiv.org URL."""
    if not value:
        return None
    text = str(value).strip()
    match = ARXIV_IN_TEXT.search(text)
    if match:
        return match.group(1).lower()
    text = text.removeprefix("arXiv:").removeprefix("ARXIV:").strip()
    for pattern in (ARXIV_NEW, ARXIV_OLD):
        m = pattern.match(text)
        if m:
            return m.group(1).lower()
    return None


def normalize_title(title: str | None) -> str:
    """Title reduced for duplicate matching: accents, case, punctuation and spacing removed."""
    if not title:
        return ""
    if title.isascii():  # nothing to decompose (most titles): 1.2 of the 1.7 s merging 100k papers took
        text = title.lower()
    else:
        text = unicodedata.normalize("NFKD", title)
        text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"[^0-9a-z]+", " ", text).strip()


@dataclass(frozen=True)
class Paper:
    """A research paper with every id it is known by.

    ``references`` lists ids of the papers it cites (in the set or not); ``citations`` lists ids of
    papers known to cite it (from a source that reports citers). Both are kept even when the other end
    is outside the set: co-citation and bibliographic coupling count them.
    """

    id: str
    title: str
    abstract: str | None = None
    year: int | None = None
    authors: tuple[str, ...] = ()
    venue: str | None = None
    doi: str | None = None
    arxiv: str | None = None
    s2_id: str | None = None
    corpus_id: int | None = None
    citation_count: int | None = None
    influential_citation_count: int | None = None
    url: str | None = None
    tldr: str | None = None
    publication_date: str | None = None
    fields_of_study: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    citations: tuple[str, ...] = ()
    embedding: tuple[float, ...] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        # Normalise ids once here so that matching never depends on how a source spelled them.
        object.__setattr__(self, "doi", normalize_doi(self.doi))
        object.__setattr__(self, "arxiv", normalize_arxiv(self.arxiv))
        if self.arxiv is None and (ARXIV_NEW.match(self.id) or ARXIV_OLD.match(self.id)):
            # Corpora keyed by arXiv id (the NeurIPS/ICML set) carry it only as the record's id.
            object.__setattr__(self, "arxiv", normalize_arxiv(self.id))
        # Facts the ids give, filled once here so that every source has them: a year (and month) from
        # the arXiv id, and a link to the paper.
        when = arxiv_year_month(self.arxiv) if self.year is None else None
        if when:
            object.__setattr__(self, "year", when[0])
            if not self.publication_date:
                object.__setattr__(self, "publication_date", f"{when[0]}-{when[1]:02d}")
        if not self.url and (self.arxiv or self.doi):
            link = ARXIV_URL + self.arxiv if self.arxiv else DOI_URL + str(self.doi)
            object.__setattr__(self, "url", link)

    def match_keys(self) -> list[str]:
        """Keys under which two records are the same paper (any shared key merges them)."""
        keys = [f"id:{self.id}"]
        if self.s2_id:
            keys.append(f"s2:{self.s2_id}")
        if self.corpus_id is not None:
            keys.append(f"corpus:{self.corpus_id}")
        if self.doi:
            keys.append(f"doi:{self.doi}")
        if self.arxiv:
            keys.append(f"arxiv:{self.arxiv}")
        title = normalize_title(self.title)
        if len(title) >= MIN_TITLE_KEY_CHARS:
            keys.append(f"title:{title}")
        return keys

    def aliases(self) -> list[str]:
        """Every string another record may use to refer to this paper in its reference list."""
        out = [self.id]
        if self.s2_id:
            out.append(self.s2_id)
        if self.corpus_id is not None:
            out += [str(self.corpus_id), f"CorpusId:{self.corpus_id}"]
        if self.doi:
            out += [self.doi, f"DOI:{self.doi}"]
        if self.arxiv:
            out += [self.arxiv, f"ARXIV:{self.arxiv}", f"arXiv:{self.arxiv}"]
        return out

    def merge(self, other: Paper) -> Paper:
        """This record completed by ``other``: empty fields filled, lists united, ids kept from self."""
        updates: dict[str, object] = {}
        for f in fields(self):
            mine, theirs = getattr(self, f.name), getattr(other, f.name)
            if f.name in ("references", "citations", "authors", "fields_of_study"):
                if not mine:
                    updates[f.name] = theirs
                elif theirs and f.name in ("references", "citations"):
                    updates[f.name] = tuple(dict.fromkeys((*mine, *theirs)))
            elif f.name == "abstract":
                if theirs and len(theirs) > len(mine or ""):
                    updates[f.name] = theirs
            elif f.name == "citation_count":
                if theirs is not None and (mine is None or theirs > mine):
                    updates[f.name] = theirs
            elif mine in (None, "") and theirs not in (None, ""):
                updates[f.name] = theirs
        return replace(self, **updates) if updates else self


# Short titles ("Introduction", "Discussion") would merge unrelated papers.
MIN_TITLE_KEY_CHARS = 12


def merge_duplicates(papers: Iterable[Paper]) -> list[Paper]:
    """Merge records that share an S2 id, CorpusId, DOI, arXiv id or normalised title.

    The first record of each group keeps its ``id``; reference and citation lists of every paper are
    rewritten so that ids of merged records point at the surviving one, self-citations dropped.

    Examples
    --------
    >>> a = Paper(id="a", title="Attention Is All You Need", arxiv="1706.03762v7")
    >>> b = Paper(id="b", title="Attention is all you need.", abstract="The dominant ...", references=("a",))
    >>> [(p.id, p.abstract) for p in merge_duplicates([a, b])]
    [('a', 'The dominant ...')]
    """
    papers = list(papers)
    parent = list(range(len(papers)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    for i, paper in enumerate(papers):
        for key in paper.match_keys():
            j = owner.setdefault(key, i)
            if j != i:
                ri, rj = find(i), find(j)
                if ri != rj:
                    parent[max(ri, rj)] = min(ri, rj)

    groups: dict[int, Paper] = {}
    for i, paper in enumerate(papers):
        root = find(i)
        groups[root] = groups[root].merge(paper) if root in groups else paper

    alias_to_id: dict[str, str] = {}
    for i, paper in enumerate(papers):
        canonical = groups[find(i)].id
        for alias in paper.aliases():
            alias_to_id.setdefault(alias, canonical)
    return [_relink(p, alias_to_id) for p in groups.values()]


def _relink(paper: Paper, alias_to_id: dict[str, str]) -> Paper:
    def mapped(ids: Sequence[str]) -> tuple[str, ...]:
        out = (alias_to_id.get(r, r) for r in ids)
        return tuple(dict.fromkeys(r for r in out if r != paper.id))

    refs, cites = mapped(paper.references), mapped(paper.citations)
    if refs == paper.references and cites == paper.citations:
        return paper
    return replace(paper, references=refs, citations=cites)


def paper_to_dict(paper: Paper) -> dict:
    """Plain JSON-able dict of a paper (tuples as lists, empty fields dropped)."""
    out: dict = {}
    for f in fields(paper):
        value = getattr(paper, f.name)
        if value in (None, (), ""):
            continue
        out[f.name] = list(value) if isinstance(value, tuple) else value
    return out


def paper_from_dict(data: dict) -> Paper:
    """Inverse of :func:`paper_to_dict`."""
    kwargs = dict(data)
    for name in ("authors", "fields_of_study", "references", "citations", "embedding"):
        if kwargs.get(name) is not None:
            kwargs[name] = tuple(kwargs[name])
    return Paper(**kwargs)
