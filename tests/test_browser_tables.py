"""The explorer over a graph stored as tables, in a real Chromium: overview, an area opened from the server,
server search that opens the area of a hit. Pages are guarded as in test_browser.py (no request leaves
127.0.0.1, no console error)."""

from __future__ import annotations

import pytest
from conftest import NEURIPS_PART_PREFIX, live_server
from test_browser import browser, click_node, drawn_pixels, open_explorer, page  # noqa: F401 (fixtures)

pytest.importorskip("pyarrow", reason="tables need pyarrow (pip install 'graphx[scale]')")

from graphx.store import tables  # noqa: E402

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def tables_server(neurips_papers, tmp_path_factory):
    """June 2021's 273 papers of the shipped demo, built locally and stored as tables, on a live server."""
    from graphx.build.pipeline import build_graph
    from graphx.options import BuildOptions
    from webui import create_app

    cache = tmp_path_factory.mktemp("browser-tables") / "cache"
    part = [p for p in neurips_papers if p.id.startswith(NEURIPS_PART_PREFIX)]
    tables.save_graph_tables(build_graph(part, BuildOptions(seed=1), name="june"), cache, "june")
    with live_server(create_app({"CACHE_DIR": str(cache)})) as base:
        yield base, tables.open_tables(cache, "june")


def test_overview_then_an_area_from_the_server_then_search(page, tables_server):  # noqa: F811
    base, T = tables_server
    open_explorer(page, base, name="june")
    # The overview of areas, with no paper in the page.
    assert page.evaluate("graphx.state.mode") == "overview"
    shown = [k for k in T.area_ids() if T.area_papers(k) >= 5]
    assert page.evaluate("graphx.visibleNodeCount()") == len(shown)
    assert drawn_pixels(page) > 2000
    assert "areas of 273 papers" in page.inner_text("#gx-status")
    assert page.is_hidden("#gx-all") and page.is_hidden(".gx-missing-box")
    # Clicking an area opens it: that area's papers, loaded from the server.
    with page.expect_response(lambda r: "/api/graphs/june/areas/1" in r.url):
        click_node(page, "area:1")
    page.wait_for_function("window.graphxReady === true && location.search === '?area=1'")
    assert page.evaluate("graphx.state.mode") == "papers" and page.evaluate("graphx.state.drill") == 1
    assert page.evaluate("graphx.visibleNodeCount()") == T.area_papers(1)
    assert page.evaluate("graphx.visibleEdgeCount()") > 0
    assert page.inner_text("#gx-status").startswith("“" + T.communities[1]["label"])
    # Search asks the server over the whole map; a hit in another area opens that area on the paper.
    # A broad query, so that some of the first hits lie outside the open area whatever the partition.
    hit = next(h for h in T.search("learning", limit=10) if h["area"] != 1)
    with page.expect_response(lambda r: "/api/graphs/june/search?q=" in r.url):
        page.fill("#gx-search", "learning")
    page.wait_for_selector(f"#gx-results button[data-paper='{hit['id']}']")
    assert "matches in the whole map" in page.inner_text("#gx-results .gx-r-head")
    page.click(f"#gx-results button[data-paper='{hit['id']}']")
    page.wait_for_function(f"window.graphxReady === true && graphx.state.drill === {hit['area']}")
    page.wait_for_selector(f"#gx-details[data-paper='{hit['id']}'] .gx-d-abstract")
    assert page.evaluate("graphx.network.getSelectedNodes()") == [hit["id"]]
    page.click("#gx-overview")
    page.wait_for_function("window.graphxReady === true && graphx.state.mode === 'overview'")
    assert page.evaluate("location.search") == ""


def test_the_topic_lens_lists_its_papers_and_opens_the_area_of_one(page, tables_server):  # noqa: F811
    from graphx.topic import find_topic_in_tables

    base, T = tables_server
    open_explorer(page, base, name="june")
    found = find_topic_in_tables(T, "reinforcement learning")
    page.select_option("#gx-search-mode", "topic")
    page.fill("#gx-search", "reinforcement learning")
    with page.expect_response(lambda r: "/api/graphs/june/topic?q=" in r.url):
        page.press("#gx-search", "Enter")
    page.wait_for_selector("#gx-topic-clear")
    head = page.inner_text("#gx-results .gx-r-head")
    assert f"{len(found.topic.papers)} papers" in head and f"searched {len(found.areas)} areas" in head
    first = found.topic.papers[0]
    area = T.paper(first)["community"]
    page.click(f"#gx-results button[data-paper='{first}']")
    page.wait_for_function(f"window.graphxReady === true && graphx.state.drill === {area}")
    page.wait_for_selector(f"#gx-details[data-paper='{first}']")
    # The area's page runs the topic again: its papers there stay bright, the rest of the area dims.
    assert "topic=reinforcement" in page.evaluate("location.search")
    page.wait_for_function("graphx.state.topic !== null")
    here = {p for p in found.topic.papers if T.paper(p)["community"] == area}
    assert page.evaluate("[...graphx.state.topic.ids].sort()") == sorted(here)
    assert page.evaluate("graphx.dimmedCount()") == T.area_papers(area) - len(here)
