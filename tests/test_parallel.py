"""The build's helper process (graphx.build.parallel): the same graph, and a build that survives it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import assert_same_stored_files

from graphx.build import parallel
from graphx.build.pipeline import build_and_store
from graphx.options import BuildOptions

psutil = pytest.importorskip("psutil")  # finds the helper to kill it (installed with the test extra)


def assert_same_files(a: Path, b: Path) -> None:
    # Besides the timings, what says how a run went: the helper's report, the warning of a helper killed.
    assert_same_stored_files(a, b, also_ignore=("helper", "warnings"))


@pytest.fixture(scope="module")
def papers(neurips_papers):
    return neurips_papers[:2500]  # several areas split into sub-areas: every piece the helper takes


@pytest.fixture(scope="module")
def alone(papers, tmp_path_factory):
    """The papers built in one process."""
    graph, folder = build_and_store(
        papers, tmp_path_factory.mktemp("alone"), "x", BuildOptions(seed=5), processes=1
    )
    assert "helper" not in graph["meta"]
    return graph, folder


def test_a_build_with_a_helper_stores_the_same_graph(papers, alone, tmp_path):
    graph, folder = build_and_store(papers, tmp_path, "x", BuildOptions(seed=5), processes=2)
    helped = graph["meta"]["helper"]
    # Citation edges, two shares of Leiden runs (the graph is sent once), sub-areas and the layout.
    assert helped["pieces"] >= 5 and helped["cpu_s"] > 0 and helped["peak_mb"] > 0
    assert graph["meta"]["warnings"] == []
    assert graph["meta"]["counts"] == alone[0]["meta"]["counts"]
    assert_same_files(alone[1], folder)


def _helpers() -> list:
    return [
        p
        for p in psutil.Process().children(recursive=True)
        if "graphx.build.parallel" in " ".join(p.cmdline())
    ]


@pytest.mark.parametrize("stage", ["edges", "communities", "labels", "save"])
def test_a_build_whose_helper_is_killed_finishes_here_with_the_same_graph(papers, alone, tmp_path, stage):
    """Killed while it holds the citation edges, the weighted graph, or the layout (after this process let
    its own weighted graph go), or before it writes graph.json's edges: the pieces are computed here, and
    the build says so."""
    killed = []

    def progress(label: str, done: int, total: int) -> None:
        if label == stage and done == 0:
            for p in _helpers():
                p.kill()
                killed.append(p.pid)

    graph, folder = build_and_store(
        papers, tmp_path, "x", BuildOptions(seed=5), processes=2, progress=progress
    )
    assert killed
    (warning,) = graph["meta"]["warnings"]
    assert warning.startswith("The helper process stopped") and "the same graph" in warning
    assert_same_files(alone[1], folder)
    assert not _helpers()  # nothing left running


def _fails_in_helper(main_pid: int) -> str:
    if os.getpid() != main_pid:
        raise RuntimeError("only in the helper")
    return "here"


def _exits_in_helper(main_pid: int) -> int:
    if os.getpid() != main_pid:
        os._exit(7)
    return os.getpid()


def test_a_piece_that_fails_there_runs_here_and_the_helper_goes_on():
    with parallel.helper(0, processes=2) as helper:
        assert helper.active
        assert helper.submit(_fails_in_helper, os.getpid()).result() == "here"
        assert helper.active and helper.warning is None
        assert helper.submit(sum, [1, 2, 3]).result() == 6
        assert helper.report()["pieces"] == 1  # the failed piece is not counted as done there


def test_pieces_after_the_helper_died_run_here():
    with parallel.helper(0, processes=2) as helper:
        first = helper.submit(_exits_in_helper, os.getpid())
        assert first.result() == os.getpid()
        assert not helper.active
        assert "exit code 7" in helper.warning
        assert helper.submit(_exits_in_helper, os.getpid()).result() == os.getpid()


def test_kept_values_are_sent_once_and_read_there():
    with parallel.helper(0, processes=2) as helper:
        kept = helper.keep(list(range(1000)), key="numbers")
        again = helper.keep(list(range(1000)), key="numbers")
        assert helper._sent == 1  # the second keep sent nothing
        assert helper.submit(_sum_kept, kept).result() == sum(range(1000))
        assert helper.submit(_sum_kept, again).result() == sum(range(1000))
        assert helper.report()["pieces"] == 3


def _sum_kept(kept: parallel.Kept) -> int:
    return sum(kept.value)


def test_who_gets_a_helper():
    assert not parallel.helper_wanted(10**6, processes=1)
    assert parallel.helper_wanted(10, processes=2)
    assert not parallel.helper_wanted(parallel.PARALLEL_MIN_PAPERS - 1)
    assert parallel.helper_wanted(parallel.PARALLEL_MIN_PAPERS) == (parallel._cores() >= 2)
    with parallel.helper(10) as helper:  # a small build: no process started, pieces run when asked
        assert not helper.active
        assert helper.submit(sum, [4, 5]).result() == 9
        assert helper.report() is None


def test_a_cancelled_build_stops_its_helper_and_keeps_the_previous_graph(papers, alone, tmp_path):
    import threading

    from graphx.errors import BuildCancelled

    build_and_store(papers[:300], tmp_path, "x", BuildOptions(seed=5), processes=1)
    before = (tmp_path / "graphs" / "x" / "graph.json").read_bytes()
    cancel = threading.Event()
    seen = []

    def progress(label: str, done: int, total: int) -> None:
        if label == "communities" and done == 0:
            seen.extend(_helpers())
            cancel.set()  # the next stage is refused

    with pytest.raises(BuildCancelled):
        build_and_store(
            papers, tmp_path, "x", BuildOptions(seed=5), processes=2, progress=progress, cancel=cancel
        )
    assert seen  # a helper was running when the build was cancelled
    assert not _helpers()
    assert (tmp_path / "graphs" / "x" / "graph.json").read_bytes() == before
