"""webui/security.py over a real waitress server and real HTTP: Host header, token, same-origin writes."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import live_server

from webui import create_app

REPO = Path(__file__).resolve().parents[1]
TOKEN = "test-token-0123456789"


def request(base: str, method: str, path: str, *, headers=None, body: bytes | None = None):
    """One raw HTTP request (http.client lets the test set Host and Origin as an attacker would)."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def form(fields: dict[str, str]) -> tuple[bytes, str]:
    boundary = "graphxboundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
        for k, v in fields.items()
    ]
    return ("".join(parts) + f"--{boundary}--\r\n").encode(), f"multipart/form-data; boundary={boundary}"


@pytest.fixture
def server(cache_dir):
    app = create_app({"CACHE_DIR": str(cache_dir), "GRAPHX_TOKEN": TOKEN})
    with live_server(app) as base:
        yield base, app


def builds_started(app) -> int:
    return len(app.extensions["graphx_builds"].list())


def test_a_foreign_host_header_is_refused(server):
    base, _ = server
    status, _, body = request(base, "GET", "/api/graphs", headers={"Host": "evil.example"})
    assert status == 403 and "host name 'evil.example'" in json.loads(body)["error"]
    status, _, _ = request(base, "GET", "/graphs/demo", headers={"Host": "evil.example:5000"})
    assert status == 403
    for host in (urlsplit(base).netloc, "localhost", "[::1]:80"):
        assert request(base, "GET", "/api/graphs", headers={"Host": host})[0] == 200


def test_a_post_without_the_token_starts_nothing(server):
    base, app = server
    body, ctype = form({"name": "pwned", "query": "graph neural networks"})
    status, _, answer = request(
        base, "POST", "/builds", body=body, headers={"Content-Type": ctype, "Accept": "application/json"}
    )
    assert status == 403 and "token" in json.loads(answer)["error"]
    assert builds_started(app) == 0


def test_a_post_from_another_origin_is_refused_even_with_the_token(server):
    base, app = server
    body, ctype = form({"name": "pwned", "query": "x", "csrf_token": TOKEN})
    for origin in ("http://evil.example", "null", "http://127.0.0.1:1"):
        status, _, answer = request(
            base, "POST", "/builds", body=body, headers={"Content-Type": ctype, "Origin": origin}
        )
        assert status == 403 and b"another site" in answer
    status, _, _ = request(
        base, "POST", "/builds", body=body,
        headers={"Content-Type": ctype, "Referer": "http://evil.example/page.html"},
    )  # fmt: skip
    assert status == 403
    assert builds_started(app) == 0


def test_a_same_origin_post_with_the_token_is_accepted(server):
    base, app = server
    body, ctype = form({"name": "ok", "query": "", "csrf_token": TOKEN})
    status, _, answer = request(
        base, "POST", "/builds", body=body,
        headers={"Content-Type": ctype, "Origin": base, "Accept": "application/json"},
    )  # fmt: skip
    # Past the security checks: the form itself is then judged (no source given).
    assert status == 400 and "exactly one of" in json.loads(answer)["error"]


def test_beyond_loopback_every_request_needs_the_token_which_the_url_moves_into_a_cookie(cache_dir):
    app = create_app({"CACHE_DIR": str(cache_dir), "GRAPHX_TOKEN": TOKEN, "BIND_HOST": "0.0.0.0"})
    with live_server(app) as base:
        assert request(base, "GET", "/api/graphs")[0] == 403
        assert request(base, "GET", "/?token=wrong")[0] == 403
        status, headers, _ = request(base, "GET", f"/graphs/demo?view=papers&token={TOKEN}")
        assert status == 302 and headers["Location"].endswith("/graphs/demo?view=papers")
        cookie = headers["Set-Cookie"].split(";")[0]
        assert "HttpOnly" in headers["Set-Cookie"] and "SameSite=Strict" in headers["Set-Cookie"]
        assert request(base, "GET", "/api/graphs", headers={"Cookie": cookie})[0] == 200
        assert request(base, "GET", "/api/graphs", headers={"X-Graphx-Token": TOKEN})[0] == 200
        # The cookie alone does not make a cross-site POST legitimate.
        body, ctype = form({"name": "pwned", "query": "x"})
        status, _, _ = request(
            base, "POST", "/builds", body=body, headers={"Content-Type": ctype, "Cookie": cookie}
        )
        assert status == 403 and builds_started(app) == 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def graphx_command(*args: str, cache_dir) -> list[str]:
    return [sys.executable, "-m", "graphx", *args, "--cache-dir", str(cache_dir)]


def test_serve_on_all_interfaces_warns_and_requires_the_printed_token(cache_dir):
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO), "GRAPHX_TOKEN": ""}
    proc = subprocess.Popen(
        graphx_command("serve", "--host", "0.0.0.0", "--port", str(port), cache_dir=cache_dir),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        line = proc.stdout.readline()
        token = line.split("?token=")[1].split()[0]
        base = f"http://127.0.0.1:{port}"
        deadline = time.time() + 30
        while True:
            try:
                status = request(base, "GET", "/api/graphs")[0]
                break
            except OSError:
                assert time.time() < deadline, "the server never answered"
                time.sleep(0.1)
        assert status == 403
        assert request(base, "GET", "/api/graphs", headers={"X-Graphx-Token": token})[0] == 200
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert "WARNING: --host 0.0.0.0" in err and "token" in err


def test_serve_on_a_busy_port_is_a_clear_error(cache_dir):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run(
            graphx_command("serve", "--port", str(port), cache_dir=cache_dir),
            capture_output=True, text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(REPO)},
        )  # fmt: skip
    assert done.returncode == 1
    assert "Cannot listen on 127.0.0.1" in done.stderr and "--port" in done.stderr
    assert "Traceback" not in done.stderr
