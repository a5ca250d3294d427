"""The exceptions graphx raises on purpose, all of them.

Every message says what went wrong *and what to do next*; the CLI prints it as is and exits non-zero,
the web app turns it into a 4xx page or JSON error. The three ``ValueError`` subclasses at the end are
signals between a file reader and its record parser; they never reach the user as such.
"""

from collections import Counter


class GraphxError(Exception):
    """Base class: an error the user can act on."""


class InputError(GraphxError):
    """A papers file that cannot be read or holds a broken entry.

    ``path`` and ``where`` (a line, row or entry number) locate the problem.
    """

    def __init__(self, message: str, *, path: str | None = None, where: str | None = None):
        self.path = path
        self.where = where
        self.reason = message
        located = ", ".join(p for p in (path, where) if p)
        super().__init__(f"{located}: {message}" if located else message)


class ConfigError(GraphxError):
    """An option value that makes no sense (negative top-k, unknown format, bad name...)."""


class GraphNotFound(GraphxError):
    """No built graph of that name in the cache."""

    def __init__(self, name: str, cache_dir: str):
        self.name = name
        super().__init__(
            f"No built graph named {name!r} in {cache_dir}. "
            "Run `graphx list` to see the built graphs, or `graphx build --name NAME ...` to build one."
        )


class StoredAsTables(GraphxError):
    """A graph stored as tables (a map too big to load whole) asked for as one networkx graph."""


class AreaNotFound(ConfigError):
    """No research area (or sub-area) of that number in a graph."""


class PaperNotFound(GraphxError):
    """No paper with that id in a graph."""


class SourceError(GraphxError):
    """A remote source (Semantic Scholar) failed after retries; what was fetched stays cached."""


class OfflineMiss(SourceError):
    """--offline was asked but something needed is not in the cache."""


class S2NotFound(SourceError):
    """The API answered 404: no paper with that id, or no title match."""


class S2RequestFailed(SourceError):
    """A request still failed after every retry; ``reason`` says how ("rate-limited us (429) 6 times")."""

    def __init__(self, reason: str, failures: Counter[str]):
        self.reason = reason
        self.failures = failures
        super().__init__(f"Semantic Scholar {reason}.")


class S2Unreachable(SourceError):
    """Semantic Scholar could not be reached at all (connection refused, no DNS answer, no route).

    Known after one quick retry, not after a full backoff: nothing is listening, and waiting will not
    change that within a build. ``url`` is the API base; ``reason`` how it failed ("connection refused").
    Steps that only enrich a build catch it and build from the text; steps that need S2 (a search, seed
    ids) turn it into a message naming the URL and the ways out.
    """

    def __init__(self, url: str, reason: str, needed_for: str | None = None, *, message: str | None = None):
        self.url = url
        self.reason = reason
        self.needed_for = needed_for
        if message is None and needed_for is None:
            message = f"Semantic Scholar could not be reached at {url} ({reason})."
        elif message is None:
            message = (
                f"Semantic Scholar could not be reached at {url} ({reason}), and {needed_for} needs it. "
                "Check the network (or --api-url / $GRAPHX_S2_API_URL), build from what is cached with "
                "--offline, or build from a papers file (-i FILE)."
            )
        super().__init__(message)


class S2Stopped(SourceError):
    """Semantic Scholar kept failing mid-collection; what was fetched is cached and the next run resumes.

    ``reason`` says how it failed, ``cached`` how many papers the cache holds, ``hint`` an extra way out.
    """

    def __init__(self, reason: str, cached: int, store_path: str, hint: str = ""):
        self.reason = reason
        self.cached = cached
        self.hint = hint
        super().__init__(
            f"Semantic Scholar {reason}. {cached:,} papers fetched so far are cached in {store_path}; "
            f"rerun the same command to resume{hint}."
        )


class BuildCancelled(GraphxError):
    """The build was cancelled by the user; the previous graph of that name is intact."""


class BadRecord(ValueError):
    """One record cannot become a paper; ``reason`` says what is wrong with it."""


class Placeholder(ValueError):
    """A source's own marker for a paper it could not resolve; left out and noted, never an error."""


class WrongFileKind(ValueError):
    """The file is a known kind of data, but not a papers file (e.g. an S2 /references page)."""


class CacheCorrupt(GraphxError):
    """A file in the cache folder (papers.sqlite, a graph's graph.json or meta.json) cannot be read.

    The message names the file and the way out (delete it, rebuild the graph); nothing else is lost.
    """
