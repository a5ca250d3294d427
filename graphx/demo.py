"""The demo corpus that ships inside the package: 6,545 NeurIPS/ICML papers and their citations.

Titles and abstracts are arXiv metadata (CC0); see ``graphx/data/demo/PROVENANCE.md``. ``graphx build
--demo``, ``graphx demo`` and :func:`graphx.demo_papers` read it, so graphx can be tried with nothing but
the package.

Examples
--------
>>> papers_file, edges_file = demo_files()
>>> papers_file.name, edges_file.name
('papers.jsonl.gz', 'edges.tsv.gz')
"""

from __future__ import annotations

from pathlib import Path

from graphx.paper import Paper

__all__ = ["DEMO_DIR", "DEMO_NAME", "demo_files", "demo_papers"]

DEMO_DIR = Path(__file__).resolve().parent / "data" / "demo"
DEMO_NAME = "demo"  # the graph name of `graphx build --demo` and `graphx demo`
PAPERS_FILE = "papers.jsonl.gz"
EDGES_FILE = "edges.tsv.gz"


def demo_files() -> tuple[Path, Path]:
    """The demo's papers file and citation edge file (gzipped JSON Lines and TSV)."""
    return DEMO_DIR / PAPERS_FILE, DEMO_DIR / EDGES_FILE


def demo_papers() -> list[Paper]:
    """The 6,545 demo papers, each with its references to other demo papers.

    Examples
    --------
    >>> papers = demo_papers()
    >>> len(papers), sum(len(p.references) for p in papers)
    (6545, 30762)
    """
    from graphx.sources.files import load_papers

    papers_file, edges_file = demo_files()
    return load_papers([papers_file], citations=[edges_file]).papers
