"""text: what counts as a term - spelling variants, phrases across "of", LaTeX - on real abstracts."""

from __future__ import annotations

import json

import pytest

from graphx.build.text import analyze, build_text_index, decode_latex
from graphx.paper import Paper


def test_spelling_variants_are_one_feature():
    assert "inference time" in analyze("Inference-time scaling")
    assert "inference time" in analyze("scaling at inference time")
    assert "inference time" in analyze("INFERENCE TIME compute")
    # A hyphen joining a letter or a number keeps the term whole: these are names, not two words.
    assert {"q-learning", "gpt-4", "k-means"} <= set(analyze("Q-learning, GPT-4 and k-means"))


def test_phrases_survive_of_and_to():
    assert "chain of thought" in analyze("Chain of thought prompting elicits reasoning")
    assert "chain of thought" in analyze("chain-of-thought prompting")
    assert "mixture of experts" in analyze("Sparse Mixture-of-Experts layers")
    assert "learning to rank" in analyze("learning to rank with transformers")
    # Other stop words still break a phrase: no "learning policies" from "learning with policies".
    assert "learning policies" not in analyze("learning with policies")


def test_latex_is_decoded_before_tokenising(shared_data):
    assert decode_latex(r"Cram\'{e}r-Rao and R\'enyi") == "Cramer-Rao and Renyi"
    terms = analyze(r"the Hirschfeld-Gebelein-R\'enyi coefficient, \emph{sparse} $\ell_1$ \cite{a}")
    assert "renyi" in terms and "sparse" in terms
    assert not {"enyi", "emph", "ell", "cite"} & set(terms)
    # On the real corpus no LaTeX debris becomes a feature.
    path = shared_data / "cs768-neurips-icml-citations" / "papers.jsonl"
    with open(path, encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    latex = [r for r in rows if "\\" in r["abstract"] or "$" in r["abstract"]]
    assert len(latex) > 1000
    index = build_text_index([Paper(id=r["id"], title=r["title"], abstract=r["abstract"]) for r in latex])
    debris = {"cram", "er-rao", "mathcal", "emph", "textit", "frac", "sqrt", "epsilon", "mathbb", "textbf"}
    assert not debris & set(index.terms)
    assert "cramer rao" in index.terms


@pytest.mark.parametrize("text", ["", "$x$", r"\alpha", "{}"])
def test_degenerate_texts_give_no_terms(text):
    assert analyze(text) == []


def test_index_keeps_the_build_embedding_compactly(tmp_path):
    """The build's local embedding is saved beside the TF-IDF rows as float16 and read back in row order;
    a file that does not fit the index is ignored (its readers compute the vectors again)."""
    import numpy as np

    from graphx.build.text import VECTORS_FILE, TextIndex, build_text_index
    from graphx.paper import Paper

    papers = [Paper(id=f"p{i}", title=f"graph neural networks {w}") for i, w in enumerate(["a1", "b2", "c3"])]
    index = build_text_index(papers)
    assert index.vectors is None
    vectors = np.random.default_rng(0).standard_normal((3, 8)).astype(np.float32)
    index.vectors = vectors.astype(np.float16)
    index.save(tmp_path)
    loaded = TextIndex.load(tmp_path)
    assert loaded.vectors.dtype == np.float16 and np.allclose(loaded.vectors, vectors, atol=1e-2)
    grown = loaded.extend([Paper(id="p3", title="graph neural networks d4")], np.ones((1, 8)))
    assert grown.vectors.shape == (4, 8) and grown.ids[-1] == "p3"
    assert grown.extend([]).vectors is grown.vectors
    assert grown.extend([Paper(id="p4", title="graph")]).vectors is None  # no vectors for the newcomer
    np.save(tmp_path / VECTORS_FILE, np.ones((2, 8), dtype=np.float16))  # rows do not match the ids
    assert TextIndex.load(tmp_path).vectors is None
    (tmp_path / VECTORS_FILE).write_bytes(b"not numpy")
    assert TextIndex.load(tmp_path).vectors is None and TextIndex.load(tmp_path).ids == index.ids
