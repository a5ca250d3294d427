"""The fault suite of issue 13: bad files and bad requests, as an attacker or a careless user sends them.

Every papers file of the corpus below goes through the real ``graphx build`` (in-process through click,
a few in a real subprocess) and through the web app's build form on a real server. The promise tested:
no traceback from the CLI (exit 0, 1 or 2 and, when it fails, one paragraph naming the file) and no 500
from the web app (a 4xx with a message, JSON under ``/api/``). Semantic Scholar is a refused local port.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from click.testing import CliRunner
from conftest import live_server, make_fixture_graph, refused_url

from graphx.cli import cli
from graphx.store import graphs as graphstore

REPO = Path(__file__).resolve().parents[1]
TOKEN = "fault-token-0123456789"
BIG_LINE_BYTES = 5 * 1024 * 1024  # the 50 MB single line, cut to keep the suite fast
NESTING_LEVELS = 10_000
LONG_TITLE_CHARS = 1_000
LONG_NAME_CHARS = 5_000
BUILD_WAIT_S = 60


S2_URL = refused_url()


def jsonl(*records) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in records).encode()


def paper(i: int, **fields) -> dict:
    record = {"id": f"p{i}", "title": f"Paper {i} on graph learning", "abstract": f"Abstract {i} graphs."}
    record.update(fields)
    return record


GOOD = [paper(i) for i in range(6)]
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
)

# name -> (file name, content). Content None: the case makes the path itself (see ``make_case``).
FILE_CASES: dict[str, tuple[str, bytes | None]] = {
    "empty": ("empty.jsonl", b""),
    "whitespace": ("blank.jsonl", b"  \n\t\n   \r\n"),
    "binary-garbage": ("garbage.json", bytes(range(256)) * 8),
    "nul-bytes": ("nul.jsonl", b'{"id": "a", "title": "x\x00y"}\n\x00\x00\x00'),
    "truncated-json": ("cut.json", json.dumps(GOOD).encode()[:-40]),
    "truncated-jsonl": ("cut.jsonl", jsonl(*GOOD)[:-25]),
    "array-of-non-objects": ("scalars.json", b'[1, "two", null, [3], true]'),
    "deeply-nested-json": ("nested.json", b"[" * NESTING_LEVELS + b"]" * NESTING_LEVELS),
    "deeply-nested-jsonl": ("nested.jsonl", b'{"a":' * NESTING_LEVELS + b"1" + b"}" * NESTING_LEVELS + b"\n"),
    "non-string-titles": (
        "titles.jsonl",
        jsonl(paper(0, title=None), paper(1, title=42), paper(2, title=["a", "b"]), paper(3, title={})),
    ),
    "latin-1": ("latin1.csv", "id,title,abstract\np1,Réseaux de neurones,Résumé\n".encode("latin-1")),
    "utf8-bom": ("bom.jsonl", b"\xef\xbb\xbf" + jsonl(*GOOD)),
    "utf16": ("utf16.jsonl", jsonl(*GOOD).decode().encode("utf-16")),
    "line-separators": (
        "seps.jsonl",
        jsonl(*GOOD, paper(7, title="A\u2028B\u2029C\u0085D", abstract="x\u2028y")),
    ),
    "csv-unterminated-quote": (
        "quote.csv",
        b'id,title,abstract\np1,"Unclosed title,abstract\n'
        + b"".join(b"p%d,T%d,A\n" % (i, i) for i in range(2, 50)),
    ),
    "csv-no-title-column": ("notitle.csv", b"id,name,abstract\np1,x,y\np2,z,w\n"),
    "csv-formula-cells": (
        "formula.csv",
        b'id,title,abstract\np1,=HYPERLINK("http://evil"),+1\np2,@SUM(A1),-2\np3,Graphs,=1+1\n',
    ),
    "big-single-line": ("big.jsonl", b'{"id": "p1", "title": "' + b"a" * BIG_LINE_BYTES + b'"}'),
    "bibtex-unbalanced": ("refs.bib", b"@article{key1,\n  title = {Graph {learning,\n  year = 2020\n"),
    "ris-without-er": ("refs.ris", b"TY  - JOUR\nTI  - A graph paper\nPY  - 2020\n"),
    "txt-only-furniture": ("listing.txt", b"Sign in\nMenu\nTrending Papers\nNext page\n1\n2\n3\nAbout\n"),
    "md-that-is-png": ("notes.md", PNG),
    "directory": ("folder.jsonl", None),
    "does-not-exist": ("missing.jsonl", None),
    "dev-null": ("/dev/null", None),
    "huge-year": ("year.jsonl", jsonl(*GOOD, paper(9, year=10**26))),
    "bad-citation-counts": (
        "counts.jsonl",
        jsonl(
            *GOOD,
            paper(10, citation_count=-5),
            paper(11, citation_count=10**30),
            paper(12, citation_count="x"),
        ),
    ),
    "traversal-ids": ("ids.jsonl", jsonl(*GOOD, paper(0, id="../../etc/passwd"), paper(0, id="/etc/shadow"))),
    "long-titles": (
        "long.jsonl",
        jsonl(*[paper(i, title=(f"{i} graph " * LONG_TITLE_CHARS)[:LONG_TITLE_CHARS]) for i in range(4)]),
    ),
    "duplicate-ids": ("dups.jsonl", jsonl(*GOOD, paper(1, title="A completely different title"))),
}

# Cases whose content is fine: a build from them must succeed, not merely fail cleanly.
MUST_BUILD = {"utf8-bom", "line-separators", "long-titles", "traversal-ids", "csv-formula-cells"}


def make_case(case: str, folder: Path) -> Path:
    filename, content = FILE_CASES[case]
    if case == "dev-null":
        return Path(os.devnull)
    path = folder / filename
    if case == "directory":
        path.mkdir()
    elif content is not None:
        path.write_bytes(content)
    return path


# --------------------------------------------------------------------------------------------- the CLI
def run_cli(args: list[str]):
    runner = CliRunner()
    result = runner.invoke(cli, args, catch_exceptions=False, env={"GRAPHX_S2_API_URL": S2_URL})
    return result.exit_code, result.stdout, result.stderr


# What may precede the error on stderr: progress lines, warnings, click's usage block (exit 2).
ALLOWED_BEFORE_ERROR = ("read ", "warning:", "Usage:", "Try ")


def assert_clean_failure(code: int, out: str, err: str, *, names: str | None) -> None:
    """Exit 0/1/2, no traceback and, on failure, one paragraph (the error) naming ``names``."""
    assert code in (0, 1, 2), (code, out, err)
    assert "Traceback" not in out + err, out + err
    if code == 0:
        return
    # Progress lines and click's usage block (exit 2) may come first; the error is the last paragraph.
    assert "Error:" in err, err
    before, message = err.split("\nError:", 1) if not err.startswith("Error:") else ("", err[len("Error:") :])
    message = "Error:" + message.rstrip()
    stray = [
        line for line in before.splitlines() if line.strip() and not line.startswith(ALLOWED_BEFORE_ERROR)
    ]
    assert not stray, f"lines beside the error:\n{err}"
    assert message.count("\n") <= 2, f"more than one paragraph:\n{err}"
    if names:
        assert names in message, f"{names!r} not named in:\n{err}"


@pytest.mark.parametrize("case", sorted(FILE_CASES))
def test_a_bad_papers_file_gives_a_clear_error_never_a_traceback(case, tmp_path):
    path = make_case(case, tmp_path)
    code, out, err = run_cli(
        ["build", "-i", str(path), "--cache-dir", str(tmp_path / "cache"), "--quiet", "-n", "x"]
    )
    assert_clean_failure(code, out, err, names=path.name)
    if case in MUST_BUILD:
        assert code == 0, err


def test_a_citation_list_naming_unknown_ids_is_reported_not_fatal(tmp_path):
    papers = make_case("utf8-bom", tmp_path)
    edges = tmp_path / "edges.tsv"
    edges.write_text("citing\tcited\np1\tnowhere\nghost\tp2\np1\tp2\n../../etc/passwd\tp3\n")
    code, out, err = run_cli(
        ["build", "-i", str(papers), "--citations", str(edges), "--cache-dir", str(tmp_path / "c"), "--quiet"]
    )
    assert_clean_failure(code, out, err, names=edges.name)


@pytest.mark.parametrize(
    "option",
    [
        ["--weights", "similar=inf"],
        ["--weights", "cites=nan"],
        ["--weights", "similar=-1"],
        ["--weights", "bogus=1"],
        ["--seed", "-5"],
        ["--top-k", "0"],
        ["--top-k", "-3"],
        ["--resolution", "nan"],
        ["--resolution", "inf"],
        ["--resolution", "-1"],
        ["--min-similarity", "2"],
        ["--embedding-weight", "nan"],
    ],
    ids=lambda o: " ".join(o),
)
def test_a_bad_option_is_refused_before_work_starts(option, tmp_path):
    papers = make_case("utf8-bom", tmp_path)
    code, out, err = run_cli(
        ["build", "-i", str(papers), "--cache-dir", str(tmp_path / "c"), "--quiet", *option]
    )
    assert_clean_failure(code, out, err, names=None)
    assert code != 0, f"{option} was accepted"
    assert option[0] in err or option[0].lstrip("-").replace("-", "_") in err or "weight" in err.lower(), err


@pytest.fixture(scope="module")
def built_cache(tmp_path_factory):
    cache = tmp_path_factory.mktemp("faults-export") / "cache"
    graphstore.save_graph(make_fixture_graph(), cache, "demo")
    return cache


@pytest.mark.parametrize(
    "target", ["/proc/x/demo.gexf", "a-directory", "under-a-file/demo.gexf", "/dev/full"]
)
def test_a_bad_export_target_gives_a_clear_error(target, built_cache, tmp_path):
    (tmp_path / "a-directory").mkdir()
    (tmp_path / "under-a-file").write_text("a file, not a folder")
    output = target if target.startswith("/") else str(tmp_path / target)
    code, out, err = run_cli(["export", "demo", "-o", output, "--cache-dir", str(built_cache)])
    assert_clean_failure(code, out, err, names=None)
    assert code != 0
    assert Path("/dev/full").is_char_device(), "the device node was replaced by a file"


def test_export_to_standard_output_writes_no_file_named_dash(built_cache, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(["export", "demo", "-f", "json", "-o", "-", "--cache-dir", str(built_cache)])
    assert code == 0, err
    assert json.loads(out)["nodes"]
    assert not (tmp_path / "-").exists()


@pytest.mark.parametrize("name", ["nope", "../../etc", "a" * LONG_NAME_CHARS, ""])
def test_a_bad_graph_name_on_the_command_line_gives_a_clear_error(name, built_cache):
    for command in (["info", name], ["export", name, "-o", "-"], ["topic", name, "graphs"]):
        code, out, err = run_cli([*command, "--cache-dir", str(built_cache)])
        assert_clean_failure(code, out, err, names=None)
        assert code != 0


@pytest.fixture
def damaged_cache(built_cache, tmp_path):
    cache = Path(shutil.copytree(built_cache, tmp_path / "cache"))
    return cache


@pytest.mark.parametrize(
    "damage", ["graph.json-truncated", "graph.json-garbage", "meta.json-garbage", "sqlite"]
)
def test_a_damaged_cache_file_is_named_with_the_way_out(damage, damaged_cache):
    folder = damaged_cache / "graphs" / "demo"
    if damage == "sqlite":
        (damaged_cache / "papers.sqlite").write_bytes(b"SQLite format 3\x00" + os.urandom(3000))
        command = ["add", "demo", "-i", str(make_case("utf8-bom", damaged_cache))]
    else:
        filename, how = damage.split("-")
        for path in folder.glob(filename + "*"):
            data = path.read_bytes()
            path.write_bytes(data[: len(data) // 2] if how == "truncated" else os.urandom(500))
        command = ["info", "demo"]
    code, out, err = run_cli([*command, "--cache-dir", str(damaged_cache)])
    assert_clean_failure(code, out, err, names=None)


# A few through the real interpreter: what a user's shell sees, start-up and exit code included.
# (pytest's log capture hides what a library logs; only a real process shows it beside the error.)
@pytest.mark.parametrize(
    "case", ["binary-garbage", "bibtex-unbalanced", "deeply-nested-json", "does-not-exist"]
)
def test_the_real_command_prints_no_traceback(case, tmp_path):
    path = make_case(case, tmp_path)
    env = {**os.environ, "GRAPHX_S2_API_URL": S2_URL, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "graphx", "build", "-i", str(path), "--cache-dir", str(tmp_path / "c")]
    proc = subprocess.run(
        [*command, "--quiet"], capture_output=True, text=True, env=env, timeout=120, cwd=tmp_path
    )
    assert_clean_failure(proc.returncode, proc.stdout, proc.stderr, names=path.name)


# ----------------------------------------------------------------------------------------- the web app
@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from webui import create_app

    cache = tmp_path_factory.mktemp("faults-web") / "cache"
    graphstore.save_graph(make_fixture_graph(), cache, "demo")
    graphstore.save_graph(make_fixture_graph(name="broken"), cache, "broken")
    for path in (cache / "graphs" / "broken").glob("*.json*"):
        path.write_bytes(path.read_bytes()[:100])
    app = create_app({"CACHE_DIR": str(cache), "GRAPHX_TOKEN": TOKEN, "S2_API_URL": S2_URL})
    with live_server(app) as base:
        yield base, app


def request(base: str, method: str, path: str, *, headers=None, body: bytes | None = None):
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        conn.request(
            method, path, body=body, headers={"X-Graphx-Token": TOKEN, "Origin": base, **(headers or {})}
        )
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def assert_no_500(status: int, headers: dict, body: bytes, path: str) -> None:
    assert status < 500, (status, path, body[:500])
    if status >= 400:
        text = body.decode("utf-8", "replace")
        assert "Traceback" not in text
        if path.startswith("/api/") or headers.get("Content-Type", "").startswith("application/json"):
            assert json.loads(body)["error"], body
        else:
            assert len(text.strip()) > 0


LONG = "a" * LONG_NAME_CHARS
BAD_GETS = [
    "/graphs/nope",
    "/graphs/..%2F..%2Fetc",
    "/graphs/%2e%2e",
    f"/graphs/{LONG}",
    "/graphs/demo?area=x",
    "/graphs/demo?area=-1",
    "/graphs/demo?area=99999999999999999999999",
    "/graphs/demo?view=%00",
    "/graphs/demo/export/exe",
    "/graphs/demo/export/gexf?area=x",
    "/graphs/demo/export/json?ids=" + ",".join(f"p{i}" for i in range(20_000)),
    "/graphs/demo/export/csv?area=-1",
    "/graphs/broken",
    "/graphs/broken/export/gexf",
    "/api/graphs/nope",
    "/api/graphs/..%2F..%2Fetc",
    f"/api/graphs/{LONG}",
    "/api/graphs/broken",
    "/api/graphs/broken/page",
    "/api/graphs/broken/texts",
    "/api/graphs/demo/papers/..%2F..%2Fetc%2Fpasswd",
    "/api/graphs/demo/papers/nope",
    "/api/graphs/demo/missing?area=x",
    "/api/graphs/demo/missing?limit=-1",
    "/api/graphs/demo/link",
    "/api/graphs/demo/link?a=p0&b=nope",
    "/api/graphs/demo/topic",
    "/api/graphs/demo/topic?q=" + "x" * LONG_NAME_CHARS,
    "/api/builds/nope",
    "/api/builds/" + LONG,
    "/vendor/vis/..%2F..%2Fsetup.py",
    "/vendor/vis/nope.js",
    "/nothing-here",
]


def test_bad_get_requests_get_a_4xx_with_a_message(server):
    base, _ = server
    for path in BAD_GETS:
        status, headers, body = request(base, "GET", path)
        assert_no_500(status, headers, body, path)
        assert status != 200 or path.startswith(("/graphs/demo?", "/api/graphs/demo/topic?q=")), (
            path,
            status,
        )


@pytest.mark.parametrize(
    "method,path",
    [("DELETE", "/graphs/demo"), ("PUT", "/builds"), ("POST", "/api/graphs"), ("GET", "/builds"),
     ("PATCH", "/api/graphs/demo"), ("POST", "/builds/nope/cancel"), ("POST", "/graphs/nope/add")],
)  # fmt: skip
def test_a_method_not_allowed_or_unknown_target_is_a_4xx(server, method, path):
    base, _ = server
    status, headers, body = request(base, method, path, headers={"Accept": "application/json"})
    assert 400 <= status < 500, (status, body[:300])
    assert_no_500(status, headers, body, path)


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]] | None = None) -> tuple[bytes, str]:
    boundary = "faultboundary7e3"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    for key, (filename, content) in (files or {}).items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        parts.append(head + content + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def post_build(base: str, fields: dict[str, str], files=None, *, content_type: str | None = None, body=None):
    if body is None:
        body, content_type = multipart(fields, files)
    headers = {"Content-Type": content_type, "Accept": "application/json"}
    return request(base, "POST", "/builds", headers=headers, body=body)


def wait_for(base: str, build_id: str) -> dict:
    deadline = time.monotonic() + BUILD_WAIT_S
    while time.monotonic() < deadline:
        status, _, body = request(base, "GET", f"/api/builds/{build_id}")
        assert status == 200
        build = json.loads(body)
        if build["state"] in ("done", "failed", "cancelled"):
            return build
        time.sleep(0.1)
    raise AssertionError(f"build {build_id} still running after {BUILD_WAIT_S} s")


UPLOAD_FOLDER = "/uploads/"
UPLOADABLE = sorted(c for c, (_, content) in FILE_CASES.items() if content is not None)


def test_every_bad_file_uploaded_through_the_build_form_fails_cleanly(server):
    base, _ = server
    started = {}
    for case in UPLOADABLE:
        filename, content = FILE_CASES[case]
        status, headers, body = post_build(base, {"name": f"up-{case}"}, {"papers_file": (filename, content)})
        assert_no_500(status, headers, body, "/builds")
        assert status in (202, 400), (case, status, body[:300])
        if status == 202:
            started[case] = json.loads(body)["id"]
    for case, build_id in started.items():
        build = wait_for(base, build_id)
        assert "graphx bug" not in (build["error"] or ""), (case, build["error"])
        assert "Traceback" not in (build["error"] or "")
        if build["state"] == "failed":  # a message for the browser: no server folders, no command-line flags
            assert build["error"] and UPLOAD_FOLDER not in build["error"], (case, build["error"])
            assert not re.search(r"(^|\s)--[a-z]", build["error"]), (case, build["error"])
            assert Path(FILE_CASES[case][0]).name in build["error"], (case, build["error"])
        if case in MUST_BUILD:
            assert build["state"] == "done", (case, build["error"])


@pytest.mark.parametrize(
    "fields,files",
    [
        ({}, None),  # nothing at all
        ({"name": "x"}, None),  # no source
        ({"name": "x", "query": "graphs", "pasted_text": "A paper"}, None),  # two sources
        ({"name": "../../etc", "pasted_text": "A paper on graphs"}, None),
        ({"name": LONG, "pasted_text": "A paper on graphs"}, None),
        ({"name": "x", "seed": "-5", "pasted_text": "A paper on graphs"}, None),
        ({"name": "x", "top_k": "zero", "pasted_text": "A paper on graphs"}, None),
        ({"name": "x", "resolution": "nan", "pasted_text": "A paper on graphs"}, None),
        ({"name": "x", "weights": "similar=inf", "pasted_text": "A paper on graphs"}, None),
        ({"name": "x", "max_papers": "-1", "query": "graphs"}, None),
        ({"name": "x", "paper_ids": ",".join(["abc"] * 5000)}, None),
        ({"name": "x"}, {"papers_file": ("a" * LONG_NAME_CHARS + ".jsonl", jsonl(*GOOD))}),
        ({"name": "x"}, {"papers_file": ("../../etc/passwd", b"root:x:0:0")}),
        ({"name": "x"}, {"papers_file": ("papers.exe", b"MZ")}),
        ({"name": "x"}, {"papers_file": ("", b"")}),
    ],
    ids=lambda v: (
        None if not isinstance(v, dict) else ",".join(f"{k}={str(x)[:20]}" for k, x in v.items()) or "empty"
    ),
)
def test_a_bad_build_form_is_a_4xx_with_a_message(server, fields, files):
    base, _ = server
    status, headers, body = post_build(base, fields, files)
    assert_no_500(status, headers, body, "/builds")
    if status == 202:  # accepted: then it must end without a bug
        build = wait_for(base, json.loads(body)["id"])
        assert "graphx bug" not in (build["error"] or ""), build["error"]


@pytest.mark.parametrize(
    "content_type,body",
    [
        ("application/json", b'{"name": "x", "query": "graphs"}'),
        ("application/json", b"{not json"),
        ("text/plain", b"name=x&query=graphs"),
        ("multipart/form-data", b"--x\r\nbroken"),
        ("multipart/form-data; boundary=b", b'--b\r\nContent-Disposition: form-data; name="name"\r\n\r\nx'),
        ("application/x-www-form-urlencoded", b"name=%ZZ&query=%00"),
    ],
)
def test_a_body_that_is_not_the_expected_form_is_a_4xx(server, content_type, body):
    base, _ = server
    status, headers, answer = post_build(base, {}, content_type=content_type, body=body)
    assert 400 <= status < 500, (status, answer[:300])
    assert_no_500(status, headers, answer, "/builds")


def test_an_oversized_upload_is_refused_with_the_limit(server):
    from webui.responses import MAX_UPLOAD_BYTES

    base, _ = server
    body, ctype = multipart({"name": "big"}, {"papers_file": ("big.jsonl", b"x" * (MAX_UPLOAD_BYTES + 1024))})
    try:
        status, headers, answer = post_build(base, {}, content_type=ctype, body=body)
    except (ConnectionResetError, BrokenPipeError):
        return  # the server closed the socket before reading all of it: refused, not crashed
    assert status == 413, (status, answer[:300])
    assert "MB" in json.loads(answer)["error"]


def test_adding_to_a_graph_with_bad_input_is_a_4xx(server):
    base, _ = server
    for name, files in (
        ("demo", {"papers_file": ("garbage.json", bytes(range(256)))}),
        ("demo", None),
        ("nope", {"papers_file": ("p.jsonl", jsonl(*GOOD))}),
        (quote(LONG), {"papers_file": ("p.jsonl", jsonl(*GOOD))}),
    ):
        body, ctype = multipart({}, files)
        headers = {"Content-Type": ctype, "Accept": "application/json"}
        status, headers, answer = request(base, "POST", f"/graphs/{name}/add", headers=headers, body=body)
        assert_no_500(status, headers, answer, f"/graphs/{name}/add")
        assert 400 <= status < 500, (name, status, answer[:300])


def test_a_damaged_papers_store_is_a_4xx_naming_the_file(tmp_path):
    from webui import create_app

    cache = tmp_path / "cache"
    graphstore.save_graph(make_fixture_graph(), cache, "demo")
    (cache / "papers.sqlite").write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    app = create_app({"CACHE_DIR": str(cache), "GRAPHX_TOKEN": TOKEN, "S2_API_URL": S2_URL})
    with live_server(app) as base:
        for path in (
            "/",
            "/api/graphs",
            "/graphs/demo",
            "/api/graphs/demo/missing",
            "/api/graphs/demo/papers/p1",
        ):
            status, headers, body = request(base, "GET", path)
            assert_no_500(status, headers, body, path)
        body, ctype = multipart({}, {"papers_file": ("p.jsonl", jsonl(*GOOD))})
        status, headers, answer = request(
            base,
            "POST",
            "/graphs/demo/add",
            headers={"Content-Type": ctype, "Accept": "application/json"},
            body=body,
        )
        assert_no_500(status, headers, answer, "/graphs/demo/add")
