"""Shared fixtures: a small built graph that follows docs/graph-format.md, and the web app on it."""

from __future__ import annotations

import contextlib
import os
import random
import re
import socket
import threading
import time
from pathlib import Path

import networkx as nx
import pytest

from graphx.store import graphs as graphstore

XSS_TITLE = '</script><script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"> {{7*7}} "q\''
AREA_COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c"]
AREA_LABELS = ["graph neural networks, message passing", "reinforcement learning, policy", "diffusion, score"]


def make_fixture_graph(n_per_area: int = 12, seed: int = 0, name: str = "demo") -> nx.MultiDiGraph:
    """A small labelled, laid-out graph with every node and edge attribute of the graph format.

    Paper ``p0`` carries a title full of script payloads; ``p1`` has every optional field.
    """
    rng = random.Random(seed)
    G = nx.MultiDiGraph()
    n_areas = len(AREA_LABELS)
    for i in range(n_per_area * n_areas):
        area = i % n_areas
        sub = area * 2 + (i // n_areas) % 2
        attrs = {
            "title": f"Paper {i} about {AREA_LABELS[area].split(',')[0]}",
            "authors": [f"Author {i}", f"Coauthor {i % 5}"],
            "year": 2010 + i % 12,
            "citation_count": (i * 7) % 50,
            "in_citations": 0,
            "degree": 0,
            "pagerank": 0.0,
            "community": area,
            "community_label": AREA_LABELS[area],
            "subcommunity": sub,
            "subcommunity_label": f"sub {sub}",
            "x": round(400 * (area - 1) + rng.uniform(-120, 120), 2),
            "y": round(300 * (area % 2) + rng.uniform(-120, 120), 2),
            "abstract": f"Abstract of paper {i}.",
        }
        G.add_node(f"p{i}", **attrs)
    G.nodes["p0"]["title"] = XSS_TITLE
    G.nodes["p0"]["abstract"] = "<b>bold?</b> </script> & {{ config }}"
    G.nodes["p0"]["authors"] = ["<img src=x onerror=alert(1)>"]
    G.nodes["p1"].update(
        title="Attention over graphs",
        venue="NeurIPS",
        doi="10.1234/abc.def",
        arxiv="1706.03762",
        s2_id="0123456789abcdef0123456789abcdef01234567",
        tldr="Graphs, attended.",
        citation_count=500,
        authors=["Ada Lovelace", "Alan Turing"],
    )
    nodes = list(G.nodes)
    for i, u in enumerate(nodes):
        for j in (i + 3, i + 6):
            if j < len(nodes):
                G.add_edge(u, nodes[j], key="cites", kind="cites", weight=1.0)
        if i + 1 < len(nodes):
            G.add_edge(u, nodes[i + 1], key="similar", kind="similar", weight=round(0.2 + (i % 7) / 10, 2))
        if i + 9 < len(nodes) and i % 2 == 0:
            G.add_edge(u, nodes[i + 9], key="cocited", kind="cocited", weight=0.5)
        if i + 12 < len(nodes) and i % 3 == 0:
            G.add_edge(u, nodes[i + 12], key="coupled", kind="coupled", weight=0.4)
    for n in G:
        G.nodes[n]["in_citations"] = sum(1 for _, _, k in G.in_edges(n, keys=True) if k == "cites")
        G.nodes[n]["degree"] = len(set(G.predecessors(n)) | set(G.successors(n)))
        G.nodes[n]["pagerank"] = 1.0 / len(nodes)
    G.graph["name"] = name
    G.graph["communities"] = [
        {
            "id": a,
            "label": AREA_LABELS[a],
            "terms": AREA_LABELS[a].split(", "),
            "size": n_per_area,
            "years": [2010, 2021],
            "top_papers": [f"p{a}", f"p{a + 3}"],
            "color": AREA_COLORS[a],
        }
        for a in range(n_areas)
    ]
    G.graph["subcommunities"] = [
        {
            "id": s,
            "label": f"sub {s}",
            "terms": [f"sub{s}"],
            "size": n_per_area // 2,
            "years": [2010, 2021],
            "top_papers": [f"p{s // 2}"],
            "color": AREA_COLORS[s // 2],
            "parent": s // 2,
        }
        for s in range(n_areas * 2)
    ]
    counts = {k: 0 for k in ("cites", "similar", "cocited", "coupled")}
    for _, _, k in G.edges(keys=True):
        counts[k] += 1
    G.graph["meta"] = {
        "name": name,
        "inputs": ["fixture.jsonl"],
        "parameters": {"seed": seed},
        "seed": seed,
        "versions": {},
        "timings_s": {},
        "built_at": "2025-01-01T00:00:00+00:00",
        "counts": {"papers": G.number_of_nodes(), "edges": counts},
        "areas": [{"id": a, "label": AREA_LABELS[a], "size": n_per_area} for a in range(n_areas)],
    }
    return G


@pytest.fixture
def fixture_graph() -> nx.MultiDiGraph:
    return make_fixture_graph()


@pytest.fixture
def cache_dir(tmp_path, fixture_graph):
    """A cache folder holding the fixture graph as ``demo``."""
    cache = tmp_path / "cache"
    graphstore.save_graph(fixture_graph, cache, "demo")
    return cache


@pytest.fixture
def app(cache_dir):
    from webui import create_app

    return create_app({"TESTING": True, "CACHE_DIR": str(cache_dir)})


def token_client(app):
    """A test client that sends the server's token as the home page's scripts do: read from the page."""
    client = app.test_client()
    html = client.get("/").get_data(as_text=True)
    match = re.search(r'<meta name="graphx-token" content="([^"]+)">', html)
    assert match, "the home page carries no token"
    client.environ_base["HTTP_X_GRAPHX_TOKEN"] = match.group(1)
    return client


def refused_url() -> str:
    """A Semantic Scholar URL on a local port nothing listens on (bound, then closed): no network, no hang."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/graph/v1"


def wait_build(client, build_id: str, timeout_s: float = 60.0) -> dict:
    """Poll ``/api/builds/ID`` until the build is neither queued nor running; its last state."""
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        data = client.get(f"/api/builds/{build_id}").get_json()
        if data["state"] not in ("queued", "running"):
            return data
        time.sleep(0.05)
    raise AssertionError(f"build {build_id} still running after {timeout_s} s")


@pytest.fixture
def client(app):
    return token_client(app)


# GRAPHX_SHARED_DATA points elsewhere, e.g. at an empty folder to check that a clean clone skips cleanly.
SHARED_DATA = Path(
    os.environ.get("GRAPHX_SHARED_DATA") or Path(__file__).resolve().parents[1].parent / "shared" / "data"
)
SHARED_DATA_SETS = (
    "cs768-neurips-icml-citations",
    "localcitationnetwork-examples",
    "pasted-listings",
    "s2-api-cassettes",
    "s2orc-2020-sample",
    "zeta-alpha-iclr2022-similarity",
)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real data sets in ``../shared/data`` (see its README.md and each PROVENANCE.md).

    Skips (never errors) where any data set the tests read is absent, as on a clean clone without it.
    """
    absent = [name for name in SHARED_DATA_SETS if not (SHARED_DATA / name).is_dir()]
    if absent:
        pytest.skip(f"real data not found at {SHARED_DATA} (missing {', '.join(absent)})")
    return SHARED_DATA


@pytest.fixture(scope="session")
def neurips_papers():
    """The 6,545 NeurIPS/ICML papers with their 30,762 citations, loaded through the files source.

    From the copy that ships in the package (graphx/data/demo: the same files gzipped), so these tests
    run on a clean clone too.
    """
    from graphx.demo import demo_papers

    return demo_papers()


@pytest.fixture(scope="session")
def neurips_graph(neurips_papers):
    """The full build of the 6,545-paper corpus (about 15 s), shared by every test that reads it."""
    from graphx.build.pipeline import build_graph
    from graphx.options import BuildOptions

    return build_graph(neurips_papers, BuildOptions(seed=42), name="neurips")


# --- Semantic Scholar: a local fake API (tests/s2server.py), started once, faults reset per test --------


@pytest.fixture(scope="session")
def _s2_server_session(shared_data):
    from s2server import FakeS2  # it answers from the recorded cassettes and the corpus in shared_data

    with FakeS2() as server:
        yield server


@pytest.fixture
def s2_server(_s2_server_session):
    """The fake S2 Graph API (``s2_server.url`` is its /graph/v1 base), clean of faults and log."""
    server = _s2_server_session
    server.clear_faults()
    server.log.clear()
    server.required_key = None
    yield server
    server.clear_faults()


@pytest.fixture
def store(tmp_path):
    """An empty papers store in a temporary cache folder."""
    from graphx.store.papers import PaperStore

    with PaperStore(tmp_path / "cache") as papers:
        yield papers


@contextlib.contextmanager
def live_server(app, *, threads: int = 4):
    """``app`` on a real waitress server at 127.0.0.1:<free port>; yields its base URL."""
    from waitress.server import create_server

    srv = create_server(app, host="127.0.0.1", port=0, threads=threads)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{srv.effective_port}"
    finally:
        # Let the worker threads finish their last answers, then close every socket from inside the
        # server's own loop (closing them from here races its poll), which then ends.
        srv.task_dispatcher.shutdown(timeout=30)

        def close_all() -> None:
            for channel in list(srv._map.values()):  # the listener, open connections, the trigger
                channel.close()

        srv.trigger.pull_trigger(close_all)
        thread.join(10)


# --- part of the NeurIPS/ICML corpus as a map whose references reach the rest of it ------------------

NEURIPS_PART_PREFIX = "2106"  # arXiv ids of June 2021: 273 papers citing 1,000+ corpus papers outside


@pytest.fixture(scope="session")
def neurips_part_cache(neurips_papers, tmp_path_factory):
    """A cache whose store holds the whole corpus and whose graph ``part`` maps June 2021's papers.

    Read-only: tests that change it copy it first (:func:`neurips_part_copy`).
    """
    from graphx.build.pipeline import BuildOptions, build_and_save
    from graphx.store.papers import PaperStore

    cache = tmp_path_factory.mktemp("neurips-part") / "cache"
    with PaperStore(cache) as papers_store:
        papers_store.upsert_papers(neurips_papers)
    part = [p for p in neurips_papers if p.id.startswith(NEURIPS_PART_PREFIX)]
    build_and_save(part, cache, "part", BuildOptions(seed=1))
    return cache


@pytest.fixture
def neurips_part_copy(neurips_part_cache, tmp_path):
    """A private copy of :func:`neurips_part_cache` that a test may change."""
    import shutil

    return Path(shutil.copytree(neurips_part_cache, tmp_path / "cache"))


def assert_same_stored_files(a: Path, b: Path, *, also_ignore: tuple[str, ...] = ()) -> None:
    """Two stored graph folders hold the same files, byte for byte; graph.json and meta.json the same
    documents apart from their run's timings (which every stored graph has) and the ``meta`` keys of
    ``also_ignore``, where present (what else says how that run went, not the graph)."""
    import gzip
    import json

    def without_run(doc: dict) -> dict:
        meta = doc["graph"]["meta"] if "graph" in doc else doc
        meta.pop("timings_s"), meta.pop("built_at")
        for key in also_ignore:
            meta.pop(key, None)
        return doc

    files = sorted(f.name for f in a.iterdir())
    assert files == sorted(f.name for f in b.iterdir())
    for name in files:
        x, y = (a / name).read_bytes(), (b / name).read_bytes()
        if name in ("graph.json", "meta.json"):
            assert without_run(json.loads(x)) == without_run(json.loads(y)), name
        elif name == "graph.json.gz":  # graph.json's copy: its timings differ; each is its file's
            assert gzip.decompress(x) == (a / "graph.json").read_bytes()
            assert gzip.decompress(y) == (b / "graph.json").read_bytes()
        else:
            assert x == y, name
