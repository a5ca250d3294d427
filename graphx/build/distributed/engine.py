"""The Dask build: an S2AG release folder in, a table-store graph out (see the package docstring)."""

from __future__ import annotations

import math
import operator
import os
import re
import shutil
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import igraph as ig
import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from graphx.atomic import atomic_write
from graphx.build import communities, layout, parallel
from graphx.build.distributed import blocks, cluster, read
from graphx.build.distributed import labels as dlabels
from graphx.build.distributed import text as dtext
from graphx.build.distributed.shards import shard_rows
from graphx.build.edgearrays import unique_sorted
from graphx.build.embedding import MODEL_DIM
from graphx.build.metrics import PAGERANK_ALPHA
from graphx.build.runner import StageTimer
from graphx.build.similarity import _select
from graphx.errors import ConfigError
from graphx.options import BuildOptions
from graphx.palette import area_color
from graphx.paper import normalize_title
from graphx.progress import Progress
from graphx.sources.s2ag import ID_PREFIX, S2AGFilter, release_files

STAGES = (
    "read", "duplicates", "tfidf", "similarity", "citations", "strengths", "metrics", "communities",
    "labels", "layout", "save",
)  # fmt: skip
SYMMETRIC_KINDS = ("similar", "cocited", "coupled")
# Papers per partition after the join: one tokenising task and one top-k block each.
ROWS_PER_PARTITION = 50_000
# Key ranges the document frequencies are summed in (at 1M papers ~100M distinct terms, mostly once).
FREQUENCY_BUCKETS = 8
# A block search's worker holds about this many times the matrix's files (its cached copy, the copies
# and transposes top_k_pairs makes, the embedding): measured 2.9 at a million papers (6.1 GB peak for
# 2.1 GB of files). At 4, neither 7 GB worker had room and one worker ran all 24 blocks (10.5 min).
MATRIX_FOOTPRINT = 3
TOP_PAPERS = 5


def node_id(corpusid: int) -> str:
    """The node id of a corpus id: the local engine's S2AG reader names papers the same way."""
    return f"{ID_PREFIX}{corpusid}"


def build_tables(
    release_dir: str | os.PathLike,
    name: str,
    options: BuildOptions | None = None,
    *,
    filt: S2AGFilter | None = None,
    cache_dir: str | os.PathLike,
    scheduler: str | None = None,
    n_workers: int | None = None,
    memory_limit: int | str | None = None,
    progress: Progress | None = None,
    keep_work: bool = False,
    processes: int = parallel.AUTO,
) -> Path:
    """Build the graph of an S2AG release on Dask and store it as tables (``CACHE/graphs/NAME``).

    ``scheduler`` (``tcp://HOST:PORT``) runs on an existing cluster whose workers can read
    ``release_dir`` and ``cache_dir``; without it an embedded ``LocalCluster`` of ``n_workers``
    processes of ``memory_limit`` bytes each (from the machine: :mod:`.cluster`). Per-stage seconds,
    the workers and their peak memory land in the stored metadata (``timings_s``, ``dask``).
    ``processes`` as for the local engine (:func:`graphx.build.parallel.helper_wanted`): whether the
    client shares its igraph work with a helper process (never above ``HELPER_MAX_PAPERS`` papers).
    """
    from graphx.store.graphs import check_name

    check_name(name)
    options = options or BuildOptions()
    files = _release_files(release_dir)
    work = cluster.work_folder(cache_dir, name)
    started = time.perf_counter()
    try:
        with cluster.dask_client(
            scheduler, n_workers=n_workers, memory_limit=memory_limit, local_directory=work / "dask"
        ) as client:
            build = _Build(client, files, work, options, filt, StageTimer(progress, None), processes)
            tables = build.run()
            usage = cluster.worker_usage(client)
            n_workers = len(client.scheduler_info()["workers"])
        stage = build.stage
        tables["meta"].update(
            name=name,
            inputs=[str(release_dir)],
            engine="dask",
            dask={
                "scheduler": scheduler or "LocalCluster",
                "workers": n_workers,
                "worker_peak_bytes": [u[0] for u in usage.values()],
                "worker_cpu_s": [round(u[1], 2) for u in usage.values()],
                "client_peak_bytes": cluster.client_peak_bytes(),
            },
        )
        folder = stage("save", lambda: _save(cache_dir, name, tables))
        tables["meta"]["timings_s"] = stage.timings
        tables["meta"]["timings_s"]["total"] = round(time.perf_counter() - started, 3)
        _rewrite_meta(folder, tables["meta"])
        return folder
    finally:
        if not keep_work:
            shutil.rmtree(work, ignore_errors=True)


def _release_files(release_dir) -> dict[str, list[Path]]:
    files = release_files(release_dir)
    if not files.get("papers"):
        raise ConfigError(f"No papers shards in {release_dir}: expected papers/*.jsonl.gz.")
    return files


class _Build:
    def __init__(self, client, files, work: Path, options, filt, stage: StageTimer, processes: int):
        self.client, self.files, self.work, self.options, self.filt = client, files, work, options, filt
        self.stage, self.processes = stage, processes
        self.n_workers = max(1, len(client.scheduler_info()["workers"]))
        self.notes: list[str] = []

    def run(self) -> dict:
        o = self.options
        self.stage("read", self.read)
        self.stage("duplicates", self.duplicates)
        self.stage("tfidf", self.tfidf)
        self.stage("similarity", self.similarity)
        self.stage("citations", self.citations)
        self.stage("strengths", self.strengths)
        self.stage("metrics", self.metrics)
        # The client's own igraph work, shared with a helper process as in the local engine: half the
        # Leiden runs, then the layout while the workers count the label terms. Not above
        # HELPER_MAX_PAPERS, where its copy of the graph would not fit the cluster's memory budget.
        processes = self.processes if self.n <= HELPER_MAX_PAPERS else parallel.ONE
        with parallel.helper(self.n, processes) as self.helper:
            self.stage("communities", self.communities)
            laid = self._lay_out()
            self.stage("labels", self.labels)
            self.stage("layout", lambda: self._place(laid.result()))
        if self.helper.warning:
            self.warnings.append(self.helper.warning)
        helper = self.helper.report()
        return {
            **self.tables(),
            "meta": {
                "parameters": asdict(o),
                "seed": o.seed,
                "versions": _versions(),
                "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "warnings": self.warnings,
                "notes": self.notes,
                **({"helper": helper} if helper is not None else {}),
                "counts": {
                    "papers": self.n,
                    "edges": dict(self.edge_counts),
                    "areas": int(self.area.max() + 1) if self.n else 0,
                    "subareas": int(self.sub.max() + 1) if self.n else 0,
                },
            },
        }

    # ------------------------------------------------------------------ read and join (Dask dataframes)

    def read(self) -> None:
        import dask
        import dask.dataframe as dd

        filt = self.filt if self.filt is not None and not self.filt.is_empty else None
        shard_filter = filt
        self.query_filter = filt if filt is not None and filt.terms else None
        meta_p = pd.DataFrame({c: pd.Series(dtype=t) for c, t in read.PAPER_COLUMNS.items()})
        papers = dd.from_delayed(
            [
                dask.delayed(read.read_papers)(str(f), k, shard_filter)
                for k, f in enumerate(self.files["papers"])
            ],
            meta=meta_p,
        )
        meta_a = pd.DataFrame({"corpusid": pd.Series(dtype="int64"), "abstract": pd.Series(dtype=object)})
        parts = [dask.delayed(read.read_abstracts)(str(f)) for f in self.files.get("abstracts", [])]
        if parts:
            abstracts = dd.from_delayed(parts, meta=meta_a).drop_duplicates(subset="corpusid")
            joined = papers.merge(abstracts, on="corpusid", how="left")
        else:
            joined = papers.assign(abstract=None)
        joined = joined.drop_duplicates(subset="corpusid")
        if self.query_filter is not None:
            joined = joined.map_partitions(_query_rows, self.query_filter, meta=joined._meta)
        # Papers in release order (shard, line), in partitions of about ROWS_PER_PARTITION: known
        # divisions, so no pass to sample quantiles.
        joined = joined.set_index("order", divisions=self._divisions(), sorted=False).reset_index()
        joined.to_parquet(self.work / "papers", write_index=False)
        files = (self.work / "papers").glob("*.parquet")
        self.paper_files = [str(p) for p in sorted(files, key=lambda p: int(re.findall(r"\d+", p.name)[-1]))]

    def _divisions(self) -> list[int]:
        """Boundaries of ``order`` (shard << 32 + line) cutting each shard into pieces of about
        ROWS_PER_PARTITION lines (shard lengths estimated from the first shard)."""
        shards = self.files["papers"]
        per_shard = max(1, shard_rows(shards[0]))
        pieces = max(
            1, math.ceil(per_shard / ROWS_PER_PARTITION), math.ceil(2 * self.n_workers / len(shards))
        )
        step = math.ceil(per_shard / pieces)
        cuts = [(k << 32) + j * step for k in range(len(shards)) for j in range(pieces)]
        return [*cuts, len(shards) << 32]

    def duplicates(self) -> None:
        """Corpus ids are unique after the join; records sharing a DOI, arXiv id or normalised title
        (the local engine's keys) merge into the lowest corpus id: connected components of the
        "same paper" pairs, on the client (4 short columns)."""
        cols = ["corpusid", "doi", "arxiv", "title"]
        frames = self.client.gather(self.client.map(_columns, self.paper_files, columns=cols))
        keys = pd.concat(frames, ignore_index=True)
        sizes = np.array([len(f) for f in frames])
        n = len(keys)
        if n == 0:
            raise ConfigError(
                "No papers left after the filters: loosen --fields-of-study/--year-from/--venue."
            )
        keys["ntitle"] = [normalize_title(t) for t in keys["title"]]
        keys.loc[keys["ntitle"].str.len() < 10, "ntitle"] = None
        rows, cols_ = [], []
        idx = np.arange(n)
        for key in ("doi", "arxiv", "ntitle"):
            k = keys[key]
            present = k.notna().to_numpy()
            if not present.any():
                continue
            codes, uniques = pd.factorize(k[present])
            first = np.full(len(uniques), n, dtype=np.int64)
            np.minimum.at(first, codes, idx[present])
            rows.append(idx[present])
            cols_.append(first[codes])
        keep = np.ones(n, dtype=bool)
        root = np.arange(n)
        if rows:
            from scipy.sparse.csgraph import connected_components

            r, c = np.concatenate(rows), np.concatenate(cols_)
            graph = sp.csr_matrix((np.ones(len(r)), (r, c)), shape=(n, n))
            _, label = connected_components(graph, directed=False)
            corpus = keys["corpusid"].to_numpy()
            # The survivor of each group: its lowest corpus id.
            order = np.lexsort((corpus, label))
            first_of = np.full(label.max() + 1, -1)
            first_of[label[order[::-1]]] = order[::-1]
            root = first_of[label]
            keep = root == idx
        corpus = keys["corpusid"].to_numpy()
        self.alias = pd.DataFrame({"corpusid": corpus[~keep], "target": corpus[root[~keep]]})
        self.n = int(keep.sum())
        self.corpus = corpus[keep]
        self.ids = [node_id(int(c)) for c in self.corpus]
        bounds = np.concatenate([[0], np.cumsum(sizes)])
        self.part_keep = [keep[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
        self.offsets = np.concatenate([[0], np.cumsum([k.sum() for k in self.part_keep])]).astype(np.int64)
        self.years = None

    # ------------------------------------------------------------------ text: hashed TF-IDF, embedding

    def tfidf(self) -> None:
        o = self.options
        embed = o.text_embedding_weight > 0
        (self.work / "tf").mkdir(exist_ok=True)
        self.term_parts = [str(self.work / "tf" / f"{i:05d}-terms.npz") for i in range(len(self.paper_files))]
        futures = [
            self.client.submit(_terms_part, f, k, out, embed, pure=False)
            for f, k, out in zip(self.paper_files, self.part_keep, self.term_parts, strict=True)
        ]
        has_embedding = self.client.gather([self.client.submit(_third, f) for f in futures])
        # Document frequencies summed on the workers, one task per range of keys (a shuffle by key);
        # only the kept keys come back.
        n_buckets = max(1, min(FREQUENCY_BUCKETS, len(futures)))
        split = [self.client.submit(_split_frequencies, f, n_buckets, pure=False) for f in futures]
        kept = self.client.gather(
            [
                self.client.submit(
                    _bucket_vocabulary, b, self.n,
                    *[self.client.submit(operator.getitem, f, b, pure=False) for f in split], pure=False,
                )
                for b in range(n_buckets)
            ]
        )  # fmt: skip
        vocab = np.concatenate([k[0] for k in kept])
        idf = np.concatenate([k[2] for k in kept])
        del futures, split
        np.save(self.work / "vocabulary.npy", vocab)
        np.save(self.work / "idf.npy", idf)
        self.n_terms = len(vocab)
        sizes = np.diff(self.offsets)
        self.tfidf_parts = self.client.gather(
            [
                self.client.submit(_scale_part, t, int(m), str(self.work), pure=False)
                for t, m in zip(self.term_parts, sizes, strict=True)
            ]
        )
        self.embedding_parts = (
            [t.replace("-terms.npz", "-embedding.npy") for t in self.term_parts]
            if embed and all(has_embedding)
            else None
        )
        self.warnings = []
        if embed and not all(has_embedding):
            from graphx.build.embedding import unavailable_reason

            self.warnings.append(unavailable_reason() or "semantic embedding unavailable: TF-IDF only")

    def _blocks(self) -> list[tuple[int, int]]:
        return [(int(a), int(b)) for a, b in zip(self.offsets[:-1], self.offsets[1:], strict=True) if b > a]

    def _matrix_workers(self, paths: list[str]) -> list[str] | None:
        """Workers that may hold a whole matrix for the block searches: those with room for
        MATRIX_FOOTPRINT times its files (the cached copy, top_k_pairs' copies and transposes); at
        least one. None: every worker."""
        size = sum(Path(p).stat().st_size for p in paths if Path(p).is_file())
        workers = self.client.scheduler_info()["workers"]
        limit = {a: w.get("memory_limit") or 0 for a, w in workers.items()}
        room = [a for a in workers if not limit[a] or limit[a] > MATRIX_FOOTPRINT * size]
        if len(room) == len(workers):
            return None
        chosen = room or [max(workers, key=limit.get)]
        self.notes.append(
            f"block searches on {len(chosen)} of {len(workers)} workers (matrix files {size / 2**30:.1f} GB)"
        )
        return chosen

    def similarity(self) -> None:
        o = self.options
        where = self._matrix_workers(self.tfidf_parts + (self.embedding_parts or []))
        futures = [
            self.client.submit(
                blocks.similar_block, self.tfidf_parts, self.embedding_parts, a, b,
                top_k=o.top_k, text_embedding_weight=o.text_embedding_weight, pure=False,
                workers=where,
            )
            for a, b in self._blocks()
        ]  # fmt: skip
        parts = self.client.gather(futures)
        self._forget("tfidf:")
        self._forget("embedding:")
        i = np.concatenate([p[0] for p in parts])
        j = np.concatenate([p[1] for p in parts])
        s = np.concatenate([p[2] for p in parts])
        del parts
        # A pair found from both of its papers' blocks: one copy, the higher score (as top_k_pairs).
        order = np.lexsort((-s, j, i))
        i, j, s = i[order], j[order], s[order]
        first = np.ones(len(i), dtype=bool)
        first[1:] = (i[1:] != i[:-1]) | (j[1:] != j[:-1])
        i, j, s = _select(i[first], j[first], s[first], top_k=o.top_k, min_score=o.min_similarity)
        self._write_edges("similar", i, j, s)

    # ------------------------------------------------------------------ citations: joins, then blocks

    def citations(self) -> None:
        """Citation rows joined to the paper table on both ends (a broadcast join: the id table is
        one partition), aliases of merged duplicates resolved; rows touching no paper dropped."""
        import dask
        import dask.dataframe as dd

        cit_files = self.files.get("citations", [])
        ids = pd.DataFrame({"corpusid": self.corpus, "row": np.arange(self.n, dtype=np.int64)})
        self.cite_rows = np.zeros((0, 2), dtype=np.int64)
        if not cit_files:
            self.refs = self.citers = np.zeros((0, 2), dtype=np.int64)
            return
        meta = pd.DataFrame({"citing": pd.Series(dtype="int64"), "cited": pd.Series(dtype="int64")})
        cit = dd.from_delayed([dask.delayed(read.read_citations)(str(f)) for f in cit_files], meta=meta)
        table = dd.from_pandas(ids, npartitions=1)
        alias = dd.from_pandas(self.alias, npartitions=1)
        for side in ("citing", "cited"):
            cit = cit.merge(
                alias.rename(columns={"corpusid": side, "target": f"{side}_to"}), on=side, how="left"
            )
        cit = cit.map_partitions(_resolve_aliases, meta=meta)
        cit = cit.merge(table.rename(columns={"corpusid": "citing", "row": "src"}), on="citing", how="left")
        cit = cit.merge(table.rename(columns={"corpusid": "cited", "row": "dst"}), on="cited", how="left")
        meta_rows = meta.assign(src=pd.Series(dtype="int64"), dst=pd.Series(dtype="int64"))
        cit = cit.map_partitions(_touching_papers, meta=meta_rows)
        cit.to_parquet(self.work / "citations", write_index=False)
        frame = pd.read_parquet(self.work / "citations", columns=["citing", "cited", "src", "dst"])
        src, dst = frame["src"].to_numpy(), frame["dst"].to_numpy()
        citing, cited = frame["citing"].to_numpy(), frame["cited"].to_numpy()
        del frame
        both = (src >= 0) & (dst >= 0)
        pairs = unique_sorted(src[both] * self.n + dst[both])
        self._write_edges("cites", pairs // self.n, pairs % self.n, np.ones(len(pairs), dtype=np.float32))
        # Reference sets (coupling) and citer sets (co-citation) as incidence matrices over corpus ids.
        self.incidence = {
            "coupled": _incidence(src[src >= 0], cited[src >= 0], self.n),
            "cocited": _incidence(dst[dst >= 0], citing[dst >= 0], self.n),
        }

    def strengths(self) -> None:
        o = self.options
        if not hasattr(self, "incidence"):
            for kind in ("cocited", "coupled"):
                self._write_edges(kind, np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float32))
            return
        for kind in ("cocited", "coupled"):
            path = blocks.save_matrix(self.work / f"{kind}.npz", self.incidence.pop(kind))
            where = self._matrix_workers([path])
            futures = [
                self.client.submit(
                    blocks.strength_block,
                    path,
                    a,
                    b,
                    top_k=o.top_k,
                    min_score=o.min_link_strength,
                    pure=False,
                    workers=where,
                )
                for a, b in self._blocks()
            ]
            parts = self.client.gather(futures)
            self._forget(path)
            i = np.concatenate([p[0] for p in parts])
            j = np.concatenate([p[1] for p in parts])
            s = np.concatenate([p[2] for p in parts])
            order = np.lexsort((-s, j, i))
            i, j, s = i[order], j[order], s[order]
            first = np.ones(len(i), dtype=bool)
            first[1:] = (i[1:] != i[:-1]) | (j[1:] != j[:-1])
            self._write_edges(kind, i[first], j[first], s[first])

    # ------------------------------------------------------------------ one node: metrics, areas, layout

    def metrics(self) -> None:
        n = self.n
        cu, cv, _ = self.edges["cites"]
        # A numpy array, not .tolist(): as fast for igraph, and 40M pairs as Python lists are gigabytes.
        # A list of pairs: igraph converts a numpy array element by element (3x slower).
        C = ig.Graph(n=n, edges=np.column_stack([cu, cv]).tolist(), directed=True)
        self.pagerank = np.asarray(C.pagerank(damping=PAGERANK_ALPHA), dtype=np.float64) if n else np.zeros(0)
        del C
        self.in_citations = np.bincount(cv, minlength=n)
        codes = unique_sorted(
            np.concatenate(
                [np.minimum(u, v).astype(np.int64) * n + np.maximum(u, v) for u, v, _ in self.edges.values()]
            )
        )
        self.degree = np.bincount(codes // max(n, 1), minlength=n) + np.bincount(
            codes % max(n, 1), minlength=n
        )

    def communities(self) -> None:
        o = self.options
        self.weighted = _weighted_graph(self.n, self.edges, o.weights)
        # Nothing before the save needs the edge lists any more: they are read back from their files.
        self.edges = None
        part = communities.detect_two_levels(
            None,
            weights=o.weights,
            resolution=o.resolution,
            sub_resolution=o.sub_resolution,
            min_subarea_papers=o.min_subarea_papers,
            seed=o.seed,
            weighted=self.weighted,
            map_areas=self._subareas_on_workers,
            helper=self.helper,
        )
        self.area = np.fromiter((part.area[i] for i in range(self.n)), dtype=np.int64, count=self.n)
        self.sub = np.fromiter((part.subarea[i] for i in range(self.n)), dtype=np.int64, count=self.n)
        self.parent = dict(part.parent)

    def _subareas_on_workers(self, jobs) -> list[list[list[int]]]:
        """The sub-area search of every area as a task (:func:`communities.subareas`), largest area
        first; the client makes each area's arrays while the workers search."""
        futures = []
        for n, ends, weight, sub_resolution, seed in jobs:
            ends_f, weight_f = self.client.scatter([ends, weight])
            task = self.client.submit(
                communities.subareas, n, ends_f, weight_f, sub_resolution, seed, pure=False
            )
            futures.append(task)
            del ends_f, weight_f
        return self.client.gather(futures)

    def labels(self) -> None:
        o = self.options
        n_areas, n_subs = int(self.area.max()) + 1, int(self.sub.max()) + 1
        sampled = dlabels.sample_rows(self.sub, seed=o.seed)
        futures, part_rows = [], []
        for i, (a, b) in enumerate(self._all_blocks()):
            rows = sampled[(sampled >= a) & (sampled < b)]
            part_rows.append(rows)
            futures.append(
                self.client.submit(
                    _label_part, self.term_parts[i], b - a, str(self.work), self.paper_files[i],
                    self.part_keep[i], self.area[a:b], self.sub[a:b], n_areas, n_subs, rows - a, pure=False,
                )
            )  # fmt: skip
        # The partitions' count tables summed on the workers, in a tree (the client gets one sum, and
        # no longer adds 24 sparse tables of ~millions of entries one after another at 1M papers).
        sums = [self.client.submit(_counts_of, f, pure=False) for f in futures]
        while len(sums) > 1:
            pairs = [sums[i : i + 2] for i in range(0, len(sums), 2)]
            sums = [self.client.submit(_add_counts, *p, pure=False) if len(p) == 2 else p[0] for p in pairs]
        samples = self.client.gather([self.client.submit(_samples_of, f, pure=False) for f in futures])
        area_counts, sub_counts = sums[0].result()
        del futures, sums
        sub_texts: dict[int, list[str]] = {s: [] for s in range(n_subs)}
        names: dict[int, str] = {}
        for (texts, found), rows in zip(samples, part_rows, strict=True):
            names.update(found)
            for r, t in zip(rows.tolist(), texts, strict=True):
                sub_texts[int(self.sub[r])].append(t)
        self.area_labels, self.sub_labels = dlabels.label_two_levels(
            area_counts, sub_counts, np.bincount(self.area, minlength=n_areas),
            np.bincount(self.sub, minlength=n_subs), self.parent, sub_texts, names, max_terms=o.label_terms,
        )  # fmt: skip

    def _all_blocks(self) -> list[tuple[int, int]]:
        return [(int(a), int(b)) for a, b in zip(self.offsets[:-1], self.offsets[1:], strict=True)]

    def _lay_out(self) -> parallel.Pending:
        """The layout (:func:`layout.positions`), in the helper process if there is one (then while the
        labels are found), else here when asked for; the client lets its graph go once it is sent."""
        g, _ = self.weighted  # vertex i is row i (_weighted_graph): positions come in row order
        area, sub, seed = self.area, self.sub, self.options.seed
        here = lambda: layout.positions(g, area, sub, seed)  # noqa: E731
        laid = layout.positions_there(self.helper, g, area, sub, seed, here)
        self.weighted = None
        return laid

    def _place(self, P: np.ndarray) -> None:
        self.xy = np.round(P.astype(np.float32), 2)

    # ------------------------------------------------------------------ tables

    def tables(self) -> dict:
        import pyarrow as pa
        import pyarrow.parquet as pq

        cols = ["corpusid", "title", "year", "venue", "authors", "doi", "arxiv", "url", "citation_count"]
        frames = []
        texts = []
        for path, keep in zip(self.paper_files, self.part_keep, strict=True):
            t = pq.read_table(path, columns=[*cols, "abstract"])
            t = t.filter(pa.array(keep))
            texts.append(t.select(["abstract"]))
            frames.append(t.select(cols))
        papers = pa.concat_tables(frames)
        ids = pa.array(self.ids, type=pa.string())
        count = papers["citation_count"].to_numpy(zero_copy_only=False)
        count = np.where(np.isnan(count.astype(float)), self.in_citations, count).astype(np.int64)
        nodes = pa.table(
            {
                "id": ids,
                "title": papers["title"],
                "year": papers["year"].cast(pa.int32()),
                "venue": papers["venue"],
                "authors": papers["authors"],
                "doi": papers["doi"],
                "arxiv": papers["arxiv"],
                "url": papers["url"],
                "citation_count": pa.array(count),
                "in_citations": pa.array(self.in_citations.astype(np.int64)),
                "degree": pa.array(self.degree.astype(np.int64)),
                "pagerank": pa.array(self.pagerank),
                "community": pa.array(self.area),
                "subcommunity": pa.array(self.sub),
                "x": pa.array(self.xy[:, 0]),
                "y": pa.array(self.xy[:, 1]),
            }
        )
        abstracts = pa.concat_tables(texts)["abstract"]
        text_table = pa.table({"id": ids, "abstract": abstracts})
        edge_parts = []
        for kind in self.edge_counts:
            u, v, w = self._read_edges(kind)
            edge_parts.append(
                pa.table(
                    {
                        "u": ids.take(pa.array(u)),
                        "v": ids.take(pa.array(v)),
                        "kind": pa.array(np.full(len(u), kind, dtype=object), type=pa.string()),
                        "weight": pa.array(w.astype(np.float32)),
                    }
                )
            )
        edges = pa.concat_tables(edge_parts)
        years = papers["year"].to_numpy(zero_copy_only=False)
        return {
            "nodes": nodes,
            "edges": edges,
            "texts": text_table,
            "communities": self._summaries(self.area, self.area_labels, years),
            "subcommunities": self._summaries(self.sub, self.sub_labels, years, parent=self.parent),
        }

    def _summaries(self, group: np.ndarray, labels: dict, years: np.ndarray, parent=None) -> list[dict]:
        """As :func:`graphx.build.labels.summarise`, from arrays."""
        area_sizes = np.bincount(self.area)
        out = []
        order = np.lexsort((-self.pagerank, group))
        starts = np.searchsorted(group[order], np.arange(group.max() + 2))
        years = np.asarray(years, dtype=float)
        for c in range(int(group.max()) + 1):
            members = order[starts[c] : starts[c + 1]]
            if len(members) == 0:
                continue
            known = years[members][~np.isnan(years[members])]
            area = parent[c] if parent is not None else c
            entry = {
                "id": c,
                "label": ", ".join(labels[c]),
                "terms": list(labels[c]),
                "size": int(len(members)),
                "years": [int(known.min()), int(known.max())] if len(known) else None,
                "top_papers": [self.ids[i] for i in members[:TOP_PAPERS]],
                "color": area_color(area, int(area_sizes[area])),
            }
            if parent is not None:
                entry["parent"] = parent[c]
            out.append(entry)
        return out

    # ------------------------------------------------------------------ helpers

    def _write_edges(self, kind: str, u: np.ndarray, v: np.ndarray, w: np.ndarray) -> None:
        """Keep an edge list and write it as Parquet (``WORK/edges/KIND.parquet``): rows, weight."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        if not hasattr(self, "edges"):
            self.edges, self.edge_counts = {}, {}
        # Rows as int32 (a million papers' ~47M edges: 0.56 GB, against 0.94 GB as int64).
        u, v, w = np.asarray(u, np.int32), np.asarray(v, np.int32), np.asarray(w, np.float32)
        (self.work / "edges").mkdir(exist_ok=True)
        pq.write_table(pa.table({"u": u, "v": v, "weight": w}), self.work / "edges" / f"{kind}.parquet")
        self.edges[kind] = (u, v, w)
        self.edge_counts[kind] = len(u)

    def _read_edges(self, kind: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        import pyarrow.parquet as pq

        t = pq.read_table(self.work / "edges" / f"{kind}.parquet")
        return tuple(t[c].to_numpy() for c in ("u", "v", "weight"))

    def _forget(self, prefix: str) -> None:
        self.client.run(blocks.forget, prefix)


# ---------------------------------------------------------------------- tasks (run on workers)


def _query_rows(frame: pd.DataFrame, filt: S2AGFilter) -> pd.DataFrame:
    """Rows whose title or abstract holds every word of the filter's query (the rest was checked on
    the shard rows)."""
    keep = [
        not filt.terms_missing(filt.terms_found(t) | filt.terms_found(a))
        for t, a in zip(frame["title"], frame["abstract"], strict=True)
    ]
    return frame[np.asarray(keep, dtype=bool)] if len(frame) else frame


def _resolve_aliases(frame: pd.DataFrame) -> pd.DataFrame:
    """Citing and cited ids of merged duplicates replaced by their surviving corpus id."""
    return pd.DataFrame(
        {
            "citing": frame["citing_to"].fillna(frame["citing"]).astype("int64"),
            "cited": frame["cited_to"].fillna(frame["cited"]).astype("int64"),
        }
    )


def _touching_papers(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows with a paper of the set on either end (row numbers, -1 outside), self-citations dropped."""
    src, dst = frame["src"], frame["dst"]
    keep = (src.notna() | dst.notna()) & (frame["citing"] != frame["cited"])
    frame = frame[keep]
    return pd.DataFrame(
        {
            "citing": frame["citing"].astype("int64"),
            "cited": frame["cited"].astype("int64"),
            "src": frame["src"].fillna(-1).astype("int64"),
            "dst": frame["dst"].fillna(-1).astype("int64"),
        }
    )


def _columns(path: str, columns: list[str]) -> pd.DataFrame:
    return pd.read_parquet(path, columns=columns)


def _terms_part(path: str, keep: np.ndarray, out: str, embed: bool) -> tuple:
    frame = pd.read_parquet(path, columns=["title", "abstract"])[keep]
    if len(frame) == 0:
        empty = np.zeros(0, dtype=np.int64)
        dtext.save_terms(Path(out), empty, empty, np.zeros(0, dtype=np.float32))
        if embed:
            np.save(out.replace("-terms.npz", "-embedding.npy"), np.zeros((0, MODEL_DIM), dtype=np.float32))
        return empty, empty, True
    texts = dtext.texts_of(frame["title"], frame["abstract"])
    rows, keys, counts = dtext.count_terms(texts)
    dtext.save_terms(Path(out), rows, keys, counts)
    has_embedding = False
    if embed:
        from graphx.build.embedding import embed_texts

        E = embed_texts(texts)
        if E is not None:
            np.save(out.replace("-terms.npz", "-embedding.npy"), np.asarray(E, dtype=np.float32))
            has_embedding = True
    uniq, df = dtext.document_frequencies(keys)
    return uniq, df, has_embedding


def _split_frequencies(result: tuple, n_buckets: int) -> list:
    return dtext.key_buckets(result[0], result[1], n_buckets)


def _bucket_vocabulary(bucket: int, n_docs: int, *pieces: tuple) -> tuple:
    keys, df = dtext.merge_frequencies(*pieces)
    return dtext.vocabulary(keys, df, n_docs)


def _third(result: tuple):
    return result[2]


def _part_counts(terms_path: str, n_rows: int, work: str) -> sp.csr_matrix:
    vocab = blocks.cached("vocabulary:" + work, lambda: np.load(Path(work) / "vocabulary.npy"))
    return dtext.count_matrix(*dtext.load_terms(Path(terms_path)), n_rows, vocab)


def _scale_part(terms_path: str, n_rows: int, work: str) -> str:
    idf = blocks.cached("idf:" + work, lambda: np.load(Path(work) / "idf.npy"))
    X = dtext.tfidf_rows(_part_counts(terms_path, n_rows, work), idf)
    out = terms_path.replace("-terms.npz", "-tfidf.npz")
    sp.save_npz(out, X, compressed=False)
    return out


def _label_part(terms_path, n_rows, work, paper_path, keep, area, sub, n_areas, n_subs, sample_rows) -> tuple:
    """One partition's papers per (area, term) and (sub-area, term), its sampled texts and the names of
    the columns they use."""
    C = _part_counts(terms_path, n_rows, work)
    A = dlabels.group_counts(C, area, n_areas)
    S = dlabels.group_counts(C, sub, n_subs)
    texts: list[str] = []
    names: dict[int, str] = {}
    if len(sample_rows):
        frame = pd.read_parquet(paper_path, columns=["title", "abstract"])[keep].iloc[sample_rows]
        texts = dtext.texts_of(frame["title"], frame["abstract"])
        vocab = blocks.cached("vocabulary:" + work, lambda: np.load(Path(work) / "vocabulary.npy"))
        names = dlabels.column_names(texts, vocab)
    return A, S, texts, names


def _counts_of(result: tuple) -> tuple:
    return result[0], result[1]


def _add_counts(a: tuple, b: tuple) -> tuple:
    return a[0] + b[0], a[1] + b[1]


def _samples_of(result: tuple) -> tuple:
    return result[2], result[3]


# ---------------------------------------------------------------------- client-side helpers


def _incidence(rows: np.ndarray, items: np.ndarray, n: int) -> sp.csr_matrix:
    """Binary paper x item matrix (distinct pairs), rows L2-normalised, as
    :func:`graphx.build.citations.incidence` builds it from sets."""
    if len(rows) == 0:
        return sp.csr_matrix((n, 1), dtype=np.float32)
    cols, inverse = np.unique(items, return_inverse=True)
    codes = unique_sorted(rows.astype(np.int64) * len(cols) + inverse)
    r, c = codes // len(cols), codes % len(cols)
    M = sp.csr_matrix((np.ones(len(r), dtype=np.float32), (r, c)), shape=(n, len(cols)), dtype=np.float32)
    return normalize(M).astype(np.float32)


# Above this many papers the Dask engine's client works alone: a helper's copy of the weighted graph
# (2-3 GB at a million papers) does not fit beside the workers in issue 12's 16 GB.
HELPER_MAX_PAPERS = 250_000


def _weighted_graph(n: int, edges: dict, weights: dict) -> tuple[ig.Graph, list]:
    """As :func:`graphx.build.communities.weighted_igraph`, from the edge lists by kind."""
    us, vs, ws = [], [], []
    for kind, (u, v, w) in edges.items():
        factor = float(weights.get(kind, 0.0))
        keep = u != v
        if factor > 0 and keep.any():
            us.append(u[keep])
            vs.append(v[keep])
            ws.append(factor * w[keep].astype(np.float64))
    if not us:
        return ig.Graph(n=n), list(range(n))
    a, b, w = np.concatenate(us), np.concatenate(vs), np.concatenate(ws)
    del us, vs, ws
    codes = np.minimum(a, b).astype(np.int64) * n + np.maximum(a, b)
    del a, b
    codes, inverse = np.unique(codes, return_inverse=True)
    summed = np.bincount(inverse, weights=w, minlength=len(codes))
    del inverse, w
    ends = np.column_stack([codes // n, codes % n]).astype(np.int32)
    del codes
    return communities.from_pairs(n, ends, summed), list(range(n))


def _save(cache_dir, name: str, tables: dict) -> Path:
    from graphx.store.tables import save_tables

    return save_tables(
        cache_dir,
        name,
        nodes=tables["nodes"],
        edges=tables["edges"],
        texts=tables["texts"],
        communities=tables["communities"],
        subcommunities=tables["subcommunities"],
        meta=tables["meta"],
    )


def _rewrite_meta(folder: Path, meta: dict) -> None:
    """Add the save stage's time to the stored metadata (written before the save finished)."""
    import json

    path = Path(folder) / "meta.json"
    if path.is_file():
        stored = json.loads(path.read_text())
        stored["timings_s"] = meta["timings_s"]
        stored["dask"] = meta["dask"]
        text = json.dumps(stored, indent=1).encode("utf-8")
        atomic_write(path, lambda fh: fh.write(text))


def _versions() -> dict[str, str]:
    """The local build's versions, and the engine's own libraries."""
    import dask
    import distributed
    import pyarrow

    from graphx.build.pipeline import versions

    return {
        **versions(),
        "dask": dask.__version__,
        "distributed": distributed.__version__,
        "pyarrow": pyarrow.__version__,
    }
