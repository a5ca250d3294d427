"""The explorer in a real Chromium (Debian's /usr/bin/chromium through Playwright).

Every page blocks and records any request that does not go to 127.0.0.1 (or file://), and collects
console errors and uncaught exceptions; each test fails if there were any.
"""

from __future__ import annotations

import io
import json
import os
import threading
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import urlopen

import pytest
from conftest import XSS_TITLE, make_fixture_graph

from graphx import palette, view
from graphx.store import graphs as graphstore

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("GRAPHX_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
TIMEOUT_MS = 20_000


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from waitress.server import create_server

    from webui import create_app

    cache = tmp_path_factory.mktemp("browser-cache")
    graphstore.save_graph(make_fixture_graph(), cache, "demo")
    undated = make_fixture_graph(name="undated")
    for n in undated:
        del undated.nodes[n]["year"]
    graphstore.save_graph(undated, cache, "undated")
    app = create_app({"CACHE_DIR": str(cache)})
    srv = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.effective_port}", cache
    srv.close()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        # In CI a missing browser is a broken set-up, not a reason to pass: scripts/test.sh installs it.
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is not installed; scripts/test.sh installs it with apt-get")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright import sync_api

    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    problems: list[str] = []

    def guard(route):
        url = urlparse(route.request.url)
        if url.scheme in ("file", "data", "blob") or url.hostname == "127.0.0.1":
            route.continue_()
        else:
            problems.append(f"request left 127.0.0.1: {route.request.url}")
            route.abort()

    context.route("**/*", guard)
    pg = context.new_page()
    pg.set_default_timeout(TIMEOUT_MS)
    pg.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    pg.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    pg.problems = problems  # tests that provoke an expected 4xx remove its console line
    yield pg
    context.close()
    assert problems == []


def open_explorer(page, base: str, name: str = "demo", query: str = "") -> None:
    page.goto(f"{base}/graphs/{name}{query}")
    page.wait_for_function("window.graphxReady === true")


def drawn_pixels(page) -> int:
    return page.evaluate(
        """() => {
        const c = document.querySelector('#gx-network canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
        return n;
    }"""
    )


def click_node(page, node_id: str) -> None:
    pos = page.evaluate(
        """(id) => { const n = graphx.network; const p = n.getPositions([id])[id];
                     const d = n.canvasToDOM(p);
                     const r = document.querySelector('#gx-network').getBoundingClientRect();
                     return {x: r.left + d.x, y: r.top + d.y}; }""",
        node_id,
    )
    page.mouse.click(pos["x"], pos["y"])


def test_explorer_draws_a_still_laid_out_graph(page, server):
    base, _ = server
    open_explorer(page, base)
    assert drawn_pixels(page) > 2000, "the canvas is blank"
    assert page.evaluate("graphx.network.physics.options.enabled") is False
    assert page.evaluate("graphx.visibleNodeCount()") == 36
    before = page.evaluate("graphx.network.getPositions(['p3'])")
    page.wait_for_timeout(300)
    assert page.evaluate("graphx.network.getPositions(['p3'])") == before, "nodes move: physics is running"
    assert "36 papers" in page.inner_text("#gx-status")


def test_search_selects_and_centres_a_paper(page, server):
    base, _ = server
    open_explorer(page, base)
    page.fill("#gx-search", "lovelace")
    page.wait_for_selector("#gx-results button[data-paper='p1']")
    page.keyboard.press("Enter")
    assert page.evaluate("graphx.network.getSelectedNodes()") == ["p1"]
    page.wait_for_selector("#gx-details .gx-d-abstract")
    assert page.inner_text("#gx-details .gx-d-title") == "Attention over graphs"
    center = page.evaluate("graphx.network.getViewPosition()")
    p1 = page.evaluate("graphx.network.getPositions(['p1']).p1")
    assert abs(center["x"] - p1["x"]) < 1 and abs(center["y"] - p1["y"]) < 1


def test_filters_hide_edges_and_keep_the_layout(page, server):
    base, _ = server
    open_explorer(page, base)
    G = make_fixture_graph()
    n_cites = sum(1 for *_, k in G.edges(keys=True) if k == "cites")
    before = page.evaluate("graphx.network.getPositions()")
    assert page.evaluate("graphx.visibleEdgeCount()") == G.number_of_edges()
    page.uncheck("#gx-kinds input[data-kind='cites']")
    assert page.evaluate("graphx.visibleEdgeCount()") == G.number_of_edges() - n_cites
    page.fill("#gx-min-cites", "30")
    page.click("#gx-apply")
    shown = page.evaluate("graphx.visibleNodeCount()")
    assert shown == sum(1 for _, c in G.nodes(data="citation_count") if c >= 30)
    after = page.evaluate("graphx.network.getPositions()")
    assert all(after[k] == before[k] for k in after), "filtering moved nodes"
    page.click("#gx-reset")
    assert page.evaluate("graphx.visibleEdgeCount()") == G.number_of_edges()


def loneliest_node(G) -> str:
    """The node farthest from its nearest neighbour: a click on it cannot hit another node."""

    def gap(n):
        x, y = G.nodes[n]["x"], G.nodes[n]["y"]
        return min((G.nodes[m]["x"] - x) ** 2 + (G.nodes[m]["y"] - y) ** 2 for m in G if m != n)

    return max((n for n in G if n not in ("p0", "p1")), key=gap)


def test_clicking_a_node_opens_its_details_with_clickable_neighbours(page, server):
    base, _ = server
    open_explorer(page, base)
    G = make_fixture_graph()
    target = loneliest_node(G)
    details = view.paper_details(G, target)
    click_node(page, target)
    page.wait_for_selector("#gx-details .gx-list")
    assert page.inner_text("#gx-details .gx-d-title") == G.nodes[target]["title"]
    listed = page.eval_on_selector_all(
        "#gx-details button[data-paper]", "els => els.map(e => e.dataset.paper)"
    )
    expected = [p["id"] for key in ("references", "citers", "similar") for p in details[key]]
    assert listed == expected and listed
    page.click(f"#gx-details button[data-paper='{expected[0]}']")
    page.wait_for_function(
        "(t) => document.querySelector('#gx-details .gx-d-title').textContent === t",
        arg=G.nodes[expected[0]]["title"],
    )
    assert page.evaluate("graphx.network.getSelectedNodes()") == [expected[0]]


def test_area_click_focuses_it_and_offers_area_downloads(page, server):
    base, _ = server
    open_explorer(page, base)
    page.click("button.gx-area-name[data-area='1']")
    selected = set(page.evaluate("graphx.network.getSelectedNodes()"))
    assert selected == {n for n, a in make_fixture_graph().nodes(data="community") if a == 1}
    page.click("#gx-downloads summary")
    with page.expect_download() as info:
        page.click("#gx-download-links a[data-format='json'][data-area='1']")
    data = json.loads(Path(info.value.path()).read_text())
    assert {n["community"] for n in data["nodes"]} == {1} and len(data["nodes"]) == 12


def test_downloads_give_valid_files(page, server):
    base, _ = server
    open_explorer(page, base)
    files = {}
    for fmt in ("gexf", "graphml", "csv", "html"):
        page.click("#gx-downloads summary")
        with page.expect_download() as info:
            page.click(f"#gx-download-links a[data-format='{fmt}']:not([data-area])")
        files[fmt] = Path(info.value.path()).read_bytes()
    assert ET.fromstring(files["gexf"]).tag.endswith("gexf")
    assert ET.fromstring(files["graphml"]).tag.endswith("graphml")
    assert any(n.endswith("nodes.csv") for n in zipfile.ZipFile(io.BytesIO(files["csv"])).namelist())
    assert b'id="graphx-data"' in files["html"]


def test_overview_shows_areas_and_drills_down(page, server):
    base, _ = server
    open_explorer(page, base, query="?view=overview")
    assert page.evaluate("graphx.visibleNodeCount()") == 3
    assert drawn_pixels(page) > 2000
    click_node(page, "area:2")
    page.wait_for_function("graphx.state.mode === 'papers'")
    assert page.evaluate("graphx.state.drill") == 2
    assert page.evaluate("graphx.visibleNodeCount()") == 12
    page.click("#gx-overview")
    assert page.evaluate("graphx.visibleNodeCount()") == 3


def test_colour_by_year(page, server):
    base, _ = server
    open_explorer(page, base)
    color = "() => graphx.network.body.data.nodes.get('p1').color.background"
    assert page.evaluate(color) == palette.PALETTE[1]  # the page's palette, whatever the build stored
    page.select_option("#gx-color", "year")
    assert page.evaluate(color) not in (palette.PALETTE[1], "#b0b4ba")
    assert page.is_visible("#gx-year-legend")


def test_script_payloads_in_paper_text_run_nothing(page, server):
    base, _ = server
    open_explorer(page, base)
    page.fill("#gx-search", "pwned")
    page.wait_for_selector("#gx-results button[data-paper='p0']")
    assert page.inner_text("#gx-results button[data-paper='p0'] .gx-r-title") == XSS_TITLE
    page.click("#gx-results button[data-paper='p0']")
    page.wait_for_selector("#gx-details .gx-d-abstract")
    assert page.inner_text("#gx-details .gx-d-title") == XSS_TITLE
    assert page.inner_text("#gx-details .gx-d-abstract") == "<b>bold?</b> </script> & {{ config }}"
    pos = page.evaluate("graphx.network.canvasToDOM(graphx.network.getPositions(['p0']).p0)")
    box = page.locator("#gx-network").bounding_box()
    page.mouse.move(box["x"] + pos["x"] + 1, box["y"] + pos["y"] + 1)
    page.wait_for_selector("#gx-tooltip:not([hidden])")
    assert XSS_TITLE in page.inner_text("#gx-tooltip")
    assert page.evaluate("window.__pwned") is None
    assert page.locator("#gx-details img, #gx-tooltip img, #gx-results img").count() == 0


def test_standalone_export_works_from_a_file_with_no_server(page, tmp_path):
    path = tmp_path / "demo.html"
    view.write_html(make_fixture_graph(), path)
    page.goto(path.as_uri())
    page.wait_for_function("window.graphxReady === true")
    assert drawn_pixels(page) > 2000
    click_node(page, "p1")
    page.wait_for_selector("#gx-details .gx-d-tldr")
    assert "Graphs, attended." in page.inner_text("#gx-details")
    assert page.evaluate("window.__pwned") is None
    assert not page.is_visible("#gx-downloads")


def test_build_a_graph_from_the_home_page(page, server, tmp_path):
    base, cache = server
    from test_webui import papers_jsonl

    upload = tmp_path / "papers.jsonl"
    upload.write_bytes(papers_jsonl(30))
    page.goto(base + "/")
    assert page.inner_text("#graphs-table").count("demo") == 1
    page.fill("input[name=name]", "from-browser")
    page.set_input_files("input[name=papers_file]", str(upload))
    page.click("#build-form button[type=submit]")
    page.wait_for_selector("li.build[data-state=done] a.build-open", timeout=60_000)
    assert "100%" in page.get_attribute("li.build .bar > div", "style")
    page.click("li.build a.build-open")
    page.wait_for_function("window.graphxReady === true")
    assert page.evaluate("graphx.visibleNodeCount()") == 30
    assert graphstore.load_meta(cache, "from-browser")["counts"]["papers"] == 30


def test_a_failed_build_shows_its_error(page, server, tmp_path):
    base, _ = server
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2")
    page.goto(base + "/")
    page.fill("input[name=name]", "will-fail")
    page.set_input_files("input[name=papers_file]", str(bad))
    page.click("#build-form button[type=submit]")
    page.wait_for_selector("li.build[data-state=failed] .build-error")
    assert "bad.json" in page.inner_text("li.build[data-state=failed] .build-error")
    page.fill("input[name=name]", "../nope")
    page.evaluate("document.querySelector('input[name=name]').removeAttribute('pattern')")
    page.click("#build-form button[type=submit]")
    page.wait_for_selector("#build-error:not([hidden])")
    assert "not allowed" in page.inner_text("#build-error")
    expected = [p for p in page.problems if "status of 400" in p]
    assert len(expected) == 1
    page.problems.remove(expected[0])


@pytest.fixture(scope="module")
def s2_down_server(tmp_path_factory):
    """The web app with Semantic Scholar at a local port nothing listens on (bound, then closed)."""
    import socket

    from waitress.server import create_server

    from webui import create_app

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        api_url = f"http://127.0.0.1:{sock.getsockname()[1]}/graph/v1"
    cache = tmp_path_factory.mktemp("paste-cache")
    app = create_app({"CACHE_DIR": str(cache), "S2_API_URL": api_url})
    srv = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.effective_port}", cache
    srv.close()


def paste_and_build(page, base: str, name: str, text: str, *, enrich: bool) -> None:
    page.goto(base + "/")
    page.fill("input[name=name]", name)
    page.fill("textarea[name=pasted_text]", text)
    if enrich:
        page.check("input[name=enrich_pasted]")
    page.click("#build-form button[type=submit]")
    page.wait_for_selector(f"li.build[data-state=done]:has-text('{name}') a.build-open", timeout=60_000)


def test_paste_a_trending_page_and_open_its_map(page, s2_down_server, shared_data):
    base, cache = s2_down_server
    text = (shared_data / "pasted-listings" / "trending-page.txt").read_text(encoding="utf-8")
    paste_and_build(page, base, "trending", text, enrich=False)
    item = page.inner_text("li.build[data-state=done]")
    assert "200 papers read (200 with abstracts), 2 lines skipped" in item
    assert "could not be reached" not in item  # not asked to look anything up
    page.click("li.build a.build-open")
    page.wait_for_function("window.graphxReady === true")
    assert page.evaluate("graphx.visibleNodeCount()") == 200
    assert drawn_pixels(page) > 2000
    areas = graphstore.load_meta(cache, "trending")["counts"]["areas"]
    assert areas >= 3
    open_explorer(page, base, "trending", "?view=overview")
    assert page.evaluate("graphx.visibleNodeCount()") == areas


def test_paste_with_s2_down_builds_and_shows_one_warning(page, s2_down_server, shared_data):
    base, _ = s2_down_server
    text = (shared_data / "pasted-listings" / "trending-page.txt").read_text(encoding="utf-8")
    paste_and_build(page, base, "trending-enriched", text, enrich=True)
    item = page.inner_text("li.build[data-state=done]:has-text('trending-enriched')")
    assert item.count("could not be reached") == 1
    assert "0 of 200 papers enriched" in item and "press Build again" in item
    assert page.is_visible("li.build[data-state=done] a.build-open")


ATTACKER_PAGE = """<!doctype html><html><body>
<form id="f" action="{target}/builds" method="post" enctype="multipart/form-data">
  <input name="name" value="demo"><input name="query" value="graph neural networks">
</form>
<script>
  var stolen = new URLSearchParams({{name: "demo2", query: "x"}});
  fetch("{target}/builds", {{method: "POST", mode: "no-cors", body: stolen}})
    .finally(function () {{ document.getElementById("f").submit(); }});
</script></body></html>"""


@pytest.fixture
def attacker_site(server):
    """A page on another origin (another port of 127.0.0.1) that posts build forms to the explorer."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    body = ATTACKER_PAGE.format(target=server[0]).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}/"
    srv.shutdown()
    srv.server_close()


def test_a_cross_origin_page_can_start_no_build(page, server, attacker_site):
    base, cache = server
    before = graphstore.load_meta(cache, "demo")["built_at"]
    with page.expect_navigation(url=f"{base}/builds"):
        page.goto(attacker_site)
    assert "another site" in page.inner_text(".error-message")
    builds = json.loads(page.evaluate("() => fetch('/api/builds').then(r => r.text())"))["builds"]
    assert [b["name"] for b in builds if b["name"] in ("demo", "demo2")] == []
    assert graphstore.load_meta(cache, "demo")["built_at"] == before
    refused = [p for p in page.problems if "status of 403" in p]
    assert len(refused) == 2  # the fetch and the form, both answered 403
    for line in refused:
        page.problems.remove(line)


# --------------------------------------------------------------------------- the map reads itself
def overlaps(a, b) -> bool:
    return (
        a["x"] < b["x"] + b["w"]
        and b["x"] < a["x"] + a["w"]
        and a["y"] < b["y"] + b["h"]
        and b["y"] < a["y"] + a["h"]
    )


def read_labels(page) -> list[dict]:
    page.evaluate("graphx.network.redraw()")
    page.wait_for_timeout(100)
    return page.evaluate("window.graphxLabels")


def assert_readable(labels, width, height):
    pairs = [(a["text"], b["text"]) for i, a in enumerate(labels) for b in labels[i + 1 :] if overlaps(a, b)]
    assert pairs == [], "labels overlap"
    assert all(label["size"] >= 12 for label in labels)
    assert all(0 <= label["x"] and label["x"] + label["w"] <= width for label in labels)
    assert all(0 <= label["y"] and label["y"] + label["h"] <= height for label in labels)


def test_canvas_labels_name_areas_and_papers_without_overlapping(page, server):
    base, _ = server
    open_explorer(page, base)
    box = page.locator("#gx-network").bounding_box()
    labels = read_labels(page)
    kinds = {k: [lab["text"] for lab in labels if lab["kind"] == k] for k in ("area", "paper")}
    assert len(kinds["area"]) == 3
    assert any(t.startswith("graph neural networks") for t in kinds["area"])
    # A 36-paper graph: paper names (first author + year) for most of its papers, at the fitted zoom.
    assert "Lovelace et al. 2011" in kinds["paper"]
    assert len(kinds["paper"]) >= 18
    assert_readable(labels, box["width"], box["height"])
    drawn_before = len(kinds["paper"])
    page.evaluate("graphx.network.moveTo({scale: graphx.network.getScale() * 3})")
    zoomed = read_labels(page)
    assert_readable(zoomed, box["width"], box["height"])
    assert zoomed and all(lab["size"] >= 12 for lab in zoomed), "labels keep their screen size when zoomed"
    assert len([lab for lab in zoomed if lab["kind"] == "paper"]) > 0 < drawn_before


def test_overview_labels_every_area_and_drilling_in_names_sub_areas_in_shades(page, server):
    base, _ = server
    open_explorer(page, base, query="?view=overview")
    labels = read_labels(page)
    assert sorted(lab["sub"] for lab in labels) == ["12 papers"] * 3
    box = page.locator("#gx-network").bounding_box()
    assert_readable(labels, box["width"], box["height"])
    click_node(page, "area:1")
    page.wait_for_function("graphx.state.drill === 1")
    labels = read_labels(page)
    assert {lab["text"] for lab in labels if lab["kind"] == "sub"} == {"sub 2", "sub 3"}
    colors = page.evaluate(
        "() => ['p1', 'p4'].map(id => graphx.network.body.data.nodes.get(id).color.background)"
    )
    G = make_fixture_graph()
    assert G.nodes["p1"]["subcommunity"] != G.nodes["p4"]["subcommunity"]
    assert colors[0] != colors[1], "sub-areas of a drilled-in area share one colour"


def test_area_names_are_whole_terms_and_keep_off_other_areas_discs(page, server):
    base, _ = server
    open_explorer(page, base, query="?view=overview")
    label = "representation learning, graph neural networks, self supervised"
    lines = page.evaluate("(l) => GraphxLabels.nameLines(l, 34, 2)", label)
    assert lines == ["representation learning,", "graph neural networks"]
    assert page.evaluate("(l) => GraphxLabels.nameLines(l, 34, 1)", label) == ["representation learning"]
    # On the overview no area's name covers another area's disc, also zoomed out, where the names (of
    # fixed screen size) crowd the discs: at 0.7 of the fitted scale the first name's usual spot lies on
    # another area's disc.
    page.evaluate("graphx.network.fit(); graphx.network.moveTo({scale: graphx.network.getScale() * 0.7})")
    labels = read_labels(page)
    discs = page.evaluate(
        """() => { const n = graphx.network;
                   return n.body.data.nodes.get().map(a => {
                     const p = n.canvasToDOM({x: a.x, y: a.y}), s = a.size * n.getScale();
                     return {area: a.area, x: p.x - s, y: p.y - s, w: 2 * s, h: 2 * s}; }); }"""
    )
    names = {lab["text"]: lab for lab in labels if lab["kind"] == "area"}
    assert len(names) == 3
    G = make_fixture_graph()
    area_of = {G.nodes[n]["community_label"]: G.nodes[n]["community"] for n in G}
    for text, lab in names.items():
        own = area_of[text]
        assert [d["area"] for d in discs if d["area"] != own and overlaps(lab, d)] == [], text


def test_links_across_areas_are_drawn_fainter_than_links_inside_one(page, server):
    base, _ = server
    open_explorer(page, base)
    G = make_fixture_graph()
    items = page.evaluate("() => graphx.network.body.data.edges.get().map(e => [e.from, e.to, e.color])")
    inside = {c for u, v, c in items if G.nodes[u]["community"] == G.nodes[v]["community"]}
    across = {c for u, v, c in items if G.nodes[u]["community"] != G.nodes[v]["community"]}
    assert inside and across

    def alpha(color):
        return float(color.rsplit(",", 1)[1].rstrip(")"))

    assert min(alpha(c) for c in inside) > max(alpha(c) for c in across)


def test_search_ranks_title_over_abstract_counts_and_steps_with_enter(page, server):
    base, _ = server
    open_explorer(page, base)
    page.wait_for_function("window.graphxSearchReady === true")
    page.fill("#gx-search", "paper")
    page.wait_for_selector("#gx-results .gx-r-head")
    # 34 titles "Paper i about ..." and p1, whose title differs but whose abstract says "paper 1".
    assert page.inner_text("#gx-results .gx-r-head").startswith("35 matches")
    assert page.inner_text("#gx-search-count") == "35"
    hits = page.evaluate("graphx.state.search.hits.map(n => n.id)")
    assert len(hits) == 35 and hits[-1] == "p1", "an abstract-only match must rank below title matches"
    page.keyboard.press("Enter")
    assert page.evaluate("graphx.network.getSelectedNodes()") == [hits[0]]
    page.focus("#gx-search")
    page.keyboard.press("Enter")
    assert page.evaluate("graphx.network.getSelectedNodes()") == [hits[1]]
    assert page.inner_text("#gx-search-count") == "2 / 35"
    page.keyboard.press("Shift+Enter")
    assert page.evaluate("graphx.network.getSelectedNodes()") == [hits[0]]


def test_search_finds_authors_and_abstract_words(page, server):
    base, _ = server
    open_explorer(page, base)
    page.wait_for_function("window.graphxSearchReady === true")
    page.fill("#gx-search", "turing")
    page.wait_for_selector("#gx-results button[data-paper='p1']")
    page.fill("#gx-search", "bold")  # only in p0's abstract (which holds markup)
    page.wait_for_selector("#gx-results button[data-paper='p0']")
    assert page.inner_text("#gx-search-count") == "1"


def test_a_graph_without_years_says_so(page, server):
    base, _ = server
    open_explorer(page, base, name="undated")
    assert "No publication years in this graph" in page.inner_text("#gx-time-note")
    assert page.is_hidden("#gx-timeline")
    assert page.evaluate("document.querySelector('#gx-color option[value=year]').disabled") is True


def test_timeline_dims_papers_outside_the_range(page, server):
    base, _ = server
    open_explorer(page, base)
    assert page.evaluate("graphx.dimmedCount()") == 0
    page.evaluate(
        "() => { const b = document.querySelector('#gx-year-from'); b.value = 2016;"
        " b.dispatchEvent(new Event('input', {bubbles: true})); }"
    )
    G = make_fixture_graph()
    expected = sum(1 for _, y in G.nodes(data="year") if y < 2016)
    page.wait_for_function(f"graphx.dimmedCount() === {expected}")
    assert "2016–2021" in page.inner_text("#gx-time-range")
    color = page.evaluate("graphx.network.body.data.nodes.get('p2').color.background")  # 2012: dimmed
    assert color != palette.PALETTE[2]
    bars = page.eval_on_selector_all("#gx-time-chart rect", "els => els.map(e => +e.dataset.count)")
    assert len(bars) == 12 and sum(bars) == G.number_of_nodes()


def test_each_area_panel_charts_papers_per_year(page, server):
    base, _ = server
    open_explorer(page, base)
    page.click("li.gx-area[data-area='2'] .gx-toggle")
    chart = "li.gx-area[data-area='2'] svg.gx-year-chart rect"
    page.wait_for_selector("li.gx-area[data-area='2'] svg.gx-year-chart")
    counts = page.eval_on_selector_all(chart, "els => els.map(e => [+e.dataset.year, +e.dataset.count])")
    G = make_fixture_graph()
    expected = {}
    for _, attrs in G.nodes(data=True):
        if attrs["community"] == 2:
            expected[attrs["year"]] = expected.get(attrs["year"], 0) + 1
    assert {y: c for y, c in counts if c} == expected


def clearest_edge(G) -> tuple[str, str]:
    """The edge whose midpoint is farthest from every node, so a click there hits the edge alone."""

    def clearance(edge):
        u, v = edge
        mx, my = (G.nodes[u]["x"] + G.nodes[v]["x"]) / 2, (G.nodes[u]["y"] + G.nodes[v]["y"]) / 2
        return min((G.nodes[n]["x"] - mx) ** 2 + (G.nodes[n]["y"] - my) ** 2 for n in G)

    return max(((u, v) for u, v in G.edges() if u != v), key=clearance)


def test_clicking_an_edge_shows_the_links_the_map_holds(page, server):
    """The page's own part of the link panel; the server's full explanation is tested further down."""
    base, _ = server
    open_explorer(page, base)
    G = make_fixture_graph()
    u, v = clearest_edge(G)
    pos = page.evaluate(
        """([u, v]) => { const n = graphx.network; const p = n.getPositions([u, v]);
                   const d = n.canvasToDOM({x: (p[u].x + p[v].x) / 2, y: (p[u].y + p[v].y) / 2});
                   const r = document.querySelector('#gx-network').getBoundingClientRect();
                   return {x: r.left + d.x, y: r.top + d.y}; }""",
        [u, v],
    )
    page.mouse.click(pos["x"], pos["y"])
    page.wait_for_selector("#gx-details[data-link] .gx-link-edges li")
    assert set(page.get_attribute("#gx-details", "data-link").split()) == {u, v}
    kinds = page.eval_on_selector_all("#gx-details .gx-link-edges li", "els => els.map(e => e.dataset.kind)")
    expected = sorted(d["kind"] for a, b, d in G.edges(data=True) if {a, b} == {u, v})
    assert sorted(kinds) == expected
    assert set(page.evaluate("graphx.network.getSelectedNodes()")) == {u, v}
    if not endpoint_exists(base, f"/api/graphs/demo/link?a={u}&b={v}"):
        # Until the link endpoint is served, the panel says so instead of breaking (one expected 404).
        page.wait_for_selector("#gx-details .gx-unavailable")
        assert "not available" in page.inner_text("#gx-details .gx-unavailable")
        expected_404 = [p for p in page.problems if "404" in p]
        assert len(expected_404) == 1
        page.problems.remove(expected_404[0])


# ----------------------------------------------------- panels that need other branches' endpoints
def endpoint_exists(base: str, path: str) -> bool:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(base + path) as response:
            return response.status == 200
    except urllib.error.HTTPError:
        return False


def needs(base: str, path: str) -> None:
    if not endpoint_exists(base, path):
        pytest.skip(f"{path} is not served yet (branches missing / labels add it)")


def test_missing_papers_panel_lists_foundations_and_follow_ups(page, server):
    base, _ = server
    needs(base, "/api/graphs/demo/missing")
    open_explorer(page, base)
    page.click("#gx-missing-show")
    page.wait_for_selector("#gx-missing h5")
    heads = page.eval_on_selector_all("#gx-missing h5", "els => els.map(e => e.textContent)")
    assert heads[0].startswith("Foundations") and heads[1].startswith("Follow-ups")
    expected = json.loads(page.evaluate("fetch('/api/graphs/demo/missing').then(r => r.text())"))
    shown = page.eval_on_selector_all(
        "#gx-missing ol[data-kind='foundations'] li", "els => els.map(e => e.dataset.id)"
    )
    assert shown == [p["id"] for p in expected["foundations"]]
    page.click(
        "li.gx-area[data-area='1'] .gx-area-name", position={"x": 12, "y": 8}
    )  # its start: the search results cover the rest
    assert "this area" in page.inner_text("#gx-missing-show")
    if shown:
        page.click(f"#gx-missing button.gx-add[data-id='{shown[0]}']")
        page.wait_for_function(
            "() => /added|error|not|could/i.test("
            "document.querySelector('#gx-missing .gx-missing-note').textContent)"
        )


def test_link_panel_explains_two_chosen_papers(page, server):
    base, _ = server
    needs(base, "/api/graphs/demo/link?a=p0&b=p3")
    open_explorer(page, base)
    click_node(page, loneliest_node(make_fixture_graph()))
    page.wait_for_selector("#gx-compare")
    page.click("#gx-compare")
    click_node(page, "p1")
    page.wait_for_selector("#gx-details .gx-link-cites")
    for part in ("shared_references", "shared_citers", "shared_terms", "similarity"):
        assert page.locator(f"#gx-details [data-part='{part}']").count() == 1


def test_reference_downloads_for_area_search_and_selection(page, server):
    base, _ = server
    needs(base, "/graphs/demo/export/bibtex?area=1")
    from graphx.sources.files import load_papers

    open_explorer(page, base)
    page.wait_for_function("window.graphxSearchReady === true")
    page.fill("#gx-search", "reinforcement")
    page.click(
        "li.gx-area[data-area='1'] .gx-area-name", position={"x": 12, "y": 8}
    )  # its start: the search results cover the rest
    G = make_fixture_graph()
    matches = sum(
        "reinforcement" in (G.nodes[n]["title"] + (G.nodes[n].get("abstract") or "")).lower() for n in G
    )
    assert matches == 11  # p1 of area 1 is titled "Attention over graphs"
    for scope, expected in (("area", 12), ("search", matches), ("selection", 12), ("map", 36)):
        for fmt, suffix in (("bibtex", ".bib"), ("ris", ".ris"), ("txt", ".txt")):
            page.click("#gx-downloads summary")
            with page.expect_download() as info:
                page.click(f"#gx-download-links a[data-format='{fmt}'][data-scope='{scope}']")
            path = Path(info.value.path())
            if fmt == "txt":
                assert len([x for x in path.read_text().splitlines() if x.strip()]) >= expected
                continue
            named = path.with_suffix(suffix)
            path.rename(named)
            assert len(load_papers([named]).papers) == expected, (scope, fmt)


def test_topic_mode_highlights_a_topic_and_dims_the_rest(page, server):
    base, _ = server
    needs(base, "/api/graphs/demo/topic?q=diffusion")
    open_explorer(page, base)
    page.select_option("#gx-search-mode", "topic")
    page.fill("#gx-search", "diffusion")
    page.keyboard.press("Enter")
    page.wait_for_function("graphx.state.topic !== null")
    topic = page.evaluate("graphx.state.topic.order")
    assert topic and page.evaluate("graphx.dimmedCount()") == 36 - len(topic)
    # The topic's papers are listed best first; those whose title or abstract names it are marked.
    listed = page.locator("#gx-results button[data-paper]")
    assert listed.evaluate_all("bs => bs.map(b => b.dataset.paper)") == topic[:20]
    answer = json.loads(urlopen(f"{base}/api/graphs/demo/topic?q=diffusion").read())
    G = make_fixture_graph()
    marked = page.locator("#gx-results button[data-paper]:has(.gx-r-names)")
    assert marked.evaluate_all("bs => bs.map(b => b.dataset.paper)") == answer["naming"]
    assert 0 < len(answer["naming"]) <= len(topic)  # a mix: tests/test_topic.py, on the trending page
    for n in answer["naming"]:
        assert "diffusion" in (G.nodes[n]["title"] + " " + (G.nodes[n].get("abstract") or "")).lower()
    assert f"{len(topic)} papers, {len(answer['naming'])} naming it" in page.inner_text(
        "#gx-results .gx-r-head"
    )
    page.click("#gx-downloads summary")
    assert page.locator("#gx-download-links a[data-scope='topic']").count() == 3
