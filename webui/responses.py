"""Error answers: a 4xx page for the browser, a JSON error for ``/api/`` and JSON clients."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from graphx.errors import ConfigError, GraphNotFound, GraphxError, PaperNotFound

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
    def not_found(exc: GraphxError):
        return error_response(404, str(exc))

    @app.errorhandler(ConfigError)
    def bad_config(exc: ConfigError):
        return error_response(400, str(exc))

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
