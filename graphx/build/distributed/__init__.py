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


def build_tables(*args, **kwargs) -> Path:
    """:func:`graphx.build.distributed.engine.build_tables`, after checking the ``scale`` extra is
    installed (a clear error naming it otherwise)."""
    from graphx.build.distributed.cluster import require_dask

    require_dask()
    from graphx.build.distributed.engine import build_tables as build

    return build(*args, **kwargs)


__all__ = ["build_tables"]
