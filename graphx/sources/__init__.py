"""Where papers come from: local files (:mod:`graphx.sources.files`)."""

from graphx.sources.files import LoadResult, Skipped, load_papers, read_citation_edges, read_papers_file

__all__ = ["LoadResult", "Skipped", "load_papers", "read_citation_edges", "read_papers_file"]
