"""similarity: sparse top-k TF-IDF cosine edges, invariants on real abstracts and exact small results."""

from __future__ import annotations

import json

import numpy as np
import pytest
import scipy.sparse as sp

from graphx.build import similarity
from graphx.build.similarity import similarity_edges, top_k_pairs
from graphx.build.text import build_text_index
from graphx.options import BuildOptions
from graphx.paper import Paper


@pytest.fixture(scope="module")
def real_papers(shared_data) -> list[Paper]:
    """The first 800 NeurIPS/ICML papers with their real titles and abstracts."""
    path = shared_data / "cs768-neurips-icml-citations" / "papers.jsonl"
    with open(path, encoding="utf-8") as fh:
        rows = [json.loads(line) for _, line in zip(range(800), fh, strict=False)]
    return [Paper(id=r["id"], title=r["title"], abstract=r["abstract"]) for r in rows]


def test_top_k_pairs_exact_on_small_matrix():
    X = sp.csr_matrix([[1.0, 0.0, 0.0], [0.6, 0.8, 0.0], [0.0, 0.8, 0.6], [0.0, 0.0, 1.0]], dtype=np.float32)
    pairs = top_k_pairs(X, top_k=1, min_score=0.05)
    assert {k: round(v, 2) for k, v in pairs.items()} == {(0, 1): 0.6, (1, 2): 0.64, (2, 3): 0.6}


def test_top_k_pairs_matches_brute_force_on_real_abstracts(real_papers):
    X = build_text_index(real_papers).X
    k = 5
    pairs = top_k_pairs(X, top_k=k, min_score=0.0)
    dense = (X @ X.T).toarray()
    np.fill_diagonal(dense, -1)
    for i in range(0, len(real_papers), 37):
        expected = set(np.argsort(-dense[i], kind="stable")[:k].tolist())
        found = {j for (a, b) in pairs for j in ((b,) if a == i else (a,) if b == i else ())}
        # Every true top-k neighbour is linked (ties at the k-th score may swap one).
        assert len(expected & found) >= k - 1
        for j in found:
            assert pairs[(min(i, j), max(i, j))] == pytest.approx(dense[i, j], abs=1e-5)


def test_edges_are_symmetric_in_unit_interval_and_above_floor(real_papers):
    edges = similarity_edges(
        real_papers, top_k=8, min_score=0.12, embedding_weight=0.5, text_embedding_weight=0.3
    )
    ids = {p.id for p in real_papers}
    seen = set()
    for u, v, s in edges:
        assert u in ids and v in ids and u != v
        assert 0.12 < s <= 1.0
        assert (v, u) not in seen, "a symmetric edge is stored once"
        seen.add((u, v))
    # Each paper keeps at most top_k of its own neighbours; a union can add others' choices.
    assert len(edges) <= 8 * len(real_papers)
    assert len(edges) > len(real_papers)  # real abstracts do link


def test_near_duplicate_abstracts_are_each_others_best_match(real_papers):
    base = real_papers[3]
    twin = Paper(id="twin", title=base.title + " (extended version)", abstract=base.abstract)
    edges = similarity_edges(
        [*real_papers[:200], twin], top_k=3, min_score=0.1, embedding_weight=0.5, text_embedding_weight=0.3
    )
    best = max((s, u, v) for u, v, s in edges if "twin" in (u, v))
    assert {best[1], best[2]} == {"twin", base.id}
    assert best[0] > 0.9


def test_paper_without_abstract_is_linked_by_its_title(real_papers):
    target = real_papers[10]
    bare = Paper(id="bare", title=target.title)
    edges = similarity_edges(
        [*real_papers[:300], bare], top_k=5, min_score=0.05, embedding_weight=0.5, text_embedding_weight=0.3
    )
    neighbours = {v if u == "bare" else u for u, v, _ in edges if "bare" in (u, v)}
    assert target.id in neighbours


def test_embeddings_blend_changes_neighbours():
    papers = [
        Paper(id="a", title="Alpha study of cats", abstract="cats purr", embedding=(1.0, 0.0, 0.0)),
        Paper(id="b", title="Beta study of cats", abstract="cats purr loudly", embedding=(0.0, 1.0, 0.0)),
        Paper(id="c", title="Gamma report on dogs", abstract="dogs bark", embedding=(0.99, 0.1, 0.0)),
    ]
    text_only = {
        frozenset((u, v))
        for u, v, _ in similarity_edges(
            papers, top_k=1, min_score=0.0, embedding_weight=0.0, text_embedding_weight=0.3
        )
    }
    emb_only = {
        frozenset((u, v)): s
        for u, v, s in similarity_edges(
            papers, top_k=1, min_score=0.0, embedding_weight=1.0, text_embedding_weight=0.3
        )
    }
    assert frozenset(("a", "b")) in text_only
    assert frozenset(("a", "c")) in emb_only
    assert emb_only[frozenset(("a", "c"))] == pytest.approx(0.99 / np.hypot(0.99, 0.1), abs=1e-4)


def test_approximate_search_keeps_exact_scores_and_most_neighbours(neurips_papers, monkeypatch):
    # At 6,545 papers the default cap (1,000 papers a term) skips almost nothing; 250 here skips
    # about 300 terms, the share the default skips at 100k papers. Since hyphenated words split into
    # their words ("inference-time" = "inference time") common words are commoner: recall 0.946 here.
    monkeypatch.setattr(similarity, "COMMON_DF", 250)
    X = build_text_index(neurips_papers).X
    exact = top_k_pairs(X, top_k=10, min_score=0.1, exact=True)
    approx = top_k_pairs(X, top_k=10, min_score=0.1, exact=False)
    shared = set(exact) & set(approx)
    assert len(shared) / len(exact) > 0.94
    for pair in shared:
        assert approx[pair] == pytest.approx(exact[pair], abs=1e-5)


def test_query_rows_find_neighbours_among_all_rows(real_papers):
    X = build_text_index(real_papers).X
    full = top_k_pairs(X, top_k=5, min_score=0.1)
    last = np.arange(len(real_papers) - 50, len(real_papers))
    partial = top_k_pairs(X, top_k=5, min_score=0.1, rows=last)
    assert partial and all(i in set(last.tolist()) or j in set(last.tolist()) for i, j in partial)
    assert set(partial) <= set(full)


def test_embeddings_holding_nan_or_inf_are_left_out(tmp_path):
    from graphx.build.pipeline import BuildOptions, build_graph
    from graphx.sources.files import load_papers

    path = tmp_path / "papers.jsonl"
    rows = [
        {"id": "a", "title": "Alpha study of cats", "abstract": "cats purr", "embedding": [1.0, 0.0, 0.0]},
        {
            "id": "b",
            "title": "Beta study of cats",
            "abstract": "cats purr loudly",
            "embedding": [0.9, 0.1, 0.0],
        },
        {
            "id": "c",
            "title": "Gamma report on dogs",
            "abstract": "dogs bark",
            "embedding": [float("nan"), 1, 0],
        },
        {
            "id": "d",
            "title": "Delta report on dogs",
            "abstract": "dogs bark loudly",
            "embedding": [0, float("inf"), 0],
        },
    ]
    path.write_text(
        "\n".join(json.dumps(r) for r in rows)
    )  # json writes NaN and Infinity as Python reads them
    papers = load_papers([path]).papers
    edges = similarity_edges(papers, top_k=2, min_score=0.0, embedding_weight=0.5, text_embedding_weight=0.3)
    assert all(np.isfinite(s) and 0 < s <= 1 for _, _, s in edges)
    assert {frozenset((u, v)) for u, v, _ in edges} >= {frozenset(("c", "d")), frozenset(("a", "b"))}
    G = build_graph(papers, BuildOptions(seed=0), name="nan")
    assert all(np.isfinite(w) for *_, w in G.edges(data="weight"))


def test_every_paper_keeps_its_best_link_even_below_the_floor(real_papers):
    # A floor this high would leave most papers alone; each still keeps its single best link.
    edges = similarity_edges(
        real_papers[:300], top_k=5, min_score=0.6, embedding_weight=0.5, text_embedding_weight=0.0
    )
    linked = {u for u, v, _ in edges} | {v for u, v, _ in edges}
    assert linked == {p.id for p in real_papers[:300]}
    assert any(s <= 0.6 for _, _, s in edges)
    X = build_text_index(real_papers[:300]).X
    dense = (X @ X.T).toarray()
    np.fill_diagonal(dense, -1)
    best = {(min(i, j), max(i, j)) for i, j in enumerate(dense.argmax(axis=1)) if dense[i, j] > 0}
    index = {p.id: i for i, p in enumerate(real_papers[:300])}
    found = {(min(index[u], index[v]), max(index[u], index[v])) for u, v, _ in edges}
    assert len(best - found) <= 3  # exact ties at the best score may pick the other paper


def test_default_graph_has_no_orphans_on_real_abstracts(real_papers):
    o = BuildOptions()
    edges = similarity_edges(
        real_papers,
        top_k=o.top_k,
        min_score=o.min_similarity,
        embedding_weight=o.embedding_weight,
        text_embedding_weight=o.text_embedding_weight,
    )
    linked = {u for u, v, _ in edges} | {v for u, v, _ in edges}
    assert linked == {p.id for p in real_papers}
    assert all(0.0 < s <= 1.0 for _, _, s in edges)


def test_top_k_arrays_are_the_pairs_of_top_k_pairs(neurips_papers, monkeypatch):
    # Exact and approximate (a low cap, so that common terms are left out of the candidate product).
    monkeypatch.setattr(similarity, "COMMON_DF", 250)
    X = build_text_index(neurips_papers).X
    for exact in (True, False):
        pairs = top_k_pairs(X, top_k=10, min_score=0.1, exact=exact)
        i, j, s = similarity.top_k_arrays(X, top_k=10, min_score=0.1, exact=exact)
        assert s.dtype == np.float32 and bool(np.all(i < j))
        assert np.all(np.diff(i * len(neurips_papers) + j) > 0)  # sorted, each pair once
        assert dict(zip(zip(i.tolist(), j.tolist(), strict=True), s.tolist(), strict=True)) == pairs


def test_approximate_neighbours_do_not_depend_on_the_order_of_the_rows(neurips_papers, monkeypatch):
    # The candidate product runs on rows reordered by their heaviest common term: the lists found
    # must be those of the papers, whatever order they come in.
    monkeypatch.setattr(similarity, "COMMON_DF", 250)
    X = build_text_index(neurips_papers).X
    shuffled = np.random.default_rng(0).permutation(X.shape[0])
    pairs = top_k_pairs(X, top_k=10, min_score=0.1, exact=False, reorder=True)
    moved = top_k_pairs(X[shuffled], top_k=10, min_score=0.1, exact=False, reorder=True)
    assert pairs.keys() == top_k_pairs(X, top_k=10, min_score=0.1, exact=False).keys()
    back = {tuple(sorted((int(shuffled[a]), int(shuffled[b])))): s for (a, b), s in moved.items()}
    assert set(back) == set(pairs)
    assert all(back[p] == pytest.approx(pairs[p], abs=1e-6) for p in pairs)


def test_similarity_pairs_are_the_edges_as_row_numbers(real_papers):
    options = {"top_k": 5, "min_score": 0.1, "embedding_weight": 0.5, "text_embedding_weight": 0.3}
    i, j, s = similarity.similarity_pairs(real_papers, **options)
    ids = [p.id for p in real_papers]
    named = [(ids[a], ids[b], float(w)) for a, b, w in zip(i.tolist(), j.tolist(), s.tolist(), strict=True)]
    assert named and named == similarity_edges(real_papers, **options)


def test_approximate_search_without_common_terms_is_exact(real_papers):
    # No term held by more than COMMON_DF papers (a citation matrix, a small set): nothing is left out
    # of the candidate product, so the approximate lists are the exact ones.
    X = build_text_index(real_papers).X
    assert np.bincount(X.indices).max() <= similarity.COMMON_DF
    approx = top_k_pairs(X, top_k=5, min_score=0.1, exact=False)
    assert approx.keys() == top_k_pairs(X, top_k=5, min_score=0.1, exact=True).keys()


def test_best_first_orders_as_the_lexsort_it_replaces(neurips_papers):
    """Candidates by row, best score first, ties by neighbour then position: on the real cosines of 800
    abstracts, rounded so that many tie, and with the -0.0 that ties with 0.0."""
    X = build_text_index(neurips_papers[:800]).X
    C = sp.coo_matrix(X @ X.T)
    shuffled = np.random.default_rng(0).permutation(C.nnz)
    src, cols = C.row[shuffled].astype(np.int64), C.col[shuffled].astype(np.int64)
    vals = np.round(C.data[shuffled], 2).astype(np.float32)
    vals[::97] = -0.0
    assert len(set(zip(src.tolist(), vals.tolist(), strict=True))) < len(src) // 2  # ties to settle
    assert np.array_equal(similarity.best_first(src, vals, cols), np.lexsort((cols, -vals, src)))
    assert np.array_equal(similarity.best_first(src, vals), np.lexsort((-vals, src)))
