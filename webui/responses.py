"""Error answers: a 4xx page for the browser, a JSON error for ``/api/`` and JSON clients."""

from __future__ import annotations

import os
import sqlite3

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from graphx.errors import AreaNotFound, CacheCorrupt, ConfigError, GraphNotFound, GraphxError, PaperNotFound

# Uploaded papers files above this are refused (413) before they reach the disk.
MAX_UPLOAD_BYTES = 50 * 1024 * 1024


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def error_response(status: int, message: str):
    if wants_json():
        return jsonify({"error": message, "status": status}), status
    return render_template("error.html", status=status, message=message), status


def register_errors(app: Flask) -> None:
    @app.errorhandler(GraphNotFound)
    @app.errorhandler(PaperNotFound)
    @app.errorhandler(AreaNotFound)
    def not_found(exc: GraphxError):
        return error_response(404, str(exc))

    @app.errorhandler(ConfigError)
    def bad_config(exc: ConfigError):
        return error_response(400, str(exc))

    @app.errorhandler(CacheCorrupt)
    def damaged(exc: CacheCorrupt):
        # The server's own files, not the request: 409 (the stored state conflicts), never a traceback.
        return error_response(409, str(exc))

    @app.errorhandler(sqlite3.DatabaseError)
    def damaged_database(exc: sqlite3.DatabaseError):
        from graphx.store.papers import DB_FILENAME, damaged_store

        return error_response(
            409, str(damaged_store(os.path.join(app.config["CACHE_DIR"], DB_FILENAME), exc))
        )

    @app.errorhandler(GraphxError)
    def graphx_error(exc: GraphxError):
        return error_response(400, str(exc))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        messages = {
            404: "Nothing here. Go back to the list of graphs.",
            413: f"That file is too large: the limit is {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.",
        }
        return error_response(exc.code or 500, messages.get(exc.code or 0, exc.description or exc.name))
