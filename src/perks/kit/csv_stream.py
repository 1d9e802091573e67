"""CSV written a chunk at a time, for downloads of any size, with cells a spreadsheet will not run."""

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


def csv_line(cells: list[str]) -> str:
    """One CSV row with its line end, for downloads written a row at a time."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(cells)
    return buffer.getvalue()


def inert(cell: str) -> str:
    """A cell that a spreadsheet will not run as a formula (people and API clients wrote these)."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell
