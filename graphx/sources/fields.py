"""Field values of a parsed record, checked and cleaned: text, whole numbers, authors, venues, vectors.

Shared by every record shape (our flat records, CSV rows, Semantic Scholar paper objects); a value that
cannot be what its field needs raises :class:`~graphx.errors.BadRecord` with what is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from graphx.errors import BadRecord


def text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise BadRecord(f"expected text, got {type(value).__name__} {value!r:.60}")
    text = str(value).strip()
    return text or None


# No count or id of a paper comes near 2^63; larger numbers are garbage, and the graph's JSON writer
# (orjson) refuses integers beyond 64 bits.
MAX_WHOLE = 2**63 - 1


def whole_number(value: Any, name: str) -> int | None:
    number = _integer(value, name)
    if number is not None and abs(number) > MAX_WHOLE:
        raise BadRecord(f"`{name}` is {str(number):.60}, too large to be a count or an id")
    return number


def _integer(value: Any, name: str) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise BadRecord(f"`{name}` is {value!r}, not a whole number")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
        value = int(value)
    if isinstance(value, int):
        return value
    raise BadRecord(f"`{name}` is {value!r:.60}, not a whole number")


# Years outside this range are typos or garbage (10^26 once reached the layout and the API).
MIN_YEAR, MAX_YEAR = 1000, 2200


def year(value: Any) -> int | None:
    """A whole-number year in [MIN_YEAR, MAX_YEAR]; BadRecord otherwise."""
    number = _integer(value, "year")
    if number is not None and not MIN_YEAR <= number <= MAX_YEAR:
        raise BadRecord(f"`year` is {str(number):.60}, not a year between {MIN_YEAR} and {MAX_YEAR}")
    return number


def venue(value: Any) -> str | None:
    if isinstance(value, Mapping):  # S2 `journal` / `publicationVenue` objects
        return text(value.get("name"))
    return text(value)


def _author_name(author: Any) -> str | None:
    if isinstance(author, str):
        return author.strip() or None
    if not isinstance(author, Mapping):
        raise BadRecord(f"an author is {type(author).__name__}, expected a name or an object with one")
    if author.get("name"):
        return text(author["name"])
    if "LN" in author or "FN" in author:  # Local Citation Network
        parts = [author.get("FN"), author.get("LN")]
    else:  # S2ORC: first, middle (a list), last, suffix
        middle = author.get("middle") or []
        parts = [author.get("first"), *(middle if isinstance(middle, list) else [middle])]
        parts += [author.get("last"), author.get("suffix")]
    name = " ".join(str(p).strip() for p in parts if p and str(p).strip())
    return name or None


def authors(value: Any) -> tuple[str, ...]:
    if value in (None, ""):
        return ()
    if not isinstance(value, list):
        raise BadRecord(f"`authors` is {type(value).__name__}, expected a list")
    return tuple(n for n in (_author_name(a) for a in value) if n)


def strings(value: Any, name: str) -> tuple[str, ...]:
    if value in (None, ""):
        return ()
    if not isinstance(value, list):
        raise BadRecord(f"`{name}` is {type(value).__name__}, expected a list")
    return tuple(s for s in (text(v) for v in value) if s)


def vector(value: Any) -> tuple[float, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(x, int | float) for x in value):
        raise BadRecord("`embedding` must be a list of numbers")
    return tuple(float(x) for x in value)
