"""Paper ids as users type them, turned into the forms the Semantic Scholar Graph API accepts.

Users paste whatever they have at hand: an S2 paperId, ``CorpusId:123``, ``DOI:10.x/y``, ``ARXIV:2203.11171``,
a bare DOI or arXiv id, or a semanticscholar.org / arxiv.org / doi.org URL. :func:`to_api_id` maps each one
to a single canonical API form, so that the cache and the batch endpoint see one key per paper.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import unquote, urlparse

from graphx.errors import ConfigError
from graphx.paper import S2_PAPER_ID, normalize_arxiv, normalize_doi

CORPUS_ID = re.compile(r"^corpus_?id:\s*(\d+)$", re.IGNORECASE)
PREFIXED = re.compile(r"^(doi|arxiv|mag|acl|pmid|pmcid|url):\s*(.+)$", re.IGNORECASE)
# semanticscholar.org/paper/<title-slug>/<40 hex> or /paper/<40 hex>, also /arxiv/<id> links.
S2_URL_ID = re.compile(r"/paper/(?:[^/]+/)?([0-9a-f]{40})(?:[/?#]|$)", re.IGNORECASE)
S2_URL_ARXIV = re.compile(r"/arxiv/([^/?#]+)", re.IGNORECASE)
CORPUS_URL = re.compile(r"/corpusid/(\d+)", re.IGNORECASE)
OTHER_PREFIXES = {"mag": "MAG", "acl": "ACL", "pmid": "PMID", "pmcid": "PMCID"}


def to_api_id(text: str) -> str:
    """The Graph API form of one paper id given in any accepted spelling.

    Raises :class:`~graphx.errors.ConfigError` naming the id when it is none of the accepted forms.

    Examples
    --------
    >>> to_api_id("https://arxiv.org/abs/1706.03762v7")
    'ARXIV:1706.03762'
    >>> to_api_id("https://doi.org/10.1093/mind/LIX.236.433")
    'DOI:10.1093/mind/lix.236.433'
    >>> to_api_id("corpusid:14636783")
    'CorpusId:14636783'
    """
    value = text.strip()
    if not value:
        raise ConfigError("An empty paper id was given; separate ids with commas, without empty entries.")
    if S2_PAPER_ID.match(value.lower()):
        return value.lower()
    corpus = CORPUS_ID.match(value)
    if corpus:
        return f"CorpusId:{int(corpus.group(1))}"
    prefixed = PREFIXED.match(value)
    if prefixed:
        kind, rest = prefixed.group(1).lower(), prefixed.group(2).strip()
        if kind == "doi" and normalize_doi(rest):
            return f"DOI:{normalize_doi(rest)}"
        if kind == "arxiv" and normalize_arxiv(rest):
            return f"ARXIV:{normalize_arxiv(rest)}"
        if kind == "url":
            return to_api_id(rest) if _is_known_url(rest) else f"URL:{rest}"
        if kind in OTHER_PREFIXES:
            return f"{OTHER_PREFIXES[kind]}:{rest}"
    if value.lower().startswith(
        ("http://", "https://", "www.", "arxiv.org", "doi.org", "semanticscholar.org")
    ):
        return _from_url(value)
    if normalize_arxiv(value) and not value.startswith("10."):
        return f"ARXIV:{normalize_arxiv(value)}"
    if normalize_doi(value) and value.startswith("10."):
        return f"DOI:{normalize_doi(value)}"
    raise ConfigError(
        f"Cannot read {text!r} as a paper id. Give an S2 paperId (40 hex digits), CorpusId:N, DOI:10.x/y, "
        "ARXIV:2203.11171, a bare DOI or arXiv id, or a semanticscholar.org, arxiv.org or doi.org URL."
    )


def split_ids(values: Iterable[str]) -> list[str]:
    """Ids from ``--papers`` values (each may hold several, comma- or space-separated), deduplicated."""
    out: list[str] = []
    for value in values:
        out += [part for part in re.split(r"[,\s]+", value) if part]
    return list(dict.fromkeys(out))


def _is_known_url(url: str) -> bool:
    host = urlparse(url if "://" in url else f"https://{url}").netloc.lower()
    return host.endswith(("semanticscholar.org", "arxiv.org", "doi.org"))


def _from_url(url: str) -> str:
    parsed = urlparse(url if "://" in url else f"https://{url}")
    host, path = parsed.netloc.lower(), unquote(parsed.path)
    if host.endswith("semanticscholar.org"):
        match = S2_URL_ID.search(path)
        if match:
            return match.group(1).lower()
        corpus = CORPUS_URL.search(path)
        if corpus:
            return f"CorpusId:{corpus.group(1)}"
        arxiv = S2_URL_ARXIV.search(path)
        if arxiv and normalize_arxiv(arxiv.group(1)):
            return f"ARXIV:{normalize_arxiv(arxiv.group(1))}"
    if host.endswith("arxiv.org"):
        arxiv_id = normalize_arxiv(f"arxiv.org{path.replace('.pdf', '')}")
        if arxiv_id:
            return f"ARXIV:{arxiv_id}"
    if host.endswith("doi.org") and normalize_doi(path.lstrip("/")):
        return f"DOI:{normalize_doi(path.lstrip('/'))}"
    # Other publisher pages: the API resolves some (ACL, ACM, bioRxiv) itself through its URL: prefix.
    return f"URL:{url}"
