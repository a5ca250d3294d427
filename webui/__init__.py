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
from graphx.errors import ConfigError
from graphx.store.papers import resolve_cache_dir
from webui import builds, graphs, security
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
    # Absolute: Flask's send_file reads a relative path from the app's package folder, not the cwd.
    app.config["CACHE_DIR"] = str(resolve_cache_dir(chosen).absolute())
    os.makedirs(app.config["CACHE_DIR"], exist_ok=True)
    # Leftovers of a server or build killed earlier: old uploads and half-written graph folders.
    from graphx.store.graphs import remove_stale_tmp
    from webui.builds import remove_stale_uploads

    remove_stale_uploads(Path(app.config["CACHE_DIR"]))
    remove_stale_tmp(app.config["CACHE_DIR"])

    security.init_app(app)
    app.extensions["graphx_builds"] = builds.BuildManager(
        app.config["CACHE_DIR"], workers=app.config.get("BUILD_WORKERS") or builds.DEFAULT_BUILD_WORKERS
    )
    app.extensions["graphx_graphs"] = graphs.GraphCache(
        app.config["CACHE_DIR"],
        max_graphs=app.config.get("MAX_LOADED_GRAPHS") or graphs.DEFAULT_MAX_LOADED_GRAPHS,
    )
    app.extensions["graphx_tables"] = graphs.TableCache(app.config["CACHE_DIR"])
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
    allowed_hosts: tuple[str, ...] = (),
) -> None:
    """Serve the explorer with waitress (a production WSGI server) until interrupted.

    The URL printed (and opened) carries the server's token once, as Jupyter's does; beyond loopback
    every request needs it.
    """
    import sys
    import threading
    import webbrowser

    from waitress import serve as waitress_serve

    from webui.security import TOKEN_ENV, is_loopback

    app = create_app(
        {
            "BIND_HOST": host,
            "ALLOWED_HOSTS": list(allowed_hosts),
            "GRAPHX_TOKEN": os.environ.get(TOKEN_ENV) or None,
        },
        cache_dir=cache_dir,
    )
    token = app.config["GRAPHX_TOKEN"]
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else (f"[{host}]" if ":" in host else host)
    url = f"http://{shown}:{port}/?token={token}"
    if not is_loopback(host):
        print(
            f"WARNING: --host {host} makes this explorer reachable from other machines, and its build form "
            "spends your S2_API_KEY and can replace graphs. Every request needs the token in the URL below; "
            "share it only with people you trust, or use the default --host 127.0.0.1.",
            file=sys.stderr,
            flush=True,
        )
    print(f"graphx explorer on {url} (cache: {app.config['CACHE_DIR']}); Ctrl+C to stop.", flush=True)
    if open_browser:
        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    # Builds run in their own threads; waitress threads only answer requests.
    try:
        waitress_serve(app, host=host, port=port, threads=8, ident="graphx")
    except OSError as exc:
        raise ConfigError(
            f"Cannot listen on {host}:{port} ({exc.strerror or exc}); another program may be using that "
            "port: stop it or pick another with --port."
        ) from None
