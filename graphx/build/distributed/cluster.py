"""Where the Dask engine runs: an embedded ``LocalCluster`` sized from the machine, or an existing cluster.

Sizing: one worker process per core (tokenising is pure Python, so threads would share one GIL),
one thread each, and the memory this machine has free now (:func:`graphx.memory.available_bytes`,
less :data:`graphx.memory.HEADROOM_SHARE`) split between them. A worker past its limit is paused,
then restarted by Dask's nanny: a build that does not fit fails on its own workers rather than taking
the machine down.
"""

from __future__ import annotations

import logging
import os
import resource
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from graphx.errors import ConfigError
from graphx.memory import HEADROOM_SHARE, MB, available_bytes

# Without a reading of free memory, each worker gets this much.
DEFAULT_WORKER_BYTES = 4096 * MB
# The client (communities, layout, writing the tables) keeps this share of the free memory.
CLIENT_SHARE = 0.3


def require_dask():
    """Import dask.distributed, or say how to install it."""
    try:
        import dask  # noqa: F401
        import distributed
        import pyarrow  # noqa: F401
    except ImportError as err:
        raise ConfigError(
            f"The Dask engine needs the 'scale' extra ({err.name} is missing): "
            "pip install 'graphx[scale]', or build with --engine local."
        ) from err
    return distributed


def default_workers() -> int:
    return max(1, os.cpu_count() or 1)


def default_memory_limit(n_workers: int) -> int:
    """Bytes per worker: the free memory, less headroom and the client's share, split evenly."""
    free = available_bytes()
    if free is None:
        return DEFAULT_WORKER_BYTES
    return max(512 * MB, int(free * (1 - HEADROOM_SHARE) * (1 - CLIENT_SHARE) / n_workers))


@contextmanager
def dask_client(
    scheduler: str | None = None,
    *,
    n_workers: int | None = None,
    memory_limit: int | str | None = None,
    local_directory: str | os.PathLike | None = None,
) -> Iterator:
    """A ``distributed.Client``: on ``scheduler`` (``tcp://HOST:PORT``) if given, else on a new
    ``LocalCluster`` of ``n_workers`` processes of ``memory_limit`` bytes each, closed afterwards."""
    distributed = require_dask()
    if scheduler:
        try:
            client = distributed.Client(scheduler, timeout="20s")
        except OSError as err:
            raise ConfigError(
                f"Could not reach the Dask scheduler at {scheduler} ({err}). Start one with "
                "`dask scheduler` (and `dask worker ADDRESS` on each machine), or leave out --scheduler "
                "to run on this machine."
            ) from err
        try:
            yield client
        finally:
            client.close()
        return
    n_workers = n_workers or default_workers()
    memory_limit = memory_limit or default_memory_limit(n_workers)
    cluster = distributed.LocalCluster(
        n_workers=n_workers,
        threads_per_worker=1,
        processes=True,
        memory_limit=memory_limit,
        dashboard_address=":0",
        silence_logs=logging.ERROR,
        local_directory=str(local_directory) if local_directory else None,
    )
    client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


def _peak_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB


def _usage() -> tuple[int, float]:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_maxrss * 1024, r.ru_utime + r.ru_stime


def memory_peaks(client) -> dict[str, int]:
    """Peak resident bytes of every worker process now alive (``ru_maxrss``), by worker address."""
    return client.run(_peak_rss_bytes)


def worker_usage(client) -> dict[str, tuple[int, float]]:
    """(peak resident bytes, CPU seconds) of every worker process now alive, by worker address."""
    return {k: tuple(v) for k, v in client.run(_usage).items()}


def client_peak_bytes() -> int:
    return _peak_rss_bytes()


def work_folder(cache_dir: str | os.PathLike, name: str) -> Path:
    """Where intermediate Parquet edge lists and matrix blocks of a build live (removed afterwards)."""
    folder = Path(cache_dir) / "work" / f"dask-{name}-{os.getpid()}"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
