"""What graphx keeps on disk: fetched papers (:mod:`graphx.store.papers`, SQLite) and built graphs
(:mod:`graphx.store.graphs`, one folder per graph)."""
