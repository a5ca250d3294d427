"""The text side of papers: what counts as a term, and the TF-IDF index both similarity and labels read.

Tokenising 100k abstracts is the costliest step of a build, so it happens once: :class:`TextIndex`
keeps the TF-IDF rows with the vocabulary and IDF that made them, is saved with the built graph,
and embeds new papers in the same space when papers are added to a graph.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer, strip_accents_unicode

from graphx.paper import Paper

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
# Tokens: a letter, then letters/digits/hyphens ("gpt-4", "q-learning"); bare numbers carry no topic.
TOKEN_PATTERN = r"(?u)\b[^\W\d_][\w\-]*[^\W_]\b"
_TOKEN = re.compile(TOKEN_PATTERN)
# Punctuation other than hyphens and apostrophes ends a phrase.
_PHRASE_BREAK = re.compile(r"[^\w\s\-']+")
# A term seen in more than this share of papers is corpus-wide vocabulary, not a topic.
MAX_DOC_FREQ = 0.5
MATRIX_FILE = "text-tfidf.npz"
VOCAB_FILE = "text-vocabulary.json"


def paper_text(paper: Paper) -> str:
    """Title and abstract, the text that similarity and labels read."""
    return f"{paper.title}. {paper.abstract or ''}"


def analyze(text: str) -> list[str]:
    """Terms of a text: words, and phrases of two words that stand next to each other.

    Unlike scikit-learn's word n-grams, a phrase never spans punctuation ("graph neural networks
    (GNNs)" gives no "networks gnns") or a removed stop word ("learning with policies" gives no
    "learning policies"): labels are made of these phrases and must read as the text does.

    Examples
    --------
    >>> analyze("Graph Neural Networks (GNNs) for molecules.")
    ['graph', 'neural', 'networks', 'graph neural', 'neural networks', 'gnns', 'molecules']
    """
    terms: list[str] = []
    for segment in _PHRASE_BREAK.split(strip_accents_unicode(text.lower())):
        words = [w if w not in STOP_WORDS else None for w in _TOKEN.findall(segment)]
        terms.extend(w for w in words if w)
        terms.extend(f"{a} {b}" for a, b in zip(words, words[1:], strict=False) if a and b)
    return terms


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
    """

    ids: list[str]
    X: sp.csr_matrix
    terms: list[str]
    idf: np.ndarray

    def transform(self, papers: Sequence[Paper]) -> sp.csr_matrix:
        """Rows for other papers in this index's space (its vocabulary and IDF, nothing refitted)."""
        if not self.terms:
            return sp.csr_matrix((len(papers), self.X.shape[1]), dtype=np.float32)
        vectorizer = _vectorizer(len(self.ids), vocabulary=self.terms)
        vectorizer.idf_ = self.idf
        return vectorizer.transform([paper_text(p) for p in papers]).tocsr()

    def extend(self, papers: Sequence[Paper]) -> TextIndex:
        """This index with rows for ``papers`` appended (vocabulary and IDF unchanged)."""
        rows = self.transform(papers)
        return TextIndex(
            [*self.ids, *(p.id for p in papers)], sp.vstack([self.X, rows]).tocsr(), self.terms, self.idf
        )

    def binary(self) -> sp.csr_matrix:
        """Which paper uses which term (1/0), for counting papers per term."""
        B = self.X.copy()
        B.data = np.ones_like(B.data)
        return B

    def save(self, folder: str | os.PathLike) -> None:
        folder = Path(folder)
        sp.save_npz(folder / MATRIX_FILE, self.X, compressed=True)
        with open(folder / VOCAB_FILE, "w", encoding="utf-8") as fh:
            json.dump(
                {"ids": self.ids, "terms": self.terms, "idf": self.idf.tolist()}, fh, ensure_ascii=False
            )

    @classmethod
    def load(cls, folder: str | os.PathLike) -> TextIndex | None:
        """The index saved in ``folder``, or None if there is none (a graph built before it existed)."""
        folder = Path(folder)
        if not (folder / MATRIX_FILE).is_file() or not (folder / VOCAB_FILE).is_file():
            return None
        with open(folder / VOCAB_FILE, encoding="utf-8") as fh:
            vocab = json.load(fh)
        X = sp.load_npz(folder / MATRIX_FILE).tocsr().astype(np.float32)
        return cls(vocab["ids"], X, vocab["terms"], np.asarray(vocab["idf"], dtype=np.float64))


def build_text_index(papers: Sequence[Paper]) -> TextIndex:
    """Fit TF-IDF on the papers' titles and abstracts.

    Examples
    --------
    >>> index = build_text_index([Paper(id="a", title="Graph neural networks"),
    ...                           Paper(id="b", title="Graph neural networks for molecules")])
    >>> index.terms
    ['graph', 'graph neural', 'molecules', 'networks', 'neural', 'neural networks']
    """
    texts = [paper_text(p) for p in papers]
    ids = [p.id for p in papers]
    vectorizer = _vectorizer(len(texts))
    try:
        X = vectorizer.fit_transform(texts).tocsr()
    except ValueError:  # every term pruned: the texts share no vocabulary at all
        return TextIndex(ids, sp.csr_matrix((len(texts), 0), dtype=np.float32), [], np.zeros(0))
    return TextIndex(ids, X, list(vectorizer.get_feature_names_out()), vectorizer.idf_.copy())
