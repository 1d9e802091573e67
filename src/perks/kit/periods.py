"""Calendar buckets in SQL, the same on SQLite and PostgreSQL, for charts' grouped queries."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Date, String, cast, func
from sqlalchemy.ext.asyncio import AsyncSession


def utc_day(session: AsyncSession, column: Any) -> ColumnElement[str]:
    """The UTC calendar day of a UTCDateTime column as 'YYYY-MM-DD' (SQLite stores UTC without a zone;
    PostgreSQL converts from timestamptz, whatever the session's TimeZone)."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(cast(func.timezone("UTC", column), Date), String)
    return func.strftime("%Y-%m-%d", column)


def utc_hour(session: AsyncSession, column: Any) -> ColumnElement[str]:
    """The UTC hour of a UTCDateTime column as 'YYYY-MM-DD HH' (its first 10 characters are utc_day's)."""
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD HH24")
    return func.strftime("%Y-%m-%d %H", column)


def days_ending(last: date, count: int) -> list[date]:
    """`count` consecutive days ending with `last`, oldest first."""
    return [last - timedelta(days=offset) for offset in range(count - 1, -1, -1)]
