"""Column types that behave alike on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from perks.kit.clock import as_utc


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both databases (SQLite keeps no zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        moment = as_utc(value)
        return moment.replace(tzinfo=None) if dialect.name == "sqlite" else moment

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any] | None:
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)

        # The text SQLAlchemy's SQLite DATETIME writes ("2026-01-31 12:00:00.000000", naive UTC), made by
        # one C call: isoformat with microseconds always has their six digits. The last value's text is
        # kept: a batch writes the same `now` into every line and transaction it makes. (One tuple, so a
        # thread never sees one value's text paired with another value.)
        last: tuple[Any, str] = (None, "")

        def text(value: Any) -> str | None:
            nonlocal last
            if value is None:
                return None
            seen, written = last
            if value is seen:
                return written
            moment = value if value.tzinfo is None else value.astimezone(UTC).replace(tzinfo=None)
            written = str(moment.isoformat(" ", "microseconds"))
            last = (value, written)
            return written

        return text

    def result_processor(self, dialect: Dialect, coltype: object) -> Callable[[Any], datetime | None]:
        if dialect.name != "sqlite":
            return super().result_processor(dialect, coltype)  # type: ignore[return-value]

        # SQLite keeps the naive UTC text SQLAlchemy wrote ("2026-01-31 12:00:00.000000"); parsed in one
        # C call instead of SQLAlchemy's regular expression and a second conversion to UTC. The zone is
        # parsed with it: `.replace(tzinfo=UTC)` afterwards cost eight times the parse (~0.8 µs, three
        # datetimes a wallet line). Text that carries its own offset takes the slow way.
        def parse(value: Any) -> datetime | None:
            if value is None:
                return None
            try:
                return datetime.fromisoformat(value + "+00:00")
            except ValueError:
                return as_utc(datetime.fromisoformat(value))

        return parse


JSONDocument = JSON().with_variant(postgresql.JSONB(), "postgresql")
