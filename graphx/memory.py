"""Will a build fit in memory? An estimate from the paper count, checked before the work starts.

A build that runs out of memory takes the machine (and the web server beside it) down with it, after
minutes of work; refusing it up front with the figures loses nothing. The costs come from measured
peak resident memory (``/usr/bin/time -v`` on ``graphx build``, and ``benchmarks/bench_scale.py``):
see ``BUILD_BASE_BYTES`` and ``BUILD_BYTES_PER_PAPER``.
"""

from __future__ import annotations

from pathlib import Path

from graphx.errors import ConfigError

MB = 1024 * 1024
# Peak resident memory of a build: a fixed part (Python, numpy/scipy/scikit-learn, the embedding
# model) plus a part per paper (vectors, similarity neighbours, graph attributes, the saved JSON).
# Per paper: the growth from 25k to 100k papers in docs/scaling.md (965 -> 3,422 MB, 33 kB a paper);
# fixed part: what is left of a measured `graphx build` of the 6,545-paper corpus (peak 893 MB). The
# line is on the safe side below ~5k papers (1,500 papers measured 359 MB; the line says 748).
BUILD_BASE_BYTES = 700 * MB
BUILD_BYTES_PER_PAPER = 33 * 1024
# Leave this share of the available memory to everything else (the web server, the OS cache).
HEADROOM_SHARE = 0.15
MEMINFO = Path("/proc/meminfo")
CGROUP_FILES = (Path("/sys/fs/cgroup/memory.max"), Path("/sys/fs/cgroup/memory.current"))


def estimate_build_bytes(n_papers: int) -> int:
    """Estimated peak memory of building a graph of ``n_papers`` papers, in bytes.

    Examples
    --------
    >>> estimate_build_bytes(0) == BUILD_BASE_BYTES
    True
    """
    return BUILD_BASE_BYTES + BUILD_BYTES_PER_PAPER * max(int(n_papers), 0)


def available_bytes() -> int | None:
    """Memory this process may still take: ``MemAvailable``, lowered by a cgroup limit; None if unknown."""
    found: list[int] = []
    try:
        for line in MEMINFO.read_text().splitlines():
            if line.startswith("MemAvailable:"):
                found.append(int(line.split()[1]) * 1024)
                break
    except (OSError, ValueError, IndexError):
        pass
    try:
        limit, current = (f.read_text().strip() for f in CGROUP_FILES)
        if limit != "max":
            found.append(max(int(limit) - int(current), 0))
    except (OSError, ValueError):
        pass
    return min(found) if found else None


def check_build_fits(n_papers: int, *, available: int | None = None) -> None:
    """Raise :class:`ConfigError` if a build of ``n_papers`` papers would not fit in memory now.

    ``available`` defaults to :func:`available_bytes`; when that is unknown nothing is refused.
    """
    available = available_bytes() if available is None else available
    if available is None:
        return
    need = estimate_build_bytes(n_papers)
    room = int(available * (1 - HEADROOM_SHARE))
    if need > room:
        fits = max((room - BUILD_BASE_BYTES) // BUILD_BYTES_PER_PAPER, 0)
        raise ConfigError(
            f"Not enough memory to build {n_papers:,} papers: the build needs about {need / MB:,.0f} MB and "
            f"{available / MB:,.0f} MB is free. Build at most ~{fits:,} papers "
            "(fewer inputs or a lower --max-papers), wait for other builds to finish, or free memory."
        )
