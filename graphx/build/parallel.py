"""A helper process for a big build: work that holds Python's GIL, on a second core.

What is left of a build at 100k papers is array code, or C libraries that hold the GIL: igraph's Leiden
and Fruchterman-Reingold, Python's regex tokenising. A second thread takes as long as running one after
the other (measured), so the second core of a two-core machine idled for most of a build. From
:data:`PARALLEL_MIN_PAPERS` papers the build hands independent pieces to one helper process while it
works on the rest: the citation edges while the text is indexed, its own copy of the weighted graph,
half of the Leiden runs and of the sub-area searches, the layout while the labels are chosen, and
graph.json's edges while the save writes the explorer's files (it lives through the save).

Every piece gets the inputs it has in one process (seeds drawn in the same order) and its result goes
to the same place: the graph is the same, byte for byte (a test builds both ways).

The helper is a fresh interpreter running this module (``python -m graphx.build.parallel``), reading
pickled pieces on its stdin and writing results on its stdout. Not a fork: the web app builds in
threads, and a fork copies locks that other threads hold. Not :mod:`multiprocessing`'s spawn either,
which runs the caller's ``__main__`` again in the child (a script without a main guard would build
twice). Where the helper cannot start, or dies (killed for memory, say), its pieces run in this
process and the build says so in its warnings: nothing built is lost, and the graph is the same.
"""

from __future__ import annotations

import gc
import importlib
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

T = TypeVar("T")

# Below this many papers a build takes seconds: starting an interpreter and importing graphx (~1.5 s of a
# core) and sending the pieces would cost more than the second core gives back.
PARALLEL_MIN_PAPERS = 20_000
# What a build's pieces run (the helper imports them as it starts).
PIECE_MODULES = (
    "graphx.build.citations",
    "graphx.build.communities",
    "graphx.build.layout",
    "graphx.build.similarity",
    "graphx.build.text",
    "graphx.store.graphs",
)
AUTO = 0  # the ``processes`` option: decide by size and cores
ONE = 1  # never a helper
_OK, _FAILED = "ok", "failed"


def helper_wanted(n_papers: int, processes: int = AUTO) -> bool:
    """Whether a build of ``n_papers`` runs with a helper process: ``processes`` 1 never, 2 or more
    always, :data:`AUTO` from :data:`PARALLEL_MIN_PAPERS` papers on a machine of two cores or more."""
    if processes == ONE:
        return False
    if processes == AUTO:
        return n_papers >= PARALLEL_MIN_PAPERS and _cores() >= 2
    return True


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class Pending(Generic[T]):
    """A piece handed to the helper (or kept for this process): :meth:`result` gives its value."""

    def __init__(self, helper: Helper, job: int | None, fn: Callable[..., T], args: tuple, kwargs: dict):
        self._helper, self._job, self._fn, self._args, self._kwargs = helper, job, fn, args, kwargs
        self._done = False
        self._value: T | None = None

    def result(self) -> T:
        """The piece's value: the helper's, or computed here (no helper, the helper died, or the piece
        failed there: here it fails again with this process's own traceback). Computed once."""
        if not self._done:
            status, value = self._helper._answer(self._job) if self._job is not None else (_FAILED, None)
            self._value = value if status == _OK else self._fn(*self._args, **self._kwargs)
            self._done, self._job, self._fn, self._args, self._kwargs = True, None, None, (), {}
        return self._value


class Kept(Generic[T]):
    """A value the helper holds (:meth:`Helper.keep`): pickled as its key alone, read there as the value.
    ``value`` is the value itself in this process (where a piece runs if the helper cannot)."""

    def __init__(self, key: Any, value: T):
        self.key, self.value = key, value

    def __reduce__(self):
        return _held, (self.key,)


_HELD: dict[Any, Any] = {}  # in the helper: the values kept for later pieces


def _held(key: Any) -> Kept:
    return Kept(key, _HELD[key])


def _hold(key: Any, value: Any) -> None:
    _HELD[key] = value


def _make(key: Any, fn: Callable[..., Any], args: tuple) -> None:
    _HELD[key] = fn(*args)


def _forget(key: Any) -> None:
    _HELD.pop(key, None)


class Helper:
    """At most one helper process; :meth:`submit` hands it a piece, or keeps the piece for later here.

    ``fn`` must be a module-level function and its arguments picklable (arrays, lists): the helper
    imports what it needs itself. ``peak_mb`` and ``cpu_s`` are what the helper last reported of its
    peak memory and CPU time; ``warning`` says why pieces ran here after all.
    """

    def __init__(self, enabled: bool):
        self.warning: str | None = None
        self.peak_mb = 0.0  # the helper's peak resident memory, as it last reported it
        self.cpu_s = 0.0  # the helper's CPU time (all its threads), as it last reported it
        self.answered = 0  # pieces the helper computed (answers read)
        self._proc: subprocess.Popen | None = None
        self._folder: str | None = None
        self._lock = threading.Lock()
        self._sent = 0
        self._read = 0
        self._answers: dict[int, tuple[str, Any]] = {}
        self._kept: set = set()
        if not enabled:
            return
        # The helper finds graphx where this process found it (a checkout on sys.path included).
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        try:
            self._folder = tempfile.mkdtemp(prefix="graphx-helper-")
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "graphx.build.parallel"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env=env,
            )
        except OSError as exc:
            self.warning = f"The helper process could not start ({exc}); built in one process."
            self._remove_folder()

    @property
    def active(self) -> bool:
        return self._proc is not None

    def report(self) -> dict[str, Any] | None:
        """What the helper did, for a graph's metadata: pieces computed, its CPU seconds and peak memory
        (MB); None if it computed nothing."""
        if not self.answered:
            return None
        return {"pieces": self.answered, "cpu_s": round(self.cpu_s, 1), "peak_mb": round(self.peak_mb)}

    def submit(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> Pending[T]:
        """Start ``fn(*args, **kwargs)`` in the helper; without one, it runs when its result is asked for."""
        return self._submit(fn, args, kwargs, None)

    def submit_or(self, here: Callable[[], T], fn: Callable[..., T], *args: Any, **kwargs: Any) -> Pending[T]:
        """:meth:`submit`, keeping no reference to the arguments once they are sent: if the helper cannot
        give the value, ``here()`` computes the same one in this process (from what it still holds)."""
        return self._submit(fn, args, kwargs, here)

    def _submit(
        self, fn: Callable[..., T], args: tuple, kwargs: dict, here: Callable[[], T] | None
    ) -> Pending[T]:
        """The piece is written to a file and its path sent down the pipe (the answer comes back the same
        way). Through the pipe itself, tens of MB would go a pipe's buffer at a time, each waiting for
        this process's GIL, which the build's next C call (a Leiden run) holds for seconds: the helper
        started its piece after ours ended.
        """

        def pending(job: int | None) -> Pending[T]:
            return Pending(self, job, fn, args, kwargs) if here is None else Pending(self, job, here, (), {})

        with self._lock:
            if self._proc is None:
                return pending(None)
            job, self._sent = self._sent, self._sent + 1
            path = os.path.join(self._folder, f"{job}.piece")
            try:
                with open(path, "wb") as fh:
                    pickle.dump((fn, args, kwargs), fh, protocol=pickle.HIGHEST_PROTOCOL)
                self._proc.stdin.write(path.encode() + b"\n")
                self._proc.stdin.flush()
            except OSError as exc:  # no room for the piece, or the helper is gone
                self._sent -= 1
                self._lost(exc)
                return pending(None)
        return pending(job)

    def keep(self, value: T, key: Any) -> Kept[T]:
        """``value`` as a :class:`Kept` for later pieces: sent to the helper once per ``key`` (a big graph
        that several pieces read is made again there once, not for each)."""
        if self.active and key not in self._kept:
            self._kept.add(key)
            self.submit(_hold, key, value)
        return Kept(key, value)

    def keep_made(self, key: Any, fn: Callable[..., Any], *args: Any) -> None:
        """The helper keeps ``fn(*args)`` as ``key``, made there: a :class:`Kept` of ``key`` made here later
        (:meth:`keep`, with this process's own copy of the value) is then not sent. If it cannot be made
        there, pieces reading it fail there and run here."""
        if self.active and key not in self._kept:
            self._kept.add(key)
            self.submit(_make, key, fn, args)

    def forget(self, kept: Kept) -> None:
        """The helper lets ``kept`` go once the pieces handed to it so far are done (its memory back)."""
        if self.active and kept.key in self._kept:
            self._kept.discard(kept.key)
            self.submit(_forget, kept.key)

    def _answer(self, job: int) -> tuple[str, Any]:
        """The answer to ``job``: read in order (earlier answers kept for their pieces)."""
        with self._lock:
            while job not in self._answers:
                proc = self._proc
                if proc is None:
                    return _FAILED, None
                try:
                    answer = proc.stdout.readline().decode().rstrip("\n")
                    with open(answer, "rb") as fh:
                        status, value, self.peak_mb, self.cpu_s = pickle.load(fh)
                    os.unlink(answer)
                except Exception as exc:  # no answer (EOF), or a truncated one: the helper died
                    self._lost(exc)
                    return _FAILED, None
                self.answered += status == _OK
                self._answers[self._read] = (status, value)
                self._read += 1
            return self._answers.pop(job)

    def _lost(self, exc: BaseException) -> None:
        """The helper died (called with the lock held): later pieces run in this process."""
        code = None
        if self._proc is not None:
            try:
                code = self._proc.wait(timeout=5)  # its output ended: it is exiting
            except subprocess.TimeoutExpired:
                pass
        how = "" if code is None else f", killed by signal {-code}" if code < 0 else f", exit code {code}"
        self.warning = (
            f"The helper process stopped ({type(exc).__name__}{how}); its work was done in the "
            "build's own process: slower, the same graph."
        )
        self._stop(kill=True)

    def _stop(self, *, kill: bool) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            if kill:
                proc.kill()
            try:
                proc.stdin.close()  # the helper ends at the end of its input
            except OSError:  # it is gone: what was left to write is lost with it
                pass
            try:
                proc.wait(timeout=10 if kill else None)
            except subprocess.TimeoutExpired:
                pass
            proc.stdout.close()
        self._remove_folder()

    def _remove_folder(self) -> None:
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None

    def close(self, *, kill: bool = False) -> None:
        """End the helper: it exits at the end of its input, or is killed (``kill``, or a piece whose
        answer nobody read: the helper would wait forever to write it)."""
        with self._lock:
            self._stop(kill=kill or self._read < self._sent)


@contextmanager
def helper(n_papers: int, processes: int = AUTO) -> Iterator[Helper]:
    """A :class:`Helper` for a build of ``n_papers`` (:func:`helper_wanted`), ended on exit: after the
    build it finishes and exits, after an error or a cancel it is killed (never a hang)."""
    h = Helper(helper_wanted(n_papers, processes))
    try:
        yield h
    except BaseException:
        h.close(kill=True)
        raise
    h.close()


def _give_back() -> None:
    """Return freed memory to the system (glibc keeps freed heap pages for reuse: the helper's resident
    memory stayed at its peak piece's while the build went on)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


def _serve(source, sink) -> None:
    """The helper's loop: the path of a pickled ``(fn, args, kwargs)`` in, the path of a pickled
    ``(status, value, peak MB, CPU seconds)`` out, until its input ends. Pieces run with the cyclic GC
    paused, as the build's stages do (:func:`graphx.build.runner.paused_gc`: 4.6 million edges as Python
    pairs take 2.7 s with it on, 0.4 s without)."""
    try:
        import resource
    except ImportError:  # not on Unix: no peak to report
        resource = None

    folder = None
    for line in source:
        path = line.decode().rstrip("\n")
        folder = os.path.dirname(path)
        gc.disable()
        try:
            with open(path, "rb") as fh:
                fn, args, kwargs = pickle.load(fh)
            os.unlink(path)
            status, value = _OK, fn(*args, **kwargs)
        except Exception as exc:  # the build runs the piece again itself, and reports the error
            status, value = _FAILED, repr(exc)
        finally:
            gc.enable()
            _give_back()
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 if resource else 0.0  # KiB
        # The answer goes to a file too: through the pipe, the helper would wait for the build to read it
        # (a 100 MB embedding waited 25 s for the build to ask), idle while its next pieces wait.
        answer = path.removesuffix(".piece") + ".answer"
        with open(answer + ".part", "wb") as fh:
            pickle.dump((status, value, peak_mb, time.process_time()), fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(answer + ".part", answer)
        sink.write(answer.encode() + b"\n")
        sink.flush()
        fn = args = kwargs = value = None
    # The build closed its end: it is done with the folder, or was killed before it could remove it.
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    # stdout carries the answers: anything printed goes to stderr instead.
    answers, sys.stdout = sys.stdout.buffer, sys.stderr
    # The modules of a build's pieces, imported while the build merges its papers (scikit-learn, igraph:
    # ~1 s), not when the first piece (the tail of the tokens) is read and waited for. By name: they
    # import this module (for Kept), and only this process, started as a script, needs them now.
    for module in PIECE_MODULES:
        importlib.import_module(module)
    _serve(sys.stdin.buffer, answers)
