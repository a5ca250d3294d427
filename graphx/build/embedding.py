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

import hashlib
import importlib.metadata
import importlib.util
import threading
from collections.abc import Sequence
from itertools import chain
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import scipy.sparse as sp

from graphx.build.text import number_tokens

# WordLlama's bundled model: 256 dimensions of the L2 "supercat" token embeddings.
MODEL_DIM = 256
WEIGHTS_FILE = "l2_supercat_256.safetensors"
TENSOR_KEY = "embedding.weight"
TOKENIZER_FILE = "l2_supercat_tokenizer_config.json"
# How :func:`embed_texts` turns token vectors into a text's vector; part of :func:`model_tag`. Change it
# whenever the pooling changes, so that vectors saved by an older build are recomputed, not mixed in.
POOLING = "mean of tokens, each word tokenised alone, L2-normalised"
_LOCK = threading.Lock()


class _Model(NamedTuple):
    embedding: np.ndarray  # token id -> vector
    tokenizer: Any  # tokenizers.Tokenizer
    tag: str  # what made the vectors: see model_tag


_MODEL: _Model | None = None
_WHY_NOT: str | None = None


def _load() -> _Model | None:
    """The bundled WordLlama model, loaded once; None (and the reason in ``_WHY_NOT``) if unavailable.

    The two files are read straight from the installed package (``weights/`` and ``tokenizers/``):
    WordLlama's own loader looks in ``tokenizer/`` first, may reach for the network, and its import
    pulls in the Hugging Face hub client - a second of a 6,545-paper build for nothing.
    """
    global _MODEL, _WHY_NOT
    with _LOCK:
        if _MODEL is not None or _WHY_NOT is not None:
            return _MODEL
        spec = importlib.util.find_spec("wordllama")
        if spec is None or not spec.submodule_search_locations:
            _WHY_NOT = (
                "semantic embedding skipped: the wordllama package is not installed; similarity uses "
                "TF-IDF only. Install it with `pip install wordllama`."
            )
            return None
        folder = Path(next(iter(spec.submodule_search_locations)))
        try:
            from safetensors.numpy import load_file
            from tokenizers import Tokenizer

            table = load_file(str(folder / "weights" / WEIGHTS_FILE))[TENSOR_KEY]
            tokenizer = Tokenizer.from_file(str(folder / "tokenizers" / TOKENIZER_FILE))
        except Exception as exc:  # noqa: BLE001 - any failure to read the bundled files means "no embedding"
            _WHY_NOT = (
                f"semantic embedding skipped: wordllama's bundled model could not be read from {folder} "
                f"({type(exc).__name__}: {exc}); similarity uses TF-IDF only. Reinstall wordllama."
            )
            return None
        tokenizer.no_padding()
        tokenizer.no_truncation()
        table = np.ascontiguousarray(table, dtype=np.float32)
        _MODEL = _Model(table, tokenizer, _tag(table))
        return _MODEL


def _tag(table: np.ndarray) -> str:
    """Package version, weights file, dimensions, pooling and a digest of the weights themselves (every
    64th row: ~0.01 s, and a retrained table of the same name and shape still differs)."""
    try:
        version = importlib.metadata.version("wordllama")
    except importlib.metadata.PackageNotFoundError:
        version = "unknown"
    digest = hashlib.sha256(np.ascontiguousarray(table[::64]).tobytes()).hexdigest()[:16]
    return f"wordllama {version}; {WEIGHTS_FILE}; {table.shape[1]} dims; {POOLING}; weights sha256 {digest}"


def model_tag() -> str | None:
    """What :func:`embed_texts` computes with here (model, weights digest, dimensions, pooling), or None
    if the model is unavailable. Saved next to stored vectors (graphx.build.text.VECTORS_FILE): vectors
    made under another tag are computed again rather than compared with new ones.

    >>> model_tag().startswith("wordllama ")
    True
    """
    model = _load()
    return model.tag if model is not None else None


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
    words, codes, lengths = _words(texts)
    table = model.embedding
    # encode_batch_fast: the same ids without the character offsets nobody reads here (20% less CPU).
    encoded = model.tokenizer.encode_batch_fast(words, add_special_tokens=False)
    word_tokens = _rows_matrix([e.ids for e in encoded], table.shape[0])
    text_words = _count_matrix(codes, lengths, len(words))
    E = np.asarray(text_words @ np.asarray(word_tokens @ table), dtype=np.float32)
    norms = np.linalg.norm(E, axis=1, keepdims=True)
    E /= np.where(norms > 0, norms, 1.0)
    return E


# Joins the texts into one string to split: a word of its own that no text carries (checked).
_TEXT_BREAK = "\x00"
WORD_BLOCK = 5000  # texts split into words at a time (:func:`_words`)


def _words(texts: Sequence[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The distinct whitespace-separated words of ``texts`` in order of first use, each text's words as
    numbers into them (one flat array) and each text's count of words.

    One split of the joined texts and one dict lookup per word: half the CPU of a split and a list per
    text (4 -> 2 s at 100k papers), numbered as ever. A block of :data:`WORD_BLOCK` texts at a time: all
    the words of 100k abstracts at once were ~18M strings, ~1.2 GB held while the TF-IDF index is built.
    """
    number: dict[str, int] = {}
    words: list[str] = []
    codes: list[np.ndarray] = []
    lengths: list[np.ndarray] = []
    for start in range(0, len(texts), WORD_BLOCK):
        block = texts[start : start + WORD_BLOCK]
        joined = not any(_TEXT_BREAK in text for text in block)
        if joined:
            flat = f" {_TEXT_BREAK} ".join(block).split()
            real = number.pop(_TEXT_BREAK, None)  # a word of its own in an earlier block, if one held it
            number[_TEXT_BREAK] = -1
        else:
            flat = [w for text in block for w in text.split()]
        found = number_tokens(flat, number, words)
        if joined:
            del number[_TEXT_BREAK]
            if real is not None:
                number[_TEXT_BREAK] = real
            at = np.flatnonzero(found < 0)
            lengths.append(np.diff(np.concatenate([[-1], at, [len(found)]])) - 1)
            found = found[found >= 0]
        else:
            counts = (len(text.split()) for text in block)
            lengths.append(np.fromiter(counts, dtype=np.int64, count=len(block)))
        codes.append(found)
    if not codes:
        return words, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return words, np.concatenate(codes), np.concatenate(lengths)


def _rows_matrix(rows: Sequence[Sequence[int]], n_cols: int) -> sp.csr_matrix:
    """Count matrix with one row per list of column indices (clipped to ``n_cols``)."""
    lengths = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
    cols = np.fromiter(chain.from_iterable(rows), dtype=np.int64, count=int(lengths.sum()))
    np.clip(cols, 0, n_cols - 1, out=cols)
    return _count_matrix(cols, lengths, n_cols)


def _count_matrix(cols: np.ndarray, lengths: np.ndarray, n_cols: int) -> sp.csr_matrix:
    """Count matrix whose row ``r`` holds the next ``lengths[r]`` column indices of ``cols``: the rows
    laid out as given, then each row's repeats summed (what a COO matrix's conversion does, without its
    sort of the rows)."""
    indptr = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    values = np.ones(len(cols), dtype=np.float32)
    M = sp.csr_matrix((values, np.asarray(cols, dtype=np.int64), indptr), shape=(len(lengths), n_cols))
    M.sum_duplicates()
    return M
