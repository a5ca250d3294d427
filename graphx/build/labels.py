"""Community labels from class-based TF-IDF, and per-community summaries.

A community's label is its 2-4 most *distinctive* terms: c-TF-IDF treats all papers of a community
as one document, so a term scores high when it is common inside the community and rare across the
others (BERTopic's formulation: ``tf(t, c) * log(1 + A / f(t))``, ``A`` the mean number of terms per
community, ``f(t)`` the term's frequency over all of them). Each paper counts a term once, so one
paper repeating a word cannot name a community.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping, Sequence

import networkx as nx
import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer

from graphx.build.communities import Partition
from graphx.build.text import TextIndex, analyze
from graphx.palette import area_color

MAX_TERMS = 3
MIN_TERMS = 2
CANDIDATES = 40
BIGRAM_SHARE = 0.5  # ranked terms looked at per community while picking distinct ones
TOP_PAPERS = 5


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
    only for terms both common in the class and rarer elsewhere. Terms used by fewer than two
    papers of a class (when it has two or more) cannot name it. ``matrix`` (from :func:`term_matrix`,
    one row per class entry) saves re-tokenising the same texts level after level.
    """
    X, terms = matrix if matrix is not None else term_matrix(texts or [])
    keys = list(dict.fromkeys(classes))
    if not terms:
        return keys, sp.csr_matrix((len(keys), 0)), []
    index = {k: i for i, k in enumerate(keys)}
    member_rows = [index[c] for c in classes]
    n = len(member_rows)
    M = sp.csr_matrix((np.ones(n), (member_rows, np.arange(n))), shape=(len(keys), n))
    # Sparse throughout: at 100k papers a dense class x term matrix is areas x 1.4M terms.
    counts = (M @ X).tocsr().astype(np.float64)
    counts.eliminate_zeros()
    sizes = np.asarray(M.sum(axis=1)).ravel()
    tf_all = np.asarray(counts.sum(axis=0)).ravel() / n
    rows = np.repeat(np.arange(len(keys)), np.diff(counts.indptr))
    tf = counts.data / sizes[rows]
    scores = np.clip(tf * np.log(tf / tf_all[counts.indices]), 0.0, None)
    scores[(counts.data < 2) & (sizes[rows] >= 2)] = 0.0
    out = sp.csr_matrix((scores, counts.indices, counts.indptr), shape=counts.shape)
    out.eliminate_zeros()
    return keys, out, terms


def pick_terms(
    ranked: Sequence[tuple[str, float]],
    *,
    avoid_first: set[str] = frozenset(),
    exclude: set[str] = frozenset(),
) -> list[str]:
    """Up to MAX_TERMS terms from ``(term, score)`` ranked best first, no two sharing a word.

    A word gives way to a phrase containing it that scores at least BIGRAM_SHARE of it ("language"
    becomes "language models"). ``avoid_first`` holds terms already heading another label of the same
    level; ``exclude`` terms never appear (a sub-area does not repeat its area's label).
    """
    chosen: list[str] = []
    for term, score in ranked:
        if " " not in term:
            phrases = (t for t, s in ranked if " " in t and s >= BIGRAM_SHARE * score and _overlaps(t, term))
            term = next((t for t in phrases if not any(_overlaps(t, c) for c in chosen)), term)
        if term in exclude or any(_overlaps(term, c) for c in chosen):
            continue
        if any(_overlaps(term, e) for e in exclude) and " " not in term:
            continue
        if not chosen and term in avoid_first:
            continue
        chosen.append(term)
        if len(chosen) == MAX_TERMS:
            break
    return chosen


def _overlaps(a: str, b: str) -> bool:
    """Whether two terms share a word, plurals folded ("model" / "language models")."""
    return bool(_stems(a) & _stems(b))


def _stems(term: str) -> set[str]:
    return {w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in term.split()}


def label_communities(
    texts: Sequence[str] | None,
    membership: Sequence[Hashable],
    *,
    exclude: Mapping[Hashable, set[str]] | None = None,
    taken: set[str] | None = None,
    matrix: tuple[sp.csr_matrix, list[str]] | None = None,
) -> dict[Hashable, list[str]]:
    """Distinct 2-4 term labels for every community in ``membership`` (one entry per text).

    ``taken`` (updated in place) holds labels and heading terms already used at this level, so
    labels stay distinct across separate calls (sub-areas of different areas). ``matrix`` replaces
    ``texts`` with their already computed :func:`term_matrix`.

    Examples
    --------
    >>> texts = ["graph neural networks for molecules", "message passing graph neural networks",
    ...          "policy gradient reinforcement learning", "offline reinforcement learning policy"]
    >>> label_communities(texts, [0, 0, 1, 1])
    {0: ['graph neural', 'networks'], 1: ['reinforcement learning', 'policy']}
    """
    taken = set() if taken is None else taken
    exclude = exclude or {}
    keys, scores, terms = class_tfidf(texts, membership, matrix=matrix)
    sizes = {k: 0 for k in keys}
    for c in membership:
        sizes[c] += 1
    labels: dict[Hashable, list[str]] = {}
    for row in sorted(range(len(keys)), key=lambda r: -sizes[keys[r]]):
        key = keys[row]
        start, end = scores.indptr[row], scores.indptr[row + 1]
        cols, vals = scores.indices[start:end], scores.data[start:end]
        best = np.lexsort((cols, -vals))[:CANDIDATES]  # ties: the earlier term, as a stable sort would
        ranked = [(terms[cols[t]], vals[t]) for t in best]
        chosen = pick_terms(ranked, avoid_first=taken, exclude=exclude.get(key, set()))
        if len(chosen) < MIN_TERMS:
            chosen = pick_terms(ranked, exclude=exclude.get(key, set())) or chosen
        label = ", ".join(chosen)
        if not chosen or label in taken:
            chosen = [*chosen, f"#{key}"]
        taken.update({", ".join(chosen), chosen[0]})
        labels[key] = chosen
    return labels


def annotate(G: nx.MultiDiGraph, index: TextIndex, partition: Partition) -> None:
    """Write area / sub-area memberships, labels and summaries into ``G`` (nodes and ``G.graph``).

    ``index`` holds the papers' TF-IDF rows (any order; matched by id). Expects ``pagerank`` on the
    nodes (for the top papers of each community).
    """
    nodes = list(G)
    position = {pid: i for i, pid in enumerate(index.ids)}
    X = index.binary()[[position[n] for n in nodes]]
    terms = index.terms
    row = {n: i for i, n in enumerate(nodes)}
    area_labels = label_communities(None, [partition.area[n] for n in nodes], matrix=(X, terms))

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
        rows = X[[row[n] for n in members]]
        sub_labels.update(label_communities(None, subs, exclude=exclude, taken=taken, matrix=(rows, terms)))

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
    if ", ".join(label) in taken:
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
