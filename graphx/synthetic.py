"""Seeded synthetic corpora of any size, for benchmarks and tests beyond what the real data reaches.

Each paper mixes a few topics: a primary topic and two secondary ones (Dirichlet weights), plus a shared
background vocabulary. Every topic is a Zipf distribution over its own word list; the background is a
Zipf distribution over the corpus-wide words ("the", "learning", "model" ...). Years run from 1990 to
2025 and grow over time; new topics appear along the way. Citations follow preferential attachment with
recency (well-cited, recent papers attract more), mostly within the primary topic, some to the secondary
topics and anywhere, some to papers outside the set (``ext-...`` ids shared within a topic, so they
count for co-citation and coupling).

Words come from the titles and abstracts of the NeurIPS/ICML corpus in ``../shared/data`` when it is
there, otherwise from generated pseudo-words; the corpus is reproducible for a given seed and word
source. Everything is drawn with numpy in bulk: 100,000 papers take seconds, not minutes.

Examples
--------
>>> papers = generate_corpus(50, seed=1)
>>> papers[0].id, len(papers)
('syn-000000', 50)
>>> year = {p.id: p.year for p in papers}
>>> all(year[r] <= p.year for p in papers for r in p.references if r in year)
True
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import numpy as np

from graphx.paper import Paper

DEFAULT_WORDS_FILE = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "cs768-neurips-icml-citations" / "papers.jsonl"
)
FIRST_YEAR, LAST_YEAR = 1990, 2025
LAST_TOPIC_BIRTH_YEAR = 2020
# Papers per year grow by about 9% a year (ML output roughly doubles every 8 years).
YEARLY_GROWTH = 0.09
TITLE_WORDS = (6, 12)
ABSTRACT_WORDS = (120, 200)
WORDS_PER_SENTENCE = 18
BACKGROUND_WORDS = 400  # most frequent words, shared by every topic
TOPIC_WORDS = 400  # words in each topic's own list (lists of different topics may overlap)
ZIPF_EXPONENT = 1.07
ZIPF_OFFSET = 2.7  # Zipf-Mandelbrot offset: flattens the head as in real text
BACKGROUND_SHARE_ABSTRACT = 0.5
BACKGROUND_SHARE_TITLE = 0.2
TOPIC_MIX_ALPHA = (6.0, 1.2, 0.8)  # Dirichlet weights of the primary and two secondary topics
NEIGHBOUR_TOPICS = 3  # secondary topics lean to a few fixed "neighbours" of the primary one
NEIGHBOUR_SHARE = 0.6
MEAN_REFERENCES = 10.0
# Where a reference goes: primary topic, secondary topics, any earlier paper, outside the set.
REFERENCE_TARGETS = (0.70, 0.12, 0.06, 0.12)
RECENCY_YEARS = 8.0  # citation weight falls by a factor e for every this many years back
OUTSIDE_PER_TOPIC = 2000  # distinct outside ids a topic cites (Zipf-popular)
AUTHORS_PER_TOPIC = 60
AUTHORS_PER_PAPER = (1, 8)
MIN_WORD_COUNT = 2  # real words seen once are mostly typos and hyphenation debris
PSEUDO_WORDS = 20_000
VENUE = "Synthetic Proceedings"


def generate_corpus(
    n_papers: int,
    *,
    n_topics: int | None = None,
    seed: int = 0,
    words_file: str | Path | None = DEFAULT_WORDS_FILE,
) -> list[Paper]:
    """A synthetic corpus of ``n_papers`` papers with topic structure and citations.

    Parameters
    ----------
    n_papers : int
        Number of papers; ids are ``syn-000000`` upwards, in order of publication.
    n_topics : int, optional
        Number of topics; default about ``sqrt(n_papers) / 2`` (16 at 1,000, 158 at 100,000).
    seed : int
        Same seed and words file: identical corpus.
    words_file : path, optional
        JSONL papers whose titles and abstracts give the vocabulary; None or a missing file:
        generated pseudo-words.

    Returns
    -------
    list of Paper
        Papers sorted by year; ``references`` hold earlier papers of the set and ``ext-`` ids.
        :func:`paper_topics` gives each paper's primary topic (the ground truth for clustering).
    """
    if n_papers < 0:
        raise ValueError(f"n_papers must be zero or positive (got {n_papers})")
    if n_papers == 0:
        return []
    n_topics = n_topics or default_n_topics(n_papers)
    setup = _setup(n_papers, n_topics, seed, words_file)
    years, topics, mix, rng, background, pool, vocab, topic_words = setup
    title_len = rng.integers(TITLE_WORDS[0], TITLE_WORDS[1] + 1, n_papers)
    abstract_len = rng.integers(ABSTRACT_WORDS[0], ABSTRACT_WORDS[1] + 1, n_papers)
    titles = _texts(rng, vocab, topic_words, topics, mix, title_len, BACKGROUND_SHARE_TITLE, False)
    abstracts = _texts(rng, vocab, topic_words, topics, mix, abstract_len, BACKGROUND_SHARE_ABSTRACT, True)
    authors = _authors(rng, topics[:, 0], n_topics, pool)
    references = _references(rng, years, topics, mix)
    return [
        Paper(
            id=paper_id(i),
            title=titles[i],
            abstract=abstracts[i],
            year=int(years[i]),
            authors=authors[i],
            venue=VENUE,
            references=references[i],
        )
        for i in range(n_papers)
    ]


def generate_chunks(
    n_papers: int,
    *,
    chunk_size: int = 50_000,
    n_topics: int | None = None,
    seed: int = 0,
    words_file: str | Path | None = DEFAULT_WORDS_FILE,
) -> Iterator[list[Paper]]:
    """The papers of a synthetic corpus, ``chunk_size`` at a time, for corpora too big to hold at once.

    The same ids, years and topics as :func:`generate_corpus` (so :func:`paper_topics` is the ground
    truth), and citations drawn by the same process over the whole corpus (``ext-`` outside ids too);
    but the random draws of citations, texts and authors come in another order (texts and authors
    chunk by chunk), so those differ from ``generate_corpus(n_papers)``'s. Only the structure arrays
    and the citation pairs (tens of bytes a paper) and one chunk of papers are held.

    Examples
    --------
    >>> chunks = list(generate_chunks(250, chunk_size=100, seed=1))
    >>> [len(c) for c in chunks], chunks[2][0].id
    ([100, 100, 50], 'syn-000200')
    >>> year = {p.id: p.year for c in chunks for p in c}
    >>> all(year[r] <= p.year for c in chunks for p in c for r in p.references if r in year)
    True
    """
    if n_papers <= 0:
        return
    n_topics = n_topics or default_n_topics(n_papers)
    setup = _setup(n_papers, n_topics, seed, words_file)
    years, topics, mix, rng, background, pool, vocab, topic_words = setup
    names = _author_names(rng, n_topics, pool)
    pairs = _reference_pairs(rng, years, topics, mix)
    for k, start in enumerate(range(0, n_papers, chunk_size)):
        stop = min(start + chunk_size, n_papers)
        part = np.random.default_rng([seed, 3, k])
        rows = slice(start, stop)
        title_len = part.integers(TITLE_WORDS[0], TITLE_WORDS[1] + 1, stop - start)
        abstract_len = part.integers(ABSTRACT_WORDS[0], ABSTRACT_WORDS[1] + 1, stop - start)
        args = (vocab, topic_words, topics[rows], mix[rows])
        titles = _texts(part, *args, title_len, BACKGROUND_SHARE_TITLE, False)
        abstracts = _texts(part, *args, abstract_len, BACKGROUND_SHARE_ABSTRACT, True)
        authors = _pick_authors(part, topics[rows, 0], names)
        references = _reference_ids(pairs, start, stop)
        yield [
            Paper(
                id=paper_id(start + i),
                title=titles[i],
                abstract=abstracts[i],
                year=int(years[start + i]),
                authors=authors[i],
                venue=VENUE,
                references=references[i],
            )
            for i in range(stop - start)
        ]


def default_n_topics(n_papers: int) -> int:
    """Topics of a corpus of ``n_papers`` when not given: about ``sqrt(n) / 2``, at least 4."""
    return max(4, round(n_papers**0.5 / 2))


def paper_topics(n_papers: int, *, n_topics: int | None = None, seed: int = 0) -> np.ndarray:
    """Primary topic of each paper of ``generate_corpus(n_papers, n_topics=..., seed=...)``, in order."""
    if n_papers == 0:
        return np.zeros(0, dtype=np.int64)
    return _structure(n_papers, n_topics or default_n_topics(n_papers), seed)[1][:, 0].copy()


def paper_id(i: int) -> str:
    """Id of the ``i``-th synthetic paper."""
    return f"syn-{i:06d}"


def _setup(n_papers: int, n_topics: int, seed: int, words_file) -> tuple:
    """What a whole corpus and its chunks share: years, topics and mixtures, the text generator (its draws
    continue from here), the background and topic word pools, and each topic's words."""
    years, topics, mix = _structure(n_papers, n_topics, seed)
    rng = np.random.default_rng([seed, 2])
    background, pool = vocabulary(str(words_file) if words_file else None)
    vocab = np.array(background + pool, dtype=object)
    topic_words = np.stack(
        [len(background) + rng.choice(len(pool), TOPIC_WORDS, replace=False) for _ in range(n_topics)]
    )
    return years, topics, mix, rng, background, pool, vocab, topic_words


@lru_cache(maxsize=4)
def _structure(n_papers: int, n_topics: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(years, topics (n, 3): primary and two secondaries, mixture weights (n, 3)), sorted by year."""
    if n_topics < 1:
        raise ValueError(f"n_topics must be at least 1 (got {n_topics})")
    rng = np.random.default_rng([seed, 1])
    span = np.arange(FIRST_YEAR, LAST_YEAR + 1)
    p_year = np.exp(YEARLY_GROWTH * (span - FIRST_YEAR))
    years = np.sort(rng.choice(span, size=n_papers, p=p_year / p_year.sum()))
    # A third of the topics exist from the start, the others appear later (topic 0 always at once).
    birth = np.where(
        rng.random(n_topics) < 1 / 3, FIRST_YEAR, rng.integers(FIRST_YEAR, LAST_TOPIC_BIRTH_YEAR, n_topics)
    )
    birth[0] = FIRST_YEAR
    popularity = rng.lognormal(0.0, 0.6, n_topics)
    primary = np.empty(n_papers, dtype=np.int64)
    u = rng.random(n_papers)
    for year in np.unique(years):
        rows = years == year
        cdf = np.cumsum(np.where(birth <= year, popularity, 0.0))
        primary[rows] = np.minimum(np.searchsorted(cdf / cdf[-1], u[rows], side="right"), n_topics - 1)
    neighbours = rng.integers(0, n_topics, size=(n_topics, NEIGHBOUR_TOPICS))
    secondary = np.where(
        rng.random((n_papers, 2)) < NEIGHBOUR_SHARE,
        neighbours[primary[:, None], rng.integers(0, NEIGHBOUR_TOPICS, (n_papers, 2))],
        rng.integers(0, n_topics, (n_papers, 2)),
    )
    topics = np.column_stack([primary, secondary])
    mix = rng.dirichlet(TOPIC_MIX_ALPHA, size=n_papers)
    for a in (years, topics, mix):
        a.flags.writeable = False  # cached: shared between calls
    return years, topics, mix


@lru_cache(maxsize=2)
def vocabulary(words_file: str | None) -> tuple[list[str], list[str]]:
    """(background words, topic word pool), deterministic for a given file.

    Background: the most frequent words of the file (rank order); pool: the rest seen at least twice.
    Without the file, pseudo-words from syllables.
    """
    counts: Counter[str] = Counter()
    if words_file and Path(words_file).is_file():
        token = re.compile(r"[a-z][a-z\-]*[a-z]")
        with open(words_file, encoding="utf-8") as f:
            for line in f:
                record = json.loads(line)
                counts.update(
                    token.findall(f"{record.get('title', '')} {record.get('abstract') or ''}".lower())
                )
    words = [w for w, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])) if n >= MIN_WORD_COUNT]
    if len(words) < BACKGROUND_WORDS + TOPIC_WORDS:
        words = _pseudo_words(PSEUDO_WORDS)
    return words[:BACKGROUND_WORDS], words[BACKGROUND_WORDS:]


def _pseudo_words(n: int) -> list[str]:
    rng = np.random.default_rng(12345)
    onsets = "b c d f g h j k l m n p r s t v w z br cr dr fl gr pl pr st tr ch sh th".split()
    vowels = "a e i o u ai ea io ou".split()
    codas = ["", "", "n", "r", "s", "l", "x", "nt", "st", "m"]
    seen: dict[str, None] = {}
    while len(seen) < n:
        k = rng.integers(1, 4)
        parts = [onsets[rng.integers(len(onsets))] + vowels[rng.integers(len(vowels))] for _ in range(k)]
        seen.setdefault("".join(parts) + codas[rng.integers(len(codas))], None)
    return list(seen)


def _zipf_cdf(n: int) -> np.ndarray:
    p = 1.0 / (np.arange(n) + ZIPF_OFFSET) ** ZIPF_EXPONENT
    return np.cumsum(p) / p.sum()


def _texts(
    rng: np.random.Generator,
    vocab: np.ndarray,
    topic_words: np.ndarray,
    topics: np.ndarray,
    mix: np.ndarray,
    lengths: np.ndarray,
    background_share: float,
    sentences: bool,
) -> list[str]:
    """One text per paper: each word from the background or one of the paper's topics."""
    n = len(lengths)
    owner = np.repeat(np.arange(n), lengths)
    # Source of each word: 0 background, 1-3 the paper's primary and secondary topics.
    source_cdf = np.cumsum(np.column_stack([np.full(n, background_share), (1 - background_share) * mix]), 1)
    u = rng.random(len(owner))
    source = sum((u > np.repeat(source_cdf[:, k], lengths)).astype(np.int64) for k in range(3))
    words = np.searchsorted(_zipf_cdf(BACKGROUND_WORDS), rng.random(len(owner)))
    in_topic = source > 0
    rank = np.searchsorted(_zipf_cdf(TOPIC_WORDS), rng.random(int(in_topic.sum())))
    words[in_topic] = topic_words[topics[owner[in_topic], source[in_topic] - 1], rank]
    # Words, each with a full stop where a sentence ends (abstracts), joined into one string and cut
    # into the texts by their lengths in characters: no array split and join per text.
    tokens = words
    if sentences:
        stop = rng.random(len(owner)) < 1 / WORDS_PER_SENTENCE
        stop[np.cumsum(lengths) - 1] = True
        tokens = words + stop * len(vocab)
        vocab = np.concatenate([vocab, np.array([w + "." for w in vocab], dtype=object)])
    text = " ".join(vocab[tokens].tolist())
    sizes = np.fromiter(map(len, vocab), dtype=np.int64, count=len(vocab))
    chars = np.concatenate([[0], np.cumsum(sizes[tokens] + 1)])  # each word and the space after it
    bounds = chars[np.concatenate([[0], np.cumsum(lengths)])]
    starts, ends = bounds[:-1].tolist(), (bounds[1:] - (lengths > 0)).tolist()  # no space after the last
    return [t[:1].upper() + t[1:] for t in (text[a:b] for a, b in zip(starts, ends, strict=True))]


def _authors(
    rng: np.random.Generator, primary: np.ndarray, n_topics: int, pool: list[str]
) -> list[tuple[str, ...]]:
    """Authors drawn from their topic's group (Zipf-productive); names made from pool words."""
    return _pick_authors(rng, primary, _author_names(rng, n_topics, pool))


def _author_names(rng: np.random.Generator, n_topics: int, pool: list[str]) -> np.ndarray:
    """:data:`AUTHORS_PER_TOPIC` names per topic, topic by topic."""
    n_names = n_topics * AUTHORS_PER_TOPIC
    first = rng.integers(0, 26, n_names)
    last = rng.integers(0, len(pool), n_names)
    return np.array([f"{chr(65 + f)}. {pool[w].capitalize()}" for f, w in zip(first, last, strict=True)])


def _pick_authors(rng: np.random.Generator, primary: np.ndarray, names: np.ndarray) -> list[tuple[str, ...]]:
    n = len(primary)
    counts = rng.integers(AUTHORS_PER_PAPER[0], AUTHORS_PER_PAPER[1] + 1, n)
    owner = np.repeat(np.arange(n), counts)
    member = np.searchsorted(_zipf_cdf(AUTHORS_PER_TOPIC), rng.random(len(owner)))
    picked = names[primary[owner] * AUTHORS_PER_TOPIC + member]
    return [tuple(dict.fromkeys(chunk.tolist())) for chunk in np.split(picked, np.cumsum(counts)[:-1])]


def _references(
    rng: np.random.Generator, years: np.ndarray, topics: np.ndarray, mix: np.ndarray
) -> list[tuple[str, ...]]:
    """Each paper's references (ids), from :func:`_reference_pairs`."""
    return _reference_ids(_reference_pairs(rng, years, topics, mix), 0, len(years))


def _reference_ids(pairs: tuple[np.ndarray, np.ndarray], start: int, stop: int) -> list[tuple[str, ...]]:
    """References of papers ``start`` to ``stop - 1`` from (citing, cited) arrays sorted by citing; a
    negative cited index ``-1 - k`` is the outside paper ``ext-k``."""
    citing, cited = pairs
    lo, hi = np.searchsorted(citing, [start, stop])
    cited = cited[lo:hi]
    # Each distinct id written once, then looked up: 900k references of 100k papers, not 900k f-strings.
    distinct, which = np.unique(cited, return_inverse=True)
    names = np.array(
        [paper_id(j) if j >= 0 else f"ext-{-1 - j:07d}" for j in distinct.tolist()], dtype=object
    )
    refs = names[which].tolist()
    bounds = np.searchsorted(citing[lo:hi], np.arange(start, stop + 1)).tolist()
    return [tuple(refs[a:b]) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


def _reference_pairs(
    rng: np.random.Generator, years: np.ndarray, topics: np.ndarray, mix: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(citing, cited) index arrays, sorted by citing then cited, without repeats; drawn by preferential
    attachment with recency, year by year.

    A paper cites earlier papers only (an earlier year, or the same year and a lower index: papers of
    one year see each other's preprints). Weight of a target: ``(citations so far + 1) *
    exp(-age / RECENCY_YEARS)``.
    """
    n = len(years)
    primary = topics[:, 0]
    n_topics = int(topics.max()) + 1
    cited = np.zeros(n, dtype=np.float64)
    n_refs = rng.poisson(MEAN_REFERENCES, n)
    outside_cdf = _zipf_cdf(OUTSIDE_PER_TOPIC)
    citing_all: list[np.ndarray] = []
    cited_all: list[np.ndarray] = []
    starts = np.searchsorted(years, np.unique(years))
    for start, stop in zip(starts, [*starts[1:], n], strict=True):
        year = years[start]
        # Targets: everything before this year's block, plus the block itself (checked below).
        m = stop
        by_topic = np.argsort(primary[:m], kind="stable")
        weight = (cited[by_topic] + 1.0) * np.exp(-(year - years[by_topic]) / RECENCY_YEARS)
        cum = np.cumsum(weight)
        topic_start = np.searchsorted(primary[by_topic], np.arange(n_topics + 1))
        cum0 = np.concatenate([[0.0], cum])
        citing = np.repeat(np.arange(start, stop), n_refs[start:stop])
        kind = np.searchsorted(np.cumsum(REFERENCE_TARGETS), rng.random(len(citing)), side="right")
        which = 1 + (rng.random(len(citing)) * (mix[citing, 1] + mix[citing, 2]) >= mix[citing, 1])
        topic = np.where(kind == 0, primary[citing], topics[citing, which])
        lo, hi = cum0[topic_start[topic]], cum0[topic_start[topic + 1]]
        empty = hi <= lo
        any_paper = (kind == 2) | empty
        lo[any_paper], hi[any_paper] = 0.0, cum[-1]
        u = lo + rng.random(len(citing)) * (hi - lo)
        target = by_topic[np.minimum(np.searchsorted(cum, u, side="right"), m - 1)]
        inside = (kind < 3) & (target < citing)
        cited_ids = np.where(inside, target, -1 - (primary[citing] * OUTSIDE_PER_TOPIC))
        outside = kind == 3
        cited_ids[outside] -= np.searchsorted(outside_cdf, rng.random(int(outside.sum())))
        keep = inside | outside
        citing_all.append(citing[keep])
        cited_all.append(cited_ids[keep])
        np.add.at(cited, target[inside], 1.0)
    # Unique (citing, cited) rows in that order, through one int64 key a row sorted in place: a
    # fraction of the memory of np.unique(axis=0) (9.5M pairs at a million papers).
    offset = -min(int(c.min(initial=0)) for c in cited_all)
    span = max(int(c.max(initial=0)) for c in cited_all) + offset + 1
    keys = np.concatenate(citing_all).astype(np.int64)
    citing_all.clear()
    keys *= span
    keys += np.concatenate(cited_all)
    cited_all.clear()
    keys += offset
    keys.sort()
    if len(keys):
        keys = keys[np.concatenate([[True], keys[1:] != keys[:-1]])]
    citing = keys // span
    keys %= span
    keys -= offset
    return citing, keys
