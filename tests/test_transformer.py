"""transformer: the bundled MiniLM encoder on real abstracts, the encoder choice, and its fallback."""

from __future__ import annotations

import json

import numpy as np
import pytest

from graphx.build import similarity, transformer
from graphx.build.pipeline import build_graph
from graphx.options import BuildOptions
from graphx.paper import Paper

pytestmark = pytest.mark.skipif(not transformer.available(), reason=str(transformer.unavailable_reason()))


@pytest.fixture(scope="module")
def iclr(shared_data):
    path = shared_data / "zeta-alpha-iclr2022-similarity" / "Zeta-Alpha_ICLR2022.json"
    with open(path, encoding="utf-8") as fh:
        items = json.load(fh)["network"]["items"]
    # Every 6th paper: ~200 papers across the 10 clusters, a few seconds of CPU.
    return [(Paper(id=i["id"], title=i["title"], abstract=i["abstract"]), int(i["cluster"])) for i in items][
        ::6
    ]


def test_matches_the_published_model():
    # The model card's example: float32 cosines 0.6660, 0.1046, 0.1411; int8 weights move them < 0.01.
    E = transformer.embed_texts(
        ["The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium."]
    )
    S = E @ E.T
    assert S[0, 1] == pytest.approx(0.6660, abs=0.01)
    assert S[0, 2] == pytest.approx(0.1046, abs=0.01)
    assert S[1, 2] == pytest.approx(0.1411, abs=0.01)


def test_vectors_are_normalised_deterministic_and_zero_for_empty_text(iclr):
    texts = [f"{p.title}. {p.abstract}" for p, _ in iclr[:40]]
    transformer._MEMO.clear()
    E = transformer.embed_texts([*texts, "  "])
    assert E.shape == (41, transformer.MODEL_DIM) and E.dtype == np.float32
    assert np.allclose(np.linalg.norm(E[:40], axis=1), 1.0, atol=1e-5)
    assert not E[40].any()
    transformer._MEMO.clear()
    assert np.allclose(E[:40], transformer.embed_texts(texts[::-1])[::-1], atol=1e-5)  # batches differ


def test_separates_clusters_better_than_wordllama(iclr):
    from graphx.build import embedding

    texts = [f"{p.title}. {p.abstract}" for p, _ in iclr]
    clusters = np.array([c for _, c in iclr])
    same = clusters[:, None] == clusters[None, :]
    np.fill_diagonal(same, False)

    def margin(E: np.ndarray) -> float:
        S = E @ E.T
        return float(S[same].mean() - S[~same].mean())

    assert margin(transformer.embed_texts(texts)) > margin(embedding.embed_texts(texts)) + 0.02


def test_encoder_is_chosen_by_the_words_of_papers_without_vectors():
    text_only = [Paper(id=str(i), title=f"paper {i}") for i in range(5)]  # 10 words
    with_vectors = [Paper(id=f"v{i}", title="t", embedding=(1.0, 0.0)) for i in range(50)]
    choose = similarity.choose_text_encoder
    assert choose(text_only, transformer_max_words=10) == similarity.TRANSFORMER
    assert choose(text_only, transformer_max_words=9) == similarity.WORDLLAMA
    assert choose(text_only + with_vectors, transformer_max_words=10) == similarity.TRANSFORMER
    assert choose(with_vectors, transformer_max_words=100) == similarity.WORDLLAMA


def test_build_records_the_encoder_and_the_transformer_changes_the_links(iclr):
    papers = [p for p, _ in iclr]
    G = build_graph(papers, BuildOptions(seed=1))
    wl = build_graph(papers, BuildOptions(seed=1, transformer_max_words=0))
    assert G.graph["meta"]["text_encoder"] == "minilm" and wl.graph["meta"]["text_encoder"] == "wordllama"
    assert not G.graph["meta"]["warnings"]
    linked = {tuple(sorted((u, v))) for u, v, k in G.edges(keys=True) if k == "similar"}
    assert linked != {tuple(sorted((u, v))) for u, v, k in wl.edges(keys=True) if k == "similar"}
    # The joint vector's cosine is the stated blend of the two encoders' cosines.
    texts = [f"{p.title}. {p.abstract}" for p in papers[:20]]
    J = similarity.embed_local(texts, similarity.TRANSFORMER)
    W, M = similarity.embedding.embed_texts(texts), transformer.embed_texts(texts)
    share = similarity.TRANSFORMER_WORDLLAMA_SHARE
    assert np.allclose(J @ J.T, share * (W @ W.T) + (1 - share) * (M @ M.T), atol=1e-5)
    assert np.allclose(similarity.wordllama_part(J), W, atol=1e-5)


def test_saved_vectors_for_the_topic_lens_are_the_joint_ones(iclr, tmp_path):
    # The build saves the joint vectors it linked papers by, tagged with both models; the lens embeds its
    # query by both. Vectors saved under WordLlama's tag alone (main before this) are stale: recomputed.
    import dataclasses

    from graphx.build import embedding
    from graphx.build.pipeline import build_and_save
    from graphx.build.text import TextIndex, paper_text
    from graphx.topic import embedded_query, load_index, text_encoder

    papers = [p for p, _ in iclr]
    G, folder = build_and_save(papers, tmp_path / "cache", "iclr", BuildOptions(seed=1))
    assert G.graph["meta"]["text_encoder"] == "minilm" and text_encoder(G) == similarity.TRANSFORMER
    tag = similarity.local_model_tag(similarity.TRANSFORMER)
    assert embedding.model_tag() in tag and transformer.model_tag() in tag
    index = TextIndex.load(folder)
    assert index.current_vectors(embedding.model_tag()) is None
    saved = index.current_vectors(tag)
    dims = embedding.MODEL_DIM + transformer.MODEL_DIM
    assert saved is not None and saved.shape == (len(papers), dims)
    order = {p.id: p for p in papers}
    J = similarity.embed_local([paper_text(order[pid]) for pid in index.ids], similarity.TRANSFORMER)
    assert np.allclose(saved.astype(np.float32), J, atol=2e-3)
    # The lens compares the query (WordLlama) with the WordLlama part, and papers with papers (the
    # feedback centroid) by the joint vectors the build linked them by.
    embedded = embedded_query(G, index.ids, index, "graph neural networks")
    assert embedded.papers.shape == (len(papers), embedding.MODEL_DIM)
    assert embedded.query.shape == (embedding.MODEL_DIM,)
    assert embedded.linked.shape == (len(papers), dims)
    linked = J - J.mean(axis=0)
    linked /= np.linalg.norm(linked, axis=1, keepdims=True)
    assert np.allclose(embedded.linked, linked, atol=1e-2)
    # A stale file (WordLlama part under WordLlama's tag) is recomputed and saved over once.
    stale = dataclasses.replace(
        index, vectors=similarity.wordllama_part(J).astype(saved.dtype), vectors_model=embedding.model_tag()
    )
    stale.save_vectors(folder)
    assert load_index(G, folder).current_vectors(tag) is not None
    assert TextIndex.load(folder).vectors_model == tag


def test_missing_model_falls_back_to_wordllama_with_a_warning(iclr, monkeypatch):
    why = "transformer embedding skipped: onnxruntime not installed"
    monkeypatch.setattr(transformer, "_MODEL", None)
    monkeypatch.setattr(transformer, "_WHY_NOT", why)
    papers = [p for p, _ in iclr[:100]]
    assert transformer.embed_texts(["anything"]) is None
    G = build_graph(papers, BuildOptions(seed=1))
    assert G.graph["meta"]["text_encoder"] == "wordllama"
    assert G.graph["meta"]["warnings"] == [why]
    # Above the threshold the transformer is not wanted, so its absence is not worth a warning.
    assert (
        build_graph(papers, BuildOptions(seed=1, transformer_max_words=500)).graph["meta"]["warnings"] == []
    )


def test_a_cancelled_build_stops_inside_the_transformer(iclr):
    # The transformer is the one long step inside a stage (~20 s CPU for 200 abstracts): a web build's
    # cancel must reach it between batches, leaving nothing half-encoded in the memo.
    import threading

    from graphx.errors import BuildCancelled

    papers = [p for p, _ in iclr]
    transformer._MEMO.clear()
    cancel = threading.Event()
    timer = threading.Timer(0.5, cancel.set)
    timer.start()
    with pytest.raises(BuildCancelled):
        similarity.local_embedding(papers, similarity.TRANSFORMER, cancel=cancel)
    timer.cancel()
    assert not transformer._MEMO


def test_vectors_are_kept_on_disk_by_text_and_read_back_from_there(iclr, tmp_path):
    texts = [f"{p.title}. {p.abstract}" for p, _ in iclr[:30]]
    transformer._MEMO.clear()
    with transformer.vector_cache(tmp_path) as store:
        first = transformer.embed_texts(texts)
    assert len(store.get([transformer.text_key(t) for t in texts])) == len(texts)
    # What the store holds is what comes back: a vector put there under text 0's key is returned for it.
    store.put({transformer.text_key(texts[0]): first[1]})
    transformer._MEMO.clear()
    with transformer.vector_cache(tmp_path):
        again = transformer.embed_texts(texts)
    assert np.array_equal(again[0], first[1]) and np.array_equal(again[1:], first[1:])
    # Outside the block the disk is not read: text 0 is encoded again.
    transformer._MEMO.clear()
    assert np.allclose(transformer.embed_texts(texts[:1])[0], first[0], atol=1e-6)


def test_a_build_fills_the_cache_folder_and_a_damaged_cache_is_skipped(iclr, tmp_path, caplog):
    from graphx.build.pipeline import VECTORS_FOLDER, build_and_save
    from graphx.build.text import paper_text

    papers = [p for p, _ in iclr[:80]]
    transformer._MEMO.clear()
    G, _ = build_and_save(papers, tmp_path, "a", BuildOptions(seed=1))
    store = transformer.VectorStore(tmp_path / VECTORS_FOLDER)
    assert store.path.exists()
    assert len(store.get([transformer.text_key(paper_text(p)) for p in papers])) == len(papers)

    def similar(H):
        return sorted(
            (u, v, round(d["weight"], 6)) for u, v, k, d in H.edges(keys=True, data=True) if k == "similar"
        )

    transformer._MEMO.clear()
    cached, _ = build_and_save(papers, tmp_path, "b", BuildOptions(seed=1))
    assert similar(cached) == similar(G)
    store.path.write_bytes(b"not a database" * 100)
    transformer._MEMO.clear()
    with caplog.at_level("WARNING", logger="graphx.build.transformer"):
        rebuilt, _ = build_and_save(papers, tmp_path, "c", BuildOptions(seed=1))
    assert similar(rebuilt) == similar(G)
    assert "vector cache" in caplog.text and "computed instead" in caplog.text
