"""Lines of pasted listing text: cleaned, ids pulled out, wrapped lines joined, each given a kind.

A browser copy of a listing page is a sequence of lines of a few kinds: page furniture (menus, buttons,
counters, dates), id lines (``arXiv:2106.03747 [pdf, ps, other]``, a DOI, a URL), labelled metadata
(``Authors: ...``, ``Subjects: ...``), author and venue lines, prose (abstracts), and title candidates:
every other line with words in it. :func:`logical_lines` turns raw text into :class:`Line` records of
these kinds; :mod:`graphx.sources.listing` groups them into papers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from graphx.paper import ARXIV_ID_BODY, DOI_IN_TEXT, normalize_arxiv, normalize_doi

# Titles run to ~25 words and never end with a full stop; abstracts are longer or end with one.
PROSE_MIN_WORDS = 30
SENTENCE_PROSE_MIN_WORDS = 8
MULTI_SENTENCE_PROSE_MIN_WORDS = 16
# Hard-wrapped text (arXiv mails, plain-text listings) is wrapped at a width no wider than this.
MAX_WRAP_WIDTH = 120
WRAP_MIN_LINES = 5
WRAP_SHARE = 0.5
WRAP_BAND = 0.8
# Sentence case (few capitalised words) marks prose; Title Case marks a title.
TITLE_CASE_SHARE = 0.5
MIN_YEAR, MAX_YEAR = 1900, 2099
ID_LABELS = ("arxiv", "doi", "url", "pdf", "link")
TEXT_LABELS = ("title", "abstract", "authors", "author", "author(s)", "tl;dr", "tldr")

SPACES = re.compile(r"[\s\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")
MARKER = re.compile(r"^(?:[-*+•·▪◦‣●○■□–—>]|\(?\d{1,4}[.)\]]|\[\d{1,4}\]|\(\d{1,4}\))\s+")
HEADING = re.compile(r"^#{1,6}\s+")
MD_LINK = re.compile(r"!?\[([^\]]*)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
MD_EMPHASIS = re.compile(r"(\*\*|__|`)")
URL = re.compile(r"<?\b(?:https?://|www\.)[^\s<>\"]+", re.IGNORECASE)
ARXIV_ID = re.compile(
    rf"\barxiv(?:\s+preprint)?(?:\s+arxiv)?\s*:?\s*({ARXIV_ID_BODY})(v\d+)?",
    re.IGNORECASE,
)
CORPUS_ID = re.compile(r"\bCorpus\s*ID\s*:?\s*(\d+)", re.IGNORECASE)
S2_URL_ID = re.compile(r"semanticscholar\.org/paper/(?:[^/\s]+/)?([0-9a-f]{40})\b")
YEAR = re.compile(r"(?<![\d.])((?:19|20)\d\d)(?!\d|\.\d)")
DOI_LABEL = re.compile(r"\bdoi\s*:?\s*$", re.IGNORECASE)
LABEL = re.compile(
    r"^(title|authors?|author\(s\)|comments?|subjects?|journal[- ]ref|abstract|tl;?dr|keywords?|venue|"
    r"published|year|doi|arxiv|url|pdf|code|primary area|submission number|report[- ]no|msc[- ]class|"
    r"acm[- ]class|date|link|readers|writers|signatures|decision|replies|submitted|last modified|license|"
    r"cite as|conference|journal|in|proceedings|categories|notes?)\s*:\s*(.*)$",
    re.IGNORECASE,
)
# Lines made only of these words (and numbers, separators) are buttons, menus and tabs.
FURNITURE_WORDS = frozenset(
    """subscribe subscribed unsubscribe sign in up log login logout register search menu home about next
    previous prev more less show hide load view all see back to top pdf bib bibtex abs abstract code video
    slides poster download cite share save saved copy reviews review supplemental supplementary material
    project page github html other ps paper papers details related articles versions sort by relevance
    date any time since custom range create alert upvote upvotes upvoted star stars follow following
    comments comment likes like views new trending daily weekly monthly today yesterday week month year
    filter filters expand collapse open close edit delete reply forum notes note readers everyone
    bookmark bookmarks library my profile settings help faq contact privacy terms cookie cookies accept
    reject submit submitted go link links url doi arxiv dataset datasets models spaces collections
    citation citations cited export endnote refworks refman ris metadata listing listings previous
    first last page pages of results result showing pm am ago hours hour minutes minute days day openreview
    include patents type review articles since any news current alert my full proceedings volume""".split()
)
FURNITURE_PHRASES = re.compile(
    r"(\bin your (?:e-?mail )?inbox|\bsign (?:in|up)\b|\blog ?in to\b|\bsubscribe to\b|"
    r"all rights reserved|©|\bcopyright \d{4}|privacy policy|terms of (?:use|service)|\bcookies?\b|"
    r"\bsubmitted by\b|\bposted by\b|"
    r"^by .+ and the research community$|^cited by \d|related articles|all \d+ versions|"
    r"^about [\d,]+ results|^showing (?:\d|results)|^page \d+ of \d+|^\d+\s*[-–]\s*\d+ of \d+|"
    r"^(?:published|updated|submitted) (?:on|as|in|by)\b|^(?:javascript|please enable)|"
    r"^skip to (?:main )?content)",
    re.IGNORECASE,
)
# Always furniture, however long: copyright and licence notes.
LEGAL = re.compile(r"©|\ball rights reserved\b|\blicensed under\b|\bcreative commons\b", re.IGNORECASE)
DOMAIN = re.compile(r"^(?:[\w-]+\.)+[a-z]{2,6}$", re.IGNORECASE)
VENUE_START = re.compile(
    r"^(?:proceedings of|advances in neural|transactions on|journal of)\b", re.IGNORECASE
)
# "Title. Venue, 2017." / "Title — Devlin et al., NAACL 2019": what follows a title in a reading list.
TITLE_TAIL = re.compile(r"^(.{12,}?)(?:\.\s+|\s+[—–-]\s+|,\s+)(?=.*(?:\bet al\b|\b(?:19|20)\d\d\b))(.*)$")
APA = re.compile(
    r"^(?P<authors>.+?)\s+\((?P<year>(?:19|20)\d\d)[a-z]?\)\.\s+(?P<title>.+?[.?!])(?:\s+(?P<rest>.*))?$"
)
GLUED_BEFORE = re.compile(
    r"^(?:(?:subscribe|upvoted?|follow|download(?: ?pdf)?|bookmark)(?=(?-i:[A-Z0-9\"“]))|"
    r"\[(?:pdf|html|book|b|citation|c|doc)\]\s*)+",
    re.IGNORECASE,
)
GLUED_AFTER = re.compile(r"(?<=[a-z)?!])(?:pdf|upvote|subscribe|bibtex|abs)\s*\d*$", re.IGNORECASE)
MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
DATE_IN_TEXT = re.compile(
    rf"\b(?:\d{{1,2}}\s+{MONTH}|{MONTH}\s+\d{{1,2}}),?\s+(?:19|20)\d\d\b", re.IGNORECASE
)
DATE_LINE = re.compile(
    rf"^(?:[a-z]+,?\s+)?(?:\d{{1,2}}\s+{MONTH}|{MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?)(?:\s+\d{{4}})?$|"
    r"^\d{4}[-/]\d{1,2}(?:[-/]\d{1,2})?$|^\d{1,2}[-/]\d{1,2}[-/]\d{2,4}$",
    re.IGNORECASE,
)
VENUE = re.compile(
    r"\b(?:proceedings|conference|symposium|workshop|journal|transactions|advances in|neurips|nips|icml|"
    r"iclr|acl|emnlp|naacl|eacl|coling|cvpr|iccv|eccv|aaai|ijcai|kdd|sigir|www|colt|aistats|uai|tmlr|"
    r"jmlr|findings|arxiv preprint)\b",
    re.IGNORECASE,
)
NAME_PARTICLES = frozenset("van von der den de del della di da du le la bin al el y dos das ten ter".split())
NOT_NAME_WORDS = frozenset(
    "of for the with via in on to from by using under over towards toward is are a an as at into".split()
)
AUTHOR_SEPARATORS = re.compile(r"\s*(?:,|;|·|\||\band\b|&)\s*")
ABBREVIATION_END = re.compile(r"(?:\bet al|\bvs|\b[A-Z]|\.\.)\.$")
SENTENCE_BREAK = re.compile(r"[.!?]\s+[A-Z]")
# Endings of words that make titles ("Learning", "Networks", "Efficient"), rare at the end of names;
# a line with this many such words is a title even when it is split by commas or "and".
TITLE_WORD = re.compile(
    r"(?:tion|tions|ing|ings|ity|ities|ness|ment|ments|ent|ical|ual|ive|ives|ous|able|ible|ics|ism|"
    r"isms|works|odels|ithms|ators|izers|ers|ly|ial|tic|tics)$",
    re.IGNORECASE,
)
MIN_TITLE_WORDS_IN_NAMES = 2
TITLE_WORDS_IN_NAMES_DIVISOR = 3  # ...and at least a third of its long words
MAX_NAME_TOKENS = 4


@dataclass
class Line:
    """One logical line: its text without markers and ids, what it is, and what it carries."""

    text: str
    rows: list[int]
    kind: str = "title"  # title | prose | authors | meta | id | furniture | blank
    label: str | None = None
    item: bool = False  # began with a list marker (1., -, *, [3])
    heading: bool = False
    record_number: bool = False  # an arXiv-style "[12]" before an id
    ids: dict[str, str] = field(default_factory=dict)
    years: list[int] = field(default_factory=list)
    raw: str = ""
    body: str = ""  # the text with its ids still in (what prose keeps)
    last_row_chars: int = 0  # length of the last raw line joined into this one


def logical_lines(text: str) -> list[Line]:
    """Clean every line, join hard-wrapped ones, and classify the result."""
    rows = [_clean(row, number) for number, row in enumerate(re.split(r"\r\n|\r|\n", text))]
    width = _wrap_width(rows)
    out: list[Line] = []
    for line in rows:
        prev = out[-1] if out else None
        if prev is not None and _continues(prev, line, width):
            # A wrapped line that starts with "1)" or "-" is text, not a list item.
            prev.text = _join(prev.text, line.raw if line.item else line.text)
            prev.raw = _join(prev.raw, line.raw)
            prev.body = _join(prev.body, line.raw if line.item else line.body)
            prev.last_row_chars = len(line.raw)
            prev.rows += line.rows
            for kind, value in line.ids.items():
                prev.ids.setdefault(kind, value)
            continue
        out.append(line)
    for line in out:
        if line.kind == "title":
            line.kind = _kind(line)
        if line.kind == "prose":
            # Links and ids inside an abstract name other papers and code, not this paper.
            line.text, line.ids = line.body, {}
    return out


def _clean(row: str, number: int) -> Line:
    text = SPACES.sub(" ", INVISIBLE.sub("", row)).strip()
    line = Line(text="", rows=[number], raw=text, last_row_chars=len(text))
    if not text:
        line.kind = "blank"
        return line
    if HEADING.match(text):
        line.heading, text = True, HEADING.sub("", text)
    marker = MARKER.match(text)
    if marker:
        line.item = True
        line.record_number = marker.group(0).startswith("[")
        text = text[marker.end() :]
    body_with_links = text
    text = MD_LINK.sub(lambda m: f"{m.group(1)} {m.group(2)}", text)
    label = LABEL.match(text)
    if label:
        line.label, text = label.group(1).lower().replace(" ", "-"), label.group(2)
        if line.label in ID_LABELS:
            text = f"{line.label}: {text}"  # keep the id's own prefix for the extraction below
    body = text
    if line.label != "code":  # a code link is not the paper's
        text = _take_ids(text, line)
    text = _strip_separators(GLUED_AFTER.sub("", GLUED_BEFORE.sub("", text)))
    apa = APA.match(text)
    link = MD_LINK.search(body_with_links)
    if line.item and link and link.group(1).strip(" *_"):
        text = link.group(1)  # a markdown list item: the link's text is the title, the rest a note
    elif apa and (is_author_line(apa.group("authors")) or re.search(r"\b[A-Z]\.", apa.group("authors"))):
        text = apa.group("title")  # "Vaswani, A., & Shazeer, N. (2017). Title. Venue."
    elif (line.item or line.ids) and len(text.split()) < PROSE_MIN_WORDS:
        tail = TITLE_TAIL.match(text)
        if tail and not is_author_line(tail.group(1)):
            text = tail.group(1)  # "Title. Nature, 2017." / "Title — Devlin et al., NAACL 2019"
    years = YEAR.findall(body)
    if years:  # "Title (2017)", "Title, 2020", "Title (ICLR 2023)"
        text = re.sub(r"[\s,]*(?:\([^()]*\b(?:19|20)\d\d\)|\b(?:19|20)\d\d)[.,]?$", "", text)
    line.text = _strip_separators(text).rstrip(".") if line.item or line.ids else _strip_separators(text)
    line.years = [int(y) for y in years if MIN_YEAR <= int(y) <= MAX_YEAR]
    if line.label in ID_LABELS:
        line.label = None
    line.body = _strip_separators(body)
    if line.label and line.label not in TEXT_LABELS:
        line.kind = "meta"
    elif line.label == "abstract":
        line.kind = "prose" if text else "furniture"
    elif line.label in ("tl;dr", "tldr"):
        line.kind, line.label = "meta", "tldr"
    elif line.label in ("author", "authors", "author(s)"):
        line.kind, line.label = "authors", "authors"
    elif not re.search(r"[^\W\d_]{2}", text):
        line.kind = "id" if line.ids else "furniture"
    return line


def _strip_separators(text: str) -> str:
    """Separators left at the ends once ids and buttons are gone (a hyphen ending a word stays)."""
    return re.sub(r"^[\s\-–—|·,;:]+|\s[\s\-–—|·,;:]*$", "", text)


def _take_ids(text: str, line: Line) -> str:
    """Move arXiv ids, DOIs, S2 ids, CorpusIds and URLs from the text into ``line.ids``."""

    def keep(kind: str, value: str | None) -> None:
        if value:
            line.ids.setdefault(kind, value)

    for match in URL.finditer(text):
        url = match.group(0).lstrip("<").rstrip(".,;:)]>")
        keep("url", url if url.startswith("http") else f"https://{url}")
        keep("arxiv", normalize_arxiv(url) if "arxiv.org/" in url.lower() else None)
        keep("doi", normalize_doi(url) if "doi.org/" in url.lower() else None)
        s2 = S2_URL_ID.search(url)
        keep("s2_id", s2.group(1) if s2 else None)
    text = URL.sub(" ", text)
    for match in ARXIV_ID.finditer(text):
        keep("arxiv", match.group(1).lower())
    text = ARXIV_ID.sub(" ", text)
    for match in DOI_IN_TEXT.finditer(text):
        keep("doi", normalize_doi(match.group(1)))
    text = DOI_IN_TEXT.sub(" ", text)
    for match in CORPUS_ID.finditer(text):
        keep("corpus_id", match.group(1))
    text = CORPUS_ID.sub(" ", text)
    if line.ids:
        # What is left around an id is its furniture: "[pdf, ps, other]", "DOI:", "arXiv:", "Link:".
        text = re.sub(r"\[(?:\s*(?:pdf|ps|other|html|src|abs)\s*,?)+\]", " ", text, flags=re.IGNORECASE)
        text = re.sub(r"\b(?:doi|arxiv|url|pdf|link|code)\s*:\s*(?=\s|$)", " ", text, flags=re.IGNORECASE)
        text = re.sub(r"\b(?:doi|url|link)\b\s*:?\s*$", "", text.strip(), flags=re.IGNORECASE)
        text = re.sub(r"[\[(]\s*[\])]", " ", text)
    return SPACES.sub(" ", text).strip()


def _wrap_width(rows: list[Line]) -> int | None:
    """The column width text was hard-wrapped at, or None when lines are not wrapped."""
    lengths = [len(r.raw) for r in rows if r.kind != "blank" and len(r.raw.split()) > 3]
    short = [n for n in lengths if n <= MAX_WRAP_WIDTH]
    if len(short) < WRAP_MIN_LINES or len(short) < WRAP_SHARE * len(lengths):
        return None
    width = max(short)
    near = sum(WRAP_BAND * width <= n for n in short)
    return width if near >= WRAP_SHARE * len(short) else None


def _continues(prev: Line, line: Line, width: int | None) -> bool:
    """Whether ``line`` is the wrapped tail of ``prev`` (a paragraph or a labelled field)."""
    if prev.kind not in ("title", "authors") and not (prev.kind == "meta" and prev.label == "comments"):
        if not (prev.kind == "prose" and prev.label == "abstract"):
            return False
    if line.kind == "blank" or line.label or line.heading or not prev.text or prev.item or prev.heading:
        return False
    first_word = line.raw.split()[0]
    if line.kind in ("id", "furniture") and not line.item:
        # A URL or "+16%." ending a sentence that the line before left unfinished.
        wrapped = width is not None and prev.last_row_chars + 1 + len(first_word) > width
        unfinished = prev.body[-1:] not in ".!?" and _sentence_case(prev.text)
        return (line.kind == "furniture" and wrapped) or unfinished
    if line.kind != "title":
        return False
    if width is not None and prev.last_row_chars + 1 + len(first_word) > width:
        if prev.label in ("title", "authors", "comments", "abstract"):
            return not line.item
        # An unlabelled title may fill the width too: only prose runs on into the next line.
        return (
            _sentence_case(prev.text)
            or len(prev.rows) > 1
            or prev.raw.endswith(("-", ","))
            or not first_word[:1].isupper()
        )
    if line.item:
        return False
    # Unwrapped pastes: a paragraph broken mid-sentence goes on in lower case.
    return (
        first_word[:1].islower()
        and prev.text[-1:] not in ".!?:"
        and len(prev.text.split()) >= SENTENCE_PROSE_MIN_WORDS
        and _sentence_case(prev.text)
    )


def _join(head: str, tail: str) -> str:
    # "large-" + "scale" was one word broken at its hyphen: keep the hyphen, add no space.
    if re.search(r"[^\W\d_]-$", head):
        return head + tail
    return f"{head} {tail}".strip()


def _sentence_case(text: str) -> bool:
    words = [w for w in re.findall(r"[^\W\d_][\w'-]*", text) if len(w) > 3]
    if len(words) < 4:
        return False
    return sum(w[0].isupper() for w in words[1:]) < TITLE_CASE_SHARE * (len(words) - 1)


def _kind(line: Line) -> str:
    text = line.text
    if line.label == "title":
        return "title"
    words = text.split()
    short = len(words) < PROSE_MIN_WORDS
    if "©" in text or short and (LEGAL.search(text) or DOMAIN.match(text)):
        return "furniture"
    if VENUE_START.match(text):
        line.label = "volume"
        return "meta"
    if short and DATE_IN_TEXT.search(line.body):
        return "meta"
    if len(words) < PROSE_MIN_WORDS and (FURNITURE_PHRASES.search(text) or DATE_LINE.match(text)):
        return "meta" if line.years else "furniture"
    tokens = re.findall(r"[^\W_]+", text.lower())
    if tokens and all(t in FURNITURE_WORDS or not re.search(r"[^\W\d_]", t) for t in tokens):
        return "furniture"
    if text.endswith(":") and len(tokens) <= 6:
        return "furniture"  # a section header ("Accepted papers:")
    if is_author_line(text):
        return "authors"
    if len(words) >= PROSE_MIN_WORDS:
        return "prose"
    if text.endswith((".", "…", "...")) and len(words) >= SENTENCE_PROSE_MIN_WORDS:
        return "prose"
    if len(SENTENCE_BREAK.findall(text)) >= 2 and len(words) >= MULTI_SENTENCE_PROSE_MIN_WORDS:
        return "prose"
    if text.endswith(".") and not (line.item or line.ids) and not ABBREVIATION_END.search(text):
        return "prose"  # a sentence ("Send questions to the organisers."), not a title
    if VENUE.search(text) and line.years and len(words) <= PROSE_MIN_WORDS // 2:
        return "meta"
    return "title"


def is_author_line(text: str) -> bool:
    """Whether a line is a list of person names (``A. Author, Bo Scholar and C. de Writer``).

    A Google Scholar line (``A Vaswani, N Shazeer… - Advances in neural …, 2017 - neurips.cc``) counts
    by its first part.

    Examples
    --------
    >>> is_author_line("Ashish Vaswani, Noam Shazeer, Niki Parmar")
    True
    >>> is_author_line("Bandits, Experts, and Games")
    False
    """
    head = author_part(text).replace("et al.", "")
    parts = [p.strip(" .") for p in AUTHOR_SEPARATORS.split(head) if p.strip(" .")]
    if len(parts) < 2 or ":" in head:
        return False
    words = re.findall(r"[^\W\d_]{5,}", head)
    title_words = sum(bool(TITLE_WORD.search(w)) for w in words)
    if title_words >= MIN_TITLE_WORDS_IN_NAMES and title_words * TITLE_WORDS_IN_NAMES_DIVISOR >= len(words):
        return False
    names = 0
    for part in parts:
        tokens = part.replace(".", ". ").split()
        if not 1 <= len(tokens) <= MAX_NAME_TOKENS:
            return False
        for token in tokens:
            if token.lower() in NOT_NAME_WORDS and token not in ("A", "I"):  # initials
                return False
            if not (token[:1].isupper() or token.lower() in NAME_PARTICLES or token == "*"):
                return False
        names += len(tokens) >= 2
    return names >= max(2, round(0.75 * len(parts)))


def author_part(text: str) -> str:
    """The names of an author line without the venue after them (Scholar's " - ", PMLR's "; ")."""
    head = re.split(r"\s+[-–]\s+", text)[0]
    semicolon = head.find(";")
    if semicolon > 0 and VENUE.search(head[semicolon:]):
        head = head[:semicolon]
    return head.replace("…", "")


def first_year(years: list[int]) -> int | None:
    return years[0] if years else None
