"""gzip copies of the files a graph folder serves, compressed by ISA-L (the ``isal`` package).

ISA-L's deflate is zlib's format (any gzip reader, every browser) at a fraction of its CPU: a 100k-paper
graph.json (624 MB) took 4.2 s at zlib's level 1 and takes 1.2 s at ISA-L's level 1, 6% smaller; the
search texts (118 MB) 1.5 s and 0.46 s at ISA-L's level 3, 8% smaller. Its calls release the GIL.

A big file may be compressed in parts, each by its own compressor, even in another process
(:class:`GzipParts`): a part ends on a byte boundary (a sync flush) without closing the stream, and the
next part's deflate blocks follow it. The result is one ordinary gzip member (what pigz writes); a part
only loses the window of the part before it (a few bytes per part).
"""

from __future__ import annotations

import os
import struct
import zlib
from typing import BinaryIO

from isal import igzip, isal_zlib

SUFFIX = ".gz"
FAST = 1  # ISA-L's levels are 0-3
SMALL = 3

# The gzip header of every copy: deflate, no name, mtime 0 (the same graph gives the same bytes, and the
# same ETag, every time), no extra flags, OS "unknown" (as igzip.compress writes it).
_HEADER = b"\x1f\x8b\x08\x00" + struct.pack("<I", 0) + b"\x00\xff"


def compress(data: bytes, level: int = SMALL) -> bytes:
    """``data`` as a gzip file (mtime 0: the same bytes for the same input)."""
    return igzip.compress(data, compresslevel=level, mtime=0)


class GzipParts:
    """A file and its gzip copy written side by side, a part at a time.

    ``GzipParts(path, copy, level)`` starts both files; ``GzipParts(path, copy, level, at=mark)`` goes on
    where :meth:`pause` returned ``mark`` (in this process or another): it cuts both files back to that
    point first, so a part written again after a failure gives the same bytes. :meth:`close` ends the
    stream (gzip's trailer) and flushes both files to disk.
    """

    def __init__(
        self, path: str | os.PathLike, copy: str | os.PathLike, level: int, *, at: tuple | None = None
    ):
        self._raw: BinaryIO = open(path, "wb" if at is None else "r+b")
        self._gz: BinaryIO = open(copy, "wb" if at is None else "r+b")
        self._deflate = isal_zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
        if at is None:
            self._crc, self._size = 0, 0
            self._gz.write(_HEADER)
        else:
            (raw_at, gz_at), self._crc, self._size = at
            for fh, offset in ((self._raw, raw_at), (self._gz, gz_at)):
                fh.seek(offset)
                fh.truncate()

    def write(self, chunk: bytes) -> None:
        self._raw.write(chunk)
        self._gz.write(self._deflate.compress(chunk))
        self._crc = isal_zlib.crc32(chunk, self._crc)
        self._size += len(chunk)

    def pause(self) -> tuple:
        """End this part (both files closed); returns the mark the next part starts from."""
        self._gz.write(self._deflate.flush(zlib.Z_SYNC_FLUSH))
        mark = ((self._raw.tell(), self._gz.tell()), self._crc, self._size)
        self._raw.close()
        self._gz.close()
        return mark

    def close(self) -> None:
        """End the gzip stream, flush both files to disk and close them."""
        self._gz.write(self._deflate.flush(zlib.Z_FINISH))
        self._gz.write(struct.pack("<II", self._crc & 0xFFFFFFFF, self._size & 0xFFFFFFFF))
        for fh in (self._raw, self._gz):
            fh.flush()
            os.fsync(fh.fileno())
            fh.close()

    def abort(self) -> None:
        """Close both files as they are (after an error: the folder they are in is thrown away)."""
        self._raw.close()
        self._gz.close()
