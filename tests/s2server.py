"""A local Semantic Scholar Graph API for the tests: real data, S2's wire format, faults on demand.

It serves
- the recorded S2 responses of ``shared/data/s2-api-cassettes`` for the exact requests they recorded
  (method, path, query parameters and body), so the ``semanticscholar`` package replays its own test
  suite's traffic against it over HTTP;
- the recorded papers (Turing's "Computing Machinery and Intelligence" with its 1,000 recorded citers and
  14 references, and the batch cassettes' papers) for any other request about them;
- the 6,545-paper NeurIPS/ICML corpus (``cs768-neurips-icml-citations``) mapped to S2 shapes for everything
  else: paperId = sha1("arxiv:<id>"), externalIds.ArXiv and the arXiv DOI, references and citations from
  ``edges.tsv``, citationCount = in-degree, and a deterministic 768-float ``specter_v2`` stand-in.

Endpoints: ``/graph/v1/paper/search`` (offset/limit/next/total, 1,000 results at most),
``/paper/search/match``, ``POST /paper/batch`` (<= 500 ids, ``null`` for unknown ones), ``/paper/{id}``,
``/paper/{id}/references`` and ``/citations`` (offset/limit/next, ``citedPaper``/``citingPaper`` wrappers),
with S2's error bodies. Nested reference/citation lists stop at 1,000 entries, as S2's do.

Faults are injected per test (:meth:`FakeS2.fail`, :meth:`slow`, :meth:`truncate`, :meth:`null_ids`,
:meth:`empty_citations`, :meth:`redirect`, :attr:`links_next`, :attr:`search_without_ids`) and every
request is logged (:attr:`FakeS2.log`).
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import os
import re
import threading
import time
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlparse

import yaml

# GRAPHX_SHARED_DATA as in conftest.py: the real data sets, if not at ../shared/data
DATA_DIR = Path(
    os.environ.get("GRAPHX_SHARED_DATA") or Path(__file__).resolve().parents[2] / "shared" / "data"
)
CASSETTES_DIR = DATA_DIR / "s2-api-cassettes"
CS768_DIR = DATA_DIR / "cs768-neurips-icml-citations"
GRAPH = "/graph/v1"
NESTED_LINKS_MAX = 1000
SEARCH_MAX_RESULTS = 1000
BATCH_MAX_IDS = 500
EMBEDDING_DIMS = 768
KNOWN_FIELDS = {
    "paperId",
    "corpusId",
    "externalIds",
    "url",
    "title",
    "abstract",
    "venue",
    "publicationVenue",
    "year",
    "referenceCount",
    "citationCount",
    "influentialCitationCount",
    "isOpenAccess",
    "openAccessPdf",
    "fieldsOfStudy",
    "s2FieldsOfStudy",
    "publicationTypes",
    "publicationDate",
    "journal",
    "citationStyles",
    "authors",
    "citations",
    "references",
    "embedding",
    "tldr",
    "contexts",
    "intents",
    "contextsWithIntent",
    "isInfluential",
    "matchScore",
}
TOO_MANY_REQUESTS = {
    "message": "Too Many Requests. Please wait and try again or apply for a key for higher rate limits. "
    "https://www.semanticscholar.org/product/api#api-key-form",
    "code": "429",
}


def cs768_paper_id(arxiv_id: str) -> str:
    """The stable 40-hex paperId the fake server gives a corpus paper (arXiv id without version)."""
    return hashlib.sha1(f"arxiv:{arxiv_id}".encode()).hexdigest()


def strip_version(arxiv_id: str) -> str:
    return re.sub(r"v\d+$", "", arxiv_id)


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


@dataclass
class Corpus:
    """Papers by paperId (S2 shape without link lists), their links, and every alias of each."""

    papers: dict[str, dict] = field(default_factory=dict)
    references: dict[str, list[str | None]] = field(default_factory=dict)
    citations: dict[str, list[str | None]] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    recorded: set[str] = field(default_factory=set)
    vectors: dict[str, list[float]] = field(default_factory=dict)
    tokens: dict[str, set[str]] = field(default_factory=dict)

    def add(self, record: dict, *, recorded: bool = False) -> None:
        pid = record["paperId"]
        self.papers[pid] = record
        self.aliases[pid] = pid
        ext = record.get("externalIds") or {}
        for kind, prefix in (("DOI", "doi"), ("ArXiv", "arxiv"), ("CorpusId", "corpusid"), ("MAG", "mag")):
            if ext.get(kind) is not None:
                self.aliases[f"{prefix}:{str(ext[kind]).lower()}"] = pid
                if kind in ("DOI", "ArXiv"):
                    self.aliases[str(ext[kind]).lower()] = pid
        if recorded:
            self.recorded.add(pid)
        self.tokens[pid] = set(_words(f"{record.get('title') or ''} {record.get('abstract') or ''}"))

    def resolve(self, any_id: str) -> str | None:
        value = unquote(any_id).strip()
        lowered = value.lower()
        if lowered.startswith("url:"):
            lowered = lowered[4:]
        for pattern, prefix in (
            (r"arxiv\.org/(?:abs|pdf)/([^v/]+?)(?:v\d+)?(?:\.pdf)?$", "arxiv:"),
            (r"doi\.org/(10\..+)$", "doi:"),
            (r"semanticscholar\.org/paper/(?:.*/)?([0-9a-f]{40})$", ""),
        ):
            match = re.search(pattern, lowered)
            if match:
                lowered = prefix + match.group(1)
        return self.aliases.get(lowered)

    def vector(self, pid: str) -> list[float]:
        if pid not in self.vectors:
            vec = [0.0] * EMBEDDING_DIMS
            for token in self.tokens[pid]:
                vec[zlib.crc32(token.encode()) % EMBEDDING_DIMS] += 1.0
            norm = math.sqrt(sum(v * v for v in vec)) or 1.0
            self.vectors[pid] = [round(v / norm, 5) for v in vec]
        return self.vectors[pid]


@functools.cache
def load_corpus() -> Corpus:
    corpus = Corpus()
    for line in (CS768_DIR / "papers.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        arxiv = strip_version(row["id"])
        pid = cs768_paper_id(arxiv)
        corpus_id = int(pid[:7], 16)
        yy_mm = re.match(r"^(\d\d)(\d\d)\.", arxiv)
        year = 2000 + int(yy_mm.group(1)) if yy_mm else None
        abstract = " ".join(row["abstract"].split())
        corpus.add(
            {
                "paperId": pid,
                "externalIds": {"ArXiv": arxiv, "DOI": f"10.48550/arXiv.{arxiv}", "CorpusId": corpus_id},
                "corpusId": corpus_id,
                "url": f"https://www.semanticscholar.org/paper/{pid}",
                "title": " ".join(row["title"].split()),
                "abstract": abstract,
                "venue": "",
                "year": year,
                "publicationDate": f"{year}-{yy_mm.group(2)}-01" if yy_mm else None,
                "fieldsOfStudy": ["Computer Science"],
                "authors": [],
                "tldr": {"model": "tldr@v2.0.0", "text": re.split(r"(?<=\.)\s", abstract, maxsplit=1)[0]},
            }
        )
        corpus.references[pid], corpus.citations[pid] = [], []
    for line in (CS768_DIR / "edges.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        citing, cited = (cs768_paper_id(strip_version(x)) for x in line.split("\t"))
        corpus.references[citing].append(cited)
        corpus.citations[cited].append(citing)
    for pid, record in corpus.papers.items():
        record["citationCount"] = len(corpus.citations[pid])
        record["referenceCount"] = len(corpus.references[pid])
        record["influentialCitationCount"] = len(corpus.citations[pid]) // 10
    _add_recorded(corpus)
    return corpus


def _add_recorded(corpus: Corpus) -> None:
    turing = json.loads((CASSETTES_DIR / "head-v0.12.0" / "Paper.json").read_text(encoding="utf-8"))
    for citer in turing["citations"]:
        if citer.get("paperId") and citer["paperId"] not in corpus.papers:
            corpus.add(dict(citer), recorded=True)
    for ref in turing["references"]:
        if ref.get("paperId") and ref["paperId"] not in corpus.papers:
            corpus.add(dict(ref), recorded=True)
    core = {k: v for k, v in turing.items() if k not in ("references", "citations")}
    corpus.add(core, recorded=True)
    corpus.references[turing["paperId"]] = [r.get("paperId") for r in turing["references"]]
    corpus.citations[turing["paperId"]] = [c.get("paperId") for c in turing["citations"]]
    batch = load_replays()[
        (
            "POST",
            f"{GRAPH}/paper/batch",
            _params_key(parse_qsl(urlparse(_BATCH_FULL_URI).query)),
            _body_key(_BATCH_FULL_BODY),
        )
    ]
    for item in json.loads(batch[1]):
        if item and item["paperId"] not in corpus.papers:
            corpus.add(item, recorded=True)


_BATCH_FULL_URI = (
    "/graph/v1/paper/batch?fields=abstract,authors,citationCount,citationStyles,corpusId,externalIds,"
    "fieldsOfStudy,influentialCitationCount,isOpenAccess,journal,openAccessPdf,paperId,publicationDate,"
    "publicationTypes,publicationVenue,referenceCount,s2FieldsOfStudy,title,url,venue,year"
)
_BATCH_FULL_BODY = (
    '{"ids":["CorpusId:211530585","CorpusId:470667","10.2139/ssrn.2250500",'
    '"0f40b1f08821e22e859c6050916cec3667778613"]}'
)


def _params_key(params: list[tuple[str, str]]) -> tuple:
    return tuple(sorted(params))


def _body_key(body: str | bytes | None) -> str:
    if not body:
        return ""
    try:
        return json.dumps(json.loads(body), sort_keys=True)
    except ValueError:
        return body if isinstance(body, str) else body.decode()


@functools.cache
def load_replays() -> dict[tuple, tuple[int, bytes]]:
    """Every recorded interaction by (method, path, sorted params, body) -> (status, body)."""
    replays: dict[tuple, tuple[int, bytes]] = {}
    # head-v0.12.0 last so that its recordings win where both folders recorded the same request.
    for folder in ("full-fields-2024-06-01", "head-v0.12.0"):
        for path in sorted((CASSETTES_DIR / folder).glob("*.yaml")):
            for interaction in recorded_interactions(path):
                request, (status, body) = interaction
                replays[request] = (status, body)
    return replays


def recorded_interactions(path: Path) -> list[tuple[tuple, tuple[int, bytes]]]:
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    out = []
    for item in data.get("interactions", []):
        request, response = item["request"], item["response"]
        uri = urlparse(request["uri"])
        body = response.get("content")
        if body is None:
            body = (response.get("body") or {}).get("string", "")
        status = (response.get("status") or {}).get("code") or response.get("status_code") or 200
        key = (
            request["method"],
            unquote(uri.path),
            _params_key(parse_qsl(uri.query, keep_blank_values=True)),
            _body_key(request.get("body")),
        )
        out.append((key, (int(status), body.encode() if isinstance(body, str) else body)))
    return out


@dataclass
class Fault:
    kind: str  # "status", "slow", "truncate", "redirect"
    status: int = 0
    location: str = ""
    retry_after: str | None = None
    delay_s: float = 0.0
    times: int | None = 1
    every: int | None = None
    path: str | None = None
    after: int = 0  # let this many matching requests through first

    def applies(self, n: int, path: str) -> bool:
        if self.path is not None and self.path not in path:
            return False
        if self.after > 0:
            self.after -= 1
            return False
        if self.every is not None:
            return n % self.every == 0
        return self.times is None or self.times > 0


@dataclass
class Logged:
    n: int
    method: str
    path: str
    params: dict[str, str]
    api_key: str | None
    body: bytes
    client_port: int = 0
    status: int = 0


class FakeS2:
    """The fake API on ``127.0.0.1:<free port>``; ``url`` is its ``/graph/v1`` base."""

    def __init__(self, *, replay: bool = True):
        self.corpus = load_corpus()
        self.replays = load_replays() if replay else {}
        self.faults: list[Fault] = []
        self.log: list[Logged] = []
        self.null_paper_ids: set[str] = set()
        self.empty_citation_ids: set[str] = set()
        self.empty_paged_too = False
        self.required_key: str | None = None
        # Misbehaving pagers: links pages answer this ``next`` ("same": the page's own offset).
        self.links_next: Any = None
        self.search_without_ids = False  # every other search result lacks its paperId
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.app = self  # type: ignore[attr-defined]
        self.root = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.url = self.root + GRAPH
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> FakeS2:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeS2:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # Faults -------------------------------------------------------------------------------------------
    def fail(
        self,
        status: int,
        *,
        times: int | None = 1,
        every: int | None = None,
        retry_after: str | None = None,
        path: str | None = None,
        after: int = 0,
    ) -> None:
        """Answer ``status`` (with S2's error body) ``times`` times, or on every ``every``-th request."""
        self.faults.append(
            Fault(
                "status",
                status=status,
                times=times,
                every=every,
                retry_after=retry_after,
                path=path,
                after=after,
            )
        )

    def slow(self, delay_s: float, *, times: int | None = 1, path: str | None = None, after: int = 0) -> None:
        self.faults.append(Fault("slow", delay_s=delay_s, times=times, path=path, after=after))

    def truncate(self, *, times: int | None = 1, path: str | None = None) -> None:
        self.faults.append(Fault("truncate", times=times, path=path))

    def redirect(
        self, location: str, *, status: int = 302, times: int | None = 1, path: str | None = None
    ) -> None:
        """Answer ``status`` with ``Location: location``; a location ending in ``/`` gets the request's own
        path and query appended (the same request on another server)."""
        self.faults.append(Fault("redirect", status=status, location=location, times=times, path=path))

    def null_ids(self, paper_ids: set[str]) -> None:
        """Batch answers carry ``null`` for these paperIds, as for ids S2 does not know."""
        self.null_paper_ids |= set(paper_ids)

    def empty_citations(self, paper_ids: set[str], *, paged_too: bool = False) -> None:
        """Batch answers list no citations for these papers though citationCount stays positive."""
        self.empty_citation_ids |= set(paper_ids)
        self.empty_paged_too = paged_too

    def clear_faults(self) -> None:
        self.faults.clear()
        self.links_next = None
        self.search_without_ids = False
        self.null_paper_ids.clear()
        self.empty_citation_ids.clear()

    def count(self, path: str = "", method: str | None = None) -> int:
        return sum(1 for r in self.log if path in r.path and (method is None or r.method == method))

    # Serving ------------------------------------------------------------------------------------------
    def handle(self, h: BaseHTTPRequestHandler, method: str) -> None:
        parsed = urlparse(h.path)
        path = unquote(parsed.path)
        params = parse_qsl(parsed.query, keep_blank_values=True)
        body = h.rfile.read(int(h.headers.get("content-length") or 0)) if method == "POST" else b""
        with self._lock:
            entry = Logged(
                len(self.log) + 1,
                method,
                path,
                dict(params),
                h.headers.get("x-api-key"),
                body,
                h.client_address[1],
            )
            self.log.append(entry)
            # One fault per request, the first that applies: tests can queue several in order.
            active = [f for f in self.faults if f.applies(entry.n, path)][:1]
            for fault in active:
                if fault.every is None and fault.times is not None:
                    fault.times -= 1
        headers: dict[str, str] = {}
        status, payload, truncate = 0, None, False
        for fault in active:
            if fault.kind == "slow":
                time.sleep(fault.delay_s)
            elif fault.kind == "truncate":
                truncate = True
            elif fault.kind == "redirect" and not status:
                status, payload = fault.status, {"message": "moved"}
                headers["Location"] = (
                    fault.location.rstrip("/") + h.path if fault.location.endswith("/") else fault.location
                )
            elif fault.kind == "status" and not status:
                status = fault.status
                payload = TOO_MANY_REQUESTS if status == 429 else {"message": _REASONS.get(status, "Error")}
                if fault.retry_after is not None:
                    headers["Retry-After"] = fault.retry_after
        if not status:
            key = (method, path, _params_key(params), _body_key(body))
            if key in self.replays:
                status, raw = self.replays[key]
            else:
                status, payload = self.route(method, path, dict(params), body, h.headers.get("x-api-key"))
                raw = None
        else:
            raw = None
        if raw is None:
            raw = json.dumps(payload).encode()
        if truncate:
            raw = raw[: max(1, len(raw) // 2)]
        entry.status = status
        try:
            h.send_response(status)
            h.send_header("Content-Type", "application/json")
            h.send_header("Content-Length", str(len(raw)))
            for name, value in headers.items():
                h.send_header(name, value)
            h.end_headers()
            h.wfile.write(raw)
        except OSError:
            pass  # the client gave up (timeout test): nothing to answer

    def route(
        self, method: str, path: str, params: dict[str, str], body: bytes, key: str | None
    ) -> tuple[int, Any]:
        if self.required_key is not None and key != self.required_key:
            return 403, {"message": "Forbidden"}
        if not path.startswith(GRAPH + "/paper"):
            return 404, {"error": f"Unknown path {path}"}
        rest = path[len(GRAPH + "/paper") :]
        fields = [f for f in params.get("fields", "").split(",") if f]
        unknown = sorted({f.partition(".")[0] for f in fields} - KNOWN_FIELDS)
        if unknown:
            return 400, {"error": f"Unrecognized or unsupported fields: [{', '.join(unknown)}]"}
        if rest == "/batch" and method == "POST":
            ids = json.loads(body or b"{}").get("ids") or []
            if len(ids) > BATCH_MAX_IDS:
                return 400, {"error": f"Too many ids in request: {len(ids)} > {BATCH_MAX_IDS}"}
            out = []
            for any_id in ids:
                pid = self.corpus.resolve(any_id)
                out.append(None if pid is None or pid in self.null_paper_ids else self.project(pid, fields))
            return 200, out
        if rest == "/search":
            return self.search(params, fields)
        if rest == "/search/match":
            return self.match(params.get("query", ""), fields)
        match = re.fullmatch(r"/(.+?)/(references|citations)", rest)
        if match:
            return self.links(match.group(1), match.group(2), params, fields)
        pid = self.corpus.resolve(rest.lstrip("/"))
        if pid is None:
            return 404, {"error": f"Paper with id {rest.lstrip('/')} not found"}
        return 200, self.project(pid, fields or ["paperId", "title"])

    def project(self, pid: str, fields: list[str]) -> dict:
        record = self.corpus.papers[pid]
        out: dict[str, Any] = {"paperId": pid}
        nested: dict[str, list[str]] = {}
        for name in fields:
            top, _, sub = name.partition(".")
            if top == "embedding":
                model = sub or "specter_v1"
                recorded = record.get("embedding")
                if pid in self.corpus.recorded:
                    out["embedding"] = recorded if recorded and recorded.get("model") == model else None
                else:
                    out["embedding"] = {"model": model, "vector": self.corpus.vector(pid)}
            elif top in ("references", "citations"):
                nested.setdefault(top, []).append(sub or "title")
            elif top != "paperId":
                out[top] = record.get(top)
        for kind, subs in nested.items():
            ids = (self.corpus.references if kind == "references" else self.corpus.citations).get(pid, [])
            if kind == "citations" and pid in self.empty_citation_ids:
                ids = []
            out[kind] = [self._linked(x, subs) for x in ids[:NESTED_LINKS_MAX]]
        return out

    def _linked(self, pid: str | None, subs: list[str]) -> dict:
        if pid is None or pid not in self.corpus.papers:
            return {"paperId": pid, **{s: None for s in subs if s != "paperId"}}
        return self.project(pid, subs)

    def search(self, params: dict[str, str], fields: list[str]) -> tuple[int, Any]:
        offset, limit = int(params.get("offset", 0)), int(params.get("limit", 100))
        if limit > 100 or offset + limit > SEARCH_MAX_RESULTS:
            return 400, {"error": "Requested data for this limit and/or offset is not available"}
        hits = self.ranked(params.get("query", ""))
        page = hits[offset : offset + limit]
        answer: dict[str, Any] = {
            "total": len(hits),
            "offset": offset,
            "data": [self.project(pid, fields or ["title"]) for pid in page],
        }
        if offset + limit < min(len(hits), SEARCH_MAX_RESULTS):
            answer["next"] = offset + limit
        if self.search_without_ids:
            for item in answer["data"][::2]:
                item.pop("paperId", None)
        return 200, answer

    def ranked(self, query: str) -> list[str]:
        terms = set(_words(query))
        if not terms:
            return []
        scored = []
        for pid, tokens in self.corpus.tokens.items():
            # Recorded papers carry counts but no link lists of their own: keep search on the corpus.
            if terms <= tokens and pid not in self.corpus.recorded:
                title = set(_words(self.corpus.papers[pid].get("title") or ""))
                scored.append((-len(terms & title), pid))
        return [pid for _, pid in sorted(scored)]

    def match(self, query: str, fields: list[str]) -> tuple[int, Any]:
        wanted = set(_words(query))
        best, best_score = None, 0.0
        for pid, record in self.corpus.papers.items():
            title = set(_words(record.get("title") or ""))
            if not title:
                continue
            score = len(wanted & title) / len(wanted | title)
            if score > best_score:
                best, best_score = pid, score
        if best is None or best_score < 0.5:
            return 404, {"error": "Title match not found"}
        item = self.project(best, fields or ["title"])
        item["matchScore"] = round(100 * best_score, 3)
        return 200, {"data": [item]}

    def links(self, any_id: str, kind: str, params: dict[str, str], fields: list[str]) -> tuple[int, Any]:
        pid = self.corpus.resolve(any_id)
        if pid is None:
            return 404, {"error": f"Paper with id {any_id} not found"}
        offset, limit = int(params.get("offset", 0)), int(params.get("limit", 100))
        if limit > 1000:
            return 400, {"error": "Limit must be <= 1000"}
        ids = (self.corpus.references if kind == "references" else self.corpus.citations).get(pid, [])
        if kind == "citations" and pid in self.empty_citation_ids and self.empty_paged_too:
            ids = []
        wrapper = "citedPaper" if kind == "references" else "citingPaper"
        page = ids[offset : offset + limit]
        answer: dict[str, Any] = {
            "offset": offset,
            "data": [{wrapper: self._linked(x, fields or ["title"])} for x in page],
        }
        if offset + limit < len(ids):
            answer["next"] = offset + limit
            if self.links_next is not None:
                answer["next"] = offset if self.links_next == "same" else self.links_next
        return 200, answer


_REASONS = {
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Endpoint request timed out",
    401: "Unauthorized",
    403: "Forbidden",
}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self.server.app.handle(self, "GET")  # type: ignore[attr-defined]

    def do_POST(self) -> None:
        self.server.app.handle(self, "POST")  # type: ignore[attr-defined]

    def log_message(self, format: str, *args: Any) -> None:
        pass


def fast_client(server, **kwargs):
    """An S2Client for ``server`` with test-sized waits: no rate limit, 10 ms backoff, 3 retries."""
    from graphx.sources.s2.client import S2Client

    defaults = dict(requests_per_s=0, timeout_s=5.0, max_retries=3, backoff_s=0.01, seed=0)
    return S2Client(server.url, **{**defaults, **kwargs})
