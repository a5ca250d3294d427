"""graphx: citation-and-similarity graph explorer for research papers."""

__version__ = "0.1.0"
