"""text: what counts as a term - spelling variants, phrases across "of", LaTeX - on real abstracts."""

from __future__ import annotations

import json

import numpy as np
import pytest

from graphx.build.text import _vectorizer, analyze, build_text_index, decode_latex, paper_text
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


def _fitted_by_sklearn(papers):
    """The index as TfidfVectorizer(analyzer=analyze) fits it, term by term: what build_text_index equals."""
    vectorizer = _vectorizer(len(papers))
    X = vectorizer.fit_transform([paper_text(p) for p in papers]).tocsr()
    return X, list(vectorizer.get_feature_names_out()), vectorizer.idf_


def _assert_same_index(index, papers):
    X, terms, idf = _fitted_by_sklearn(papers)
    assert index.terms == terms
    # To the bit, row layout included: similarity and communities read these floats.
    assert index.X.dtype == X.dtype and index.idf.dtype == idf.dtype
    for got, want in (
        (index.X.indptr, X.indptr),
        (index.X.indices, X.indices),
        (index.X.data, X.data),
        (index.idf, idf),
    ):
        assert np.array_equal(got, want)


def test_vectorised_counting_fits_what_the_analyzer_fits(neurips_papers):
    _assert_same_index(build_text_index(neurips_papers), neurips_papers)


@pytest.mark.parametrize("n", [1, 2, 3, 19, 20])
def test_vectorised_counting_on_few_papers(neurips_papers, n):
    papers = [*neurips_papers[:n]]
    _assert_same_index(build_text_index(papers), papers)


def test_vectorised_counting_keeps_phrases_breaks_and_latex():
    papers = [
        Paper(
            id="a",
            title="Chain-of-thought prompting",
            abstract="Graph neural networks (GNNs), of the R\\'enyi.",
        ),
        Paper(
            id="b",
            title="chain of thought; prompting",
            abstract="graph neural networks to $k$-means of Rényi",
        ),
        Paper(id="c", title="Learning to rank of chain of thought", abstract="the of to"),
    ]
    index = build_text_index(papers)
    _assert_same_index(index, papers)
    assert {"chain of thought", "graph neural", "renyi"} <= set(index.terms)
    assert "networks gnns" not in index.terms


def test_texts_with_no_shared_term_give_an_empty_index():
    papers = [Paper(id="a", title="the of"), Paper(id="b", title="alpha beta"), Paper(id="c", title="gamma")]
    index = build_text_index(papers)
    assert index.terms == [] and index.X.shape == (3, 0)
    assert build_text_index([]).X.shape == (0, 0)


def test_ascii_texts_are_tokenised_as_by_the_unicode_pattern(neurips_papers):
    """The ASCII twin of the tokenising pattern (used for ASCII texts: ~1.6x faster) finds the same tokens
    and breaks as the Unicode one: on real abstracts, every ASCII character, and the separators
    \\x1c-\\x1f that Unicode counts as spaces and ASCII does not."""
    from graphx.build import text

    normalised = [text._normalise(paper_text(p)) for p in neurips_papers]
    ascii_texts = [t for t in normalised if t.isascii()]
    assert len(ascii_texts) > 6000
    every_char = " ".join(f"ab{chr(c)}cd" for c in range(128))
    for t in [*ascii_texts, every_char, "graph\x1cneural\x1fnets, k-means; q_learning 3d-x gpt-4"]:
        assert text._TOKEN_OR_BREAK_ASCII.findall(t) == text._TOKEN_OR_BREAK.findall(t)
