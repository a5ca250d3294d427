"""Background builds started from the home page: one thread per build, progress polled as JSON."""

from __future__ import annotations

import importlib
import os
import re
import sqlite3
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Blueprint, current_app, jsonify, redirect, request, url_for
from werkzeug.utils import secure_filename

from graphx.build.pipeline import STAGES
from graphx.errors import BuildCancelled, ConfigError, GraphxError, S2Stopped, S2Unreachable
from graphx.options import BUILD, OPTIONS, S2AG, build_options, group, parse_form
from graphx.store.graphs import check_name
from webui.responses import error_response

bp = Blueprint("builds", __name__)

UPLOADS_DIR = "uploads"
UPLOAD_SUFFIXES = (".jsonl", ".ndjson", ".json", ".csv", ".tsv", ".bib", ".bibtex", ".ris", ".txt", ".md")
SNIFF_BYTES = 64 * 1024
# Longer upload names are cut (the file system refuses names past 255 bytes).
MAX_UPLOAD_NAME_CHARS = 80
# Uploads left behind (a server killed mid-build) are removed at the next start once this old.
STALE_UPLOAD_S = 24 * 3600
MAX_PAPER_IDS = 500
# A pasted reading list of this many characters is a few thousand papers; more is a mistake.
MAX_PASTED_CHARS = 2_000_000
# Builds run at once; the others wait in a queue. One 60k-paper build takes about 1.7 GB.
DEFAULT_BUILD_WORKERS = 1
# Builds kept in the list after they end (newest first); older finished ones are forgotten.
KEEP_FINISHED = 20
# Stages in the order a build goes through them, for the overall progress bar: loading or
# fetching the papers, then the pipeline's own stages.
BUILD_STAGES = ("load", "collect", *STAGES)


@dataclass
class Build:
    """One build's state as the progress bar and ``/api/builds/<id>`` show it."""

    id: str
    name: str
    source: str
    state: str = "queued"  # queued, running, done, failed, cancelled
    stage: str = ""
    done: int = 0
    total: int = 0
    papers: int | None = None
    notes: list[str] = field(default_factory=list)
    error: str | None = None
    started: float = field(default_factory=time.time)
    finished: float | None = None
    options: dict[str, Any] = field(default_factory=dict)
    cancel: threading.Event = field(default_factory=threading.Event)
    position: int | None = None  # 1-based place in the queue while queued
    upload: Path | None = None  # the uploaded papers file, removed when the build ends

    def to_json(self) -> dict[str, Any]:
        end = self.finished or time.time()
        return {
            "id": self.id,
            "name": self.name,
            "source": self.source,
            "state": self.state,
            "stage": self.stage,
            "done": self.done,
            "total": self.total,
            "percent": self.percent(),
            "papers": self.papers,
            "position": self.position if self.state == "queued" else None,
            "notes": list(self.notes),
            "error": self.error,
            "elapsed_s": round(end - self.started, 1),
            "graph_url": url_for("graphs.explorer", name=self.name) if self.state == "done" else None,
            "cancel_url": url_for("builds.cancel", build_id=self.id),
        }

    def percent(self) -> int:
        if self.state == "done":
            return 100
        if self.stage not in BUILD_STAGES:
            return 0
        step = BUILD_STAGES.index(self.stage)
        within = self.done / self.total if self.total else 0.0
        return int(100 * (step + min(within, 1.0)) / len(BUILD_STAGES))


class BuildManager:
    """Runs builds in daemon threads, ``workers`` at a time (the others queue), keeps their progress."""

    def __init__(self, cache_dir: str | os.PathLike, workers: int = DEFAULT_BUILD_WORKERS):
        self.cache_dir = Path(cache_dir)
        self.workers = max(1, int(workers))
        self._lock = threading.Lock()
        self._turn = threading.Condition(self._lock)
        self._builds: dict[str, Build] = {}
        self._queue: list[Build] = []
        self._running = 0

    def get(self, build_id: str) -> Build | None:
        with self._lock:
            return self._builds.get(build_id)

    def list(self) -> list[Build]:
        with self._lock:
            return sorted(self._builds.values(), key=lambda b: -b.started)

    def start(
        self,
        name: str,
        source: str,
        collect: Callable[[Build], list],
        options: dict[str, Any] | None = None,
        *,
        upload: Path | None = None,
    ) -> Build:
        """Start building graph ``name`` from the papers ``collect(build)`` returns."""
        check_name(name)
        with self._lock:
            if any(b.name == name and b.state in ("queued", "running") for b in self._builds.values()):
                if upload is not None:
                    upload.unlink(missing_ok=True)
                raise ConfigError(f"A build of {name!r} is already running; wait for it or cancel it.")
            build = Build(
                id=uuid.uuid4().hex[:12], name=name, source=source, options=dict(options or {}), upload=upload
            )
            self._builds[build.id] = build
            self._queue.append(build)
            self._number_queue()
            self._forget_old()
        thread = threading.Thread(
            target=self._run, args=(build, collect), name=f"graphx-build-{name}", daemon=True
        )
        thread.start()
        return build

    def cancel(self, build: Build) -> None:
        build.cancel.set()
        with self._turn:
            self._turn.notify_all()

    def _number_queue(self) -> None:
        for i, queued in enumerate(self._queue, start=1):
            queued.position = i

    def _wait_turn(self, build: Build) -> bool:
        """Wait until ``build`` heads the queue and a worker is free; False if cancelled meanwhile."""
        with self._turn:
            while not build.cancel.is_set() and not (
                self._running < self.workers and self._queue[0] is build
            ):
                self._turn.wait()
            self._queue.remove(build)
            self._number_queue()
            build.position = None
            if build.cancel.is_set():
                self._turn.notify_all()
                return False
            self._running += 1
            return True

    def _forget_old(self) -> None:
        finished = sorted(
            (b for b in self._builds.values() if b.finished is not None), key=lambda b: -(b.finished or 0)
        )
        for old in finished[KEEP_FINISHED:]:
            del self._builds[old.id]

    def _run(self, build: Build, collect: Callable[[Build], list]) -> None:
        try:
            if not self._wait_turn(build):
                build.state, build.error = "cancelled", "Build cancelled before it started."
                build.finished = time.time()
                return
            try:
                self._build(build, collect)
            finally:
                with self._turn:
                    self._running -= 1
                    self._turn.notify_all()
        finally:
            if build.upload is not None:
                build.upload.unlink(missing_ok=True)

    def _build(self, build: Build, collect: Callable[[Build], list]) -> None:
        from graphx.build.pipeline import build_and_store
        from graphx.memory import check_build_fits

        build.state = "running"

        def progress(stage: str, done: int, total: int) -> None:
            build.stage, build.done, build.total = stage, done, total

        try:
            papers = collect(build)
            build.papers = len(papers)
            check_build_fits(len(papers))  # before the memory-heavy stages, not after they fail
            if build.cancel.is_set():
                raise BuildCancelled("Build cancelled; the previous graph of this name is unchanged.")
            options = build_options(build.options)
            build_and_store(
                papers,
                self.cache_dir,
                build.name,
                options,
                inputs=[build.source],
                progress=progress,
                cancel=build.cancel,
            )
            build.state = "done"
        except BuildCancelled as exc:
            build.state, build.error = "cancelled", str(exc)
        except GraphxError as exc:
            build.state, build.error = "failed", browser_message(exc)
        except sqlite3.DatabaseError as exc:
            from graphx.store.papers import DB_FILENAME, damaged_store

            build.state, build.error = "failed", str(damaged_store(self.cache_dir / DB_FILENAME, exc))
        except Exception as exc:  # a bug, not bad input: say so, keep the server up
            traceback.print_exc()
            build.state = "failed"
            build.error = (
                f"Unexpected error ({type(exc).__name__}: {exc}). This is a graphx bug; please report it."
            )
        finally:
            build.finished = time.time()


def browser_message(exc: GraphxError) -> str:
    """``exc`` told as someone in the browser can act on it (no command lines, no flags)."""
    if isinstance(exc, S2Unreachable):
        return (
            f"Semantic Scholar could not be reached at {exc.url} ({exc.reason}). A topic query or paper ids "
            "need it: check the network and press Build again, or build from a papers file or a pasted "
            "reading list."
        )
    if isinstance(exc, S2Stopped):
        return (
            f"Semantic Scholar {exc.reason}. {exc.cached:,} papers fetched so far are cached: press Build "
            "again to resume" + (", or set S2_API_KEY where the server runs." if exc.hint else ".")
        )
    return str(exc)


def unreachable_note(result: Any) -> str:
    """The one warning of a build whose Semantic Scholar step was skipped because S2 was unreachable."""
    unreachable = result.unreachable
    return (
        f"Semantic Scholar could not be reached ({unreachable.reason} at {unreachable.url}): "
        f"{result.enriched:,} of {result.asked:,} papers enriched. The map is built from the pasted text; "
        "press Build again when you are online to add citations."
    )


# ------------------------------------------------------------------------------------------- form input
def parse_options(form: Any) -> dict[str, Any]:
    """The build options typed into the form (blank: the default), checked as a whole."""
    given = parse_form(form, [o.name for o in group(BUILD)])
    build_options(given)  # a bad combination fails here, before the build starts
    return given


def save_upload(upload: Any, cache_dir: Path) -> Path:
    """Store an uploaded papers file under ``CACHE/uploads/`` after checking its name and content."""
    filename = secure_filename(upload.filename or "")
    suffix = Path(filename).suffix.lower()
    if len(filename) > MAX_UPLOAD_NAME_CHARS:
        filename = filename[: MAX_UPLOAD_NAME_CHARS - len(suffix)] + suffix
    if suffix not in UPLOAD_SUFFIXES:
        raise ConfigError(
            f"Papers files must end in {', '.join(UPLOAD_SUFFIXES)} (got {upload.filename!r}); "
            "export your library as JSON Lines, CSV, BibTeX or RIS."
        )
    head = upload.stream.read(SNIFF_BYTES)
    if b"\x00" in head:
        raise ConfigError(
            f"{upload.filename!r} is not a text file; upload a papers file (JSON, CSV, BibTeX, RIS)."
        )
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the sniff boundary is fine; anything earlier is not UTF-8.
        if exc.start < len(head) - 4:
            raise ConfigError(
                f"{upload.filename!r} is not UTF-8 text; save it as UTF-8 and upload again."
            ) from exc
    folder = cache_dir / UPLOADS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex[:12]}-{filename}"
    with open(path, "wb") as fh:
        fh.write(head)
        while chunk := upload.stream.read(1024 * 1024):
            fh.write(chunk)
    return path


def remove_stale_uploads(cache_dir: Path, max_age_s: float = STALE_UPLOAD_S) -> None:
    """Delete uploads older than ``max_age_s`` (left by a server stopped in the middle of a build)."""
    folder = cache_dir / UPLOADS_DIR
    if not folder.is_dir():
        return
    cutoff = time.time() - max_age_s
    for path in folder.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            continue


def load_s2():
    """The Semantic Scholar source module, or None where it is not installed."""
    try:
        return importlib.import_module("graphx.sources.s2")
    except ImportError:
        return None


@bp.post("/builds")
def start():
    manager: BuildManager = current_app.extensions["graphx_builds"]
    cache_dir = Path(current_app.config["CACHE_DIR"])
    form = request.form
    try:
        name = check_name((form.get("name") or "").strip())
        options = parse_options(form)
        query = (form.get("query") or "").strip()
        ids = [i for i in re.split(r"[\s,]+", form.get("paper_ids") or "") if i]
        upload = request.files.get("papers_file")
        has_upload = upload is not None and bool(upload.filename)
        pasted = (form.get("pasted_text") or "").strip()
        release = (form.get("s2ag") or "").strip()
        chosen = sum([bool(query), bool(ids), has_upload, bool(pasted), bool(release)])
        if chosen != 1:
            raise ConfigError(
                "Give exactly one of: a topic query, paper ids, a papers file, a pasted reading list, or "
                "an S2AG release folder."
            )
        if len(ids) > MAX_PAPER_IDS:
            raise ConfigError(f"At most {MAX_PAPER_IDS} paper ids per build (got {len(ids)}).")
        if has_upload:
            path = save_upload(upload, cache_dir)
            source = f"upload:{path.name}"
            collect = _from_file(path, upload.filename)
        elif release:
            values = parse_form(form, [o.name for o in group(S2AG) if o.name != "s2ag"])
            source = f"s2ag: {release}"
            collect = _from_release(Path(release).expanduser(), values)
        elif pasted:
            listing = read_pasted(pasted)
            source = f"pasted: {len(listing.papers):,} papers"
            enrich = bool(form.get("enrich_pasted")) and load_s2() is not None
            collect = _from_listing(listing, cache_dir, enrich, current_app.config.get("S2_API_URL"))
        else:
            s2 = load_s2()
            if s2 is None:
                raise ConfigError(
                    "The Semantic Scholar source is not installed in this graphx; build from a papers file."
                )
            max_papers = parse_form(form, ["max_papers"]).get("max_papers", OPTIONS["max_papers"].default)
            # collect_papers grows the set along these links when asked.
            expand = ("references", "citations") if form.get("expand") else ()
            source = f"query:{query}" if query else f"ids:{','.join(ids[:5])}{'...' if len(ids) > 5 else ''}"
            collect = _from_s2(
                s2, cache_dir, query or None, ids, max_papers, expand, current_app.config.get("S2_API_URL")
            )
        build = manager.start(name, source, collect, options, upload=path if has_upload else None)
    except GraphxError as exc:
        if _wants_json():
            return jsonify({"error": str(exc), "status": 400}), 400
        return error_response(400, str(exc))
    if _wants_json():
        return jsonify(build.to_json()), 202
    return redirect(url_for("graphs.index", build=build.id), code=303)


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _from_file(path: Path, shown_name: str | None) -> Callable[[Build], list]:
    def collect(build: Build) -> list:
        from graphx.errors import InputError
        from graphx.sources.files import load_papers

        build.stage = "load"
        try:
            result = load_papers([path], skip_bad=True)
        except InputError as exc:
            # Name the file as the user uploaded it, not by the server's folders.
            raise InputError(exc.reason, path=shown_name or path.name, where=exc.where) from None
        if result.skipped and not result.papers:
            first = result.skipped[0]
            raise InputError(
                f"none of its {len(result.skipped):,} record(s) is a usable paper (the first, {first.where}: "
                f"{first.reason}). Fix the file and upload it again.",
                path=shown_name or path.name,
            )
        if result.skipped:
            build.notes.append(f"{len(result.skipped)} broken record(s) skipped.")
        build.notes.extend(result.warnings)
        return list(result.papers)

    return collect


def _from_release(folder: Path, values: dict[str, Any]) -> Callable[[Build], list]:
    """Papers of an S2AG release folder on the server's machine, kept by the S2AG filters of the form.

    The web app builds with the local engine: a selection bigger than AUTO_DASK_PAPERS is refused with
    the command that builds it on Dask (`graphx build --s2ag DIR --engine dask`), before anything is read
    when the release is that big and nothing filters it."""

    def collect(build: Build) -> list:
        from graphx.build.distributed import AUTO_DASK_PAPERS, estimated_papers
        from graphx.sources.s2ag import filter_from_options, load_release

        build.stage = "load"
        filt = filter_from_options(values)
        too_big = (
            f"Build it on Dask from the command line: graphx build --s2ag {folder} --engine dask -n "
            f"{build.name} (the explorer opens it like any graph), or narrow the filters."
        )
        if filt.is_empty and estimated_papers(folder) > AUTO_DASK_PAPERS:
            raise ConfigError(
                f"{folder} holds about {estimated_papers(folder):,} papers and no filter is set; the web app "
                f"builds at most {AUTO_DASK_PAPERS:,}. " + too_big
            )
        result = load_release(folder, filt, embeddings=bool(values.get("s2ag_embeddings")))
        build.notes.append(result.summary())
        build.notes.extend(result.notes())
        build.notes.extend(result.log.warnings)
        if result.log.skipped_rows:
            build.notes.append(f"{result.log.skipped_rows:,} unreadable row(s) skipped.")
        if not result.papers:
            raise ConfigError(
                f"The filters kept no paper of {folder} ({filt.describe() or 'no filter'}); loosen them "
                "(fields of study, years, venue, corpus ids, match)."
            )
        if len(result.papers) > AUTO_DASK_PAPERS:
            raise ConfigError(f"The filters kept {len(result.papers):,} papers; the web app builds at most "
                              f"{AUTO_DASK_PAPERS:,}. " + too_big)  # fmt: skip
        return list(result.papers)

    return collect


def read_pasted(text: str) -> Any:
    """The papers of a pasted reading list, read as ``graphx build -i FILE.txt`` reads a file."""
    from graphx.sources.listing import read_listing

    if len(text) > MAX_PASTED_CHARS:
        raise ConfigError(
            f"The pasted text is {len(text):,} characters; at most {MAX_PASTED_CHARS:,} fit in one build. "
            "Paste part of it, or save it as a .txt file and upload that."
        )
    listing = read_listing(text, source="pasted text")
    if not listing.papers:
        raise ConfigError(
            f"No papers found in the pasted text ({listing.skipped_lines:,} lines skipped). Paste a page "
            "that lists papers: titles with their abstracts, an arXiv listing, or one title a line."
        )
    return listing


def _from_listing(
    listing: Any, cache_dir: Path, enrich: bool, api_url: str | None
) -> Callable[[Build], list]:
    def collect(build: Build) -> list:
        from graphx.store.papers import PaperStore

        build.stage = "load"
        build.notes.append(listing.note)
        papers = list(listing.papers)
        build.papers = len(papers)
        if not enrich:
            return papers
        build.stage = "collect"

        def progress(stage: str, done: int, total: int) -> None:
            build.stage, build.done, build.total = "collect", done, total

        with PaperStore(cache_dir) as store:
            store.upsert_papers(papers)
            result = load_s2().collect_papers(
                store,
                enrich=papers,
                api_url=api_url,
                progress=progress,
                cancel=build.cancel,
                on_retry=build.notes.append,
            )
        if result.unreachable is not None:
            build.notes.append(unreachable_note(result))
        else:
            build.notes.append(f"Semantic Scholar: {result.enriched:,} of {result.asked:,} papers found.")
        return papers + list(result.papers)

    return collect


def _from_s2(
    s2: Any,
    cache_dir: Path,
    query: str | None,
    ids: list[str],
    max_papers: int,
    expand: tuple[str, ...],
    api_url: str | None = None,
):
    def collect(build: Build) -> list:
        from graphx.store.papers import PaperStore

        build.stage = "collect"

        def progress(stage: str, done: int, total: int) -> None:
            build.stage, build.done, build.total = "collect", done, total
            build.papers = done

        with PaperStore(cache_dir) as store:
            result = s2.collect_papers(
                store,
                query=query,
                paper_ids=ids,
                max_papers=max_papers,
                expand=expand,
                api_url=api_url,
                progress=progress,
                cancel=build.cancel,
                on_retry=build.notes.append,
            )
        build.notes.extend(str(n) for n in getattr(result, "notes", []) or [])
        return list(result.papers)

    return collect


@bp.get("/api/builds")
def api_builds():
    return jsonify({"builds": [b.to_json() for b in current_app.extensions["graphx_builds"].list()]})


@bp.get("/api/builds/<build_id>")
def api_build(build_id: str):
    build = current_app.extensions["graphx_builds"].get(build_id)
    if build is None:
        return error_response(404, f"No build {build_id!r}; builds are forgotten when the server restarts.")
    return jsonify(build.to_json())


@bp.post("/builds/<build_id>/cancel")
def cancel(build_id: str):
    manager: BuildManager = current_app.extensions["graphx_builds"]
    build = manager.get(build_id)
    if build is None:
        return error_response(404, f"No build {build_id!r}.")
    manager.cancel(build)
    if _wants_json():
        return jsonify(build.to_json()), 202
    return redirect(url_for("graphs.index"), code=303)
