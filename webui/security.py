"""Local-server security as Jupyter does it: a per-server token, same-origin writes, a checked Host header.

A server on 127.0.0.1 is still reachable by every page the user's browser opens. Three checks keep
those pages out:

- **Host header** (DNS rebinding): a page on ``evil.example`` whose DNS name is re-pointed at 127.0.0.1
  sends ``Host: evil.example``; only loopback names, the bound host and ``ALLOWED_HOSTS`` are answered.
- **State-changing requests** (POST, PUT, PATCH, DELETE) need the server's token, in the
  ``X-Graphx-Token`` header (the page scripts send it) or the ``csrf_token`` form field (the plain form
  carries it), and an ``Origin``/``Referer``, when the browser sends one, of this very server. A
  cross-origin page can neither read the token nor forge the Origin.
- **Bound beyond loopback** (``--host 0.0.0.0``): every request needs the token. The URL ``graphx serve``
  prints carries it once (``/?token=...``); that visit stores it in a cookie and redirects to the clean
  URL, as Jupyter does.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import Flask, redirect, request

TOKEN_ENV = "GRAPHX_TOKEN"
TOKEN_COOKIE = "graphx_token"
TOKEN_HEADER = "X-Graphx-Token"
TOKEN_FIELD = "csrf_token"
TOKEN_PARAM = "token"
TOKEN_BYTES = 24
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and ``localhost``: addresses only this machine reaches."""
    name = host.strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def init_app(app: Flask) -> None:
    """Give ``app`` its token (``GRAPHX_TOKEN`` config, else a fresh one) and the request checks."""
    if not app.config.get("GRAPHX_TOKEN"):
        app.config["GRAPHX_TOKEN"] = new_token()
    bind_host = app.config.setdefault("BIND_HOST", "127.0.0.1")
    if app.config.get("TOKEN_REQUIRED") is None:
        app.config["TOKEN_REQUIRED"] = not is_loopback(bind_host)
    app.before_request(_check_request)

    @app.context_processor
    def _token() -> dict[str, Any]:
        return {"csrf_token": app.config["GRAPHX_TOKEN"], "csrf_field": TOKEN_FIELD}


def _deny(message: str):
    from webui.responses import error_response

    return error_response(403, message)


def _same(given: str | None, token: str) -> bool:
    return bool(given) and hmac.compare_digest(str(given).encode(), token.encode())


def _host_name(host_header: str) -> str:
    """``[::1]:5000`` -> ``::1``; ``Example.org:80`` -> ``example.org``."""
    return (urlsplit(f"//{host_header}").hostname or "").lower()


def _allowed_hosts(config: Any) -> set[str]:
    names = set(LOOPBACK_NAMES) | {str(h).lower().strip("[]") for h in config.get("ALLOWED_HOSTS") or ()}
    names.add(str(config["BIND_HOST"]).lower().strip("[]"))
    return names


def _origin_of(url: str) -> str | None:
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def _check_request():
    from flask import current_app

    config = current_app.config
    token = config["GRAPHX_TOKEN"]
    required = config["TOKEN_REQUIRED"]
    host = _host_name(request.host)
    if not required and host not in _allowed_hosts(config):
        return _deny(
            f"This graphx server does not answer to the host name {host or request.host!r}. Open it as "
            "http://127.0.0.1:PORT/ (or allow the name with `graphx serve --allow-host NAME`)."
        )
    given = request.args.get(TOKEN_PARAM)
    if given is not None and request.method == "GET":
        if not _same(given, token):
            return _deny("Wrong token in the URL; open the URL `graphx serve` printed.")
        # As Jupyter: the token moves into a cookie and leaves the address bar and the history.
        rest = [(k, v) for k, v in request.args.items(multi=True) if k != TOKEN_PARAM]
        response = redirect(request.path + (f"?{urlencode(rest)}" if rest else ""), code=302)
        response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="Strict")
        return response
    sent = request.headers.get(TOKEN_HEADER)
    authorization = request.headers.get("Authorization", "")
    if authorization.lower().startswith("token "):
        sent = authorization[len("token ") :].strip()
    has_token = _same(sent, token)
    if required and not (has_token or _same(request.cookies.get(TOKEN_COOKIE), token)):
        return _deny(
            "This graphx server is reachable from other machines, so it needs its token: open the URL "
            "`graphx serve` printed (it ends in ?token=...)."
        )
    if request.method not in STATE_CHANGING:
        return None
    origin = request.headers.get("Origin")
    if origin is None and request.referrer:
        origin = _origin_of(request.referrer)
    if origin is not None and origin.lower() != request.host_url.rstrip("/").lower():
        return _deny(
            f"Refused a request sent from another site ({origin}); start builds from this server's own pages."
        )
    if not (has_token or _same(request.form.get(TOKEN_FIELD), token)):
        return _deny(
            "This request lacks the server's token; reload the page and try again (scripts send it in the "
            f"{TOKEN_HEADER} header)."
        )
    return None
