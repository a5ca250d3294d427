"""Topic lens: the papers of a named topic, as a local community of the built graph around the query.

1. *Relevance*: TF-IDF cosine of the query with every paper's title and abstract, in the graph's own
   text space (the query's phrases are terms there, so "graph neural networks" matches the phrase, not
   three loose words), blended with the cosine of their local embeddings (:mod:`graphx.build.embedding`,
   centred on the graph's mean vector so that what every abstract shares does not count), which finds
   papers that name the topic in other words.
1b. *Feedback*: a query is a few words; the FEEDBACK_PAPERS most relevant papers say far more. Their
   centroid (TF-IDF and embedding, half each) scores every paper again, and that score is where the walk
   restarts (pseudo-relevance feedback, as in Rocchio's method).
1c. *Areas as evidence*: where the papers closest to the query crowd into one of the graph's areas far
   beyond chance, the topic is likely that area's (the cluster hypothesis of retrieval): the area's
   excess over chance (:func:`area_evidence`) moves that share of the restart onto the area's papers
   near the query's (or onto one of its sub-areas, where they crowd into that far more).
2. *Spread*: personalised PageRank on the blended graph (every edge kind at its build weight,
   undirected), restarting at the matching papers in proportion to their relevance (and at the areas
   of 1c): papers on the topic that never use the query's words are reached through their links.
3. *Cut*: papers in order of PageRank over weighted degree; the topic is the prefix of lowest
   normalised cut (``cut / volume + cut / (total - volume)``: conductance measured against a random
   set of the same volume), among prefixes holding at least MIN_TOPIC_PAPERS papers and at most
   MAX_TOPIC_SHARE of the graph's volume and at most MAX_PAPERS_PER_MATCH times the papers that name
   the topic. Its size follows the graph, not a fixed top-N. (Plain
   conductance kept falling towards half the graph on the ICLR map: mean F1 0.36 against 0.48.)

The found set is listed best first by what each paper says (closeness to the query plus to the
feedback centroid; PageRank, which drew the set, favours well-linked neighbours), labelled as areas
are (:func:`graphx.build.labels.label_set`, class-based TF-IDF against the rest of the graph) and
placed in the area it overlaps most.
"""

from __future__ import annotations

import dataclasses
import os
import weakref
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import networkx as nx
import numpy as np
import scipy.sparse as sp

from graphx.build import transformer
from graphx.build.edgearrays import edge_arrays
from graphx.build.embedding import embed_texts
from graphx.build.labels import label_set, node_texts
from graphx.build.similarity import TRANSFORMER, WORDLLAMA, local_embedding, local_model_tag, wordllama_part
from graphx.build.text import VECTORS_DTYPE, TextIndex, build_text_index
from graphx.errors import ConfigError
from graphx.options import stored_build_options
from graphx.paper import Paper

# PageRank: probability of following an edge rather than restarting at the query. Best prefix F1 on the
# ICLR map's clusters: 0.54 at 0.6, 0.55 at 0.85, 0.57 at 0.95.
DAMPING = 0.95
PAGERANK_ITERATIONS = 300  # 0.95 ** 300: converged well below the tolerance
PAGERANK_TOLERANCE = 1e-10
RESTART_POWER = 1  # restart weight = relevance ** this
MIN_TOPIC_PAPERS = 3  # smallest set the conductance sweep may stop at
# Largest share of the graph's volume a topic may take: a topic is part of a field, not half the map
# (ICLR mean F1 0.547 at 0.5; 0.565, 0.566, 0.563 at 0.2, 0.25, 0.3: a plateau, not a tuned point).
MAX_TOPIC_SHARE = 0.25
# Share of the local embedding's cosine in the query's relevance (the rest: TF-IDF), and the number of
# most relevant papers whose centroid re-scores the set. Measured on the ICLR map's 10 clusters (mean F1,
# notes/quality-log.md round 2): TF-IDF alone 0.503, blend 0.5 0.529, with feedback from 20 papers 0.547.
QUERY_EMBEDDING_WEIGHT = 0.5
# A topic grows at most MAX_PAPERS_PER_MATCH times the papers that name it (TF-IDF relevance at least
# STRONG_MATCH of the best): a broad or absent topic ("inference-time scaling" on NeurIPS/ICML 2017-24,
# where no paper says it) gave 2,295 papers, now 228; on the trending page 50 -> 24. ICLR mean F1 0.566 ->
# 0.558 (at 8 times: 0.537; at 4: 0.474).
STRONG_MATCH = 0.5
MAX_PAPERS_PER_MATCH = 12
# A topic holds at most the papers with text evidence for the query (closeness to it at least EVIDENCE:
# TF-IDF and embedding cosines, each scaled to its best paper, averaged; 1 = best by both) and their tight
# neighbourhood: papers with an evidence paper among their closest TIGHT_SHARE of the graph (by link
# weight; at least one paper, at most the build's neighbour count top_k), or among an evidence paper's
# closest. The kNN graph links each paper to ~20 others whatever the graph's size: on a 200-paper page
# that is a tenth of the graph, so "linked to a match" says little, and the quarter-of-the-graph bound was
# what stopped the set (trending page, "graph neural networks": 50 papers where 9 are on topic, now 19;
# "inference-time scaling" 24 -> 4, its one paper first). On NeurIPS/ICML (citations add links beyond
# top_k) "federated learning" 488 -> 235 papers (105 say "federated"; 92% of them kept). ICLR mean F1
# 0.558 unchanged, 250-paper sample 0.562 -> 0.559 (notes/topic-log-round4.md). EVIDENCE 0.5: sample
# 0.577 but 26 papers for "graph neural networks" on the trending page; at most 10 links: ICLR 0.538.
EVIDENCE = 0.6
TIGHT_SHARE = 0.025
FEEDBACK_PAPERS = 20
# An area counts as evidence for the topic by its FEEDBACK_PAPERS papers closest to the query beyond what
# a random draw of as many papers would hold, less AREA_EVIDENCE_SIGMAS standard deviations of that draw
# (hypergeometric; the usual three-sigma bound); a sub-area takes its area's place where the area's share
# of those papers crowds into it by more than SUB_AREA_SIGMAS within the area. Mean F1 of the ICLR map's
# 10 clusters 0.561 -> 0.619 (0.609-0.621 over build seeds 42, 7, 1-5; the lens without areas is
# seed-independent), its 250-paper sample 0.593 -> 0.601 (0.594-0.608), the trending page's five test
# queries within their bounds on all seven seeds (notes/topic-log-round7.md). Areas alone: 0.616 / 0.601,
# but on NeurIPS/ICML "federated learning" kept 82 of the 105 papers naming it, not 94: its area (416
# papers) holds distributed optimisation too, and its 17 matches there sit in one sub-area of 63, 10
# sigmas above chance within the area ("differential privacy" 7.5). On the ICLR map the largest such
# excess is 9.5-10.4 for "Multi-agent RL" inside the RL area (split or not, the same F1) and at most 5.2
# for the other clusters over those seeds ("Contrastive Learning", seed 5: split at 5, its F1 0.50 ->
# 0.26). So SUB_AREA_SIGMAS is set between the two (6; 8 gives the same ICLR sets but leaves "differential
# privacy" whole on NeurIPS/ICML: 95 of its 124 papers instead of 108); at 3 or 4 ICLR falls to 0.587 /
# 0.596 (seeds 42, 7, 1). Restarting areas at every paper, not only those near the query's
# (evidence_neighbourhood): 0.611 / 0.599 and 49 of those 105; at two sigmas 0.624 / 0.592, and
# "inference-time scaling" loses its one paper on the trending page (seed 42).
AREA_EVIDENCE_SIGMAS = 3.0
SUB_AREA_SIGMAS = 6.0
FEEDBACK_EMBEDDING_WEIGHT = 0.5  # the centroid scores papers half by TF-IDF, half by embedding
# What a query derives from the graph alone, kept per graph object queried (the web app keeps its graphs
# loaded, a notebook queries one graph many times) and dropped with the graph: its blended adjacency, and
# where no saved index is given its text index and embedding.
_PER_GRAPH: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class TopicResult:
    """What :func:`find_topic` found.

    Attributes
    ----------
    query : str
        The query as given.
    papers : list of str
        Paper ids of the topic, best first (by ``scores``).
    label : str
        The set's label, named as areas are.
    area : str or None
        Label of the graph's area holding most of the papers (None for an empty graph).
    area_id : int or None
        That area's id.
    scores : dict
        Each paper's score in the order of ``papers``: closeness to the query plus closeness to the
        centroid of the papers most relevant to it, in [0, 2].
    naming : list of str
        The papers of ``papers`` (same order) that name the topic: their title and abstract match the
        query's words at least STRONG_MATCH as well as the best match of the graph does. The others
        are in the topic by their links to these and by what their texts share with them. On the
        pasted trending page's five hand-judged queries (tests/data/trending-topic-gold.json), 17 of
        the 19 naming papers were judged on topic or related, against 14 of the 55 others; on the ICLR
        map's clusters queried by their labels, 69% of the naming papers are in the cluster, 52% of
        the others.
    """

    query: str
    papers: list[str]
    label: str
    area: str | None
    area_id: int | None = None
    scores: dict[str, float] = field(default_factory=dict, repr=False)
    naming: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        """The plain form the CLI's ``--json`` and the web API print."""
        return {
            "query": self.query,
            "papers": self.papers,
            "label": self.label,
            "area": self.area,
            "naming": self.naming,
        }


def find_topic(
    G: nx.MultiDiGraph,
    query: str,
    *,
    index: TextIndex | None = None,
    weights: Mapping[str, float] | None = None,
    damping: float = DAMPING,
    max_share: float = MAX_TOPIC_SHARE,
) -> TopicResult:
    """The papers of ``G`` on the topic named by ``query``, best first, with a label and an area.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        A built graph (nodes with ``title``/``abstract`` and ``community``).
    query : str
        The topic in a researcher's words ("inference-time scaling", "graph neural networks").
    index : TextIndex, optional
        The graph's saved text index; without it one is fitted on the nodes' titles and abstracts.
    weights : mapping, optional
        Weight of each edge kind; default: the build's weights stored in ``G``.
    damping : float
        Personalised PageRank's probability of following an edge.
    max_share : float
        Largest share of the graph's edge volume the topic may cover.

    Raises
    ------
    ConfigError
        Empty query, or a query none of whose terms any paper uses.
    """
    query = " ".join(query.split())
    if not query:
        raise ConfigError(
            "The topic query is empty: name a topic, e.g. graphx topic NAME 'graph neural networks'."
        )
    nodes = list(G)
    if index is None:
        index = _per_graph(
            G, "index", (), lambda: build_text_index([_paper(n, attrs) for n, attrs in G.nodes(data=True)])
        )
    X = _rows(index, nodes)
    q = index.transform([Paper(id="query", title=query)])
    if q.nnz == 0:
        raise ConfigError(
            f"No paper of this graph uses any term of {query!r}; try other words (a field's usual name) "
            "or `graphx info NAME` for the areas it holds."
        )
    relevance = np.asarray((X @ q.T).todense()).ravel()
    if not relevance.any():
        raise ConfigError(f"No paper of this graph matches {query!r}; try broader words.")
    W = _adjacency(G, weights if weights is not None else _built_with(G).weights)
    embedded = embedded_query(G, nodes, index, query)
    closeness = query_relevance(relevance, embedded)
    restart = feedback_relevance(X, closeness, embedded)
    near = evidence_neighbourhood(_closest(G, W), closeness >= EVIDENCE)
    # Restart in proportion to relevance (squared relevance measured worse: ICLR mean F1 0.47 vs 0.50),
    # less the share the query's areas earn (area_evidence), which restarts at their papers near the query.
    area_share = area_evidence(
        closeness, _group_ids(G, nodes, "community"), _group_ids(G, nodes, "subcommunity"), near
    )
    seeds = restart**RESTART_POWER
    seeds = seeds / seeds.sum() if seeds.sum() > 0 else seeds
    rank = personalized_pagerank(W, (1 - area_share.sum()) * seeds + area_share, damping=damping)
    strong = relevance >= STRONG_MATCH * relevance.max()  # the papers that name the topic
    cap = min(MAX_PAPERS_PER_MATCH * int(strong.sum()), int(near.sum()))
    members = sweep_cut(W, rank, max_share=max_share, max_papers=cap)
    # The paper naming the topic best is always in it: where one paper of a page names the topic, the
    # restart at the query's areas can rank it below its well-linked neighbours, and the cut fall before it
    # (on the trending page, "inference-time scaling" drew its one paper 8th of the 8 the cut allows).
    if (best := int(np.argmax(relevance))) not in members:
        members = [*members, best]
    # Best first by what the paper says, not where it sits: closeness to the query plus to the feedback
    # centroid. PageRank, which drew the set, puts well-linked neighbours first ("Matching Networks" and
    # "WSNet" in the top 10 for "graph neural networks" on the trending page, which has ~8 graph papers).
    # Share of a found set's first 10 / 20 papers in the ICLR cluster: 0.79 / 0.71 by relevance plus
    # PageRank, 0.78 / 0.76 this way; on its 250-paper sample 0.62 / 0.58 against 0.69 / 0.60.
    best_first = closeness + restart
    members = sorted(members, key=lambda i: (-best_first[i], i))
    papers = [nodes[i] for i in members]
    inside = np.zeros(len(nodes), dtype=bool)
    inside[members] = True
    binary = X.copy()
    binary.data = np.ones_like(binary.data)
    terms = label_set(
        node_texts(G, nodes), inside.tolist(), matrix=(binary, index.terms), vectors=X,
        max_terms=_built_with(G).label_terms,
    )  # fmt: skip
    area_id, area = _main_area(G, papers)
    naming = [nodes[i] for i in members if strong[i]]
    return TopicResult(
        query,
        papers,
        ", ".join(terms),
        area,
        area_id,
        {nodes[i]: float(best_first[i]) for i in members},
        naming,
    )


# A map stored as tables (a million papers) is never loaded whole: the lens runs on the areas that hold
# the papers whose title or abstract holds the query's words (the map's full-text index: the best
# TABLES_MATCHES by BM25, kept if they score at least STRONG_MATCH of the best), most matches first,
# until they hold TABLES_MATCH_SHARE of those matches or TABLES_MAX_PAPERS papers. The lens's seeds are
# those matches, and its walk seldom leaves their areas. Cost of the restriction, measured on the ICLR map
# stored as tables: mean F1 over its 10 clusters 0.542 searching 131-875 of its 1,218 papers, against
# 0.561 for the lens on the whole graph (0.1-0.4 s CPU a query).
TABLES_MATCHES = 1000
TABLES_MATCH_SHARE = 0.9
TABLES_MAX_PAPERS = 10_000
TABLES_BACKGROUND_PAPERS = 2_000  # papers of other areas the term weights are fitted with


@dataclass(frozen=True)
class TablesTopic:
    """:func:`find_topic_in_tables`' answer: the topic, and which areas it was looked for in."""

    topic: TopicResult
    areas: list[int]
    papers_searched: int
    matches: int

    def to_json(self) -> dict:
        return {**self.topic.to_json(), "areas_searched": self.areas, "papers_searched": self.papers_searched}


def find_topic_in_tables(T, query: str, *, max_papers: int = TABLES_MAX_PAPERS) -> TablesTopic:
    """:func:`find_topic` on a map stored as tables (:class:`graphx.store.tables.TableGraph`), run on the
    areas that hold the papers naming ``query`` (see TABLES_MATCHES), with the edges among them.

    Raises
    ------
    ConfigError
        Empty query, or no paper of the map names any of its words.
    """
    query = " ".join(query.split())
    if not query:
        raise ConfigError("The topic query is empty: name a topic, e.g. 'graph neural networks'.")
    # Any of the query's words (BM25 ranks papers holding more of them first): a topic's name is not a
    # phrase its papers all repeat ("Regression, Bayesian, ML Theory").
    hits = T.search(query, limit=TABLES_MATCHES, any_word=True)
    if not hits:
        raise ConfigError(
            f"No paper of this map has any word of {query!r} in its title or abstract; try other words "
            "(a field's usual name)."
        )
    # Areas ranked by their strong matches (BM25 at least STRONG_MATCH of the best, as in find_topic): a
    # paper that holds only the query's commonest word ("learning") says nothing of where the topic is.
    strong = [h for h in hits if h["score"] >= STRONG_MATCH * hits[0]["score"]]
    per_area = Counter(int(h["area"]) for h in strong)
    hits = strong
    chosen: list[int] = []
    papers = covered = 0
    for area, n in sorted(per_area.items(), key=lambda kv: (-kv[1], kv[0])):
        size = T.area_papers(area)
        if chosen and papers + size > max_papers:
            continue
        chosen.append(area)
        papers += size
        covered += n
        if covered >= TABLES_MATCH_SHARE * len(hits):
            break
    G = T.areas(chosen)
    # Term weights from the searched areas plus a sample of the rest of the map: fitted on the areas alone,
    # a term every paper there uses ("reinforcement learning" in an RL area) would be dropped as too common.
    background = [Paper(id=pid, title=title or "", abstract=abstract) for pid, title, abstract in
                  T.sample_texts(TABLES_BACKGROUND_PAPERS, exclude=chosen)]  # fmt: skip
    index = build_text_index([_paper(n, attrs) for n, attrs in G.nodes(data=True)] + background)
    # A topic may take MAX_TOPIC_SHARE of the map, not of the few areas searched.
    share = min(1.0, MAX_TOPIC_SHARE * T.n_papers / max(G.number_of_nodes(), 1))
    found = find_topic(G, query, index=index, max_share=share)
    return TablesTopic(found, sorted(chosen), G.number_of_nodes(), len(hits))


def load_index(G: nx.MultiDiGraph, folder: str | os.PathLike) -> TextIndex | None:
    """The text index saved in a graph's ``folder`` (None if there is none), with the local embedding the
    graph was built with (:func:`text_encoder`): vectors saved by another model, or before models were
    tagged, are computed again (WordLlama ~1.5 s CPU at 6,545 papers; the transformer, on the small sets
    it is used for, up to ~1 min) and saved over the old ones, so that this happens once, not on every
    ``graphx topic`` call."""
    index = TextIndex.load(folder)
    tag = local_model_tag(text_encoder(G))
    if index is None or (tag is not None and index.current_vectors(tag) is not None):
        return index
    if not all(pid in G for pid in index.ids):
        return index  # the lens will say the index does not match the graph
    encoder = _runnable(text_encoder(G))
    tag = local_model_tag(encoder)
    vectors = local_embedding([_paper(pid, G.nodes[pid]) for pid in index.ids], encoder) if tag else None
    if vectors is None:
        return index
    index = dataclasses.replace(index, vectors=vectors.astype(VECTORS_DTYPE), vectors_model=tag)
    try:
        index.save_vectors(folder)
    except OSError:
        pass  # a read-only cache: the vectors still serve this call
    return index


def text_encoder(G: nx.MultiDiGraph) -> str:
    """The local encoder the build of ``G`` used (:func:`graphx.build.similarity.choose_text_encoder`;
    WordLlama for graphs built before the choice was recorded)."""
    return TRANSFORMER if (G.graph.get("meta") or {}).get("text_encoder") == TRANSFORMER else WORDLLAMA


def _runnable(encoder: str) -> str:
    """``encoder``, or WordLlama where the transformer cannot run here (vectors are then WordLlama's, and
    tagged so)."""
    return encoder if encoder != TRANSFORMER or transformer.available() else WORDLLAMA


class Embedded(NamedTuple):
    """A query's and the papers' local embeddings, each centred on the papers' mean and of unit length
    (:func:`embedded_query`)."""

    papers: np.ndarray  # the papers by WordLlama, the model the query is embedded with
    query: np.ndarray  # the query by WordLlama
    linked: np.ndarray  # the papers by the build's own encoder (what the feedback centroid scores)


def embedded_query(G: nx.MultiDiGraph, nodes: Sequence, index: TextIndex, query: str) -> Embedded | None:
    """The local embeddings the lens scores ``nodes`` with, for ``query``; None where unavailable.

    The papers' vectors are those the build linked them by (:func:`text_encoder`: WordLlama, or on small
    sets WordLlama joined with MiniLM, :func:`graphx.build.similarity.embed_local`): the vectors it saved
    with its text index where their tag is that encoder's (:func:`graphx.build.similarity.local_model_tag`),
    else computed here by :func:`graphx.build.similarity.local_embedding`. Paper-to-paper closeness (the
    feedback centroid) uses them whole. The query, a few words, is embedded by WordLlama alone and compared
    with the WordLlama part: MiniLM reads a phrase it does not know ("inference-time scaling") as its
    word pieces and led away from the one paper on it on the trending page (recall 1 -> 0), while the
    joint vectors for the feedback kept "federated learning" whole there (2 of 3 gold papers -> 3 of 3);
    notes/topic-log-round5.md. The query is embedded as it is written: as a paper's text, "title. ", the
    full stop's vector weighs a fifth of a three-word query (ICLR mean F1 0.559 against 0.558 as written,
    but 250-paper set 0.547 against 0.562).
    """
    q = embed_texts([query])
    if q is None:
        return None
    encoder = text_encoder(G)
    tag = local_model_tag(encoder)
    saved = index.current_vectors(tag) if tag is not None else None
    if saved is not None:
        position = {pid: i for i, pid in enumerate(index.ids)}
        E = saved[[position[n] for n in nodes]].astype(np.float32)
    else:
        encoder = _runnable(encoder)
        tag = local_model_tag(encoder)
        if tag is None:
            return None
        E = _per_graph(
            G, "vectors", (tag,), lambda: local_embedding([_paper(n, G.nodes[n]) for n in nodes], encoder)
        )
    W = wordllama_part(E) if encoder == TRANSFORMER else E
    if W.shape[1] != q.shape[1]:
        return None
    # Centred on the graph's mean vector, so that what every abstract shares does not count.
    centred = _unit(W - W.mean(axis=0))
    linked = _unit(E - E.mean(axis=0)) if encoder == TRANSFORMER else centred
    return Embedded(centred, _unit(q[0] - W.mean(axis=0)), linked)


def query_relevance(relevance: np.ndarray, embedded: Embedded | None) -> np.ndarray:
    """Each paper's closeness to the query, in [0, 1]: the TF-IDF cosine ``relevance`` blended with the
    cosine of the centred local embeddings (``embedded``, from :func:`embedded_query`), each scaled to
    its maximum.

    >>> query_relevance(np.array([0.5, 0.25, 0.0]), None).tolist()
    [1.0, 0.5, 0.0]
    """
    text = _scaled(relevance)
    if embedded is not None:
        semantic = np.clip(embedded.papers @ embedded.query, 0.0, None)
        if semantic.max() > 0:
            text = (1 - QUERY_EMBEDDING_WEIGHT) * text + QUERY_EMBEDDING_WEIGHT * semantic / semantic.max()
    return text


def feedback_relevance(X: sp.csr_matrix, closeness: np.ndarray, embedded: Embedded | None) -> np.ndarray:
    """Each paper's closeness to the topic: to the centroid of the papers closest to the query.

    ``closeness`` is :func:`query_relevance`; the centroid of its FEEDBACK_PAPERS best papers scores
    every row of ``X`` (TF-IDF) and, where ``embedded`` is given, every centred embedding the build
    linked papers by (``embedded.linked``), each scaled to its maximum and blended, so the result lies
    in [0, 1].

    >>> X = sp.csr_matrix(np.array([[1.0, 0], [0.8, 0.6], [0, 1.0]]))
    >>> feedback_relevance(X, np.array([1.0, 0.8, 0.0]), None).round(2).tolist()
    [1.0, 1.0, 0.33]
    """
    top = np.argsort(-closeness, kind="stable")[:FEEDBACK_PAPERS]
    top = top[closeness[top] > 0]
    score = _scaled(np.asarray(X @ np.asarray(X[top].mean(axis=0)).ravel()).ravel())
    if embedded is not None:
        E = embedded.linked
        semantic = _scaled(np.clip(E @ E[top].mean(axis=0), 0.0, None))
        score = (1 - FEEDBACK_EMBEDDING_WEIGHT) * score + FEEDBACK_EMBEDDING_WEIGHT * semantic
    return score


def area_evidence(
    closeness: np.ndarray,
    areas: np.ndarray,
    subareas: np.ndarray,
    near: np.ndarray,
    *,
    sigmas: float = AREA_EVIDENCE_SIGMAS,
    sub_sigmas: float = SUB_AREA_SIGMAS,
) -> np.ndarray:
    """Restart mass each paper earns from its area: the areas that hold the query's closest papers beyond
    chance, by how far beyond.

    The FEEDBACK_PAPERS papers of highest ``closeness`` (:func:`query_relevance`) are a sample of the topic.
    An area of ``s`` of the graph's ``n`` papers holds ``h`` of those ``k``; a random draw of ``k`` papers
    would put ``k s / n`` there, with standard deviation ``sd`` (hypergeometric). The area's share is its
    excess beyond ``sigmas`` of that spread, ``max(0, h - k s / n - sigmas sd) / k``, so the shares sum to
    the part of the sample the areas explain (0 for a query whose best papers lie scattered, ~0.6 for
    "Reinforcement Learning Methods" on the ICLR map). Where the area's ``h`` papers crowd into some of its
    sub-areas by more than ``sub_sigmas`` (the same test inside the area), those sub-areas take the share,
    by their own excess: the topic is a part of the area ("federated learning" in an area of distributed
    optimisation). A share is spread evenly over the area's (sub-area's) papers in ``near`` (the query's
    evidence neighbourhood), or over all of them where none is. ``areas`` / ``subareas`` hold each paper's
    ids, negative for none (those papers neither count nor earn).

    A restart at an area, not only at the papers that match: a cluster a researcher draws holds papers
    that share the area's links but not the query's words, which a walk from the matches reaches too late
    to rank them before the neighbouring areas' best-linked papers (the cluster hypothesis; Liu & Croft's
    cluster-based retrieval smooths a document's score with its cluster's the same way).

    >>> areas = np.array([0] * 5 + [1] * 5 + [2] * 30)
    >>> closeness = np.r_[np.ones(5), np.zeros(35)]
    >>> share = area_evidence(closeness, areas, -np.ones(40, int), np.ones(40, bool), sigmas=0.0)
    >>> share[:5].round(3).tolist(), round(float(share.sum()), 3)
    ([0.175, 0.175, 0.175, 0.175, 0.175], 0.875)

    The same five papers inside one of two areas of 20, all in one of its sub-areas: it takes the share.

    >>> areas, subareas = np.repeat([0, 1], 20), np.repeat([0, 1, 2], [5, 15, 20])
    >>> share = area_evidence(closeness, areas, subareas, np.ones(40, bool), sigmas=0.0, sub_sigmas=0.0)
    >>> share[:6].round(3).tolist(), round(float(share.sum()), 3)
    ([0.1, 0.1, 0.1, 0.1, 0.1, 0.0], 0.5)
    """
    share = np.zeros(len(closeness))
    top = np.argsort(-closeness, kind="stable")[:FEEDBACK_PAPERS]
    top = top[(closeness[top] > 0) & (areas[top] >= 0)]
    for members, excess in _excess_groups(np.flatnonzero(areas >= 0), areas, top, sigmas):
        inside = top[np.isin(top, members)]
        parts = list(_excess_groups(members[subareas[members] >= 0], subareas, inside, sub_sigmas))
        total = sum(e for _, e in parts)
        for part, e in parts if total > 0 else [(members, 1.0)]:
            spread = part[near[part]] if near[part].any() else part
            share[spread] += excess * (e / total if total > 0 else 1.0) / len(spread)
    return share


def _excess_groups(members: np.ndarray, groups: np.ndarray, sample: np.ndarray, sigmas: float):
    """``(papers, excess share)`` of each group of ``members`` (by ``groups``) holding more of ``sample``
    (papers among ``members``) than ``sigmas`` standard deviations above a random draw of as many."""
    sample = sample[np.isin(sample, members)]
    n, k = len(members), len(sample)
    if n < 2 or k == 0:
        return
    ids, group = np.unique(groups[members], return_inverse=True)
    size = np.bincount(group, minlength=len(ids)).astype(np.float64)
    hits = np.bincount(np.searchsorted(ids, groups[sample]), minlength=len(ids)).astype(np.float64)
    p = size / n
    sd = np.sqrt(k * p * (1 - p) * (n - k) / (n - 1))
    excess = (hits - k * p - sigmas * sd) / k
    for g in np.flatnonzero(excess > 0):
        yield members[group == g], float(excess[g])


def _group_ids(G: nx.MultiDiGraph, nodes: Sequence, attr: str) -> np.ndarray:
    """Each node's ``attr`` (an area or sub-area id) as an integer array, -1 where it has none."""
    out = np.full(len(nodes), -1, dtype=np.int64)
    for i, n in enumerate(nodes):
        value = G.nodes[n].get(attr)
        try:
            out[i] = int(value) if value is not None and not isinstance(value, bool) else -1
        except (TypeError, ValueError):
            pass
    return out


def _unit(V: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(V, axis=-1, keepdims=True)
    return V / np.where(norms > 0, norms, 1.0)


def _scaled(v: np.ndarray) -> np.ndarray:
    top = v.max() if len(v) else 0.0
    return v / top if top > 0 else v


def blended_adjacency(G: nx.MultiDiGraph, weights: Mapping[str, float]) -> sp.csr_matrix:
    """Symmetric sparse adjacency of ``G``: each edge adds ``weights[kind] * weight`` both ways."""
    arrays = edge_arrays(G)
    n = len(arrays.nodes)
    factor = np.array([weights.get(str(k), 0.0) for k in arrays.kinds], dtype=np.float64)
    keep = (factor > 0) & (arrays.src != arrays.dst)
    a, b, w = arrays.src[keep], arrays.dst[keep], (factor * arrays.weight)[keep]
    W = sp.coo_matrix(
        (np.concatenate([w, w]), (np.concatenate([a, b]), np.concatenate([b, a]))), shape=(n, n)
    )
    return W.tocsr()  # duplicates (one pair, several kinds) summed


def _adjacency(G: nx.MultiDiGraph, weights: Mapping[str, float]) -> sp.csr_matrix:
    """:func:`blended_adjacency`, made once per graph object and weights (walking the edges is most of a
    query's time: 0.6 of ~1 s CPU at 6,545 papers)."""
    key = tuple(sorted(weights.items()))
    return _per_graph(G, "adjacency", key, lambda: blended_adjacency(G, weights))


def closest_links(W: sp.csr_matrix, k: int) -> sp.csr_matrix:
    """Boolean matrix holding, in row ``i``, paper ``i``'s ``k`` heaviest links in ``W`` (ties: lower
    index first).

    >>> W = sp.csr_matrix(np.array([[0, 3, 1], [3, 0, 2], [1, 2, 0]], dtype=float))
    >>> closest_links(W, 1).toarray().astype(int).tolist()
    [[0, 1, 0], [1, 0, 0], [0, 1, 0]]
    """
    rows, cols = [], []
    for i in range(W.shape[0]):
        start, end = W.indptr[i], W.indptr[i + 1]
        keep = np.lexsort((W.indices[start:end], -W.data[start:end]))[:k]
        cols.append(W.indices[start:end][keep])
        rows.append(np.full(len(keep), i))
    rows_, cols_ = np.concatenate(rows or [[]]).astype(int), np.concatenate(cols or [[]]).astype(int)
    return sp.csr_matrix((np.ones(len(rows_), dtype=bool), (rows_, cols_)), shape=W.shape)


def evidence_neighbourhood(closest: sp.csr_matrix, evidence: np.ndarray) -> np.ndarray:
    """Mask of the ``evidence`` papers and their tight neighbourhood: papers with an evidence paper among
    their closest (``closest``, from :func:`closest_links`) or among an evidence paper's closest.

    >>> C = sp.csr_matrix(np.array([[0, 1, 0, 0], [1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]], dtype=bool))
    >>> evidence_neighbourhood(C, np.array([True, False, False, False])).tolist()
    [True, True, False, False]
    """
    e = evidence.astype(np.float64)
    return evidence | (closest @ e > 0) | (closest.T @ e > 0)


def _closest(G: nx.MultiDiGraph, W: sp.csr_matrix) -> sp.csr_matrix:
    """:func:`closest_links` for the closest TIGHT_SHARE of the graph, but no more than the neighbours
    the build gave each paper (its ``top_k``), kept with ``G``."""
    k = max(1, min(int(np.ceil(TIGHT_SHARE * W.shape[0])), _built_with(G).top_k))
    return _per_graph(G, "closest", (k, W.nnz), lambda: closest_links(W, k))


def _per_graph(G: nx.MultiDiGraph, what: str, key: tuple, make):
    """``make()``, kept with ``G`` under ``what`` and made again when ``key`` or the graph's number of
    papers or links changes (as ``graphx add`` changes them; a title edited in place goes unseen)."""
    key = (G.number_of_nodes(), G.number_of_edges(), *key)
    kept = _PER_GRAPH.setdefault(G, {})
    if what not in kept or kept[what][0] != key:
        kept[what] = (key, make())
    return kept[what][1]


def personalized_pagerank(W: sp.csr_matrix, restart: np.ndarray, *, damping: float = DAMPING) -> np.ndarray:
    """PageRank on weighted adjacency ``W`` restarting at ``restart`` (any non-negative weights).

    A paper with no edge keeps its restart share (its walk stays home).

    >>> W = sp.csr_matrix(np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]], dtype=float))
    >>> personalized_pagerank(W, np.array([1.0, 0, 0]), damping=0.85).round(3).tolist()
    [0.345, 0.459, 0.195]
    """
    s = np.clip(np.asarray(restart, dtype=np.float64), 0, None)
    s = s / s.sum()
    degree = np.asarray(W.sum(axis=1)).ravel()
    inv = np.divide(1.0, degree, out=np.zeros_like(degree), where=degree > 0)
    P = W.T.multiply(inv).tocsr()  # column-stochastic where a paper has edges
    isolated = degree == 0
    p = s.copy()
    for _ in range(PAGERANK_ITERATIONS):
        nxt = (1 - damping) * s + damping * (P @ p + np.where(isolated, p, 0.0))
        done = np.abs(nxt - p).sum() < PAGERANK_TOLERANCE
        p = nxt
        if done:
            break
    return p


def sweep_cut(
    W: sp.csr_matrix, rank: np.ndarray, *, max_share: float = MAX_TOPIC_SHARE, max_papers: int | None = None
) -> list[int]:
    """The prefix of lowest normalised cut when nodes are added by ``rank`` over degree (best first).

    Only prefixes of at least MIN_TOPIC_PAPERS nodes, at most ``max_share`` of the total volume and at
    most ``max_papers`` nodes (if given) compete; papers without edges are ranked by ``rank`` alone and
    never grow the cut.

    >>> W = sp.csr_matrix(np.array([[0, 1, 1, 0.1, 0, 0], [1, 0, 1, 0, 0, 0], [1, 1, 0, 0, 0, 0],
    ...                             [0.1, 0, 0, 0, 1, 1], [0, 0, 0, 1, 0, 1], [0, 0, 0, 1, 1, 0]]))
    >>> sweep_cut(W, np.array([0.3, 0.2, 0.2, 0.1, 0.05, 0.05]))
    [0, 1, 2]
    """
    degree = np.asarray(W.sum(axis=1)).ravel()
    total = degree.sum()
    score = np.divide(rank, degree, out=rank.astype(np.float64).copy(), where=degree > 0)
    candidates = np.flatnonzero(rank > 0)
    order = candidates[np.lexsort((candidates, -score[candidates]))]
    if len(order) <= MIN_TOPIC_PAPERS or total == 0:
        return order.tolist()
    inside = np.zeros(len(rank), dtype=bool)
    cut = volume = 0.0
    best, best_size = np.inf, min(len(order), MIN_TOPIC_PAPERS)
    for size, i in enumerate(order, start=1):
        start, end = W.indptr[i], W.indptr[i + 1]
        to_inside = W.data[start:end][inside[W.indices[start:end]]].sum()
        cut += degree[i] - 2 * to_inside
        volume += degree[i]
        inside[i] = True
        if volume > max_share * total or (
            max_papers is not None and size > max(max_papers, MIN_TOPIC_PAPERS)
        ):
            break
        if size >= MIN_TOPIC_PAPERS and volume > 0:
            # Normalised cut: conductance against what a random set of that volume would have (1 -
            # volume share). Plain conductance falls as any set grows towards half the graph.
            value = cut * total / (volume * (total - volume))
            if value < best:
                best, best_size = value, size
    return order[:best_size].tolist()


def _rows(index: TextIndex, nodes: Sequence) -> sp.csr_matrix:
    position = {pid: i for i, pid in enumerate(index.ids)}
    missing = [n for n in nodes if n not in position]
    if missing:
        raise ConfigError(
            f"The text index lacks {len(missing)} paper(s) of the graph (e.g. {missing[0]!r}); "
            "rebuild the graph."
        )
    return index.X[[position[n] for n in nodes]].tocsr()


def _paper(node: str, attrs: Mapping) -> Paper:
    return Paper(id=node, title=attrs.get("title") or "", abstract=attrs.get("abstract"))


def _built_with(G: nx.MultiDiGraph):
    """The options ``G`` was built with (defaults for what its metadata does not name)."""
    return stored_build_options(G.graph.get("meta", {}).get("parameters", {}))


def _main_area(G: nx.MultiDiGraph, papers: Sequence[str]) -> tuple[int | None, str | None]:
    counts = Counter(G.nodes[n].get("community") for n in papers if G.nodes[n].get("community") is not None)
    if not counts:
        return None, None
    area_id = min(counts, key=lambda a: (-counts[a], a))
    labels = {c["id"]: c.get("label") for c in G.graph.get("communities", [])}
    return int(area_id), labels.get(area_id, f"area {area_id}")
