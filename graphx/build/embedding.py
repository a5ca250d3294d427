"""A local semantic embedding of titles and abstracts, for papers that carry no SPECTER vector.

TF-IDF links papers that share words; it cannot see that "test-time compute" and "inference-time
scaling" are one topic. WordLlama (static token embeddings taken from a large language model, averaged
over a text) can, runs on a CPU in milliseconds per paper, and its wheel ships its weights: nothing is
downloaded at run time. Measured on the quality benchmark (benchmarks/bench_quality.py, see
/work/notes/quality-log.md), a blend of ~0.3 of its cosine with TF-IDF raised ICLR NMI by several points
at a fraction of a transformer's cost.

Where the package is missing or its files cannot be read, :func:`embed_texts` returns None and says why
in :data:`last_warning`; the build then falls back to TF-IDF alone and records the warning.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import scipy.sparse as sp

# WordLlama's bundled model: 256 dimensions of the L2 "supercat" token embeddings.
MODEL_DIM = 256
_LOCK = threading.Lock()
_MODEL: object | None = None
_WHY_NOT: str | None = None


def _load() -> object | None:
    """The bundled WordLlama model, loaded once; None (and the reason in ``_WHY_NOT``) if unavailable."""
    global _MODEL, _WHY_NOT
    with _LOCK:
        if _MODEL is not None or _WHY_NOT is not None:
            return _MODEL
        try:
            import wordllama
            from wordllama import WordLlama
        except ImportError as exc:
            _WHY_NOT = (
                f"semantic embedding skipped: the wordllama package is not installed ({exc}); "
                "similarity uses TF-IDF only. Install it with `pip install wordllama`."
            )
            return None
        # The wheel keeps its files in wordllama/weights and wordllama/tokenizers; pointing the cache
        # at the package folder makes the loader find both there (its own project-root lookup uses
        # "tokenizer/", which the wheel does not have) and never reach for the network.
        folder = Path(wordllama.__file__).parent
        try:
            _MODEL = WordLlama.load(cache_dir=folder, dim=MODEL_DIM, disable_download=True)
            _MODEL.tokenizer.no_padding()  # our own copy: pooling below needs each text's own tokens
        except Exception as exc:  # noqa: BLE001 - any failure to read the bundled files means "no embedding"
            _WHY_NOT = (
                f"semantic embedding skipped: wordllama's bundled model could not be loaded from {folder} "
                f"({type(exc).__name__}: {exc}); similarity uses TF-IDF only. Reinstall wordllama."
            )
        return _MODEL


def available() -> bool:
    """Whether the local embedding can be used here."""
    return _load() is not None


def unavailable_reason() -> str | None:
    """Why the local embedding cannot be used, or None when it can."""
    _load()
    return _WHY_NOT


def embed_texts(texts: Sequence[str]) -> np.ndarray | None:
    """L2-normalised float32 embeddings, one row per text; None if the model is unavailable.

    Empty texts give zero rows. Deterministic: a static embedding has no randomness.

    Examples
    --------
    >>> E = embed_texts(["test-time compute for reasoning", "inference-time scaling of LLMs",
    ...                  "graph neural networks for molecules"])
    >>> bool(E[0] @ E[1] > E[0] @ E[2])
    True
    """
    model = _load()
    if model is None:
        return None
    if not texts:
        return np.zeros((0, MODEL_DIM), dtype=np.float32)
    # The mean of a text's token vectors, as WordLlama's own ``embed`` computes it, but each distinct
    # word is tokenised once (a corpus has ~65k distinct words for ~1M tokens) and the mean is two
    # sparse products: texts x words, words x tokens, times the token table. WordLlama's ``embed``
    # tokenises every text and pads each batch to its longest: 15 s for 6,545 abstracts against
    # ~1.4 s CPU here. A word tokenised alone can split differently from in context, so vectors differ
    # slightly from ``embed`` (median cosine 0.97 to it on NeurIPS/ICML abstracts).
    split = [text.split() for text in texts]
    vocab: dict[str, int] = {}
    for words in split:
        for word in words:
            vocab.setdefault(word, len(vocab))
    table = model.embedding
    encoded = model.tokenizer.encode_batch(list(vocab), add_special_tokens=False)
    word_tokens = _rows_matrix([e.ids for e in encoded], table.shape[0])
    text_words = _rows_matrix([[vocab[w] for w in words] for words in split], len(vocab))
    E = np.asarray((text_words @ word_tokens) @ table, dtype=np.float32)
    norms = np.linalg.norm(E, axis=1, keepdims=True)
    E /= np.where(norms > 0, norms, 1.0)
    return E


def _rows_matrix(rows: Sequence[Sequence[int]], n_cols: int) -> sp.csr_matrix:
    """Count matrix with one row per list of column indices."""
    lengths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
    cols = np.fromiter((c for r in rows for c in r), dtype=np.int64, count=int(lengths.sum()))
    np.clip(cols, 0, n_cols - 1, out=cols)
    values = np.ones(len(cols), dtype=np.float32)
    owners = np.repeat(np.arange(len(rows)), lengths)
    return sp.csr_matrix((values, (owners, cols)), shape=(len(rows), n_cols))
