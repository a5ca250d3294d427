"""Papers of a map back to a reference manager: BibTeX, RIS (Zotero, Mendeley, EndNote) and a plain list.

Each writer takes a built graph (or a part of it: :func:`select_papers`) and writes every paper with the
fields a reference manager keeps: title, authors, year, venue, DOI, arXiv id, URL and abstract. Files are
written atomically. They are formats ``bibtex``, ``ris`` and ``txt`` of :data:`graphx.export.EXPORT_FORMATS`.
Read back by :mod:`graphx.sources.bibliography`, an export gives the same papers.

BibTeX: specials are escaped outside ``$...$`` math, which arXiv abstracts use and LaTeX renders, and kept
as written inside it; ``--``, quotes and ``?```/``!``` ligatures are broken up so that LaTeX (and the
readers that decode it) show the characters as they were. Citation keys are first author's last name +
year + first title word, ASCII only, made unique with ``b``, ``c``... suffixes.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path

import networkx as nx
import rispy
import rispy.writer

from graphx.atomic import atomic_write

ARXIV_URL = "https://arxiv.org/abs/{}"
DOI_URL = "https://doi.org/{}"
KEY_TITLE_STOP = frozenset("a an the on of for in to and with from by is are towards toward via".split())
KEY_FALLBACK = "paper"
# Outside math, each of these characters means something to (Bib)TeX; the replacement shows it as is.
BIBTEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "%": r"\%",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
# TeX ligatures that would change the text: "--" (dash), quotes made of two characters, "?`" and "!`".
LIGATURES = re.compile(r"(?<=[-`'?!])(?=[-`'])|(?<=[?!])(?=`)")
MATH = re.compile(r"\$[^$]+\$")


def _records(G: nx.MultiDiGraph, nodes: Iterable[str] | None) -> list[dict]:
    out = []
    for n in G if nodes is None else nodes:
        attrs = G.nodes[n]
        out.append({"id": str(n), **attrs, "authors": [str(a) for a in attrs.get("authors") or ()]})
    return out


# ------------------------------------------------------------------------------------------------ BibTeX


def bibtex_escape(text: str) -> str:
    r"""``text`` as a BibTeX field value: specials escaped outside ``$...$`` math, whitespace collapsed.

    Examples
    --------
    >>> bibtex_escape("Q&A -- 50% of $O(n^2)$ {cases}")
    'Q\\&A -{}- 50\\% of $O(n^2)$ \\{cases\\}'
    """
    text = " ".join(str(text).split())
    out, last = [], 0
    if text.count("$") % 2 == 0:
        for m in MATH.finditer(text):
            if _balanced(m.group()):
                out.append(_escape_text(text[last : m.start()]))
                out.append(m.group())
                last = m.end()
    out.append(_escape_text(text[last:]))
    return "".join(out)


def _escape_text(text: str) -> str:
    escaped = "".join(BIBTEX_SPECIALS.get(c, c) for c in text)
    return LIGATURES.sub("{}", escaped)


def _balanced(text: str) -> bool:
    depth = 0
    for i, c in enumerate(text):
        if c in "{}" and i > 0 and text[i - 1] == "\\":
            continue
        depth += {"{": 1, "}": -1}.get(c, 0)
        if depth < 0:
            return False
    return depth == 0


def bibtex_name(name: str) -> str:
    """``"Ada King Lovelace"`` -> ``"Lovelace, Ada King"``: BibTeX's unambiguous form, specials escaped.

    A name with a comma or `` and `` in it is braced whole, so that BibTeX keeps it one name.
    """
    name = " ".join(name.split())
    if "," in name or re.search(r"\band\b", name, re.IGNORECASE):
        return "{" + bibtex_escape(name) + "}"
    given, _, last = name.rpartition(" ")
    escaped_last = bibtex_escape(last)
    return f"{escaped_last}, {bibtex_escape(given)}" if given else escaped_last


def citation_keys(records: Sequence[dict]) -> list[str]:
    """One unique key per record: ``lastname`` + ``year`` + first title word, lower-case ASCII.

    Examples
    --------
    >>> citation_keys([{"authors": ["Ashish Vaswani"], "year": 2017, "title": "Attention is all you need"},
    ...                {"authors": ["Ashish Vaswani"], "year": 2017, "title": "Attention, again"},
    ...                {"title": "The 1st paper"}])
    ['vaswani2017attention', 'vaswani2017attentionb', 'paper1st']
    """
    keys: list[str] = []
    used: set[str] = set()
    for r in records:
        author = _ascii(r["authors"][0].split()[-1]) if r.get("authors") else ""
        words = [_ascii(w) for w in str(r.get("title") or "").split()]
        word = next((w for w in words if w and w not in KEY_TITLE_STOP), "")
        base = f"{author}{r.get('year') or ''}{word}" or KEY_FALLBACK
        if not author and not r.get("year"):
            base = f"{KEY_FALLBACK}{word}"
        key, n = base, 1
        while key in used:
            n += 1
            key = base + _suffix(n)
        used.add(key)
        keys.append(key)
    return keys


def _suffix(n: int) -> str:
    """2 -> "b", 26 -> "z", 27 -> "ab"... (the first key has no suffix)."""
    letters = ""
    n -= 1
    while n > 0:
        n, rem = divmod(n, 26)
        letters = chr(ord("a") + rem) + letters
    return letters or "a"


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", folded.lower())


def bibtex_text(G: nx.MultiDiGraph, nodes: Iterable[str] | None = None) -> str:
    """The BibTeX file of the papers as text (``@article`` where a venue is known, else ``@misc``)."""
    records = _records(G, nodes)
    entries = []
    for key, r in zip(citation_keys(records), records, strict=True):
        fields: list[tuple[str, str]] = [("title", bibtex_escape(r.get("title") or ""))]
        if r["authors"]:
            fields.append(("author", " and ".join(bibtex_name(a) for a in r["authors"])))
        if r.get("year"):
            fields.append(("year", str(int(r["year"]))))
        if r.get("venue"):
            fields.append(("journal", bibtex_escape(r["venue"])))
        if r.get("doi"):
            fields.append(("doi", bibtex_escape(r["doi"])))
        if r.get("arxiv"):
            fields += [("eprint", r["arxiv"]), ("archiveprefix", "arXiv")]
        url = r.get("url") or _default_url(r)
        if url:
            fields.append(("url", url.replace("%", r"\%").replace("{", "%7B").replace("}", "%7D")))
        if r.get("abstract"):
            fields.append(("abstract", bibtex_escape(r["abstract"])))
        kind = "article" if r.get("venue") else "misc"
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
        entries.append(f"@{kind}{{{key},\n{body}\n}}\n")
    return "\n".join(entries)


def _default_url(record: dict) -> str | None:
    if record.get("arxiv"):
        return ARXIV_URL.format(record["arxiv"])
    if record.get("doi"):
        return DOI_URL.format(record["doi"])
    return None


def write_bibtex(G: nx.MultiDiGraph, path: str | os.PathLike, *, nodes: Iterable[str] | None = None) -> None:
    """Write the papers as a BibTeX file (UTF-8), atomically."""
    data = bibtex_text(G, nodes).encode("utf-8")
    atomic_write(Path(path), lambda fh: fh.write(data))


# --------------------------------------------------------------------------------------------------- RIS


class _RisWriter(rispy.writer.RisWriter):
    """rispy's writer without the ``1.`` line it puts before each record (Zotero and Mendeley write none)."""

    def set_header(self, count: int) -> str:
        return ""


def ris_text(G: nx.MultiDiGraph, nodes: Iterable[str] | None = None) -> str:
    """The RIS file of the papers as text (``JOUR`` where a venue is known, else ``GEN``)."""
    records = _records(G, nodes)
    entries = []
    for key, r in zip(citation_keys(records), records, strict=True):
        entry: dict = {
            "type_of_reference": "JOUR" if r.get("venue") else "GEN",
            "id": key,
            "title": _one_line(r.get("title") or ""),
        }
        if r["authors"]:
            entry["authors"] = [_ris_name(a) for a in r["authors"]]
        if r.get("year"):
            entry["year"] = str(int(r["year"]))
        if r.get("venue"):
            entry["secondary_title"] = _one_line(r["venue"])
        if r.get("doi"):
            entry["doi"] = r["doi"]
        # The arXiv URL carries the arXiv id: RIS has no field of its own for it.
        urls = [u for u in (r.get("url"), ARXIV_URL.format(r["arxiv"]) if r.get("arxiv") else None) if u]
        if urls:
            entry["urls"] = list(dict.fromkeys(urls))
        if r.get("abstract"):
            entry["abstract"] = _one_line(r["abstract"])
        entries.append(entry)
    return rispy.dumps(entries, implementation=_RisWriter)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _ris_name(name: str) -> str:
    given, _, last = " ".join(name.split()).rpartition(" ")
    return f"{last}, {given}" if given and "," not in name else name


def write_ris(G: nx.MultiDiGraph, path: str | os.PathLike, *, nodes: Iterable[str] | None = None) -> None:
    """Write the papers as a RIS file (UTF-8), atomically."""
    data = ris_text(G, nodes).encode("utf-8")
    atomic_write(Path(path), lambda fh: fh.write(data))


# ---------------------------------------------------------------------------------------------- plain list


def txt_text(G: nx.MultiDiGraph, nodes: Iterable[str] | None = None) -> str:
    """One line a paper: ``Authors (year). Title. Venue. doi:... arXiv:...``."""
    lines = []
    for r in _records(G, nodes):
        authors = ", ".join(r["authors"]) or "Unknown authors"
        parts = [
            f"{authors} ({r['year']})." if r.get("year") else f"{authors}.",
            f"{_one_line(r.get('title'))}.",
        ]
        if r.get("venue"):
            parts.append(f"{_one_line(r['venue'])}.")
        if r.get("doi"):
            parts.append(f"doi:{r['doi']}")
        if r.get("arxiv"):
            parts.append(f"arXiv:{r['arxiv']}")
        lines.append(" ".join(parts))
    return "\n".join(lines) + "\n"


def write_txt(G: nx.MultiDiGraph, path: str | os.PathLike, *, nodes: Iterable[str] | None = None) -> None:
    """Write the papers as a plain list, one a line, atomically."""
    data = txt_text(G, nodes).encode("utf-8")
    atomic_write(Path(path), lambda fh: fh.write(data))
