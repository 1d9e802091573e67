"""Small pieces the catalog domains (brands, rewards, tiers, campaigns, coupons) share: guarded writes whose
race-free check is a database constraint, and the `from`/`to` record window of the loyalty face's lists."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Executable, ForeignKeyConstraint, Select, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from perks.errors import Conflict, NotFound, invalid
from perks.kit.money import MAX_INPUT, to_decimal
from perks.kit.pagination import MAX_OFFSET
from perks.tenancy.context import AuthContext

MAX_WINDOW = 1000
T = TypeVar("T")


def found(row: T | None, message: str) -> T:
    """The row, or the documented 404 (`message` is both the error and its details)."""
    if row is None:
        raise NotFound(message, title=message)
    return row


async def execute_or_conflict(session: AsyncSession, statement: Executable, title: str, details: str) -> Any:
    """Run a write in a savepoint; a constraint it breaks (a row still referenced, a taken level) is a 409.
    The constraint is the guard, so two concurrent requests cannot both slip past a check."""
    try:
        async with session.begin_nested():
            return await session.execute(statement)
    except IntegrityError as error:
        raise Conflict(details, title=title) from error


async def delete_or_conflict(
    session: AsyncSession, ctx: AuthContext, model: Any, row_id: str, title: str, details: str
) -> None:
    """Delete one of the caller's rows; a foreign key that still points at it makes this a 409."""
    statement = delete(model).where(model.account_id == ctx.account_id, model.id == row_id)
    await execute_or_conflict(session, statement, title, details)


def same_account_reference(column: str, table: str, ondelete: str) -> ForeignKeyConstraint:
    """A foreign key (account_id, column) -> table(account_id, id): a row can only point at a row of its
    own account, and the index that leads with account_id serves the key."""
    return ForeignKeyConstraint(
        ["account_id", column], [f"{table}.account_id", f"{table}.id"], ondelete=ondelete
    )


def is_positive_number(value: Any) -> bool:
    """A number (or decimal string) above 0: not a boolean, not NaN or an infinity."""
    try:
        number = to_decimal(value)
    except (ValueError, TypeError):
        return False
    return not isinstance(value, bool) and number.is_finite() and number > 0


def check_positive(value: Any, field: str) -> None:
    """A 400 naming `field` unless `value` is a number above 0 and at most MAX_INPUT, so the engine
    never multiplies by a value it cannot compute with."""
    if not is_positive_number(value):
        raise invalid(field, "must be a number greater than 0")
    if to_decimal(value) > MAX_INPUT:
        raise invalid(field, f"must be at most {MAX_INPUT}")


async def flush_or_conflict(session: AsyncSession, title: str, details: str) -> None:
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as error:
        raise Conflict(details, title=title) from error


# OpenAPI bounds of the `from`/`to` query parameters (checked by Window.of, which words its own errors).
FROM_BOUNDS = {"minimum": 0, "maximum": MAX_OFFSET}
TO_BOUNDS = {"minimum": 0, "maximum": MAX_OFFSET + MAX_WINDOW}


@dataclass(frozen=True)
class Window:
    """Records `start`..`end` (inclusive, from 0) of a list, as the loyalty face pages."""

    start: int
    end: int

    @classmethod
    def of(cls, start: int | None, end: int | None, default_size: int = 10) -> Window:
        first = 0 if start is None else start
        if not 0 <= first <= MAX_OFFSET:
            raise invalid("from", f"must be from 0 to {MAX_OFFSET}")
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
