"""The loyalty face's lists on the wire: records `from`..`to`, inclusive and counted from 0, with the face's
own wording of a bad range. They come down to the foundation's `Slice`."""

from __future__ import annotations

from perks.errors import invalid
from perks.kit.pagination import MAX_OFFSET, Slice

MAX_RECORDS = 1000
# OpenAPI bounds of the `from`/`to` query parameters (checked by record_range, which words its own errors).
FROM_BOUNDS = {"minimum": 0, "maximum": MAX_OFFSET}
TO_BOUNDS = {"minimum": 0, "maximum": MAX_OFFSET + MAX_RECORDS}


def record_range(start: int | None, end: int | None, default_size: int = 10) -> Slice:
    """Records `start`..`end` (`default_size` of them from `start` when `end` is not given)."""
    first = 0 if start is None else start
    if not 0 <= first <= MAX_OFFSET:
        raise invalid("from", f"must be from 0 to {MAX_OFFSET}")
    last = first + default_size - 1 if end is None else end
    if last < first:
        raise invalid("to", "must not be lower than from")
    if last - first + 1 > MAX_RECORDS:
        raise invalid("to", f"a page holds at most {MAX_RECORDS} records")
    return Slice(offset=first, size=last - first + 1)
