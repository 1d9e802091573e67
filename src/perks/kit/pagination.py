"""Paging over any SELECT. Both faces come down to a `Slice` of a sorted list and a `count` of the whole:
the affiliate face numbers pages (`PageRequest`, sorted by a whitelisted field then id, so pages are stable
under concurrent inserts); the loyalty face names records `from`..`to` (loyalty/paging.py)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from perks.errors import invalid

DEFAULT_LIMIT = 25
MAX_LIMIT = 100
# Offsets beyond this are refused with a 400 (a larger one would overflow the databases' 64-bit integers).
MAX_OFFSET = 1_000_000_000
MAX_PAGE = MAX_OFFSET // MAX_LIMIT
# ASC or DESC in any case, spelled without an inline (?i) flag so OpenAPI tools can generate values.
ORDER_VALUE_PATTERN = "^([Aa][Ss][Cc]|[Dd][Ee][Ss][Cc])$"


@dataclass(frozen=True)
class Slice:
    """`size` rows from `offset` (counted from 0) of a sorted list."""

    offset: int
    size: int

    @property
    def last(self) -> int:
        """The index of the slice's last row."""
        return self.offset + self.size - 1

    def apply(self, statement: Select[Any]) -> Select[Any]:
        return statement.limit(self.size).offset(self.offset)


async def count(session: AsyncSession, statement: Select[Any]) -> int:
    """How many rows the statement selects, whatever its order."""
    total = await session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    return int(total or 0)


@dataclass(frozen=True)
class PageRequest:
    page: int = 1
    limit: int = DEFAULT_LIMIT
    order_type: str | None = None
    order_value: str = "DESC"

    @property
    def slice(self) -> Slice:
        return Slice(offset=(self.page - 1) * self.limit, size=self.limit)


@dataclass(frozen=True)
class PageResult:
    items: Sequence[Any]
    page: int
    limit: int
    total: int

    @property
    def total_pages(self) -> int:
        return math.ceil(self.total / self.limit) if self.total else 0


async def paginate(
    session: AsyncSession,
    statement: Select[Any],
    request: PageRequest,
    sortable: Mapping[str, InstrumentedAttribute[Any]],
    tiebreak: InstrumentedAttribute[Any],
    default_sort: str = "createdAt",
) -> PageResult:
    order_type = request.order_type or default_sort
    column = sortable.get(order_type)
    if column is None:
        raise invalid("orderType", f"must be one of {', '.join(sorted(sortable))}")
    descending = request.order_value.upper() == "DESC"
    ordered = statement.order_by(
        column.desc() if descending else column.asc(), tiebreak.desc() if descending else tiebreak.asc()
    )
    total = await count(session, statement)
    rows = await session.scalars(request.slice.apply(ordered))
    return PageResult(items=rows.all(), page=request.page, limit=request.limit, total=total)
