"""The graphx web explorer: a Flask app over the built graphs in one cache folder.

``create_app()`` follows the flaskr factory: explicit inputs (``CACHE_DIR``), one blueprint per area
(``graphs`` for the pages and their JSON twins, ``builds`` for background builds). It serves built
graphs read-only; building happens in background threads, so no request waits on the network.

The explorer page's own assets (its script, stylesheet and body template) belong to :mod:`graphx.view`,
which renders the same page as a standalone file; the app serves them beside its own.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import jinja2
from flask import Flask, abort, send_from_directory

from graphx import view
from graphx.store.papers import resolve_cache_dir
from webui import builds, graphs
from webui.responses import MAX_UPLOAD_BYTES, register_errors

STATIC_DIRS = (Path(__file__).parent / "static", view.static_dir())


def create_app(
    test_config: dict[str, Any] | None = None, *, cache_dir: str | os.PathLike | None = None
) -> Flask:
    """The explorer app over ``cache_dir`` (or ``test_config["CACHE_DIR"]``, else ``$GRAPHX_CACHE_DIR``)."""
    app = Flask(__name__, static_folder=None)
    app.jinja_loader = jinja2.ChoiceLoader(
        [
            jinja2.FileSystemLoader(str(Path(__file__).parent / "templates")),
            jinja2.FileSystemLoader(str(view.templates_dir())),
        ]
    )
    app.add_url_rule("/static/<path:filename>", endpoint="static", view_func=_static_file)
    app.config.from_mapping(
        CACHE_DIR=None,
        MAX_CONTENT_LENGTH=MAX_UPLOAD_BYTES,
        JSON_SORT_KEYS=False,
    )
    if test_config:
        app.config.from_mapping(test_config)
    chosen = cache_dir or app.config["CACHE_DIR"]
    app.config["CACHE_DIR"] = str(resolve_cache_dir(chosen))
    os.makedirs(app.config["CACHE_DIR"], exist_ok=True)

    app.extensions["graphx_builds"] = builds.BuildManager(app.config["CACHE_DIR"])
    app.extensions["graphx_graphs"] = graphs.GraphCache(app.config["CACHE_DIR"])
    app.register_blueprint(graphs.bp)
    app.register_blueprint(builds.bp)
    register_errors(app)
    return app


def _static_file(filename: str):
    """A file of the app's own static folder or of the explorer's (graphx.view)."""
    for folder in STATIC_DIRS:
        if (folder / filename).is_file():
            return send_from_directory(folder, filename)
    abort(404)


def serve(
    cache_dir: str | os.PathLike | None = None,
    host: str = "127.0.0.1",
    port: int = 5000,
    open_browser: bool = False,
) -> None:
    """Serve the explorer with waitress (a production WSGI server) until interrupted."""
    import threading
    import webbrowser

    from waitress import serve as waitress_serve

    app = create_app(cache_dir=cache_dir)
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/"
    print(f"graphx explorer on {url} (cache: {app.config['CACHE_DIR']}); Ctrl+C to stop.", flush=True)
    if open_browser:
        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    # Builds run in their own threads; waitress threads only answer requests.
    waitress_serve(app, host=host, port=port, threads=8, ident="graphx")
