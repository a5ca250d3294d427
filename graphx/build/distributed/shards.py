"""How big a release is, before anything is read: what ``--engine auto`` and the partitioning go by.

No Dask or pandas here: the CLI asks on every build, with or without the ``scale`` extra.
"""

from __future__ import annotations

import gzip
from pathlib import Path


def estimated_papers(release: str) -> int:
    """Papers rows of a release, estimated from its first papers shard's rows times the shards."""
    from graphx.sources.s2ag import release_files

    shards = release_files(release)["papers"]
    return shard_rows(shards[0]) * len(shards) if shards else 0


def shard_rows(path: str | Path) -> int:
    """Lines of one (gzipped) shard."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rb") as fh:
        return sum(1 for _ in fh)
