"""The table store's layout: file names, column types, row-group sizes; and pyarrow, imported on demand."""

from __future__ import annotations

from graphx.errors import ConfigError
from graphx.store import graphs as graphstore

STORE_NAME = "tables"
NODES_FILE = graphstore.TABLES_FILE
TEXTS_FILE = "texts.parquet"
EDGES_FILE = "edges.parquet"
AREAS_FILE = "areas.parquet"
LINKS_FILE = "links.parquet"
SUBAREAS_FILE = "subareas.parquet"
SUBLINKS_FILE = "sublinks.parquet"
SEARCH_FILE = "search.sqlite"
# Row-group sizes: an area of ~5,000 papers touches one or two groups of nodes (a few MB) and of edges.
NODE_ROW_GROUP = 16_384
TEXT_ROW_GROUP = 4_096
EDGE_ROW_GROUP = 65_536
PARQUET_COMPRESSION = "zstd"
SEARCH_BATCH = 20_000
SQL_VARIABLES = 500  # ids per IN (...) query, well under SQLite's limit on bound variables
DEFAULT_SEARCH_LIMIT = 50
MAX_SEARCH_LIMIT = 1000
# Search ranking: a query word in the title counts this many times one in the abstract (FTS5 bm25).
TITLE_WEIGHT = 3.0
AUTHORS_SEP = "; "
# Words a query may hold that say nothing about a paper (as the explorer's own search drops them).
STOP_WORDS = frozenset("a an and are as at by for from in is of on or the to via with".split())

# Node columns and their Arrow types; the first two are required, the rest default to null (or 0).
NODE_STRINGS = ("id", "title", "venue", "authors", "doi", "arxiv", "url", "s2_id", "tldr", "publication_date")
NODE_INTS = {"year": "int32", "citation_count": "int64", "in_citations": "int32", "degree": "int32"}
NODE_AREAS = ("community", "subcommunity")
NODE_FLOATS = {"pagerank": "float64", "x": "float32", "y": "float32"}
# Absent on a node when unknown (docs/graph-format.md) rather than 0.
OPTIONAL_INTS = frozenset({"year"})


def arrow():
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.parquet as pq
    except ImportError:  # pragma: no cover - the test extra installs it
        raise ConfigError(
            "Graphs stored as tables need pyarrow: pip install 'graphx[scale]' (or pip install pyarrow)."
        ) from None
    return pa, pc, pq
