"""Small pieces the catalog domains (brands, rewards, tiers, campaigns, coupons) share: guarded writes whose
race-free check is a database constraint, and the `from`/`to` record window of the loyalty face's lists."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Executable, Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from perks.errors import Conflict, invalid

MAX_WINDOW = 1000


async def execute_or_conflict(session: AsyncSession, statement: Executable, title: str, details: str) -> Any:
    """Run a write in a savepoint; a constraint it breaks (a row still referenced, a taken level) is a 409.
    The constraint is the guard, so two concurrent requests cannot both slip past a check."""
    try:
        async with session.begin_nested():
            return await session.execute(statement)
    except IntegrityError as error:
        raise Conflict(details, title=title) from error


async def flush_or_conflict(session: AsyncSession, title: str, details: str) -> None:
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as error:
        raise Conflict(details, title=title) from error


@dataclass(frozen=True)
class Window:
    """Records `start`..`end` (inclusive, from 0) of a list, as the loyalty face pages."""

    start: int
    end: int

    @classmethod
    def of(cls, start: int | None, end: int | None, default_size: int = 10) -> Window:
        first = 0 if start is None else start
        if first < 0:
            raise invalid("from", "must be 0 or more")
        last = first + default_size - 1 if end is None else end
        if last < first:
            raise invalid("to", "must not be lower than from")
        if last - first + 1 > MAX_WINDOW:
            raise invalid("to", f"a page holds at most {MAX_WINDOW} records")
        return cls(first, last)

    def apply(self, statement: Select[Any]) -> Select[Any]:
        return statement.offset(self.start).limit(self.end - self.start + 1)


async def count(session: AsyncSession, statement: Select[Any]) -> int:
    total = await session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    return int(total or 0)
