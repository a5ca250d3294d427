"""The Dask engine: an S2AG bulk release to a table-store graph, partitioned stages on a Dask cluster.

Runs where (see docs/scaling.md for why and the measurements):

- on the workers, by partition or row block: reading shards and joining papers with abstracts (Dask
  dataframes: one partition per shard, a hash merge on ``corpusid``), hashed TF-IDF and the local
  embedding (:mod:`.text`), the top-k similarity, co-citation and coupling searches in row blocks
  (:mod:`.blocks`, reusing :func:`graphx.build.similarity.top_k_pairs`), the citation joins (Dask
  merges), label term counts as group-by sums (:mod:`.labels`);
- on the client, one node, from the edge lists (written as Parquet in the work folder): duplicate
  groups (connected components of shared keys), PageRank and degrees, the weighted graph, two-level
  Leiden with the local engine's consensus (:func:`graphx.build.communities.detect_two_levels`),
  label picking, the per-area layout, and writing the table store (:mod:`graphx.store.tables`).

Dask and pyarrow are the optional ``scale`` extra: nothing here imports them at module load.
"""

from __future__ import annotations

from pathlib import Path

# --engine auto builds a release of more papers than this on Dask: the local engine holds 100k papers
# in ~3.4 GB and grows ~7x per 10x papers (docs/scaling.md), so past a few hundred thousand it no
# longer fits a workstation.
AUTO_DASK_PAPERS = 200_000


def build_tables(*args, **kwargs) -> Path:
    """:func:`graphx.build.distributed.engine.build_tables`, after checking the ``scale`` extra is
    installed (a clear error naming it otherwise)."""
    from graphx.build.distributed.cluster import require_dask

    require_dask()
    from graphx.build.distributed.engine import build_tables as build

    return build(*args, **kwargs)


def installed() -> bool:
    """Whether the ``scale`` extra (dask.distributed, pyarrow) is importable."""
    from importlib.util import find_spec

    return all(find_spec(m) is not None for m in ("dask", "distributed", "pandas", "pyarrow"))


from graphx.build.distributed.shards import estimated_papers, shard_rows  # noqa: E402


def choose_engine(engine: str, release: str | None) -> str:
    """``"local"`` or ``"dask"`` for ``--engine`` (``auto``, ``local``, ``dask``) and the S2AG release
    built from (None: other inputs, which only the local engine reads)."""
    from graphx.errors import ConfigError

    if engine == "local":
        return "local"
    if engine == "dask":
        if release is None:
            raise ConfigError(
                "--engine dask builds from one S2AG release (--s2ag DIR) and nothing else; "
                "use --engine local for files, queries and paper ids."
            )
        return "dask"
    if release is None or not installed():
        return "local"
    return "dask" if estimated_papers(release) > AUTO_DASK_PAPERS else "local"


__all__ = ["AUTO_DASK_PAPERS", "build_tables", "choose_engine", "estimated_papers", "installed", "shard_rows"]
