"""Area labels a researcher would write, from class-based TF-IDF; per-community summaries.

A community's label is its 2-4 most *distinctive* terms. c-TF-IDF treats all papers of a community as
one document: a term scores ``tf * log(tf / tf_all)`` (``tf`` the share of the community's papers using
it, ``tf_all`` the share over all papers), high only for terms both common inside and rarer outside.
Each paper counts a term once, so one paper repeating a word cannot name a community. Then:

- *support*: a term must be used by :func:`min_term_papers` papers of the community (3, or a third of
  a small one); a community under :data:`MIN_AREA_PAPERS` papers is "unclustered", never named from
  its own rare words;
- *closeness*: candidates are re-ranked by how close the papers using them sit to the community's
  centroid (paper embeddings where given, TF-IDF rows otherwise), so a term of a fringe cluster of
  papers does not name the whole;
- *phrases*: a word gives way to a phrase containing it that scores nearly as well ("learning" ->
  "reinforcement learning"), a phrase is completed to the longer phrase its papers write ("graph
  neural" -> "graph neural networks"), and an acronym of a chosen phrase ("gnns") is dropped;
- *distinct*: no term repeats a sibling's term or the parent's label.
"""

from __future__ import annotations

import functools
import itertools
import math
import os
import re
from collections import Counter, deque
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor

import networkx as nx
import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer, strip_accents_unicode

from graphx.build.communities import Partition
from graphx.build.text import STOP_WORDS, TextIndex, analyze
from graphx.errors import ConfigError
from graphx.palette import area_color

MIN_TERMS = 2
LARGEST_LABEL = 4  # terms a label may hold at most, whatever ``max_terms`` asks
CANDIDATES = 40  # ranked terms looked at per community while picking distinct ones
PHRASE_SHARE = 0.5  # a phrase replaces its word when it scores at least this share of the word
PHRASE_BOOST = 1.5  # phrases (two words, or hyphenated) score this much more than their c-TF-IDF
GENERIC_SHARE = 0.1  # a single word used by more of all papers is scaled down by this share over its own
MIN_TERM_PAPERS = 3  # papers of a community that must use a term for it to name the community
SMALL_AREA_SHARE = 1 / 3  # ... or this share of a community smaller than 3 / SMALL_AREA_SHARE papers
MIN_AREA_PAPERS = 3  # smaller communities are not named at all
UNCLUSTERED = "unclustered"
CENTROID_WEIGHT = 0.5  # share of a candidate's score that depends on its closeness to the centroid
EXTEND_SHARE = 0.7  # a phrase is completed by a neighbouring word its papers write at least this often
COMPLETION_TEXTS = 200  # papers read to complete a phrase (the decision is a share: a sample serves)
SAME_WORD_PREFIX = 4  # a word this long that starts another is the same word ("fair", "fairness")
SAME_STEM = 7  # words sharing this many first letters are one ("generative", "generation")
TOP_PAPERS = 5
# Threads ranking communities' candidate terms (label_communities), and how many communities ahead of the
# one being named. The same labels however many (each ranking is its own).
RANK_THREADS = 2
RANK_AHEAD = 4
_WORD = r"[^\W\d_][\w\-]*[^\W_]"
_WORD_BEFORE = re.compile(rf"(?<![\w\-])({_WORD})[\s\-]$")
# Words that never extend a phrase: stop words and boilerplate, except those names of fields start with.
_NO_COMPLETION = STOP_WORDS - {"large"}
_LOOK_BACK = 64  # characters before a phrase searched for the word preceding it
_WORD_AFTER = re.compile(rf"[\s\-]({_WORD})(?![\w\-])")


def min_term_papers(size: int) -> int:
    """Papers of a community of ``size`` that must use a term naming it: 3, or a third of a small one.

    >>> [min_term_papers(n) for n in (3, 6, 7, 500)]
    [2, 2, 3, 3]
    """
    return min(MIN_TERM_PAPERS, max(2, math.ceil(size * SMALL_AREA_SHARE)))


def normalise_text(text: str) -> str:
    """Lower case, accents stripped: the form phrases are matched in."""
    return strip_accents_unicode(text.lower())


def term_papers(term: str, texts: Sequence[str]) -> int:
    """How many of ``texts`` use ``term`` as whole words (hyphen or space between its words).

    >>> term_papers("graph neural networks", ["Graph neural-networks.", "graph neural nets", "graph"])
    1
    """
    pattern = _term_pattern(term)
    return sum(1 for text in texts if pattern.search(normalise_text(text)))


@functools.lru_cache(maxsize=4096)
def _term_pattern(term: str) -> re.Pattern:
    words = re.split(r"[\s\-]+", term.strip())
    first = re.escape(words[0])
    # The word boundary before the phrase is checked behind its first word, not ahead of it: a
    # pattern that opens with a literal lets the regex engine skip to candidate places (10x faster).
    return re.compile(
        first + rf"(?<![\w\-]{first})" + "".join(r"[\s\-]+" + re.escape(w) for w in words[1:]) + r"(?![\w\-])"
    )


def term_matrix(texts: Sequence[str]) -> tuple[sp.csr_matrix, list[str]]:
    """Binary paper x term matrix (unigrams and bigrams, stop words and boilerplate out) and term names."""
    vectorizer = CountVectorizer(analyzer=analyze, binary=True, min_df=2 if len(texts) >= 10 else 1)
    try:
        X = vectorizer.fit_transform(texts)
    except ValueError:  # no usable term at all
        return sp.csr_matrix((len(texts), 0)), []
    return X.tocsr(), list(vectorizer.get_feature_names_out())


def class_tfidf(
    texts: Sequence[str] | None,
    classes: Sequence[Hashable],
    *,
    matrix: tuple[sp.csr_matrix, list[str]] | None = None,
) -> tuple[list, sp.csr_matrix, list[str]]:
    """Class-based term scores: (class keys, sparse class x term score matrix, term names).

    ``tf`` is the share of a class's papers that use the term; the class-based ``idf`` is
    ``log(tf / tf_all)``, how over-represented the term is in the class against all texts given.
    Their product is the term's contribution to the divergence of the class from the corpus: high
    only for terms both common in the class and rarer elsewhere. Phrases are boosted by PHRASE_BOOST;
    single words used by more than GENERIC_SHARE of all papers are scaled down in proportion ("model",
    "algorithm" name no area). Terms used by fewer than
    :func:`min_term_papers` papers of a class score 0: they cannot name it. ``matrix`` (from
    :func:`term_matrix`, one row per class entry) saves re-tokenising the same texts.
    """
    X, terms = matrix if matrix is not None else term_matrix(texts or [])
    keys = list(dict.fromkeys(classes))
    if not terms:
        return keys, sp.csr_matrix((len(keys), 0)), []
    index = {k: i for i, k in enumerate(keys)}
    member_rows = [index[c] for c in classes]
    n = len(member_rows)
    M = sp.csr_matrix((np.ones(n), (member_rows, np.arange(n))), shape=(len(keys), n))
    # Sparse throughout: at 100k papers a dense class x term matrix is areas x 1.4M terms. Counts of
    # ones are exact in any float type: a binary X (a build's) is not copied.
    counts = (M @ _binary(X)).tocsr()
    counts.eliminate_zeros()
    sizes = np.asarray(M.sum(axis=1)).ravel()
    return keys, class_scores(counts, sizes, terms), terms


def _binary(X: sp.spmatrix) -> sp.csr_matrix:
    """``X`` as CSR with every stored value 1 (``X`` itself when it is already that: no copy)."""
    X = X.tocsr()
    if np.all(X.data == 1):
        return X
    B = X.copy()
    B.data = np.ones_like(B.data)
    return B


def class_scores(counts: sp.csr_matrix, sizes: np.ndarray, terms: Sequence[str]) -> sp.csr_matrix:
    """:func:`class_tfidf`'s scores from its class x term paper counts and class sizes.

    ``counts[c, t]`` is how many papers of class ``c`` use term ``t``: a local sparse product here, a
    group-by sum over partitions in the Dask engine (:mod:`graphx.build.distributed.labels`).
    """
    counts = counts.tocsr()
    counts.eliminate_zeros()
    n = float(np.sum(sizes))
    tf_all = np.asarray(counts.sum(axis=0)).ravel() / n
    rows = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))
    tf = counts.data / sizes[rows]
    scores = np.clip(tf * np.log(tf / tf_all[counts.indices]), 0.0, None)
    # A researcher names an area with phrases, not with the words every area uses.
    # Only the columns this set of papers uses: a sub-area's call uses a few of 100k terms.
    used, at = np.unique(counts.indices, return_inverse=True)
    phrase = np.array([" " in terms[j] or "-" in terms[j] for j in used], dtype=bool)
    factor = np.where(phrase, PHRASE_BOOST, np.minimum(1.0, GENERIC_SHARE / np.maximum(tf_all[used], 1e-12)))
    scores *= factor[at]
    support = np.minimum(MIN_TERM_PAPERS, np.maximum(2, np.ceil(sizes * SMALL_AREA_SHARE)))
    scores[counts.data < support[rows]] = 0.0
    out = sp.csr_matrix((scores, counts.indices, counts.indptr), shape=counts.shape)
    out.eliminate_zeros()
    return out


def pick_terms(
    ranked: Sequence[tuple[str, float]],
    *,
    avoid_first: set[str] = frozenset(),
    exclude: set[str] = frozenset(),
    avoid: set[str] = frozenset(),
    max_terms: int,
    complete: Callable[[str], str | None] | None = None,
) -> list[str]:
    """Up to ``max_terms`` terms from ``(term, score)`` ranked best first, no two sharing a word.

        A word gives way to a phrase containing it that scores at least PHRASE_SHARE of it ("language"
        becomes "language models"); ``complete`` maps a term to the longer phrase its papers write, or to
    None for a term that cannot name the community. A word
        that abbreviates a chosen phrase ("rl" for "reinforcement learning") is left out. ``avoid_first``
        holds terms already heading another label of the same level, ``avoid`` terms of other labels of
        the same level (siblings); ``exclude`` holds the parent's terms, which never appear, nor do words
        of them alone (a sub-area does not repeat its area's label).
    """
    chosen: list[str] = []
    for term, score in ranked:
        if " " not in term:
            phrases = (t for t, s in ranked if " " in t and s >= PHRASE_SHARE * score and _overlaps(t, term))
            term = next((t for t in phrases if not any(_overlaps(t, c) for c in chosen)), term)
        if complete is not None:
            term = complete(term)
            if term is None:
                continue
        if term in exclude or term in avoid or any(_overlaps(term, c) for c in chosen):
            continue
        if _abbreviates(term, chosen) or (" " not in term and any(_overlaps(term, e) for e in exclude)):
            continue
        if not chosen and term in avoid_first:
            continue
        chosen.append(term)
        if len(chosen) == max_terms:
            break
    return chosen


def _overlaps(a: str, b: str) -> bool:
    """Whether two terms share a word, inflections folded ("fair" / "fairness", "model" / "models").

    >>> _overlaps("differential privacy", "differentially private"), _overlaps("convex", "convergence")
    (True, False)
    """
    return any(_same_word(x, y) for x in _words(a) for y in _words(b))


@functools.lru_cache(maxsize=65536)
def _words(term: str) -> tuple[str, ...]:
    return tuple(w for w in re.split(r"[\s\-]+", term) if w)


@functools.lru_cache(maxsize=65536)  # pick_terms compares the same candidate words again and again
def _same_word(x: str, y: str) -> bool:
    x, y = _singular(x), _singular(y)
    short, long = sorted((x, y), key=len)
    if long.startswith(short) and len(short) >= SAME_WORD_PREFIX:
        return True
    common = len(os.path.commonprefix([x, y]))
    return x == y or common >= SAME_STEM


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _abbreviates(term: str, phrases: Sequence[str]) -> bool:
    """Whether a word of ``term`` abbreviates one of ``phrases`` or the other way round
    ("llms": "language models", "rl algorithms": "reinforcement learning").
    """

    def short_for(word: str, phrase: str) -> bool:
        initials = "".join(w[0] for w in _words(phrase))
        return len(initials) >= 2 and word.removesuffix("s").endswith(initials) and " " not in word

    return any(
        short_for(w, p) or any(short_for(v, term) for v in _words(p)) for p in phrases for w in _words(term)
    )


def complete_phrase(term: str, texts: Sequence[str], *, min_papers: int) -> str:
    """``term`` with the word its papers write before or after it, if most of them do.

    ``texts`` are the texts using ``term``, in :func:`normalise_text` form. A neighbouring word is
    added when at least EXTEND_SHARE of the papers using ``term`` write it, and ``min_papers`` of them
    do; stop words and boilerplate never extend a phrase (but "large" does: "large language models").

    >>> complete_phrase("graph neural", ["graph neural networks", "deep graph neural networks",
    ...                                  "graph neural networks"], min_papers=2)
    'graph neural networks'
    """
    return _extend(term, _uses(term, texts), min_papers=min_papers)


def _uses(term: str, texts: Sequence[str]) -> list[tuple[str, list[re.Match]]]:
    """The texts writing ``term`` as whole words, each with where it does."""
    pattern = _term_pattern(term)
    return [(text, found) for text in texts if (found := list(pattern.finditer(text)))]


def _extend(term: str, uses: Sequence[tuple[str, list[re.Match]]], *, min_papers: int) -> str:
    """:func:`complete_phrase` from the places ``term`` is written (:func:`_uses`)."""
    words = set(re.split(r"[\s\-]+", term))
    before: Counter[str] = Counter()
    after: Counter[str] = Counter()
    using = len(uses)
    for text, found in uses:
        before.update(
            {
                m.group(1)
                for m in (
                    _WORD_BEFORE.search(text[max(0, f.start() - _LOOK_BACK) : f.start()]) for f in found
                )
                if m
            }
        )
        after.update({m.group(1) for m in (_WORD_AFTER.match(text, f.end()) for f in found) if m})
    out = term
    need = max(min_papers, EXTEND_SHARE * using)
    for counts, side in ((before, "before"), (after, "after")):
        # The most written word (ties: the first met, as most_common orders them) without sorting them all.
        usable = (w for w in counts if w not in _NO_COMPLETION and w not in words)
        word = max(usable, key=counts.__getitem__, default=None)
        if word is not None and counts[word] >= need:
            out = f"{word} {out}" if side == "before" else f"{out} {word}"
    return out


def _users(uses: sp.csr_matrix, cols: np.ndarray) -> sp.csr_matrix:
    """Which members use each candidate term (columns ``cols`` of ``uses``, the binary term rows of the
    members): candidate x member, float64 (for :func:`_closeness_in`)."""
    return uses[:, cols].T.tocsr().astype(np.float64)


def _closeness_in(
    members: np.ndarray, uses: sp.csr_matrix, vectors: np.ndarray | sp.csr_matrix
) -> Callable[[sp.csr_matrix], np.ndarray]:
    """The closeness of one community's candidate terms, given their :func:`_users`: the cosine of each
    candidate's centroid (its papers in the community) with the community's. What depends on the
    community alone (its rows, their centroid) is computed once, for candidates asked for in more than
    one call. ``vectors`` are :func:`_unit_rows`.

    For sparse rows (TF-IDF: a million columns at 100k papers), no product over all the columns: a
    candidate's dot with the centroid is the sum of its papers' dots, and a column that only one paper
    of the community uses adds that paper's square of it to every candidate the paper uses, so only the
    columns two or more papers share go through the sparse product (at 100k papers 160M -> 115M product
    entries; with the dots, 14 -> 9 s of CPU). The same numbers as the products, up to the order of float
    additions (~1e-16)."""
    V = vectors[members]
    if sp.issparse(V):
        rows = np.repeat(np.arange(V.shape[0]), np.diff(V.indptr))
        centroid = np.bincount(V.indices, weights=V.data, minlength=V.shape[1]) / V.shape[0]
        # Not np.dot: OpenBLAS would wake its threads, which then spin on the cores the build is using.
        centroid_norm = float(np.sqrt(np.square(centroid).sum()))
        paper_dots = np.bincount(rows, weights=V.data * centroid[V.indices], minlength=V.shape[0])
        alone = (np.bincount(V.indices, minlength=V.shape[1]) == 1)[V.indices]  # entries of one-paper columns
        own = np.bincount(rows[alone], weights=np.square(V.data[alone]), minlength=V.shape[0])
        kept = ~alone
        indptr = np.concatenate([[0], np.cumsum(np.bincount(rows[kept], minlength=V.shape[0]))])
        V = sp.csr_matrix((V.data[kept], V.indices[kept], indptr), shape=V.shape)  # the shared columns
        del rows, centroid, alone, kept, indptr
    else:
        centroid = V.mean(axis=0)
        centroid_norm = float(np.linalg.norm(centroid))

    def of(used: sp.csr_matrix) -> np.ndarray:
        users = np.maximum(np.asarray(used.sum(axis=1)).ravel(), 1)
        sums = used @ V
        if sp.issparse(sums):
            dots, sq = used @ paper_dots, used @ own
            filled = np.flatnonzero(np.diff(sums.indptr))
            if len(filled):
                sq[filled] += np.add.reduceat(np.square(sums.data), sums.indptr[filled])
        else:
            dots, sq = sums @ centroid, (sums * sums).sum(axis=1)
        denom = np.sqrt(sq) / users * max(centroid_norm, 1e-12)
        return np.clip(dots / users / np.where(denom > 0, denom, 1.0), 0.0, 1.0)

    return of


def _unit_rows(vectors: np.ndarray | sp.csr_matrix) -> np.ndarray | sp.csr_matrix:
    """``vectors`` as float64 rows of length 1 (zero rows stay zero), for :func:`_closeness_in`.

    Each row is scaled by its own norm, so scaling all rows once gives every community's rows the
    values scaling them community by community gave (one call per label call, not per community)."""
    if sp.issparse(vectors):
        V = sp.csr_matrix(vectors, dtype=np.float64)
        norms = np.sqrt(np.asarray(V.multiply(V).sum(axis=1)).ravel())
        return (sp.diags(1 / np.where(norms > 0, norms, 1.0)) @ V).tocsr()
    V = np.asarray(vectors, dtype=np.float64)
    norms = np.linalg.norm(V, axis=1, keepdims=True)
    return V / np.where(norms > 0, norms, 1.0)


def label_communities(
    texts: Sequence[str] | None,
    membership: Sequence[Hashable],
    *,
    exclude: Mapping[Hashable, set[str]] | None = None,
    taken: set[str] | None = None,
    matrix: tuple[sp.csr_matrix, list[str]] | None = None,
    vectors: np.ndarray | sp.csr_matrix | None = None,
    unit_vectors: bool = False,
    max_terms: int,
) -> dict[Hashable, list[str]]:
    """Distinct labels of up to ``max_terms`` terms for every community in ``membership`` (one per text).

    ``texts`` (title and abstract of each entry) let phrases be completed as the papers write them;
    ``matrix`` is their already computed :func:`term_matrix`. ``vectors`` (one row per entry, dense
    embeddings or TF-IDF rows) re-rank candidates by closeness to the community's centroid; without
    them the term matrix's rows serve; ``unit_vectors``: they are :func:`_unit_rows` already (a caller
    labelling many sets of the same rows scales them once). ``taken`` (updated in place) holds labels and
    terms already used at this level, so labels stay distinct across separate calls (sub-areas of
    different areas).
    A community under MIN_AREA_PAPERS papers (of two or more) is labelled ``["unclustered"]``.

    Examples
    --------
    >>> texts = ["graph neural networks for molecules", "message passing graph neural networks",
    ...          "graph neural networks and message passing", "policy gradient reinforcement learning",
    ...          "offline reinforcement learning policy", "reinforcement learning of a policy"]
    >>> label_communities(texts, [0, 0, 0, 1, 1, 1], max_terms=3)
    {0: ['graph neural networks', 'message passing'], 1: ['reinforcement learning', 'policy']}
    """
    if not 1 <= max_terms <= LARGEST_LABEL:
        raise ConfigError(f"label terms must be between 1 and {LARGEST_LABEL} (got {max_terms}).")
    taken = set() if taken is None else taken
    exclude = exclude or {}
    X, terms = matrix if matrix is not None else term_matrix(texts or [])
    keys, scores, terms = class_tfidf(None, membership, matrix=(X, terms))
    B = _binary(X)
    vectors = (
        vectors if unit_vectors and vectors is not None else _unit_rows(vectors if vectors is not None else X)
    )
    members: dict[Hashable, list[int]] = {k: [] for k in keys}
    for i, c in enumerate(membership):
        members[c].append(i)
    normalised = [normalise_text(t) for t in texts] if texts is not None else None
    labels: dict[Hashable, list[str]] = {}
    order = sorted(range(len(keys)), key=lambda r: (-len(members[keys[r]]), r))
    small = {
        r
        for r in order
        if len(members[keys[r]]) < MIN_AREA_PAPERS and len(membership) > len(members[keys[r]])
    }

    def rank(row: int) -> tuple[np.ndarray, sp.csr_matrix, list[tuple[str, float]], dict[str, int]]:
        rows = np.asarray(members[keys[row]])
        uses = B[rows]  # the community's term rows, read by both ranking and completion
        return rows, uses, *_ranked(scores, row, rows, uses, vectors, terms)

    # A community's ranking reads nothing of the labels chosen before it: RANK_THREADS threads rank the
    # next communities (scipy's products and numpy's loops release the GIL) while names are chosen in order.
    with ThreadPoolExecutor(max_workers=RANK_THREADS) as pool:
        ranks = _ahead(pool, rank, [r for r in order if r not in small])
        for row in order:
            key = keys[row]
            if row in small:
                labels[key] = [UNCLUSTERED]
                continue
            rows, uses, ranked, column = next(ranks)
            # Terms are completed only from ``ranked``: the column of each of them is all it needs.
            complete = None if normalised is None else _completer(normalised, rows, uses, column)
            labels[key] = unique_label(
                ranked, key, taken, exclude.get(key, set()), max_terms=max_terms, complete=complete
            )
    return labels


def _ahead(pool: ThreadPoolExecutor, fn: Callable, items: Sequence) -> Iterator:
    """``fn(item)`` of each item, in order, computed by ``pool`` up to RANK_AHEAD items ahead."""
    rest = iter(items)
    pending = deque(pool.submit(fn, item) for item in itertools.islice(rest, RANK_AHEAD))
    while pending:
        value = pending.popleft().result()
        for item in itertools.islice(rest, 1):
            pending.append(pool.submit(fn, item))
        yield value


def unique_label(
    ranked: list[tuple[str, float]],
    key: Hashable,
    taken: set[str],
    parent: set[str],
    *,
    max_terms: int,
    complete: Callable[[str], str | None] | None,
) -> list[str]:
    """The terms naming community ``key``: :func:`pick_terms` avoiding the terms and labels already
    ``taken`` (by siblings) and the ``parent``'s, falling back to repeating a sibling's term when that
    leaves fewer than MIN_TERMS, and ``#key`` added to a label that would be empty or a sibling's.
    Records the label and its terms in ``taken``."""
    chosen = pick_terms(
        ranked, avoid_first=taken, avoid=taken, exclude=parent, max_terms=max_terms, complete=complete
    )
    if len(chosen) < min(MIN_TERMS, max_terms):
        fallback = pick_terms(ranked, exclude=parent, max_terms=max_terms, complete=complete)
        chosen = fallback if len(fallback) > len(chosen) else chosen
    if not chosen or ", ".join(chosen) in taken:
        chosen = [*chosen, f"#{key}"]
    taken.update({", ".join(chosen), *chosen})
    return chosen


def _completer(
    normalised: Sequence[str], members: np.ndarray, uses: sp.csr_matrix, column: Mapping[str, int]
) -> Callable[[str], str | None]:
    """For one community: a term as its papers write it (:func:`complete_phrase`), or None when
    fewer than :func:`min_term_papers` of them write it as such (a two-word term of the tokeniser
    spanning an "'s" reads as no phrase of the text). Reads at most COMPLETION_TEXTS texts a term.
    """
    uses = uses.tocsc()  # the members' term rows

    def texts_of(term: str) -> list[str]:
        j = column.get(term)
        users = members[uses.indices[uses.indptr[j] : uses.indptr[j + 1]]] if j is not None else members
        return [normalised[i] for i in users[:COMPLETION_TEXTS]]

    return phrase_completer(texts_of, min_term_papers(len(members)))


def phrase_completer(texts_of: Callable[[str], list[str]], support: int) -> Callable[[str], str | None]:
    """A term as the texts ``texts_of(term)`` write it (:func:`complete_phrase`), or None when fewer than
    ``support`` of them write it as such; each term read once. Shared by the local labeller (the texts of
    the community's papers using the term) and the Dask engine's (a sample of the area's texts)."""
    memo: dict[str, str | None] = {}

    def complete(term: str) -> str | None:
        if term not in memo:
            written = _uses(term, texts_of(term))
            # A longer phrase is read from at least 3 papers, whatever the community's size.
            memo[term] = (
                _extend(term, written, min_papers=MIN_TERM_PAPERS) if len(written) >= support else None
            )
        return memo[term]

    return complete


def _ranked(
    scores: sp.csr_matrix,
    row: int,
    members: np.ndarray,
    uses: sp.csr_matrix,
    vectors: np.ndarray | sp.csr_matrix,
    terms: Sequence[str],
) -> tuple[list[tuple[str, float]], dict[str, int]]:
    """A community's candidate terms, best first: c-TF-IDF scaled by closeness to its centroid; and
    the column of each in ``terms``. ``uses`` holds the binary term rows of ``members``."""
    start, end = scores.indptr[row], scores.indptr[row + 1]
    cols, vals = scores.indices[start:end], scores.data[start:end]
    best = np.lexsort((cols, -vals))[: 2 * CANDIDATES]  # ties: the earlier term, as a stable sort would
    cols, vals = cols[best], vals[best]
    column = {terms[c]: int(c) for c in cols}
    if len(cols) and len(members) > 1:
        closeness, used = _closeness_in(members, uses, vectors), _users(uses, cols)

        def scaled(at: np.ndarray) -> np.ndarray:
            return vals[at] * (1 - CENTROID_WEIGHT + CENTROID_WEIGHT * closeness(used[at]))

        first = np.arange(min(CANDIDATES, len(cols)))
        best = scaled(first)
        # Closeness scales a value by 1 - CENTROID_WEIGHT to 1: a candidate valued below the lowest of the
        # CANDIDATES best once scaled cannot pass them. A third of the candidates (the product's work at
        # 100k papers) is not scaled at all; the ranking is the same.
        rest = len(first) + np.flatnonzero(vals[len(first) :] >= best.min())
        kept = np.concatenate([first, rest])
        cols, vals = cols[kept], np.concatenate([best, scaled(rest)]) if len(rest) else best
    order = np.lexsort((cols, -vals))[:CANDIDATES]
    return [(terms[cols[t]], float(vals[t])) for t in order], column


def label_set(
    texts: Sequence[str],
    inside: Sequence[bool],
    *,
    matrix: tuple[sp.csr_matrix, list[str]] | None = None,
    vectors: np.ndarray | sp.csr_matrix | None = None,
    max_terms: int,
) -> list[str]:
    """The label of one set of papers (``inside``) against the rest of ``texts``, as areas are named."""
    membership = [1 if flag else 0 for flag in inside]
    if not any(membership):
        return []
    if all(membership):
        membership = [1] * len(membership)
    return label_communities(texts, membership, matrix=matrix, vectors=vectors, max_terms=max_terms)[1]


def node_texts(G: nx.MultiDiGraph, nodes: Sequence[Hashable]) -> list[str]:
    """Title and abstract of each node, as :func:`graphx.build.text.paper_text` gives them for papers."""
    return [f"{G.nodes[n].get('title', '')}. {G.nodes[n].get('abstract') or ''}" for n in nodes]


def annotate(
    G: nx.MultiDiGraph,
    index: TextIndex,
    partition: Partition,
    *,
    vectors: np.ndarray | None = None,
    max_terms: int,
) -> None:
    """Write area / sub-area memberships, labels and summaries into ``G`` (nodes and ``G.graph``).

    ``index`` holds the papers' TF-IDF rows (any order; matched by id); ``vectors`` optional paper
    embeddings, one row per ``index.ids`` entry, for ranking label terms by closeness to an area's
    centroid. Expects ``pagerank`` on the nodes (for the top papers of each community).
    """
    nodes = list(G)
    position = {pid: i for i, pid in enumerate(index.ids)}
    order = [position[n] for n in nodes]
    same = order == list(range(len(index.ids)))  # a build's index is in the graph's order: no copies
    X = index.binary() if same else index.binary()[order]
    V = index.X if vectors is None else np.asarray(vectors)
    # Rows scaled to length 1 once for every label call (each row by its own norm, so the same values).
    V = _unit_rows(V if same else V[order])
    terms = index.terms
    texts = node_texts(G, nodes)
    row = {n: i for i, n in enumerate(nodes)}
    area_labels = label_communities(
        texts,
        [partition.area[n] for n in nodes],
        matrix=(X, terms),
        vectors=V,
        unit_vectors=True,
        max_terms=max_terms,
    )

    sub_labels: dict[int, list[str]] = {}
    taken: set[str] = set()
    by_area: dict[int, list] = {}
    for n in nodes:
        by_area.setdefault(partition.area[n], []).append(n)
    for a in sorted(by_area):
        members = by_area[a]
        subs = [partition.subarea[n] for n in members]
        exclude = {s: set(area_labels[a]) for s in set(subs)}
        if len(set(subs)) == 1:
            # An unsplit area: its one sub-area is named against all areas, like the area itself.
            sub_labels[subs[0]] = _secondary_label(area_labels[a], taken)
            continue
        rows = [row[n] for n in members]
        sub_labels.update(
            label_communities(
                [texts[i] for i in rows], subs, exclude=exclude, taken=taken,
                matrix=(X[rows], terms), vectors=V[rows], unit_vectors=True, max_terms=max_terms,
            )
        )  # fmt: skip

    for n in nodes:
        a, s = partition.area[n], partition.subarea[n]
        G.nodes[n].update(
            community=a,
            community_label=", ".join(area_labels[a]),
            subcommunity=s,
            subcommunity_label=", ".join(sub_labels[s]),
        )
    G.graph["communities"] = summarise(G, "community", area_labels)
    G.graph["subcommunities"] = summarise(G, "subcommunity", sub_labels, parent=partition.parent)


def _secondary_label(area_terms: list[str], taken: set[str]) -> list[str]:
    label = list(area_terms)
    if label != [UNCLUSTERED] and ", ".join(label) in taken:
        label = [*label, "(all)"]
    taken.update({", ".join(label), label[0]})
    return label


def summarise(
    G: nx.MultiDiGraph, attr: str, labels: Mapping[int, list[str]], *, parent: Mapping[int, int] | None = None
) -> list[dict]:
    """Per-community summary dicts (see docs/graph-format.md), ordered by community id."""
    members: dict[int, list] = {}
    for n, c in G.nodes(data=attr):
        members.setdefault(c, []).append(n)
    area_sizes = Counter(c for _, c in G.nodes(data="community"))
    out = []
    for c in sorted(members):
        nodes = members[c]
        years = [G.nodes[n]["year"] for n in nodes if "year" in G.nodes[n]]
        top = sorted(nodes, key=lambda n: -G.nodes[n].get("pagerank", 0.0))[:TOP_PAPERS]
        area = parent[c] if parent is not None else c
        entry = {
            "id": c,
            "label": ", ".join(labels[c]),
            "terms": list(labels[c]),
            "size": len(nodes),
            "years": [min(years), max(years)] if years else None,
            "top_papers": top,
            # Sub-areas carry their area's colour; the explorer draws them in shades of it.
            "color": area_color(area, area_sizes[area]),
        }
        if parent is not None:
            entry["parent"] = parent[c]
        out.append(entry)
    return out
