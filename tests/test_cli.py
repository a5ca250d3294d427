"""cli: the graphx command end to end on real data, its errors, and its help text."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from graphx.cli import cli
from graphx.store import graphs as graphstore

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"


@pytest.fixture
def run(tmp_path):
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(cli, [*args, "--cache-dir", str(tmp_path / "cache")], catch_exceptions=False)

    return invoke


@pytest.fixture
def lcn_graph(run, shared_data, tmp_path):
    """The three Local Citation Network sessions built as 'lcn'.

    102 of their 107 inputs are papers; the other 5 are LCN's own "Missing" placeholders or untitled.
    """
    result = run("build", "-i", str(shared_data / "localcitationnetwork-examples" / "examples.json"),
                 "--name", "lcn", "--quiet")  # fmt: skip
    assert result.exit_code == 0, result.output
    return tmp_path / "cache"


def test_build_prints_a_summary_and_stores_the_graph(lcn_graph, run):
    G = graphstore.load_graph(lcn_graph, "lcn")
    assert G.number_of_nodes() == 102
    cites = [e for e in G.edges(keys=True) if e[2] == "cites"]
    assert len(cites) == 277  # the sessions' reference links between the loaded inputs
    listing = run("list").output
    G_areas = len(G.graph["communities"])
    assert re.search(rf"^lcn\s+102\s+[\d,]+\s+{G_areas}\s", listing, re.M)
    info = run("info", "lcn").output
    assert "[0]" in info and "papers" in info


def test_build_summary_lists_edges_areas_and_times(run, shared_data):
    result = run("build", "-i", str(FIXTURES / "zotero.bib"), "-i", str(FIXTURES / "mendeley.ris"),
                 "-i", str(FIXTURES / "papers.jsonl"), "--name", "biblio")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Built 'biblio'" in result.output
    assert re.search(r"edges: [\d,]+ cites, [\d,]+ similar, [\d,]+ cocited, [\d,]+ coupled", result.output)
    # Stages in the order they ran: the text first (a helper process finds the citation edges meanwhile).
    assert re.search(r"Time: [\d.]+s \(similarity [\d.]+s, edges [\d.]+s, metrics", result.output)


@pytest.mark.parametrize("fmt", ["json", "gexf", "graphml", "csv", "html"])
def test_export_every_format(lcn_graph, run, tmp_path, fmt):
    out = tmp_path / f"out-{fmt}"
    result = run("export", "lcn", "--format", fmt, "-o", str(out))
    assert result.exit_code == 0, result.output
    if fmt == "json":
        G = nx.node_link_graph(json.loads(out.read_text()), edges="edges")
        assert G.number_of_nodes() == 102
        node = next(iter(G.nodes(data=True)))[1]
        assert {"title", "community", "community_label", "pagerank", "x", "y"} <= set(node)
    elif fmt == "graphml":
        assert nx.read_graphml(out).number_of_nodes() == 102
    elif fmt == "gexf":
        assert b'version="1.3"' in out.read_bytes()[:400]
    elif fmt == "csv":
        with open(out / "nodes.csv", encoding="utf-8") as fh:
            assert len(list(csv.DictReader(fh))) == 102
    else:
        page = out.read_text()
        assert "<html" in page.lower()
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", page), (
            "the page must not load anything remote"
        )


def test_export_one_area(lcn_graph, run, tmp_path):
    out = tmp_path / "area0.json"
    assert run("export", "lcn", "--format", "json", "--area", "0", "-o", str(out)).exit_code == 0
    data = json.loads(out.read_text())
    assert {n["community"] for n in data["nodes"]} == {0}
    bad = run("export", "lcn", "--area", "999", "-o", str(tmp_path / "x.gexf"))
    assert bad.exit_code == 1 and "graphx info lcn" in bad.output


def test_bad_file_is_one_clear_error_and_keeps_previous_graph(lcn_graph, run):
    result = run("build", "-i", str(FIXTURES / "bad.jsonl"), "--name", "lcn")
    assert result.exit_code == 1
    assert "bad.jsonl" in result.output and "line" in result.output and "--skip-bad" in result.output
    assert "Traceback" not in result.output
    assert graphstore.load_graph(lcn_graph, "lcn").number_of_nodes() == 102


def test_skip_bad_loads_good_rows_and_reports(run, tmp_path):
    result = run("build", "-i", str(FIXTURES / "bad.jsonl"), "--skip-bad", "--name", "good")
    assert result.exit_code == 0, result.output
    assert re.search(r"skipped [1-9]\d* bad entries", result.output)
    G = graphstore.load_graph(tmp_path / "cache", "good")
    assert {"ok1", "ok2"} <= set(G)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["build"], "Nothing to build from"),
        (["build", "-i", "missing.jsonl"], "missing.jsonl"),
        (["build", "-i", str(FIXTURES / "papers.jsonl"), "--name", "../x"], "not allowed"),
        (["build", "-i", str(FIXTURES / "papers.jsonl"), "--weights", "cites=lots"], "KIND=NUMBER"),
        (["build", "-i", str(FIXTURES / "papers.jsonl"), "--top-k", "0"], "--top-k"),
        (["info", "nothing-here"], "graphx list"),
        (["export", "nothing-here"], "graphx list"),
    ],
)
def test_errors_name_the_problem_and_the_fix(run, args, expected):
    result = run(*args)
    assert result.exit_code == 1
    assert expected in result.output
    assert "Traceback" not in result.output


def test_every_command_has_help_and_is_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    for name, command in cli.commands.items():
        assert command.help and len(command.help) > 20, name
        assert f"graphx {name}" in readme, f"README does not document `graphx {name}`"
        result = CliRunner().invoke(cli, [name, "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output


def test_python_m_graphx_runs():
    result = subprocess.run(
        [sys.executable, "-m", "graphx", "--help"], capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 0
    assert "build" in result.stdout and "export" in result.stdout


def test_build_from_a_semantic_scholar_query_then_offline(run, s2_server, tmp_path):
    """graphx build --query against the local S2 server (real NeurIPS/ICML papers in S2 shapes)."""
    args = ["build", "--query", "bandit", "--max-papers", "60", "--api-url", s2_server.url,
            "--requests-per-s", "0", "--name", "bandits", "--quiet"]  # fmt: skip
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert re.search(r"Semantic Scholar: 60 papers \(0 from the cache, \d+ requests\)", result.output)
    G = graphstore.load_graph(tmp_path / "cache", "bandits")
    assert G.number_of_nodes() == 60
    assert any("bandit" in c["label"] for c in G.graph["communities"])
    served = len(s2_server.log)
    again = run(*args, "--offline")
    assert again.exit_code == 0, again.output
    assert len(s2_server.log) == served, "--offline sent requests"
    assert "60 from the cache" in again.output


def test_readme_lists_exactly_the_export_formats():
    from graphx.export import FORMATS

    readme = (ROOT / "README.md").read_text()
    listed = re.search(r"--format ([a-z\\|]+)", readme)
    assert listed and listed.group(1).split("\\|") == list(FORMATS)


# --- hostile environments: damaged cache files, odd export targets -------------------------------------


@pytest.fixture
def demo_cache(tmp_path):
    from conftest import make_fixture_graph

    graphstore.save_graph(make_fixture_graph(), tmp_path / "cache", "demo")
    return tmp_path / "cache"


def clear_error(result, *expected: str) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    for text in expected:
        assert text in result.output


@pytest.mark.parametrize("damage", [b"", b'{"nodes": [', b"\x00\x01garbage", b"[" * 100_000])
def test_a_damaged_graph_file_names_itself_and_the_way_out(demo_cache, run, damage):
    (demo_cache / "graphs" / "demo" / "graph.json").write_bytes(damage)
    for args in (["info", "demo"], ["export", "demo", "-o", "x.gexf"]):
        clear_error(run(*args), "graph.json", "damaged", "graphx build --name demo")


def test_add_to_a_graph_without_meta_json_is_a_clear_error(demo_cache, run):
    (demo_cache / "graphs" / "demo" / "meta.json").unlink()
    clear_error(run("add", "demo", "-i", str(FIXTURES / "papers.jsonl")), "meta.json", "damaged")


@pytest.mark.parametrize("size", [0, 100, 3000])
def test_a_damaged_papers_database_names_itself_and_the_way_out(demo_cache, run, tmp_path, size):
    good = tmp_path / "good"
    run_ok = CliRunner().invoke(
        cli,
        ["build", "-i", str(FIXTURES / "papers.jsonl"), "--name", "p", "--quiet", "--cache-dir", str(good)],
    )
    assert run_ok.exit_code == 0, run_ok.output
    data = (good / "papers.sqlite").read_bytes()
    damaged = data[:size] + b"not sqlite" if size else b"garbage " * 500
    (demo_cache / "papers.sqlite").write_bytes(damaged)
    result = run("build", "-i", str(FIXTURES / "papers.jsonl"), "--name", "again", "--quiet")
    clear_error(result, str(demo_cache / "papers.sqlite"), "damaged", "Delete it")


def test_exports_to_impossible_places_are_clear_errors(demo_cache, run, tmp_path):
    a_file = tmp_path / "plain.txt"
    a_file.write_text("x")
    clear_error(run("export", "demo", "-o", str(tmp_path)), "is a folder")
    clear_error(run("export", "demo", "-o", str(a_file / "x.gexf")), "is a file")
    clear_error(run("export", "demo", "-o", "/proc/graphx-test.gexf"), "/proc")
    clear_error(run("export", "demo", "-f", "json", "-o", "/dev/full"), "not a regular file")
    assert Path("/dev/full").is_char_device()


def test_export_to_standard_output(demo_cache, run, tmp_path):
    result = run("export", "demo", "-f", "json", "-o", "-")
    assert result.exit_code == 0
    assert len(json.loads(result.stdout_bytes)["nodes"]) == 36
    assert not Path("-").exists()
