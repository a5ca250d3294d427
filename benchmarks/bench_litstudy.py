"""Benchmark: graphx side by side with litstudy 1.0.6 on the 6,545-paper NeurIPS/ICML corpus, in one run.

1. Build: litstudy loads the papers through its document model (a small ``Document`` subclass: title,
   abstract, id, references), runs ``build_citation_network`` and ``plot_citation_network`` (its pyvis
   HTML page); graphx loads the same files, builds its graph and writes its standalone HTML page. Each
   runs in a subprocess of its own (litstudy in its own venv), so wall time and peak memory are its own.
2. Browser: each page opened in headless Chromium (Playwright, /usr/bin/chromium) from a 127.0.0.1
   server, every other request blocked. litstudy's page loads vis-network from a CDN; with no network
   it cannot run at all, so that one request is answered with the vis-network 9.1.2 that pyvis ships
   in the litstudy venv (the same version graphx inlines). Timed: the load event, vis-network's
   ``stabilizationIterationsDone`` and ``stabilized`` events (physics), the first draw, and frames drawn
   per second over the following 5 s (a still page draws none). litstudy's wait is capped.
3. Semantic Scholar: requests per 1,000 papers each would send (litstudy: one per paper, 3.05 s sleep
   before each; graphx: from benchmarks/bench_s2.py against the local fake API, if present).

The litstudy venv is created on first run in ``cache/bench/litstudy-venv`` (``pip install litstudy==1.0.6
'bibtexparser<2'``; litstudy imports ``bibtexparser.latexenc``, which bibtexparser 2 removed).

    .venv/bin/python benchmarks/bench_litstudy.py [--data ../shared/data] [--wait-s 120] [--no-s2]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import re
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
CORPUS = "cs768-neurips-icml-citations"
BENCH_DIR = ROOT / "cache" / "bench"
VENV = BENCH_DIR / "litstudy-venv"
OUT = BENCH_DIR / "litstudy"
LITSTUDY_PINS = ("litstudy==1.0.6", "bibtexparser<2")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
VIEWPORT = {"width": 1400, "height": 900}
WAIT_S = 120.0
FPS_WINDOW_S = 5.0
WORKER_TIMEOUT_S = 1800
LITSTUDY_SLEEP_S = 3.05  # litstudy's semanticscholar source sleeps this long before every request
PER_PAPERS = 1000

# Runs before any page script: records each vis.Network as it is created and times its events.
PROBE_JS = """
(() => {
  const b = window.__bench = {created: null, firstDraw: null, itersDone: null, stabilized: null,
                              draws: 0, errors: []};
  window.addEventListener('error', e => b.errors.push(String(e.message)));
  const hook = (net) => {
    b.created = b.created ?? performance.now();
    window.__benchNetwork = window.__benchNetwork || net;
    net.on('afterDrawing', () => { b.draws++; b.firstDraw = b.firstDraw ?? performance.now(); });
    net.on('stabilizationIterationsDone', () => { b.itersDone = b.itersDone ?? performance.now(); });
    net.on('stabilized', () => { b.stabilized = b.stabilized ?? performance.now(); });
  };
  const wrapNetwork = (Net) => {
    if (!Net || Net.__probed) return Net;
    class Probed extends Net { constructor(...a) { super(...a); hook(this); } }
    Probed.__probed = true;
    return Probed;
  };
  let vis;
  Object.defineProperty(window, 'vis', {configurable: true, get: () => vis, set: (v) => {
    vis = v;
    if (v && typeof v === 'object') {
      let Net = wrapNetwork(v.Network);
      Object.defineProperty(v, 'Network', {configurable: true, enumerable: true,
        get: () => Net, set: (N) => { Net = wrapNetwork(N); }});
    }
  }});
})();
"""


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def read_corpus(folder: Path) -> tuple[list[dict], dict[str, list[str]]]:
    """Papers (JSONL rows) and each citing id's cited ids, with the standard library only."""
    with open(folder / "papers.jsonl", encoding="utf-8") as fh:
        papers = [json.loads(line) for line in fh if line.strip()]
    refs: dict[str, list[str]] = {}
    with open(folder / "edges.tsv", encoding="utf-8") as fh:
        next(fh)
        for line in fh:
            citing, cited = line.rstrip("\n").split("\t")
            refs.setdefault(citing, []).append(cited)
    return papers, refs


# ---------------------------------------------------------------- litstudy side (runs in its venv)


def litstudy_worker(folder: Path, out: Path) -> dict:
    start = time.perf_counter()
    import litstudy
    from litstudy.types import Document, DocumentIdentifier, DocumentSet

    timings = {"import": time.perf_counter() - start}

    class CorpusDocument(Document):
        """A paper of the corpus as litstudy sees it; references matched by their id (as a DOI)."""

        def __init__(self, row: dict, references: list[DocumentIdentifier]):
            super().__init__(DocumentIdentifier(row["title"], doi=row["id"]))
            self._row = row
            self._references = references

        @property
        def title(self) -> str:
            return self._row["title"]

        @property
        def abstract(self) -> str | None:
            return self._row.get("abstract")

        @property
        def authors(self):
            return None

        @property
        def references(self) -> list[DocumentIdentifier]:
            return self._references

    t = time.perf_counter()
    rows, refs = read_corpus(folder)
    titles = {r["id"]: r["title"] for r in rows}
    docs = DocumentSet(
        [
            CorpusDocument(r, [DocumentIdentifier(titles.get(c), doi=c) for c in refs.get(r["id"], [])])
            for r in rows
        ]
    )
    timings["load"] = time.perf_counter() - t
    t = time.perf_counter()
    g = litstudy.build_citation_network(docs)
    timings["build_citation_network"] = time.perf_counter() - t
    out.mkdir(parents=True, exist_ok=True)
    os.chdir(out)  # pyvis writes citation.html (and its lib/ folder) into the working directory
    t = time.perf_counter()
    litstudy.plot_citation_network(docs)
    timings["plot_citation_network"] = time.perf_counter() - t
    timings["total"] = time.perf_counter() - start
    return {
        "timings_s": timings,
        "nodes": g.number_of_nodes(),
        "edges": g.number_of_edges(),
        "page": str(out / "citation.html"),
        "peak_mb": peak_mb(),
        "version": litstudy.__version__ if hasattr(litstudy, "__version__") else "1.0.6",
    }


# ---------------------------------------------------------------- graphx side


def graphx_worker(folder: Path, out: Path) -> dict:
    start = time.perf_counter()
    from graphx.build.pipeline import build_graph
    from graphx.export import export_graph
    from graphx.options import BuildOptions
    from graphx.sources.files import load_papers

    timings = {"import": time.perf_counter() - start}
    t = time.perf_counter()
    papers = load_papers([folder / "papers.jsonl"], citations=[folder / "edges.tsv"]).papers
    timings["load"] = time.perf_counter() - t
    t = time.perf_counter()
    G = build_graph(papers, BuildOptions(seed=42), name="neurips-icml")
    timings["build"] = time.perf_counter() - t
    out.mkdir(parents=True, exist_ok=True)
    page = out / "graphx.html"
    t = time.perf_counter()
    export_graph(G, "html", page)
    timings["html"] = time.perf_counter() - t
    timings["total"] = time.perf_counter() - start
    return {
        "timings_s": timings,
        "stages_s": G.graph["meta"]["timings_s"],
        "nodes": G.number_of_nodes(),
        "edges": G.number_of_edges(),
        "edges_by_kind": G.graph["meta"]["counts"]["edges"],
        "areas": G.graph["meta"]["counts"].get("areas"),
        "page": str(page),
        "peak_mb": peak_mb(),
    }


# ---------------------------------------------------------------- driver


def ensure_litstudy_venv() -> Path:
    python = VENV / "bin" / "python"
    ok = (
        python.exists()
        and subprocess.run([python, "-c", "import litstudy"], capture_output=True).returncode == 0
    )
    if not ok:
        print(f"creating {VENV} with {' '.join(LITSTUDY_PINS)} ...")
        subprocess.run(["python3", "-m", "venv", str(VENV)], check=True)
        subprocess.run([python, "-m", "pip", "install", "-q", *LITSTUDY_PINS], check=True)
    return python


def run_worker(python: Path | str, kind: str, folder: Path) -> dict:
    cmd = [str(python), str(Path(__file__).resolve()), "--worker", kind, str(folder), str(OUT)]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=WORKER_TIMEOUT_S, cwd=ROOT)
    if proc.returncode != 0:
        raise SystemExit(f"{kind} worker failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["wall_s"] = time.perf_counter() - start  # interpreter start-up included
    return result


def vis_network_files(python: Path) -> dict[str, Path]:
    """pyvis's bundled vis-network (js, css) inside the litstudy venv."""
    code = "import pyvis, os; print(os.path.dirname(pyvis.__file__))"
    pyvis_dir = Path(
        subprocess.run([python, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    )
    lib = pyvis_dir / "templates" / "lib" / "vis-9.1.2"
    return {"js": lib / "vis-network.min.js", "css": lib / "vis-network.css"}


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
        pass


def serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def physics_on(page) -> bool | None:
    """Whether the page's vis.Network runs physics (None: no network created yet)."""
    return page.evaluate(
        "(() => { const n = window.__benchNetwork; return n ? !!n.physics.physicsEnabled : null; })()"
    )


def local_vis_page(page: Path, vis_files: dict[str, Path]) -> tuple[Path, list[str]]:
    """A copy of a pyvis page whose CDN vis-network tags point at local copies of pyvis's own files.

    Only those two tags change. Their ``integrity`` hashes go with them: pyvis's bundled copy is not
    byte-identical to the CDN's, so Chromium would refuse it under the CDN tag's hash.
    """
    local = page.parent / "vis-local"
    local.mkdir(exist_ok=True)
    replaced: list[str] = []
    html = page.read_text(encoding="utf-8")
    for kind, pattern, tag in (
        ("js", r'<script src="(https?://[^"]*vis-network[^"]*\.js)"[^>]*>', '<script src="vis-local/{}">'),
        ("css", r'<link rel="stylesheet" href="(https?://[^"]*vis-network[^"]*\.css)"[^>]*>',
         '<link rel="stylesheet" href="vis-local/{}" />'),
    ):  # fmt: skip
        target = local / vis_files[kind].name
        target.write_bytes(vis_files[kind].read_bytes())
        match = re.search(pattern, html)
        if match:
            replaced.append(match.group(1))
            html = html.replace(match.group(0), tag.format(target.name))
    out = page.with_name(page.stem + "-localvis.html")
    out.write_text(html, encoding="utf-8")
    return out, replaced


def time_page(browser, url: str, *, wait_s: float) -> dict:
    """Load event, physics events, first draw and frames/s afterwards of one page (ms from navigation)."""
    context = browser.new_context(viewport=VIEWPORT)
    blocked: list[str] = []

    def route(r):
        u = r.request.url
        if u.startswith(("http://127.0.0.1", "file://", "data:", "blob:")):
            return r.continue_()
        blocked.append(u)
        return r.abort()

    context.route("**/*", route)
    context.add_init_script(PROBE_JS)
    page = context.new_page()
    page.goto(url, wait_until="load", timeout=wait_s * 1000)
    result: dict = {"load_ms": page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")}
    deadline = time.monotonic() + wait_s
    # Settled: "stabilized" fired (physics on), or drawn once with physics off.
    while time.monotonic() < deadline:
        bench = page.evaluate("window.__bench")
        if bench["stabilized"] is not None or (bench["firstDraw"] is not None and physics_on(page) is False):
            break
        page.wait_for_timeout(250)
    bench = page.evaluate("window.__bench")
    result.update(
        {
            "created_ms": bench["created"],
            "iterations_done_ms": bench["itersDone"],
            "stabilized_ms": bench["stabilized"],
            "first_draw_ms": bench["firstDraw"],
            "physics_on": physics_on(page),
            "waited_s": wait_s,
            "errors": bench["errors"],
            "blocked": blocked,
        }
    )
    draws_before = page.evaluate("window.__bench.draws")
    page.wait_for_timeout(FPS_WINDOW_S * 1000)
    result["fps_after"] = (page.evaluate("window.__bench.draws") - draws_before) / FPS_WINDOW_S
    result["draws_total"] = page.evaluate("window.__bench.draws")
    context.close()
    return result


def browser_timings(pages: dict[str, Path], *, wait_s: float) -> dict[str, dict]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} is missing: `apt-get install -y chromium chromium-driver` (as root).")
    server, base = serve(OUT)
    out = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            for name, path in pages.items():
                out[name] = time_page(browser, f"{base}/{path.name}", wait_s=wait_s)
            browser.close()
    finally:
        server.shutdown()
    return out


def graphx_s2_requests() -> str | None:
    """graphx's requests per 1,000 papers as benchmarks/bench_s2.py prints it (None if it is absent).

    Only its first measurement (requests per 1,000 papers against the local fake API) is run; its
    second one (builds under throttling) takes minutes and is not compared here.
    """
    script = ROOT / "benchmarks" / "bench_s2.py"
    if not script.exists():
        return None
    code = (
        "import sys; sys.path.insert(0, 'benchmarks'); import bench_s2\n"
        "with bench_s2.FakeS2() as server: bench_s2.requests_per_1000(server)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=900, cwd=ROOT)
    if proc.returncode != 0:  # its internals changed: run it whole
        proc = subprocess.run(
            [sys.executable, str(script)], capture_output=True, text=True, timeout=1800, cwd=ROOT
        )
    for line in proc.stdout.splitlines():
        if "graphx:" in line and "per 1,000" in line:
            return line.strip()
    return f"bench_s2.py printed no per-1,000 figure (exit {proc.returncode})"


def fmt_ms(ms: float | None, cap_s: float, physics: bool | None = True) -> str:
    if ms is not None:
        return f"{ms / 1000:.1f} s"
    return "n/a (physics off)" if physics is False else f"not within {cap_s:.0f} s"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--wait-s", type=float, default=WAIT_S, help="cap on waiting for a page to settle")
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--no-s2", action="store_true", help="skip running benchmarks/bench_s2.py")
    parser.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        kind, folder, out = args.worker
        fn = litstudy_worker if kind == "litstudy" else graphx_worker
        print(json.dumps(fn(Path(folder), Path(out))))
        return 0

    folder = args.data / CORPUS
    python = ensure_litstudy_venv()
    print(f"graphx vs litstudy 1.0.6 on {folder} (one run, {os.cpu_count()} cores)")
    lit = run_worker(python, "litstudy", folder)
    gx = run_worker(sys.executable, "graphx", folder)
    lt, gt = lit["timings_s"], gx["timings_s"]
    print("\n1. build, in a subprocess each (seconds)")
    print(f"  litstudy: load {lt['load']:.2f}, build_citation_network {lt['build_citation_network']:.2f}, "
          f"plot_citation_network {lt['plot_citation_network']:.2f} (pyvis page) -> {lit['nodes']:,} nodes, "
          f"{lit['edges']:,} edges; total {lt['total']:.1f} s, peak {lit['peak_mb']:.0f} MB")  # fmt: skip
    stages = ", ".join(f"{k} {v:.2f}" for k, v in gx["stages_s"].items())
    print(f"  graphx:   load {gt['load']:.2f}, build {gt['build']:.2f} ({stages}), html {gt['html']:.2f} -> "
          f"{gx['nodes']:,} nodes, {gx['edges']:,} edges {gx['edges_by_kind']}, {gx['areas']} areas; "
          f"total {gt['total']:.1f} s, peak {gx['peak_mb']:.0f} MB")  # fmt: skip
    ratios: list[tuple[str, str, str, str]] = [
        (
            "build + page, wall s",
            f"{lt['total']:.1f}",
            f"{gt['total']:.1f}",
            f"{lt['total'] / gt['total']:.1f}x",
        ),
        (
            "peak memory, MB",
            f"{lit['peak_mb']:.0f}",
            f"{gx['peak_mb']:.0f}",
            f"{lit['peak_mb'] / gx['peak_mb']:.1f}x",
        ),
    ]

    report: dict = {"litstudy": lit, "graphx": gx}
    if not args.no_browser:
        vis_files = vis_network_files(python)
        cap = f"cap {args.wait_s:.0f} s"
        print(f"\n2. time to interactive in headless Chromium ({cap}; non-local requests blocked)")
        lit_page, replaced = local_vis_page(Path(lit["page"]), vis_files)
        print(f"  litstudy's page loads {', '.join(replaced)} from a CDN: {lit_page.name} is a copy with")
        print(f"  those tags pointing at pyvis's bundled vis-network 9.1.2 ({vis_files['js'].parent})")
        timings = browser_timings({"litstudy": lit_page, "graphx": Path(gx["page"])}, wait_s=args.wait_s)
        report["browser"] = timings
        for name, t in timings.items():
            physics = "on" if t["physics_on"] else "off"
            done = fmt_ms(t["iterations_done_ms"], args.wait_s, t["physics_on"])
            print(f"  {name}: load event {t['load_ms'] / 1000:.1f} s; physics {physics}; "
                  f"stabilizationIterationsDone {done}; "
                  f"stabilized {fmt_ms(t['stabilized_ms'], args.wait_s, t['physics_on'])}; first draw "
                  f"{fmt_ms(t['first_draw_ms'], args.wait_s)}; {t['fps_after']:.1f} frames/s over the next "
                  f"{FPS_WINDOW_S:.0f} s")  # fmt: skip
            if t["blocked"]:
                urls = ", ".join(sorted(set(t["blocked"])))[:300]
                print(f"    blocked: {len(t['blocked'])} requests ({urls})")
            if t["errors"]:
                print(f"    page errors: {t['errors'][:3]}")
        lb, gb = timings["litstudy"], timings["graphx"]
        g_ready = gb["stabilized_ms"] or gb["first_draw_ms"]
        l_ready = lb["stabilized_ms"]
        ratios.append(("load event, s", f"{lb['load_ms'] / 1000:.1f}", f"{gb['load_ms'] / 1000:.1f}",
                       f"{lb['load_ms'] / gb['load_ms']:.1f}x"))  # fmt: skip
        if l_ready is None:
            lit_ready = f"not settled after {args.wait_s:.0f} s"
            ratio = f"> {args.wait_s * 1000 / g_ready:.0f}x" if g_ready else "n/a"
        else:
            lit_ready = f"{l_ready / 1000:.1f}"
            ratio = f"{l_ready / g_ready:.1f}x" if g_ready else "n/a"
        ratios.append(
            ("settled (interactive), s", lit_ready, f"{g_ready / 1000:.1f}" if g_ready else "n/a", ratio)
        )
        ratios.append(
            ("frames/s, 5 s after settling/cap", f"{lb['fps_after']:.1f}", f"{gb['fps_after']:.1f}", "")
        )

    print(f"\n3. Semantic Scholar requests per {PER_PAPERS:,} papers")
    lit_min = PER_PAPERS * LITSTUDY_SLEEP_S / 60
    print(f"  litstudy: {PER_PAPERS:,} requests (one per paper on /v1/paper), "
          f"{LITSTUDY_SLEEP_S} s sleep before each: at least {lit_min:.0f} min")  # fmt: skip
    graphx_line = None if args.no_s2 else graphx_s2_requests()
    print(f"  {graphx_line or 'graphx: benchmarks/bench_s2.py not run'}")
    report["s2_graphx"] = graphx_line
    match = re.search(r"= ([\d.]+) per 1,000", graphx_line or "")
    if match:
        per = float(match.group(1))
        ratios.append(
            ("S2 requests per 1,000 papers", f"{PER_PAPERS}", f"{per:.1f}", f"{PER_PAPERS / per:.0f}x")
        )

    print("\nside by side (litstudy / graphx)")
    print(f"  {'':<34}{'litstudy':>24}{'graphx':>10}{'ratio':>10}")
    for name, a, b, r in ratios:
        print(f"  {name:<34}{a:>24}{b:>10}{r:>10}")
    report["ratios"] = ratios
    (BENCH_DIR / "litstudy.json").write_text(json.dumps(report, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
