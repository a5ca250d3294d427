"""The text side of papers: what counts as a term, and the TF-IDF index both similarity and labels read.

Tokenising 100k abstracts is the costliest step of a build, so it happens once: :class:`TextIndex`
keeps the TF-IDF rows with the vocabulary and IDF that made them, is saved with the built graph,
and embeds new papers in the same space when papers are added to a graph.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import orjson
import scipy.sparse as sp
from sklearn.feature_extraction.text import (
    ENGLISH_STOP_WORDS,
    TfidfTransformer,
    TfidfVectorizer,
    strip_accents_unicode,
)

from graphx.paper import Paper

if TYPE_CHECKING:
    from graphx.build.parallel import Kept, Pending

    # Tokens of the last texts, made elsewhere: (first text, its numbered_tokens to come).
    Tail = tuple[int, Pending[tuple[list[str], np.ndarray, np.ndarray]]]

# Words every abstract uses whatever its topic: they carry no similarity and no label.
BOILERPLATE_WORDS = frozenset(
    """
    propose proposed proposes proposing paper papers result results show shows shown showing method methods
    approach approaches using use used uses based new novel present presents presented work works
    demonstrate demonstrates demonstrated existing experiment experiments experimental performance
    state art stateoftheart state-of-the-art outperform outperforms outperforming significantly significant
    effective effectively efficient efficiently improve improves improved improvement improvements study
    studies introduce introduces introduced problem problems task tasks provide provides provided develop
    developed achieve achieves achieved well also however furthermore moreover simple simply compared
    compare comparison prior previous recent recently various several different important including
    empirical empirically theoretical theoretically analysis analyze analyse key able
    framework frameworks technique techniques challenge challenging address addresses large
    number numbers set sets way ways given make makes allows allow enable enables wide range extensive
    benchmark benchmarks dataset datasets real world real-world code available publicly github com https http
    et al e g i e specifically particular particularly terms general generally popular widely often
    """.split()
)
STOP_WORDS = frozenset(ENGLISH_STOP_WORDS | BOILERPLATE_WORDS)
# Stop words that may stand inside a phrase: "chain of thought", "mixture of experts", "learning to rank".
PHRASE_JOINERS = frozenset({"of", "to"})
# Tokens: a letter, then letters/digits/hyphens ("gpt-4", "q-learning"); bare numbers carry no topic.
TOKEN_PATTERN = r"(?u)\b[^\W\d_][\w\-]*[^\W_]\b"
_TOKEN = re.compile(TOKEN_PATTERN)
# A hyphen between two words of two letters or more separates words ("inference-time" is "inference
# time"); one joining a letter or a number does not ("q-learning", "gpt-4", "k-means" stay whole).
# The pattern opens with the hyphen, so the regex engine skips to hyphens (the two letters before it are
# checked behind it): 4x faster than a pattern that opens with the look-behind.
_SPLIT_HYPHEN = re.compile(r"-(?<=[^\W\d_]{2}-)(?=[^\W\d_]{2})")
# Punctuation other than hyphens and apostrophes ends a phrase.
_PHRASE_BREAK = re.compile(r"[^\w\s\-']+")
# Tokens and phrase breaks in one pass (group 1 is a token; an empty match of it marks a break). A break
# is no word character, so it neither ends nor starts a token: the tokens are those of each segment.
_TOKEN_OR_BREAK = re.compile(rf"({TOKEN_PATTERN.removeprefix('(?u)')})|{_PHRASE_BREAK.pattern}")
# The same for an ASCII text (all but 6 of the 6,545 NeurIPS/ICML abstracts once normalised): ASCII classes
# match ~1.6x faster than Unicode ones (8.2 -> 5.2 s of CPU for 100k abstracts). On ASCII text the two
# differ only in \s, which in Unicode also holds the separators \x1c-\x1f: they are named here.
_TOKEN_OR_BREAK_ASCII = re.compile(rf"({TOKEN_PATTERN.removeprefix('(?u)')})|[^\w\s\x1c-\x1f\-']+", re.ASCII)
# LaTeX as abstracts carry it: accents (R\'enyi), text macros (\emph{..}), citations, inline math.
_LATEX_ACCENT = re.compile(r"""\\(?:[`'^"~=.]|[uvHc](?![A-Za-z]))\s*\{?\s*\\?([A-Za-z])\}?""")
_LATEX_DROPPED = re.compile(r"\\(?:cite[pt]?|ref|eqref|url|href|footnote)\s*\{[^{}]*\}")
_LATEX_MATH = re.compile(r"\$\$?([^$]*)\$\$?")
_LATEX_MACRO = re.compile(r"\\[A-Za-z]+\*?|\\.")
# Texts tokenised at a time (:func:`_term_counts`): their tokens are held as strings until numbered.
TOKEN_BLOCK = 5000
# A term seen in more than this share of papers is corpus-wide vocabulary, not a topic.
MAX_DOC_FREQ = 0.5
MATRIX_FILE = "text-tfidf.npz"
VOCAB_FILE = "text-vocabulary.json"
# The build's local embedding of each row, float16 (half the bytes; cosines move by ~1e-3): the topic
# lens reads it instead of embedding every paper again on each query.
VECTORS_FILE = "text-embedding.npy"
VECTORS_DTYPE = np.float16
# What made those vectors (graphx.build.embedding.model_tag), rows and dimensions: readers use the saved
# vectors only when the tag matches the model they would compute with.
VECTORS_META_FILE = "text-embedding.json"


def paper_text(paper: Paper) -> str:
    """Title and abstract, the text that similarity and labels read."""
    return f"{paper.title}. {paper.abstract or ''}"


def decode_latex(text: str) -> str:
    """Text with its LaTeX markup read as a reader would: accents folded, macros and math symbols gone.

    Only what abstracts carry: accented letters (``R\\'enyi`` is "Renyi", not "r" + "enyi"), text
    macros whose argument stays (``\\emph{sparse}``), citations and URLs dropped whole, inline math
    kept for its letters only (``$k$-means`` stays "k-means", ``$\\epsilon$`` gives nothing).

    Examples
    --------
    >>> decode_latex(r"the Cram\\'{e}r-Rao bound for \\emph{sparse} $\\ell_1$ models \\cite{x}, $k$-means")
    'the Cramer-Rao bound for sparse models , k-means'
    """
    if "\\" not in text and "$" not in text:
        return text
    text = _LATEX_ACCENT.sub(r"\1", text)
    text = _LATEX_DROPPED.sub("", text)
    text = _LATEX_MATH.sub(lambda m: re.sub(r"[_^]", " ", _LATEX_MACRO.sub(" ", m.group(1))), text)
    text = _LATEX_MACRO.sub("", text)
    # Math leaves single letters, digits and operators: keep only what can start a word.
    text = re.sub(r"(?<![\w-])[\d{}()\[\]+=<>|^_]+(?![\w-])", "", text)
    return re.sub(r"[ \t]{2,}", " ", text.replace("{", "").replace("}", "").replace("~", " "))


def analyze(text: str) -> list[str]:
    """Terms of a text: words, and phrases of two words that stand next to each other.

    A phrase never spans punctuation ("graph neural networks (GNNs)" gives no "networks gnns") or a
    removed stop word ("learning with policies" gives no "learning policies"): labels are made of
    these phrases and must read as the text does. Two exceptions keep a researcher's phrases whole:
    "of" and "to" may stand inside a three-word phrase ("chain of thought", "mixture of experts"), and
    a hyphen between words is a space, so spellings of one term are one feature ("inference-time" =
    "Inference time"). LaTeX is decoded first (:func:`decode_latex`).

    Examples
    --------
    >>> analyze("Graph Neural Networks (GNNs) for molecules.")
    ['graph', 'neural', 'networks', 'graph neural', 'neural networks', 'gnns', 'molecules']
    >>> analyze("Chain-of-thought prompting")
    ['chain', 'thought', 'prompting', 'thought prompting', 'chain of thought']
    """
    terms: list[str] = []
    for segment in _PHRASE_BREAK.split(_normalise(text)):
        tokens = _TOKEN.findall(segment)
        words = [w if w not in STOP_WORDS else None for w in tokens]
        terms.extend(w for w in words if w)
        terms.extend(f"{a} {b}" for a, b in zip(words, words[1:], strict=False) if a and b)
        terms.extend(
            f"{a} {j} {b}"
            for a, j, b in zip(words, tokens[1:], words[2:], strict=False)
            if a and b and j in PHRASE_JOINERS
        )
    return terms


def _normalise(text: str) -> str:
    """Text as :func:`analyze` tokenises it: LaTeX decoded, lower case, accents stripped, hyphens
    between words read as spaces."""
    return _SPLIT_HYPHEN.sub(" ", strip_accents_unicode(decode_latex(text).lower()))


def _vectorizer(n_texts: int, vocabulary: Sequence[str] | None = None) -> TfidfVectorizer:
    return TfidfVectorizer(
        analyzer=analyze,
        # Terms of a single paper cannot link two papers; on tiny inputs keep everything.
        min_df=2 if n_texts >= 3 else 1,
        max_df=MAX_DOC_FREQ if n_texts >= 20 else 1.0,
        sublinear_tf=True,
        dtype=np.float32,
        vocabulary=vocabulary,
    )


@dataclass
class TextIndex:
    """L2-normalised TF-IDF rows (float32, unigrams and bigrams) of papers' titles and abstracts.

    Attributes
    ----------
    ids : list of str
        Paper id of each row.
    X : scipy.sparse.csr_matrix
        One row per paper; rows of papers with no known term are all zero.
    terms : list of str
        Column names.
    idf : numpy.ndarray
        Inverse document frequency of each column, as fitted.
    vectors : numpy.ndarray or None
        The build's local embedding of each row (:func:`graphx.build.similarity.local_embedding`),
        stored as float16; None where the build did not compute it (embedding off or not installed,
        or a graph saved before it was kept).
    vectors_model : str or None
        What made ``vectors`` (:func:`graphx.build.embedding.model_tag`); None when unknown (saved
        before the tag was kept), which readers treat as not matching.
    """

    ids: list[str]
    X: sp.csr_matrix
    terms: list[str]
    idf: np.ndarray
    vectors: np.ndarray | None = None
    vectors_model: str | None = None

    def current_vectors(self, tag: str | None) -> np.ndarray | None:
        """``vectors`` if they were made by the model ``tag`` names, else None (compute them again)."""
        if self.vectors is None or tag is None or self.vectors_model != tag:
            return None
        return self.vectors

    def transform(self, papers: Sequence[Paper]) -> sp.csr_matrix:
        """Rows for other papers in this index's space (its vocabulary and IDF, nothing refitted)."""
        if not self.terms or not papers:
            return sp.csr_matrix((len(papers), self.X.shape[1]), dtype=np.float32)
        vectorizer = _vectorizer(len(self.ids), vocabulary=self.terms)
        vectorizer.idf_ = self.idf
        return vectorizer.transform([paper_text(p) for p in papers]).tocsr()

    def extend(self, papers: Sequence[Paper], vectors: np.ndarray | None = None) -> TextIndex:
        """This index with rows for ``papers`` appended (vocabulary and IDF unchanged).

        ``vectors`` are the new papers' local embeddings; the result keeps embeddings only when this
        index has them and they are given for every new paper (otherwise readers compute them).
        """
        rows = self.transform(papers)
        kept = self.vectors if not papers else None
        if papers and self.vectors is not None and vectors is not None and len(vectors) == len(papers):
            kept = np.vstack([self.vectors, np.asarray(vectors, dtype=VECTORS_DTYPE)])
        return TextIndex(
            [*self.ids, *(p.id for p in papers)],
            sp.vstack([self.X, rows]).tocsr(),
            self.terms,
            self.idf,
            kept,
            self.vectors_model if kept is not None else None,
        )

    def binary(self) -> sp.csr_matrix:
        """Which paper uses which term (1/0), for counting papers per term."""
        B = self.X.copy()
        B.data = np.ones_like(B.data)
        return B

    def save(self, folder: str | os.PathLike) -> None:
        folder = Path(folder)
        # Not compressed: twice the bytes (6.3 against 2.9 MB at 6,545 papers), but no deflate of the
        # whole matrix on every save (7.5 s CPU at 100k papers, whose graph.json alone is 700 MB).
        sp.save_npz(folder / MATRIX_FILE, self.X, compressed=False)
        # orjson: the same JSON document as json.dump wrote (3.3 s at 100k papers), in a tenth of the time.
        (folder / VOCAB_FILE).write_bytes(
            orjson.dumps({"ids": self.ids, "terms": self.terms, "idf": self.idf.tolist()})
        )
        self.save_vectors(folder)

    def save_vectors(self, folder: str | os.PathLike) -> None:
        """Write ``vectors`` and the tag of their model (or remove stale ones where there are none)."""
        folder = Path(folder)
        if self.vectors is not None:
            np.save(folder / VECTORS_FILE, np.asarray(self.vectors, dtype=VECTORS_DTYPE), allow_pickle=False)
            meta = {
                "model": self.vectors_model,
                "rows": int(self.vectors.shape[0]),
                "dims": int(self.vectors.shape[1]),
            }
            with open(folder / VECTORS_META_FILE, "w", encoding="utf-8") as fh:
                json.dump(meta, fh)
        else:
            # No stale vectors left behind for a later reader to trust.
            for stale in (VECTORS_FILE, VECTORS_META_FILE):
                (folder / stale).unlink(missing_ok=True)

    @classmethod
    def load(cls, folder: str | os.PathLike) -> TextIndex | None:
        """The index saved in ``folder``, or None if there is none (a graph built before it existed)."""
        folder = Path(folder)
        if not (folder / MATRIX_FILE).is_file() or not (folder / VOCAB_FILE).is_file():
            return None
        with open(folder / VOCAB_FILE, encoding="utf-8") as fh:
            vocab = json.load(fh)
        X = sp.load_npz(folder / MATRIX_FILE).tocsr().astype(np.float32)
        vectors = _load_vectors(folder / VECTORS_FILE, len(vocab["ids"]))
        return cls(
            vocab["ids"], X, vocab["terms"], np.asarray(vocab["idf"], dtype=np.float64),
            vectors, _vectors_model(folder / VECTORS_META_FILE, vectors),
        )  # fmt: skip


def _vectors_model(path: Path, vectors: np.ndarray | None) -> str | None:
    """The model tag saved with ``vectors``, or None if absent, unreadable or not describing them."""
    if vectors is None or not path.is_file():
        return None
    try:
        with open(path, encoding="utf-8") as fh:
            meta = json.load(fh)
    except (OSError, ValueError):
        return None
    if not isinstance(meta, dict) or (meta.get("rows"), meta.get("dims")) != vectors.shape:
        return None
    model = meta.get("model")
    return model if isinstance(model, str) else None


def _load_vectors(path: Path, n_rows: int) -> np.ndarray | None:
    """The stored embedding, or None if absent or unusable (its readers then compute it again)."""
    if not path.is_file():
        return None
    try:
        V = np.load(path, allow_pickle=False)
    except (OSError, ValueError):
        return None
    if V.ndim != 2 or len(V) != n_rows or not np.isfinite(V).all():
        return None
    return V


def build_text_index(
    papers: Sequence[Paper], *, texts: Sequence[str] | None = None, tail: Tail | None = None
) -> TextIndex:
    """Fit TF-IDF on the papers' titles and abstracts.

    ``texts`` are the papers' :func:`paper_text`, if the caller has them. ``tail`` is
    ``(start, pending)``: the :func:`numbered_tokens` of ``texts[start:]`` being made elsewhere (the
    build's helper process, :mod:`graphx.build.parallel`), merged with this process's: the same index.

    Examples
    --------
    >>> index = build_text_index([Paper(id="a", title="Graph neural networks"),
    ...                           Paper(id="b", title="Graph neural networks for molecules")])
    >>> index.terms
    ['graph', 'graph neural', 'molecules', 'networks', 'neural', 'neural networks']
    """
    texts = [paper_text(p) for p in papers] if texts is None else texts
    ids = [p.id for p in papers]
    n = len(texts)
    # What TfidfVectorizer(analyzer=analyze) fits (see _vectorizer), step by step on counts made by
    # _term_counts: the same pruning, column order and row layout, so the same floats to the bit.
    counts, term = _term_counts(texts, tail)
    min_papers, max_papers = (2 if n >= 3 else 1), (MAX_DOC_FREQ if n >= 20 else 1.0) * n
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    kept = np.flatnonzero((df <= max_papers) & (df >= min_papers))
    if len(kept) == 0:  # every term pruned: the texts share no vocabulary at all
        return TextIndex(ids, sp.csr_matrix((n, 0), dtype=np.float32), [], np.zeros(0))
    counts = counts[:, kept]
    names = [term(c) for c in kept.tolist()]
    order = sorted(range(len(names)), key=names.__getitem__)
    rank = np.empty(len(order), dtype=counts.indices.dtype)
    rank[order] = np.arange(len(order), dtype=counts.indices.dtype)
    counts.indices = rank.take(counts.indices, mode="clip")
    tfidf = TfidfTransformer(sublinear_tf=True).fit(sp.csr_matrix(counts))
    X = tfidf.transform(sp.csr_matrix(counts), copy=False).tocsr()
    return TextIndex(ids, X, [names[i] for i in order], tfidf.idf_.copy())


def _term_counts(texts: Sequence[str], tail: Tail | None = None) -> tuple[sp.csr_array, Callable[[int], str]]:
    """How often each text uses each term of :func:`analyze`, and the term of a column.

    Laid out as scikit-learn's CountVectorizer counts before pruning: columns numbered in the order
    terms first occur (text by text, in :func:`analyze`'s order), rows sorted by column, float32.
    Tokens are found by one regex pass per text; phrases are formed and counted by numpy over the
    whole corpus, not term by term in Python (the index of 6,545 papers: 2.0 -> 1.1 s CPU). With
    ``tail`` (see :func:`build_text_index`) the last texts' tokens come from elsewhere.
    """
    if not texts:
        return sp.csr_array((0, 0), dtype=np.float32), str
    if tail is None:
        words, ids, lengths = numbered_tokens(texts)
    else:
        start, pending = tail
        words, ids, lengths = _joined(numbered_tokens(texts[:start]), pending.result())
    brk = words.index("")  # a phrase break: every text ends with one
    n_words = len(words)
    joiners = sorted(PHRASE_JOINERS)
    joiner = np.array([joiners.index(w) if w in PHRASE_JOINERS else -1 for w in words], dtype=np.int64)
    word = ~np.array([not w or w in STOP_WORDS for w in words], dtype=bool)[ids]  # tokens that are terms
    unigram = np.flatnonzero(word)
    bigram = np.flatnonzero(word[:-1] & word[1:])
    trigram = np.flatnonzero(word[:-2] & (joiner[ids[1:-1]] >= 0) & word[2:])
    codes = np.concatenate(
        [
            ids[unigram],
            n_words + ids[bigram] * n_words + ids[bigram + 1],
            n_words + n_words**2 + (ids[trigram] * n_words + ids[trigram + 2]) * len(joiners)
            + joiner[ids[trigram + 1]],
        ]
    )  # fmt: skip
    # analyze's order: segment by segment (a break starts one), its words, then bigrams, then trigrams.
    # Each term's place in that order is counted, not sorted for: its segment's start, the segment's
    # terms of earlier kinds, then its rank among the segment's terms of its kind.
    # Positions are int32 (a local build holds far fewer than 2^31 term occurrences): half the memory of
    # the arrays alive at this function's peak, with those of each kind freed as soon as they are placed.
    segment = np.cumsum(ids == brk, dtype=np.int32)
    n_segments = int(segment[-1]) + 1
    at = np.concatenate([unigram, bigram, trigram], dtype=np.int32, casting="same_kind")
    place = np.empty(len(at), dtype=np.int32)
    per_kind = [np.bincount(segment[k], minlength=n_segments) for k in (unigram, bigram, trigram)]
    start = np.concatenate([[0], np.cumsum(sum(per_kind))[:-1]])
    offset, done = start.copy(), 0
    for k, n_k in zip((unigram, bigram, trigram), per_kind, strict=True):
        seg = segment[k]
        before = np.concatenate([[0], np.cumsum(n_k)[:-1]])  # terms of this kind in earlier segments
        place[done : done + len(k)] = offset[seg] + np.arange(len(k)) - before[seg]
        offset += n_k
        done += len(k)
    del segment, unigram, bigram, trigram, word, seg, k  # the largest arrays: memory at 100k papers
    # Equal codes side by side, each term's occurrences in text order (so their texts ascend), then per
    # term: its column (the rank of its first place) and its count in each text, as runs of that order.
    by_code = _stable_order(codes)
    codes = codes[by_code]
    starts = np.ones(len(codes), dtype=bool)
    np.not_equal(codes[1:], codes[:-1], out=starts[1:])
    term_of = np.cumsum(starts, dtype=np.int32) - 1  # the term (in code order) of each sorted occurrence
    starts = np.flatnonzero(starts)
    distinct = codes[starts]
    del codes
    first_seen = np.argsort(np.minimum.reduceat(place[by_code], starts))
    del place
    column = np.empty(len(distinct), dtype=np.int64)
    column[first_seen] = np.arange(len(distinct))
    column_code = distinct[first_seen]
    doc = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)[at[by_code]]
    del at, by_code, ids
    runs = np.ones(len(doc), dtype=bool)
    np.not_equal(doc[1:], doc[:-1], out=runs[1:])
    runs[starts] = True
    runs = np.flatnonzero(runs)
    values = np.diff(np.append(runs, len(doc)))
    rows, cols = doc[runs], column[term_of[runs]]  # each (text, column) once
    del doc, term_of
    # Rows by scipy's counting sort, then each row's columns sorted: no sort of all the cells.
    counts = sp.coo_array(
        (values.astype(np.intc), (rows, cols)), shape=(len(texts), len(distinct)), dtype=np.float32
    ).tocsr()
    counts.sort_indices()

    def term(col: int) -> str:
        code = int(column_code[col])
        if code < n_words:
            return words[code]
        code -= n_words
        if code < n_words**2:
            return f"{words[code // n_words]} {words[code % n_words]}"
        pair, j = divmod(code - n_words**2, len(joiners))
        return f"{words[pair // n_words]} {joiners[j]} {words[pair % n_words]}"

    return counts, term


def numbered_tokens(texts: Sequence[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The tokens of each text (and a phrase break, ``""``, at each break and each text's end), numbered:
    the distinct tokens in order of first occurrence, every token's number, and each text's count.

    A block of :data:`TOKEN_BLOCK` texts at a time: only one block's tokens are Python strings at once
    (all of them at once were ~15M strings, ~1 GB at 100k papers).
    """
    number: dict[str, int] = {}
    words: list[str] = []
    parts: list[np.ndarray] = []
    lengths = np.zeros(len(texts), dtype=np.int64)
    for start in range(0, len(texts), TOKEN_BLOCK):
        tokens: list[str] = []
        for t in range(start, min(start + TOKEN_BLOCK, len(texts))):
            found = _tokens_or_breaks(_normalise(texts[t]))
            found.append("")  # the end of a text breaks phrases too
            tokens.extend(found)
            lengths[t] = len(found)
        parts.append(number_tokens(tokens, number, words))
    ids = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
    return words, ids, lengths


def _tokens_or_breaks(normalised: str) -> list[str]:
    """``_TOKEN_OR_BREAK.findall(normalised)``, by its ASCII twin where the text is ASCII."""
    return (_TOKEN_OR_BREAK_ASCII if normalised.isascii() else _TOKEN_OR_BREAK).findall(normalised)


def number_tokens(tokens: Sequence[str], number: dict[str, int], words: list[str]) -> np.ndarray:
    """The number of each token: its place in ``words``, which grows by the tokens not yet in ``number``
    (word -> number, updated), in their order of first occurrence. ``number`` may also hold markers
    that are no word (the local embedding's text break, numbered -1).

    >>> number, words = {}, []
    >>> number_tokens(["b", "a", "b"], number, words).tolist()
    [0, 1, 0]
    >>> number_tokens(["c", "a"], number, words).tolist()
    [2, 1]
    >>> words
    ['b', 'a', 'c']
    """
    new = [w for w in dict.fromkeys(tokens) if w not in number]
    number.update(zip(new, range(len(words), len(words) + len(new)), strict=True))
    words.extend(new)
    return np.fromiter(map(number.__getitem__, tokens), dtype=np.int64, count=len(tokens))


def tail_tokens(texts: Kept[Sequence[str]], start: int) -> tuple[list[str], np.ndarray, np.ndarray]:
    """:func:`numbered_tokens` of the kept texts from ``start`` on (the helper process's share)."""
    return numbered_tokens(texts.value[start:])


def _joined(
    head: tuple[list[str], np.ndarray, np.ndarray], rest: tuple[list[str], np.ndarray, np.ndarray]
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """:func:`numbered_tokens` of two runs of texts, one after the other: what it gives of all of them
    (the later run's new tokens numbered after the earlier run's, in their order of first occurrence)."""
    words, ids, lengths = head
    later, later_ids, later_lengths = rest
    words = list(words)
    renumber = number_tokens(later, dict(zip(words, range(len(words)), strict=True)), words)
    return words, np.concatenate([ids, renumber[later_ids]]), np.concatenate([lengths, later_lengths])


def _stable_order(values: np.ndarray) -> np.ndarray:
    """``np.argsort(values, kind="stable")`` of non-negative integers, by a plain sort of each value
    packed with its position when both fit in 63 bits (4x faster on 35M term occurrences: numpy sorts
    int64 with SIMD, but its stable argsort is a timsort)."""
    n = len(values)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    bits = max(int(n - 1).bit_length(), 1)
    if int(values.min()) < 0 or int(values.max()) >= 1 << (63 - bits):
        return np.argsort(values, kind="stable")
    keys = values.astype(np.int64) << bits
    keys |= np.arange(n, dtype=np.int64)
    keys.sort()
    keys &= (1 << bits) - 1
    return keys
