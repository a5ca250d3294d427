"""``graphx build --demo`` and ``graphx demo`` (graphx/cli/demo.py): the shipped corpus as an input."""

from __future__ import annotations

from click.testing import CliRunner

from graphx.cli import cli
from graphx.store.graphs import load_meta


def test_build_demo_reads_the_shipped_corpus_with_its_citations():
    result = CliRunner().invoke(cli, ["build", "--demo", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "6,545 papers (--dry-run: nothing built)" in result.output
    assert "papers.jsonl.gz" in result.output  # the note of what was read, on stderr


def test_build_demo_names_the_graph_demo(tmp_path, neurips_papers):
    # Only the build's naming and inputs are checked here; the full corpus build is tested elsewhere.
    result = CliRunner().invoke(
        cli, ["build", "--demo", "--cache-dir", str(tmp_path), "--quiet", "--resolution", "2", "--top-k", "5"]
    )
    assert result.exit_code == 0, result.output
    meta = load_meta(tmp_path, "demo")
    assert meta["counts"]["papers"] == len(neurips_papers)
    assert any(i.endswith("edges.tsv.gz") for i in meta["inputs"])
