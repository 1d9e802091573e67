"""Keyset pages ("Next" / "Previous") over any SELECT of one entity, ordered by a few columns ending in a
unique one (the id). A page reads `limit + 1` rows after (or before) the cursor's row through an index, so
the millionth page costs what the first does, and rows added meanwhile never shift a page."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, literal, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from perks.errors import invalid

T = TypeVar("T")
DEFAULT_LIMIT = 25
MAX_LIMIT = 100
CURSOR_MAX = 1000


@dataclass(frozen=True)
class Keyset:
    """Where a page starts: just after the row `after` names (Next), or just before `before`'s (Previous);
    the first page when neither is given."""

    after: str | None = None
    before: str | None = None
    limit: int = DEFAULT_LIMIT


@dataclass(frozen=True)
class KeysetPage(Generic[T]):
    items: Sequence[T]
    next_cursor: str | None  # pass as ?after= for the next page; None on the last page
    previous_cursor: str | None  # pass as ?before= for the previous page; None on the first page


def encode_cursor(values: Sequence[Any]) -> str:
    document = [_encode_value(value) for value in values]
    return base64.urlsafe_b64encode(json.dumps(document, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, field: str, width: int) -> list[Any]:
    try:
        if len(cursor) > CURSOR_MAX:
            raise ValueError("too long")
        document = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(document, list) or len(document) != width:
            raise ValueError("wrong shape")
        return [_decode_value(value) for value in document]
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as error:
        raise invalid(field, "is not a page cursor of this list; start again from the first page") from error


async def keyset_page(
    session: AsyncSession,
    statement: Select[T],
    order: Sequence[InstrumentedAttribute[Any]],
    keyset: Keyset,
    *,
    descending: bool = False,
) -> KeysetPage[T]:
    """One page of `statement`'s rows in `order` (whose last column must be unique)."""
    limit = max(1, min(keyset.limit, MAX_LIMIT))
    backwards = keyset.before is not None and keyset.after is None
    cursor = keyset.before if backwards else keyset.after
    if cursor is not None:
        values = decode_cursor(cursor, "before" if backwards else "after", len(order))
        statement = statement.where(_beyond(order, values, descending != backwards))
    reading_descending = descending != backwards
    statement = statement.order_by(
        *(column.desc() if reading_descending else column.asc() for column in order)
    )
    rows = list((await session.scalars(statement.limit(limit + 1))).all())
    more = len(rows) > limit
    rows = rows[:limit]
    if backwards:
        rows.reverse()
    first, last = (rows[0], rows[-1]) if rows else (None, None)
    has_next = (more and not backwards) or (backwards and cursor is not None)
    has_previous = (more and backwards) or (not backwards and cursor is not None)
    return KeysetPage(
        items=rows,
        next_cursor=_cursor_of(last, order) if has_next and last is not None else None,
        previous_cursor=_cursor_of(first, order) if has_previous and first is not None else None,
    )


def _beyond(
    order: Sequence[InstrumentedAttribute[Any]], values: list[Any], lower: bool
) -> ColumnElement[bool]:
    row = tuple_(*order)
    bound = tuple_(*(literal(value, column.type) for column, value in zip(order, values, strict=True)))
    return row < bound if lower else row > bound


def _cursor_of(item: Any, order: Sequence[InstrumentedAttribute[Any]]) -> str:
    return encode_cursor([getattr(item, column.key) for column in order])


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    if isinstance(value, Decimal):
        return {"d": str(value)}
    if value is None or isinstance(value, str | int | bool):
        return value
    raise TypeError(f"a keyset column of type {type(value).__name__} cannot be put in a cursor")


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"t"}:
        return datetime.fromisoformat(str(value["t"]))
    if isinstance(value, dict) and set(value) == {"d"}:
        return Decimal(str(value["d"]))
    if value is None or isinstance(value, str | int | bool):
        return value
    raise ValueError("unexpected value in a cursor")


async def keyset_batches(
    session: AsyncSession,
    statement: Select[T],
    order: Sequence[InstrumentedAttribute[Any]],
    batch: int = MAX_LIMIT,
    *,
    descending: bool = False,
) -> AsyncIterator[Sequence[T]]:
    """Every row of `statement` in `order`, a page at a time: a download of any size, never held whole."""
    keyset = Keyset(limit=batch)
    while True:
        page = await keyset_page(session, statement, order, keyset, descending=descending)
        if page.items:
            yield page.items
        if page.next_cursor is None:
            return
        keyset = Keyset(after=page.next_cursor, limit=batch)
