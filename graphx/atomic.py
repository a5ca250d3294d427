"""Atomic file writes: a temporary file in the destination's folder, then ``os.replace``.

A crash or an error never leaves a half-written file at the destination, and a reader sees either
the old file or the new one. The exports and the standalone HTML page are written through it.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

#: Mode of every written file; tempfile would otherwise leave them readable by the owner only.
FILE_MODE = 0o644


def atomic_write(path: Path, write: Callable[[IO[bytes]], Any]) -> None:
    """Call ``write`` on a temporary file beside ``path``, then move it over ``path``.

    Missing parent folders of ``path`` are created.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp_name, FILE_MODE)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def json_default(value: Any) -> Any:
    """``json.dump`` fallback for numpy scalars and arrays, which sneak in from the algorithm stages.

    Every JSON file graphx writes (graphs, page files, exports) goes through it.
    """
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
