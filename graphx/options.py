"""Every build and fetch option, declared once: name, type, default, range, help, group.

The rest is derived from :data:`OPTIONS`: the frozen :class:`BuildOptions` (validated; stored unmodified
as ``parameters`` in a graph's metadata), the ``graphx build`` flags (:mod:`graphx.cli`), the web
build form and its parsing (:mod:`webui.builds`), and the keyword arguments of a build. Adding a build
option is one :class:`Option` here plus its use in one stage.

Examples
--------
>>> BuildOptions(top_k=5).top_k
5
>>> BuildOptions(top_k=0)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
graphx.errors.ConfigError: --top-k must be between 1 and 1000 (got 0): the most similar papers...
>>> OPTIONS["resolution"].flag
'--resolution'
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, make_dataclass
from typing import Any

from graphx.edgekinds import EDGE_KINDS
from graphx.errors import ConfigError

BUILD = "build"
FETCH = "fetch"
S2AG = "s2ag"  # reading a Semantic Scholar bulk release (graphx.sources.s2ag) and filtering it
# How and where a build runs and is stored at scale (engine, store): not parameters of the graph itself.
SCALE = "scale"
STORES = ("graph", "tables")
ENGINES = ("auto", "local", "dask")
MAX_SEED = 2**31 - 1  # igraph and numpy take 32-bit seeds
MAX_TOP_K = 1000
MAX_RESOLUTION = 100.0
MAX_FETCH_PAPERS = 100_000
DEFAULT_WEIGHTS = {"cites": 1.0, "similar": 1.0, "cocited": 0.5, "coupled": 0.5}


@dataclass(frozen=True)
class Option:
    """One option. ``low``/``high`` bound numbers (``low_open``/``high_open``: that bound is excluded)."""

    name: str
    type: type
    default: Any
    help: str
    group: str
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    choices: tuple[str, ...] = ()
    short: str | None = None  # a one-letter CLI flag
    step: str = "any"  # the web form's number step

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def label(self) -> str:
        return self.name.replace("_", " ")

    def parse(self, text: str) -> Any:
        """A value typed as text (CLI, web form) as this option's type; not yet range-checked."""
        text = text.strip()
        if self.type is dict:
            return parse_weights(text, flag=self.flag)
        if self.type is bool:
            return text.lower() not in ("", "0", "false", "no", "off")
        if self.type in (int, float):
            try:
                return self.type(text)
            except ValueError:
                whole = ", a whole one," if self.type is int else ""
                raise ConfigError(f"{self.label} must be a number{whole} (got {text!r}).") from None
        return text

    def check(self, value: Any) -> Any:
        """``value`` if it is allowed, else :class:`~graphx.errors.ConfigError` saying what is allowed."""
        if value is None and self.default is None:
            return value
        if self.type is dict:
            return check_weights(value, flag=self.flag)
        if self.type in (int, float):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ConfigError(f"{self.flag} must be a number (got {value!r}): {self.help}")
            if not math.isfinite(value):
                raise ConfigError(f"{self.flag} must be a finite number (got {value!r}): {self.help}")
            if self.type is int and value != int(value):
                raise ConfigError(f"{self.flag} must be a whole number (got {value!r}): {self.help}")
            too_low = self.low is not None and (value <= self.low if self.low_open else value < self.low)
            too_high = self.high is not None and (value >= self.high if self.high_open else value > self.high)
            if too_low or too_high:
                raise ConfigError(f"{self.flag} must be {self.range_text()} (got {value}): {self.help}")
            return self.type(value)
        if self.choices and isinstance(value, str):
            if value not in self.choices:
                raise ConfigError(f"{self.flag} takes {' or '.join(self.choices)}, not {value!r}.")
        elif self.choices:
            bad = set(value) - set(self.choices)
            if bad:
                raise ConfigError(
                    f"{self.flag} takes {' and/or '.join(self.choices)}, not {', '.join(sorted(bad))}."
                )
        return value

    def range_text(self) -> str:
        low = f"above {_number(self.low)}" if self.low_open else f"at least {_number(self.low)}"
        if self.high is None:
            return low
        excluded = [
            _number(b) for b, is_open in ((self.low, self.low_open), (self.high, self.high_open)) if is_open
        ]
        return f"between {_number(self.low)} and {_number(self.high)}" + (
            f", {' and '.join(excluded)} excluded" if excluded else ""
        )


def _number(value: float | None) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def parse_weights(text: str, *, flag: str = "--weights") -> dict[str, float]:
    """``"cites=1,similar=0.5"`` -> the default weights with those two replaced."""
    out = dict(DEFAULT_WEIGHTS)
    for part in text.split(","):
        if not part.strip():
            continue
        kind, sep, value = part.partition("=")
        try:
            number = float(value)
        except ValueError:
            number = None
        if not sep or number is None:
            example = "cites=1,similar=1,cocited=0.5"
            raise ConfigError(f"{flag}: {part.strip()!r} is not KIND=NUMBER; write e.g. {flag} {example}")
        out[kind.strip()] = number
    return out


def check_weights(weights: Any, *, flag: str = "--weights") -> dict[str, float]:
    if not isinstance(weights, dict):
        raise ConfigError(f"{flag} must map edge kinds to weights, e.g. {{'cites': 1.0, 'similar': 0.5}}.")
    unknown = set(weights) - set(EDGE_KINDS)
    if unknown:
        raise ConfigError(
            f"Unknown edge kind(s) in weights: {', '.join(sorted(unknown))}; use {', '.join(EDGE_KINDS)}."
        )
    for kind, weight in weights.items():
        if isinstance(weight, bool) or not isinstance(weight, int | float) or not math.isfinite(weight):
            raise ConfigError(f"{flag}: the weight of {kind} must be a finite number (got {weight!r}).")
        if weight < 0:
            raise ConfigError(f"{flag}: edge-kind weights must be zero or positive (got {kind}={weight}).")
    return {kind: float(weight) for kind, weight in weights.items()}


OPTIONS: dict[str, Option] = {
    o.name: o
    for o in (
        # ------------------------------------------------------------------------------------ build
        Option(
            "seed",
            int,
            42,
            "seeds communities and layout: same input + seed = same graph.",
            BUILD,
            low=0,
            high=MAX_SEED,
            step="1",
        ),
        Option(
            "top_k",
            int,
            20,  # bench_quality: 20 beat 10 (ICLR NMI +0.01) and 30 (synthetic ARI -0.01)
            "the most similar papers linked per paper.",
            BUILD,
            low=1,
            high=MAX_TOP_K,
            step="1",
        ),
        Option(
            "min_similarity",
            float,
            0.0,  # bench_quality: a 0.1 floor left papers alone; every paper keeps its best link anyway
            "the floor of a similarity edge (cosine); every paper keeps its best link whatever the floor.",
            BUILD,
            low=0.0,
            high=1.0,
            high_open=True,
        ),
        Option(
            "min_link_strength",
            float,
            0.1,
            "the floor of co-citation and coupling strengths (Salton cosine).",
            BUILD,
            low=0.0,
            high=1.0,
            high_open=True,
        ),
        Option(
            "resolution",
            float,
            1.0,
            "area resolution: higher gives more, smaller research areas.",
            BUILD,
            low=0.0,
            low_open=True,
            high=MAX_RESOLUTION,
        ),
        Option(
            "sub_resolution",
            float,
            1.0,
            "sub-area resolution: higher gives more, smaller sub-areas.",
            BUILD,
            low=0.0,
            low_open=True,
            high=MAX_RESOLUTION,
        ),
        Option(
            "min_subarea_papers",
            int,
            30,
            "areas smaller than this are not split into sub-areas.",
            BUILD,
            low=1,
            high=MAX_FETCH_PAPERS,
            step="1",
        ),
        Option(
            "weights",
            dict,
            DEFAULT_WEIGHTS,
            "edge-kind weights for communities and layout, e.g. "
            "cites=1,similar=1,cocited=0.5,coupled=0.5 (unnamed kinds keep theirs).",
            BUILD,
        ),
        Option(
            "embedding_weight",
            float,
            0.5,
            "share of SPECTER embedding similarity where papers have embeddings (0 = text only).",
            BUILD,
            low=0.0,
            high=1.0,
        ),
        Option(
            "text_embedding_weight",
            float,
            0.3,  # bench_quality: 0.3 beat 0.5 (ICLR NMI 0.472 vs 0.447) and 0 (0.435)
            "share of the local semantic embedding (WordLlama) in the similarity of papers without "
            "SPECTER vectors (0 = TF-IDF only).",
            BUILD,
            low=0.0,
            high=1.0,
        ),
        Option(
            "transformer_max_words",
            int,
            100_000,  # ~1 min CPU; bench_quality round 3: lifts ICLR (61k words) NMI 0.467 -> 0.505
            "while the titles and abstracts of the papers without SPECTER vectors hold at most this many "
            "words, their local embedding joins a small transformer (MiniLM, ~0.65 ms CPU a word) to "
            "WordLlama (~0.003 ms); above it, or at 0, WordLlama alone.",
            BUILD,
            low=0,
            high=10**9,
            step="1",
        ),
        Option("label_terms", int, 3, "the most terms in an area's label.", BUILD, low=2, high=4, step="1"),
        # ------------------------------------------------------------------------------------ fetch
        Option("query", str, None, "Semantic Scholar search: papers on this topic.", FETCH, short="-q"),
        Option(
            "papers",
            str,
            None,
            "seed papers, comma-separated: S2 ids, DOI:…, ARXIV:…, CorpusId:…, or their URLs.",
            FETCH,
        ),
        Option(
            "titles",
            str,
            None,
            "file of paper titles (one a line, or text copied from a listing page) to resolve on S2.",
            FETCH,
        ),
        Option(
            "expand",
            tuple,
            (),
            "grow the set along references, citations or both (comma-separated).",
            FETCH,
            choices=("references", "citations"),
        ),
        Option("depth", int, 1, "expansion depth.", FETCH, low=1, high=2, step="1"),
        Option(
            "max_papers",
            int,
            500,
            "the most papers fetched from Semantic Scholar (the most connected to the seeds are kept).",
            FETCH,
            low=1,
            high=MAX_FETCH_PAPERS,
            step="1",
        ),
        Option(
            "enrich",
            bool,
            False,
            "fetch references from S2 for --input papers (by DOI/arXiv id, else by title).",
            FETCH,
        ),
        Option(
            "api_url", str, None, "Semantic Scholar Graph API base URL (default: $GRAPHX_S2_API_URL).", FETCH
        ),
        Option(
            "requests_per_s",
            float,
            None,
            "the most Semantic Scholar requests a second (default: 1 with S2_API_KEY, 1 every 3 s "
            "without; 0: no limit, for a local server).",
            FETCH,
            low=0.0,
        ),
        Option(
            "offline", bool, False, "use only what is cached; fail clearly if something is missing.", FETCH
        ),
        Option("refresh", bool, False, "refetch from Semantic Scholar even what is cached.", FETCH),
        # ------------------------------------------------------------------------------------- s2ag
        Option(
            "s2ag",
            str,
            None,
            "a Semantic Scholar bulk release folder (papers/, abstracts/, citations/ shards of gzipped JSON "
            "lines) to build from; the filters below pick its papers before anything else is read.",
            S2AG,
        ),
        Option(
            "fields_of_study",
            tuple,
            (),
            "keep papers of these S2 fields of study (comma-separated), e.g. 'Computer Science'.",
            S2AG,
        ),
        # Years are range-checked by graphx.sources.s2ag.S2AGFilter (fields.MIN_YEAR..MAX_YEAR).
        Option("year_from", int, None, "keep papers of this year or later.", S2AG, step="1"),
        Option("year_to", int, None, "keep papers of this year or earlier.", S2AG, step="1"),
        Option(
            "venue", tuple, (), "keep papers of these venues (comma-separated whole names, any case).", S2AG
        ),
        Option(
            "corpus_ids", str, None, "file of corpus ids to keep, one a line (123 or CorpusId:123).", S2AG
        ),
        Option("match", str, None, "keep papers whose title or abstract has every word of this text.", S2AG),
        Option(
            "s2ag_embeddings",
            bool,
            False,
            "also read the release's SPECTER embeddings (about 25 KB a paper in memory).",
            S2AG,
        ),
        # ------------------------------------------------------------------------------------ scale
        Option(
            "store",
            str,
            "graph",
            "how the built graph is stored: graph (one graph.json, loaded whole) or tables (Parquet, "
            "read an area at a time: for maps of hundreds of thousands of papers).",
            SCALE,
            choices=STORES,
        ),
        Option(
            "engine",
            str,
            "auto",
            "where the build runs: local (this process), dask (partitioned stages on a Dask cluster, "
            "an S2AG release only, stored as tables) or auto (dask for releases of over 200,000 papers "
            "when graphx[scale] is installed).",
            SCALE,
            choices=ENGINES,
        ),
        Option(
            "processes",
            int,
            0,
            "processes of a local build: 1 = this one only; 2 = a helper process takes a share of the work "
            "(the same graph, sooner on two cores); 0 = auto (a helper from 20,000 papers on two cores "
            "or more).",
            SCALE,
            low=0,
            high=2,
            step="1",
        ),
        Option(
            "scheduler",
            str,
            None,
            "tcp://HOST:PORT of a running Dask scheduler for --engine dask (default: a local cluster of "
            "one worker per core, memory from what is free).",
            SCALE,
        ),
    )  # fmt: skip
}


def group(name: str) -> list[Option]:
    """The options of one group (``"build"`` or ``"fetch"``), in declaration order."""
    return [o for o in OPTIONS.values() if o.group == name]


def _check_all(self: Any) -> None:
    for f in fields(self):
        object.__setattr__(self, f.name, OPTIONS[f.name].check(getattr(self, f.name)))


def _build_field(option: Option) -> tuple[str, type, Any]:
    if option.type is dict:
        return option.name, dict, field(default_factory=lambda: dict(option.default))
    return option.name, option.type, field(default=option.default)


BuildOptions = make_dataclass(
    "BuildOptions",
    [_build_field(o) for o in group(BUILD)],
    frozen=True,
    namespace={
        "__post_init__": _check_all,
        "__doc__": "Every parameter of a build, validated; stored unmodified in the graph's metadata.\n\n"
        + "\n".join(
            f"{o.name} : {o.type.__name__}, default {o.default!r}\n    {o.help}" for o in group(BUILD)
        ),
        "__module__": __name__,
    },
)


def build_options(values: dict[str, Any] | None = None, **given: Any) -> Any:
    """:class:`BuildOptions` from keyword arguments (unknown names are a :class:`ConfigError`)."""
    given = {**(values or {}), **given}
    unknown = set(given) - {o.name for o in group(BUILD)}
    if unknown:
        raise ConfigError(
            f"Unknown build option(s): {', '.join(sorted(unknown))}; "
            f"the options are {', '.join(o.name for o in group(BUILD))}."
        )
    return BuildOptions(**given)


def stored_build_options(parameters: dict[str, Any]) -> Any:
    """:class:`BuildOptions` from a graph's stored ``parameters``: names this version does not know are
    dropped, missing ones (graphs built before an option existed) take their defaults."""
    known = {o.name for o in group(BUILD)}
    return BuildOptions(**{k: v for k, v in parameters.items() if k in known})


def parse_form(form: Any, names: list[str]) -> dict[str, Any]:
    """The options ``names`` typed into a form (a mapping of text); blank fields are left out."""
    out = {}
    for name in names:
        option = OPTIONS[name]
        raw = form.get(name)
        if option.type is bool:
            out[name] = option.parse(raw or "")
        elif raw is not None and raw.strip():
            out[name] = option.check(option.parse(raw))
    return out


def form_field(option: Option) -> dict[str, Any]:
    """What the web form needs to draw an input for ``option``."""
    if option.type is dict:
        value = ",".join(f"{k}={v:g}" for k, v in option.default.items())
        return {
            "name": option.name,
            "label": option.label,
            "kind": "text",
            "value": value,
            "help": option.help,
        }
    if option.type is bool:
        return {
            "name": option.name,
            "label": option.label,
            "kind": "checkbox",
            "value": "1",
            "help": option.help,
        }
    if option.type in (int, float):
        return {
            "name": option.name,
            "label": option.label,
            "kind": "number",
            "value": option.default,
            "min": option.low,
            "max": option.high,
            "step": option.step,
            "help": option.help,
        }
    return {"name": option.name, "label": option.label, "kind": "text", "value": option.default or "",
            "help": option.help}  # fmt: skip
