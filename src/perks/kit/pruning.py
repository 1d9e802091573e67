"""Deleting old rows a small batch at a time: each batch is its own short transaction, so pruning never
holds the database's writer for long (on SQLite other writers get their turn between batches)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, delete, select

from perks.db.database import Database

_ZERO_RANDOM = "7000-8000-000000000000"


def id_floor(moment: datetime) -> str:
    """The smallest UUIDv7 (perks.kit.ids.new_id) of `moment`'s millisecond: ids below it are older, so a
    time range is a range of the primary key, which every table has."""
    hex_millis = f"{int(moment.timestamp() * 1000):012x}"
    return f"{hex_millis[:8]}-{hex_millis[8:]}-{_ZERO_RANDOM}"


async def delete_in_batches(
    database: Database, table: Table, conditions: Sequence[ColumnElement[bool]], batch: int
) -> int:
    """Delete the rows that meet `conditions`, oldest id first, `batch` rows per transaction; how many."""
    total = 0
    while True:
        doomed = select(table.c.id).where(*conditions).order_by(table.c.id).limit(batch)
        async with database.transaction() as session:
            result: Any = await session.execute(delete(table).where(table.c.id.in_(doomed.scalar_subquery())))
            deleted = int(result.rowcount or 0)
        total += deleted
        if deleted < batch:
            return total
        await asyncio.sleep(0)  # let waiting writers in before the next batch
