"""CSV written a chunk at a time, for downloads of any size."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Callable, Sequence
from typing import TypeVar

Row = TypeVar("Row")


async def csv_text(
    columns: Sequence[str], chunks: AsyncIterator[Sequence[Row]], cells: Callable[[Row], Sequence[object]]
) -> AsyncIterator[str]:
    """The header line, then the CSV text of each chunk of rows (`cells` gives a row's values)."""
    yield ",".join(columns) + "\n"
    async for rows in chunks:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(cells(row) for row in rows)
        yield buffer.getvalue()
