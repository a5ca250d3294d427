"""Semantic Scholar's bulk datasets (S2AG releases) as an input: read, filtered, and written.

A release is gzipped JSON-lines shards per dataset (``papers``, ``abstracts``, ``citations``, optionally
``embeddings`` and ``tldrs``) joined by corpus id. :func:`read_release` streams them for the local
engine, keeping only the papers an :class:`S2AGFilter` keeps (papers shards first, to pick the ids;
then the other datasets, keeping only rows of those ids); :func:`write_release` writes any papers as a
linked release in the same format. A paper's id is ``"CorpusId:<n>"`` (:func:`paper_id`).
"""

from graphx.sources.s2ag.filter import S2AGFilter, filter_from_options, read_corpus_ids
from graphx.sources.s2ag.reader import ReleaseRead, load_release, read_release
from graphx.sources.s2ag.records import ID_PREFIX, corpus_number, joined_fields, paper_id, paper_record
from graphx.sources.s2ag.shards import (
    DATASETS,
    LAYOUT_HINT,
    ReadLog,
    is_release,
    iter_rows,
    release_files,
    row_dataset,
)
from graphx.sources.s2ag.writer import write_release, write_synthetic_release

__all__ = [
    "DATASETS",
    "ID_PREFIX",
    "LAYOUT_HINT",
    "ReadLog",
    "ReleaseRead",
    "S2AGFilter",
    "corpus_number",
    "filter_from_options",
    "is_release",
    "iter_rows",
    "joined_fields",
    "load_release",
    "paper_id",
    "paper_record",
    "read_corpus_ids",
    "read_release",
    "release_files",
    "row_dataset",
    "write_release",
    "write_synthetic_release",
]
