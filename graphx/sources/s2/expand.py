"""Growing a set of papers along its citation links, ranked the way Connected Papers and Inciteful rank."""

from __future__ import annotations

from collections.abc import Sequence

from graphx.paper import Paper
from graphx.sources.s2.run import Run


def expand_papers(
    run: Run, seeds: list[Paper], expand: Sequence[str], depth: int, max_papers: int
) -> list[Paper]:
    """Seeds plus their neighbours along ``expand`` links, ``depth`` levels, at most ``max_papers`` in all.

    When more neighbours exist than there is room for, the ones linked to the most papers already in the
    set are kept: a reference cited by many seeds is strongly co-cited with them, a citer citing many
    seeds is strongly coupled to them (Connected Papers and Inciteful rank the same way). Ties keep the
    order in which the seeds list them, so the result is deterministic.
    """
    in_set: dict[str, Paper] = {p.id: p for p in seeds}
    frontier = seeds
    for _level in range(depth):
        candidates: dict[str, None] = {}
        for paper in frontier:
            for linked in _links(paper, expand):
                if linked not in in_set:
                    candidates.setdefault(linked)
        room = max_papers - len(in_set)
        if not candidates or room <= 0:
            if candidates:
                run.notes.append(
                    f"--max-papers {max_papers} left no room for {len(candidates):,} neighbours."
                )
            break
        score = dict.fromkeys(candidates, 0)
        for paper in in_set.values():
            for linked in _links(paper, expand):
                if linked in score:
                    score[linked] += 1
        ranked = sorted(candidates, key=lambda c: -score[c])
        chosen = ranked[:room]
        if len(ranked) > room:
            run.notes.append(
                f"Kept the {room:,} of {len(ranked):,} neighbours most connected to the set (--max-papers "
                f"{max_papers}); the least connected left out were linked to {score[ranked[room]]} paper(s)."
            )
        fetched = run.fetch(chosen)
        missing = [c for c in chosen if fetched.get(c) is None]
        if missing:
            run.notes.append(f"{len(missing):,} linked papers could not be fetched from Semantic Scholar.")
        frontier = [fetched[c] for c in chosen if fetched.get(c) is not None]
        for paper in frontier:
            in_set.setdefault(paper.id, paper)
    return list(in_set.values())


def _links(paper: Paper, expand: Sequence[str]) -> list[str]:
    out: list[str] = []
    if "references" in expand:
        out += paper.references
    if "citations" in expand:
        out += paper.citations
    return out
