"""One HTTP client for the Semantic Scholar Graph API: rate limit, retries, Retry-After, key handling.

Every request graphx sends to Semantic Scholar goes through :meth:`S2Client.request`, including the ones
the ``semanticscholar`` package builds (search, title match): :meth:`S2Client.package` returns a package
client whose requester is ours. Why: semanticscholar 0.12.0's ``ApiRequester`` (read in its source)

- retries only 429, with fixed exponential waits of 5 s to 60 s (about 4 minutes in all), ignores
  Retry-After, and then raises ``tenacity.RetryError`` instead of an exception of its own;
- turns 401, 502, 503 and other unexpected statuses into ``{}``, i.e. a paper whose fields are all None;
- lets timeouts and refused connections escape as raw httpx errors, never retried;
- sends no API key on the paged ``/references`` and ``/citations`` calls;
- opens a new ``httpx.AsyncClient`` per call, and logs request headers (the API key) at DEBUG level.

Our requester fixes all of these for the package's own URL building and paging; the endpoints where the
package's shapes get in the way (batch, paged references/citations) are called directly.
"""

from __future__ import annotations

import email.utils
import logging
import os
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx

from graphx.errors import S2NotFound, S2RequestFailed, S2Unreachable, SourceError

logger = logging.getLogger("graphx.s2")

DEFAULT_API_URL = "https://api.semanticscholar.org/graph/v1"
API_URL_ENV = "GRAPHX_S2_API_URL"
API_KEY_ENV = "S2_API_KEY"
API_KEY_HEADER = "x-api-key"
GRAPH_PATH = "/graph/v1"
# The public limit with a key is 1 request/s. Without one, requests share a pool with every anonymous
# user and S2 asks for restraint: one request every 3 s keeps a build alive without hammering it.
KEY_REQUESTS_PER_S = 1.0
ANONYMOUS_REQUESTS_PER_S = 1 / 3
DEFAULT_BACKOFF_S = 1.0
MAX_BACKOFF_S = 60.0
# A Retry-After of an hour would look like a hang: past this we stop and say so instead of sleeping.
MAX_RETRY_AFTER_S = 120.0
RETRIED_STATUSES = {429, 500, 502, 503, 504}
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
# More redirects than this in a row is a loop (or a proxy gone wrong), not an API answer.
MAX_REDIRECTS = 5
USER_AGENT = "graphx (+https://github.com/graphx)"
# A refused connection or a host name that does not resolve is answered at once, and the answer will not
# change within a build: one quick retry (a blip while a proxy restarts), then the client stops asking.
UNREACHABLE_RETRIES = 1
UNREACHABLE_RETRY_S = 0.5


def resolve_api_url(api_url: str | None = None) -> str:
    """``api_url``, else ``$GRAPHX_S2_API_URL``, else the public Graph API, without a trailing slash."""
    return (api_url or os.environ.get(API_URL_ENV) or DEFAULT_API_URL).rstrip("/")


class S2Client:
    """Talks to one Semantic Scholar Graph API base URL, politely and persistently.

    Parameters
    ----------
    api_url : str, optional
        Graph API base (``.../graph/v1``); None: ``$GRAPHX_S2_API_URL``, then the public API.
    api_key : str, optional
        None: ``$S2_API_KEY``. Sent as a header on every request; never logged or stored.
    requests_per_s : float, optional
        Most requests started per second; None: 1 with a key, 1/3 without; 0 or less: unlimited.
    timeout_s : float
        Connect and read timeout of each request.
    max_retries : int
        Retries of a request that hit 429, 5xx, a timeout, a dropped connection or truncated JSON.
    backoff_s : float
        First backoff wait; it doubles with each retry (capped at 60 s), with jitter.
    seed : int, optional
        Seeds the jitter.
    cancel : threading.Event, optional
        Checked before each request and during waits; ``on_cancel`` is called when it is set.
    on_retry : callable, optional
        Called with one line before each retry wait: what failed and when the next try is.

    A connection that is refused or a host that does not resolve is retried once after
    ``UNREACHABLE_RETRY_S``; then :class:`~graphx.errors.S2Unreachable` is raised, and every later request
    of this client raises it at once (:attr:`unreachable`), so a run of 200 titles fails in one go.
    """

    def __init__(
        self,
        api_url: str | None = None,
        api_key: str | None = None,
        *,
        requests_per_s: float | None = None,
        timeout_s: float = 30.0,
        max_retries: int = 5,
        backoff_s: float = DEFAULT_BACKOFF_S,
        seed: int | None = None,
        cancel: threading.Event | None = None,
        on_cancel: Callable[[], None] | None = None,
        on_retry: Callable[[str], None] | None = None,
        transport: httpx.BaseTransport | None = None,
    ):
        self.api_url = resolve_api_url(api_url)
        self._api_key = api_key if api_key is not None else os.environ.get(API_KEY_ENV) or None
        if requests_per_s is None:
            requests_per_s = KEY_REQUESTS_PER_S if self._api_key else ANONYMOUS_REQUESTS_PER_S
        self.requests_per_s = requests_per_s
        self.timeout_s = timeout_s
        self.max_retries = max_retries
        self.backoff_s = backoff_s
        self.cancel = cancel
        self.on_cancel = on_cancel
        self.on_retry = on_retry
        self.unreachable: S2Unreachable | None = None
        self.requests = 0
        self.failures: Counter[str] = Counter()
        self.waits_s: list[float] = []
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._next_start = 0.0
        # Redirects are followed by hand (_send): httpx would carry x-api-key to any origin a redirect
        # names (it strips only Authorization), and the key must go to the API's own origin alone.
        self._http = httpx.Client(
            timeout=httpx.Timeout(timeout_s),
            headers={"user-agent": USER_AGENT},
            transport=transport,
            follow_redirects=False,
        )
        self._origin = _origin(httpx.URL(self.api_url))
        self._package: Any = None

    @property
    def has_key(self) -> bool:
        return self._api_key is not None

    def __repr__(self) -> str:
        # Never show the key, even in a traceback's locals.
        return f"S2Client(api_url={self.api_url!r}, key={'set' if self._api_key else 'none'})"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> S2Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def request(self, method: str, path: str, *, params: Any = None, json: Any = None) -> Any:
        """Send one API call (``path`` under the base URL, or absolute) and return its decoded JSON.

        Retries 429 (waiting Retry-After when given), 5xx, timeouts, dropped connections and truncated
        JSON up to ``max_retries`` times with exponential backoff and jitter. Raises :class:`S2NotFound`
        on 404, :class:`S2RequestFailed` when retries run out, :class:`SourceError` on other errors.
        """
        url = path if path.startswith(("http://", "https://")) else f"{self.api_url}{path}"
        if self.unreachable is not None:
            raise self.unreachable
        failures: Counter[str] = Counter()
        for attempt in range(self.max_retries + 1):
            self._check_cancel()
            self._throttle()
            self.requests += 1
            wait_s = self._backoff(attempt)
            try:
                response = self._send(method, url, params=params, json=json)
            except httpx.TimeoutException:
                kind = "timeout"
            except httpx.ConnectError as exc:
                self._unreachable_attempt(exc, failures)
                continue
            except httpx.TransportError as exc:
                kind = "connection"
                logger.debug("S2 %s %s: %s", method, url, type(exc).__name__)
            else:
                logger.debug("S2 %s %s -> %s", method, response.url.path, response.status_code)
                if response.status_code == 200:
                    try:
                        return response.json()
                    except ValueError:
                        kind = "bad_json"
                elif response.status_code in RETRIED_STATUSES:
                    kind = str(response.status_code)
                    retry_after = _retry_after_s(response.headers.get("retry-after"))
                    if retry_after is not None and retry_after > MAX_RETRY_AFTER_S:
                        failures[kind] += 1
                        raise S2RequestFailed(
                            f"asked us to wait {retry_after:,.0f} s before the next request (Retry-After), "
                            f"longer than graphx waits ({MAX_RETRY_AFTER_S:g} s); retry later",
                            failures,
                        )
                    if response.status_code == 429 and retry_after is not None:
                        wait_s = retry_after
                else:
                    self._raise_for(response)
            failures[kind] += 1
            self.failures[kind] += 1
            if attempt < self.max_retries:
                self.waits_s.append(wait_s)
                if self.on_retry is not None:
                    self.on_retry(
                        f"Semantic Scholar {_what_failed(kind, self.timeout_s)} "
                        f"({method} {httpx.URL(url).path}); next try in {wait_s:.1f} s "
                        f"(retry {attempt + 1} of {self.max_retries})"
                    )
                self._sleep(wait_s)
        raise S2RequestFailed(_describe(failures, self.timeout_s, self.api_url), failures)

    def _unreachable_attempt(self, exc: httpx.ConnectError, failures: Counter[str]) -> None:
        """Count a refused connection or DNS failure; raise :class:`S2Unreachable` past the quick retry."""
        failures["unreachable"] += 1
        self.failures["unreachable"] += 1
        reason = _unreachable_reason(exc)
        logger.debug("S2 unreachable at %s: %s", self.api_url, reason)
        if failures["unreachable"] > min(UNREACHABLE_RETRIES, self.max_retries):
            self.unreachable = S2Unreachable(self.api_url, reason)
            raise self.unreachable
        with self._lock:  # the request never reached the server: it does not count against the rate
            self._next_start = time.monotonic()
        self._sleep(UNREACHABLE_RETRY_S)

    def _send(self, method: str, url: str, *, params: Any, json: Any) -> httpx.Response:
        """One request, following redirects; the API key goes only to the API's own origin."""
        seen: list[str] = []
        for _ in range(MAX_REDIRECTS + 1):
            target = httpx.URL(url, params=params) if params is not None else httpx.URL(url)
            headers = (
                {API_KEY_HEADER: self._api_key} if self._api_key and _origin(target) == self._origin else {}
            )
            response = self._http.request(method, target, json=json, headers=headers)
            location = response.headers.get("location")
            if response.status_code not in REDIRECT_STATUSES or not location:
                return response
            seen.append(str(target.copy_with(query=None)))
            url, params = str(target.join(location)), None
            if response.status_code in (301, 302, 303) and method == "POST":
                method, json = "GET", None
        raise SourceError(
            f"Semantic Scholar's URL redirected more than {MAX_REDIRECTS} times "
            f"({' -> '.join(seen[:3])} ...); a redirect loop: check --api-url / $GRAPHX_S2_API_URL "
            "and any proxy in between."
        )

    def package(self) -> Any:
        """A ``semanticscholar.SemanticScholar`` whose every request goes through :meth:`request`."""
        if self._package is None:
            from semanticscholar import SemanticScholar

            # The package appends /graph/v1 itself; our requester maps its URLs back onto api_url, so a
            # proxy URL that does not end in /graph/v1 works too.
            package_root = "http://semanticscholar.package"
            self._package = SemanticScholar(api_url=package_root, timeout=self.timeout_s, retry=False)
            self._package._AsyncSemanticScholar._requester = _Requester(self, package_root + GRAPH_PATH)
        return self._package

    def _raise_for(self, response: httpx.Response) -> None:
        status = response.status_code
        detail = _error_detail(response)
        if status == 404:
            raise S2NotFound(detail or "not found")
        if status in (401, 403):
            hint = (
                "check that S2_API_KEY holds a valid key"
                if self._api_key
                else "the API may need a key: set S2_API_KEY"
            )
            raise SourceError(f"Semantic Scholar refused the request ({status} {detail}); {hint}.")
        raise SourceError(
            f"Semantic Scholar answered {status} to {response.request.method} {response.url.path}: {detail}"
        )

    def _throttle(self) -> None:
        if self.requests_per_s <= 0:
            return
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next_start)
            self._next_start = start + 1.0 / self.requests_per_s
        if start > now:
            self._sleep(start - now)

    def _backoff(self, attempt: int) -> float:
        ceiling = min(MAX_BACKOFF_S, self.backoff_s * 2**attempt)
        return ceiling * (0.5 + 0.5 * self._rng.random())

    def _sleep(self, seconds: float) -> None:
        if seconds <= 0:
            return
        if self.cancel is not None:
            if self.cancel.wait(seconds):
                self._check_cancel()
        else:
            time.sleep(seconds)

    def _check_cancel(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            if self.on_cancel is not None:
                self.on_cancel()
            raise SourceError("Cancelled.")


class _Requester:
    """Stands in for the package's ``ApiRequester``: same coroutine signature, our transport.

    The package awaits ``get_data_async`` inside a loop of its own that runs nothing else, so the
    blocking call through our shared httpx client costs nothing there and keeps one connection pool.
    """

    def __init__(self, client: S2Client, package_graph_url: str):
        self._client = client
        self._package_graph_url = package_graph_url
        self.timeout = client.timeout_s
        self.retry = False

    async def get_data_async(
        self, url: str, parameters: str, headers: dict, payload: dict | None = None
    ) -> Any:
        if url.startswith(self._package_graph_url):
            url = self._client.api_url + url[len(self._package_graph_url) :]
        method = "POST" if payload else "GET"
        return self._client.request(method, url, params=parameters.lstrip("&"), json=payload)


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return (url.scheme, url.host, url.port)


def _retry_after_s(value: str | None) -> float | None:
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - time.time()
    return max(seconds, 0.0)


def _unreachable_reason(exc: httpx.ConnectError) -> str:
    text = str(exc).lower()
    if "refused" in text:
        return "connection refused"
    if "name or service not known" in text or "nodename nor servname" in text or "getaddrinfo" in text:
        return "host name not found"
    if "temporary failure in name resolution" in text:
        return "no DNS answer"
    return str(exc) or type(exc).__name__


def _error_detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.reason_phrase
    if isinstance(body, dict):
        return str(body.get("error") or body.get("message") or response.reason_phrase)
    return response.reason_phrase


def _what_failed(kind: str, timeout_s: float) -> str:
    return {
        "429": "rate-limited us (429)",
        "timeout": f"did not answer within {timeout_s:g} s",
        "connection": "dropped the connection",
        "bad_json": "sent truncated or invalid JSON",
    }.get(kind, f"answered {kind} (server error)")


def _describe(failures: Counter[str], timeout_s: float, api_url: str) -> str:
    parts = []
    for kind, n in failures.most_common():
        times = f"{n} time{'s' if n != 1 else ''}"
        if kind == "429":
            parts.append(f"rate-limited us (429) {times}")
        elif kind == "timeout":
            parts.append(f"did not answer within {timeout_s:g} s {times}")
        elif kind == "connection":
            parts.append(f"could not be reached at {api_url} ({times})")
        elif kind == "bad_json":
            parts.append(f"sent truncated or invalid JSON {times}")
        else:
            parts.append(f"answered {kind} (server error) {times}")
    return ", ".join(parts)
