"""Write papers as a linked S2AG release, in exactly the bulk datasets' format.

The rows have the field names, types and key order of the real sample files
(``../shared/data/s2ag-dataset-samples``): ``corpusid`` an int, citation ends decimal strings,
``externalids`` with every key (null where unknown), embedding vectors as JSON strings. Unlike the
samples, the datasets link: every ``abstracts``/``tldrs``/``embeddings`` row and every citation's citing
end is a paper of the ``papers`` dataset. Papers that have no corpus id get one (in order, after the
largest one given); references to papers outside the list get corpus ids too, so they survive as
citations to papers the release does not hold (as a real release filtered down would have).

Each shard is written to a temporary file beside it and moved into place when all are complete.
"""

from __future__ import annotations

import gzip
import json
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any

from graphx.atomic import FILE_MODE
from graphx.paper import Paper
from graphx.progress import Progress
from graphx.sources.s2ag.records import ID_PREFIX, corpus_number

DEFAULT_SHARDS = 8
GZIP_LEVEL = 5  # level 9 takes twice as long for 3% smaller shards
# Fixed, so that the same papers always give byte-identical shards.
UPDATED = "2023-01-01T00:00:00.000Z"
EMBEDDING_MODEL = "specter@v0.1.1"  # the sample's model name; graphx compares vectors within a release
TLDR_MODEL = "tldr@v2.0.0"
FOS_SOURCE = "s2-fos-model"
EXTERNAL_ID_KEYS = ("ACL", "DBLP", "ArXiv", "MAG", "CorpusId", "PubMed", "DOI", "PubMedCentral")
OPEN_ACCESS_ID_KEYS = ("MAG", "ACL", "DOI", "PubMedCentral", "ArXiv")
S2_PAPER_URL = "https://www.semanticscholar.org/paper/"
CORPUS_ID_URL = "https://api.semanticscholar.org/CorpusID:"  # S2 redirects it to the paper's page


def papers_row(paper: Paper, corpusid: int, reference_count: int) -> dict[str, Any]:
    """The ``papers`` dataset row of a paper (the real key order and types)."""
    external: dict[str, Any] = dict.fromkeys(EXTERNAL_ID_KEYS)
    external.update(ArXiv=paper.arxiv, CorpusId=str(corpusid), DOI=paper.doi)
    date = paper.publication_date if paper.publication_date and len(paper.publication_date) == 10 else None
    return {
        "corpusid": corpusid,
        "externalids": external,
        "url": S2_PAPER_URL + paper.s2_id if paper.s2_id else f"{CORPUS_ID_URL}{corpusid}",
        "title": paper.title,
        "authors": [{"authorId": None, "name": name} for name in paper.authors],
        "venue": paper.venue or "",
        "publicationvenueid": None,
        "year": paper.year,
        "referencecount": reference_count,
        "citationcount": paper.citation_count or 0,
        "influentialcitationcount": paper.influential_citation_count or 0,
        "isopenaccess": False,
        "s2fieldsofstudy": [{"category": f, "source": FOS_SOURCE} for f in paper.fields_of_study] or None,
        "publicationtypes": None,
        "publicationdate": date,
        "journal": {"name": paper.venue, "pages": None, "volume": None} if paper.venue else None,
        "updated": UPDATED,
    }


def abstracts_row(paper: Paper, corpusid: int) -> dict[str, Any]:
    external: dict[str, Any] = dict.fromkeys(OPEN_ACCESS_ID_KEYS)
    external.update(DOI=paper.doi, ArXiv=paper.arxiv)
    return {
        "corpusid": corpusid,
        "openaccessinfo": {"externalids": external, "license": None, "url": None, "status": None},
        "abstract": paper.abstract,
        "updated": UPDATED,
    }


def citations_row(citing: int, cited: int) -> dict[str, Any]:
    return {
        "citingcorpusid": str(citing),
        "citedcorpusid": str(cited),
        "isinfluential": False,
        "contexts": None,
        "intents": None,
        "updated": UPDATED,
    }


def embeddings_row(paper: Paper, corpusid: int) -> dict[str, Any]:
    vector = json.dumps([float(x) for x in paper.embedding or ()])
    return {"corpusid": corpusid, "model": EMBEDDING_MODEL, "vector": vector, "updated": UPDATED}


def tldrs_row(paper: Paper, corpusid: int) -> dict[str, Any]:
    return {"corpusid": corpusid, "model": TLDR_MODEL, "text": paper.tldr}


class ReleaseWriter:
    """Open gzip shards of every dataset; :meth:`add` a paper's rows to one shard; :meth:`close` moves the
    complete shards into place (or, after an error, :meth:`abort` removes them)."""

    def __init__(self, out_dir: str | os.PathLike, datasets: Sequence[str], shards: int):
        if shards < 1:
            raise ValueError(f"shards must be at least 1 (got {shards})")
        self.root = Path(out_dir)
        self.files: dict[str, list[tuple[Path, Path, IO[bytes]]]] = {}
        self.counts = dict.fromkeys(datasets, 0)
        for dataset in datasets:
            folder = self.root / dataset
            folder.mkdir(parents=True, exist_ok=True)
            for old in folder.glob(f"{dataset}-part*.jsonl.gz"):  # a shorter release written there before
                old.unlink()
            self.files[dataset] = []
            for k in range(shards):
                final = folder / f"{dataset}-part{k:03d}.jsonl.gz"
                fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{final.name}.", suffix=".tmp")
                raw = os.fdopen(fd, "wb")
                packed = gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=GZIP_LEVEL, mtime=0)
                self.files[dataset].append((Path(tmp), final, packed))

    def write(self, dataset: str, shard: int, row: dict[str, Any]) -> None:
        if dataset in self.files:
            fh = self.files[dataset][shard % len(self.files[dataset])][2]
            fh.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n")
            self.counts[dataset] += 1

    def add(self, paper: Paper, corpusid: int, cited: Sequence[int], shard: int) -> None:
        """Every row of one paper: papers, abstracts, tldrs, embeddings, and its references as citations."""
        self.write("papers", shard, papers_row(paper, corpusid, len(cited)))
        if paper.abstract:
            self.write("abstracts", shard, abstracts_row(paper, corpusid))
        if paper.tldr:
            self.write("tldrs", shard, tldrs_row(paper, corpusid))
        if paper.embedding:
            self.write("embeddings", shard, embeddings_row(paper, corpusid))
        for target in cited:
            self.write("citations", shard, citations_row(corpusid, target))

    def close(self) -> dict[str, int]:
        """Finish every shard and move it into place; the rows written per dataset."""
        for shard_files in self.files.values():
            for tmp, final, fh in shard_files:
                raw = fh.fileobj
                fh.close()
                raw.flush()
                os.fsync(raw.fileno())
                raw.close()
                os.chmod(tmp, FILE_MODE)
                os.replace(tmp, final)
        return self.counts

    def abort(self) -> None:
        for shard_files in self.files.values():
            for tmp, _, fh in shard_files:
                fh.close()
                fh.fileobj.close()
                tmp.unlink(missing_ok=True)


def _datasets(embeddings: bool, tldrs: bool) -> list[str]:
    return ["papers", "abstracts", "citations"] + ["embeddings"] * embeddings + ["tldrs"] * tldrs


def write_release(
    papers: Iterable[Paper],
    out_dir: str | os.PathLike,
    *,
    shards: int = DEFAULT_SHARDS,
    embeddings: bool = False,
    tldrs: bool = False,
) -> dict[str, int]:
    """Write ``papers`` as a linked S2AG release under ``out_dir`` (``papers/``, ``abstracts/``,
    ``citations/``, and ``embeddings/`` / ``tldrs/`` when asked); the rows written per dataset.

    A paper's ``references`` and ``citations`` (by any id another paper is known by, see
    :meth:`Paper.aliases`) become ``citations`` rows; paper ``i`` goes to shard ``i % shards``.

    Examples
    --------
    >>> import tempfile
    >>> a = Paper(id="a", title="First", abstract="About a.", year=2020)
    >>> b = Paper(id="b", title="Second", year=2021, references=("a", "elsewhere"))
    >>> write_release([a, b], tempfile.mkdtemp(), shards=2)
    {'papers': 2, 'abstracts': 1, 'citations': 2}
    """
    papers = list(papers)
    numbers = corpus_ids(papers)
    cited: list[list[int]] = [[] for _ in papers]
    for i, paper in enumerate(papers):
        for ref in paper.references:
            cited[i].append(numbers.target(ref))
        for citer in paper.citations:
            j = numbers.index.get(citer)
            if j is not None:  # a citer outside the list has no papers row to hold its references
                cited[j].append(numbers.of[i])
    writer = ReleaseWriter(out_dir, _datasets(embeddings, tldrs), shards)
    try:
        for i, paper in enumerate(papers):
            own = numbers.of[i]
            writer.add(paper, own, [c for c in dict.fromkeys(cited[i]) if c != own], i)
    except BaseException:
        writer.abort()
        raise
    return writer.close()


class _CorpusIds:
    """Corpus ids for a list of papers and for the outside papers their references name."""

    def __init__(self, papers: Sequence[Paper]):
        given = [p.corpus_id for p in papers if p.corpus_id is not None]
        self.next = max(given, default=0) + 1
        self.of: list[int] = []
        self.index: dict[str, int] = {}  # alias -> position in papers
        self.alias: dict[str, int] = {}  # alias -> corpus id
        for i, paper in enumerate(papers):
            number = paper.corpus_id if paper.corpus_id is not None else self._new()
            self.of.append(number)
            for alias in paper.aliases():
                self.index.setdefault(alias, i)
                self.alias.setdefault(alias, number)

    def _new(self) -> int:
        self.next += 1
        return self.next - 1

    def target(self, ref: str) -> int:
        """The corpus id a reference names: a listed paper's, the number of ``CorpusId:N``, or a new one."""
        number = self.alias.get(ref)
        if number is None:
            number = corpus_number(ref.removeprefix(ID_PREFIX))
            if number is None:
                number = self._new()
            self.alias[ref] = number
        return number


def corpus_ids(papers: Sequence[Paper]) -> _CorpusIds:
    return _CorpusIds(papers)


SYNTHETIC_CHUNK = 20_000  # papers generated and written at a time (about 60 MB of Paper records)


def write_synthetic_release(
    n: int,
    out_dir: str | os.PathLike,
    seed: int = 0,
    shards: int = DEFAULT_SHARDS,
    *,
    chunk_size: int = SYNTHETIC_CHUNK,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Write a synthetic corpus of ``n`` papers (:func:`graphx.synthetic.generate_chunks`) as a linked
    release, a chunk at a time: a million papers never sit in memory together.

    Paper ``syn-i`` gets corpus id ``i + 1``; the outside papers ``ext-k`` it cites get ``n + 1 + k``
    (no papers row: they are the rest of the literature). :func:`graphx.synthetic.paper_topics` gives
    the ground-truth topic of corpus id ``c`` at index ``c - 1``.

    Examples
    --------
    >>> import tempfile
    >>> counts = write_synthetic_release(300, tempfile.mkdtemp(), seed=1, shards=2)
    >>> counts["papers"], counts["abstracts"], counts["citations"] > 2000
    (300, 300, True)
    """
    from graphx.synthetic import generate_chunks

    def corpus_of(ident: str) -> int:
        kind, _, number = ident.partition("-")
        return int(number) + 1 + (n if kind == "ext" else 0)

    writer = ReleaseWriter(out_dir, _datasets(False, False), shards)
    try:
        done = 0
        for chunk in generate_chunks(n, chunk_size=chunk_size, seed=seed):
            for paper in chunk:
                writer.add(paper, done + 1, [corpus_of(r) for r in paper.references], done)
                done += 1
            if progress:
                progress("write release", done, n)
    except BaseException:
        writer.abort()
        raise
    return writer.close()
