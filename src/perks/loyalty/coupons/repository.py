"""SQL for coupon codes. Bulk inserts go to the driver directly: executemany on SQLite, COPY on PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import repeat
from typing import Any

from asyncpg.exceptions import UniqueViolationError  # type: ignore[import-untyped]
from sqlalchemy import Row, func, literal, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from perks.db.types import UTCDateTime
from perks.loyalty.coupons.models import CouponCode
from perks.tenancy import scoped
from perks.tenancy.context import AuthContext

TABLE = CouponCode.__tablename__
COLUMNS = ("account_id", "code", "campaign_id")
# Constant SQL (no user input): the driver is called directly because it is several times faster.
SQLITE_INSERT = (
    "INSERT INTO loyalty_coupon_codes (account_id, code, campaign_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"
)
POSTGRES_MERGE = (
    "INSERT INTO loyalty_coupon_codes (account_id, code, campaign_id) "
    "SELECT account_id, code, campaign_id FROM coupon_code_batch ON CONFLICT DO NOTHING"
)


async def insert_codes(session: AsyncSession, account_id: str, campaign_id: str, codes: Sequence[str]) -> int:
    """Insert the codes that are free in the account; returns how many were inserted. The primary key
    (account_id, code) is the guard: a code taken by any campaign of the account, even concurrently, is
    skipped, and the caller tops up."""
    if not codes:
        return 0
    connection = await session.connection()
    if connection.dialect.name == "sqlite":
        # One executemany straight to the DB-API cursor: no per-row SQLAlchemy parameter processing.
        rows = list(zip(repeat(account_id), codes, repeat(campaign_id), strict=False))
        result = await connection.exec_driver_sql(SQLITE_INSERT, rows)
        return int(result.rowcount)
    driver: Any = (await connection.get_raw_connection()).driver_connection
    return await _copy_into_postgres(connection, driver, account_id, campaign_id, codes)


async def _copy_into_postgres(
    connection: AsyncConnection, driver: Any, account_id: str, campaign_id: str, codes: Sequence[str]
) -> int:
    rows = zip(repeat(account_id), codes, repeat(campaign_id), strict=False)
    try:
        # The connection's savepoint is emitted at once (a session's begin_nested() waits for the first
        # statement through SQLAlchemy, which the raw COPY is not), so a failed COPY rolls back to it.
        async with connection.begin_nested():
            await driver.copy_records_to_table(TABLE, records=rows, columns=COLUMNS)
        return len(codes)
    except UniqueViolationError:
        pass  # some code is already taken in the account
    # Slow path, only when a code collides: COPY into a scratch table, then INSERT ... ON CONFLICT DO NOTHING.
    await driver.execute(
        "CREATE TEMP TABLE IF NOT EXISTS coupon_code_batch (LIKE loyalty_coupon_codes) ON COMMIT DROP"
    )
    await driver.execute("TRUNCATE coupon_code_batch")
    rows = zip(repeat(account_id), codes, repeat(campaign_id), strict=False)
    await driver.copy_records_to_table("coupon_code_batch", records=rows, columns=COLUMNS)
    status = await driver.execute(POSTGRES_MERGE)
    return int(str(status).rsplit(" ", 1)[-1])


async def taken(session: AsyncSession, ctx: AuthContext, codes: Sequence[str]) -> set[str]:
    """Which of `codes` already exist in the account (any campaign)."""
    found: set[str] = set()
    for start in range(0, len(codes), 1000):
        chunk = codes[start : start + 1000]
        rows = await session.scalars(
            scoped.select(ctx, CouponCode, CouponCode.code).where(CouponCode.code.in_(chunk))
        )
        found.update(rows.all())
    return found


async def counts(
    session: AsyncSession, ctx: AuthContext, campaign_ids: Sequence[str]
) -> dict[str, tuple[int, int]]:
    """{campaign id: (total codes, redeemed codes)}."""
    rows = await session.execute(
        scoped.select(
            ctx, CouponCode, CouponCode.campaign_id, func.count(), func.count(CouponCode.redeemed_at)
        )
        .where(CouponCode.campaign_id.in_(campaign_ids))
        .group_by(CouponCode.campaign_id)
    )
    return {campaign_id: (int(total), int(used)) for campaign_id, total, used in rows.all()}


async def redeemed_by(session: AsyncSession, ctx: AuthContext, campaign_id: str, customer_id: str) -> int:
    total = await session.scalar(
        scoped.select(ctx, CouponCode, func.count()).where(
            CouponCode.campaign_id == campaign_id, CouponCode.redeemed_by == customer_id
        )
    )
    return int(total or 0)


async def available(session: AsyncSession, ctx: AuthContext, campaign_id: str, limit: int) -> list[str]:
    rows = await session.scalars(
        scoped.select(ctx, CouponCode, CouponCode.code)
        .where(CouponCode.campaign_id == campaign_id, CouponCode.redeemed_at.is_(None))
        .order_by(CouponCode.redeemed_at, CouponCode.code)  # the index's order (see code_page)
        .limit(limit)
    )
    return list(rows.all())


async def usage(
    session: AsyncSession, ctx: AuthContext, campaign_id: str, customer_id: str | None, limit: int | None
) -> Sequence[CouponCode]:
    statement = scoped.select(ctx, CouponCode).where(
        CouponCode.campaign_id == campaign_id, CouponCode.redeemed_at.is_not(None)
    )
    if customer_id is not None:
        statement = statement.where(CouponCode.redeemed_by == customer_id)
    rows = await session.scalars(statement.order_by(CouponCode.redeemed_at.desc()).limit(limit))
    return rows.all()


async def delete_unredeemed(
    session: AsyncSession, ctx: AuthContext, campaign_id: str, how_many: int | None = None
) -> int:
    """Delete unredeemed codes of the campaign (all, or `how_many` of them); redeemed codes always stay."""
    unredeemed = scoped.select(ctx, CouponCode, CouponCode.code).where(
        CouponCode.campaign_id == campaign_id, CouponCode.redeemed_at.is_(None)
    )
    if how_many is not None:
        unredeemed = unredeemed.order_by(CouponCode.code.desc()).limit(how_many)
    result = await session.execute(
        scoped.delete(ctx, CouponCode)
        .where(CouponCode.code.in_(unredeemed.scalar_subquery()))
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def codes_of(session: AsyncSession, ctx: AuthContext, campaign_id: str) -> set[str]:
    rows = await session.scalars(
        scoped.select(ctx, CouponCode, CouponCode.code).where(CouponCode.campaign_id == campaign_id)
    )
    return set(rows.all())


async def delete_codes(session: AsyncSession, ctx: AuthContext, campaign_id: str) -> None:
    await session.execute(
        scoped.delete(ctx, CouponCode)
        .where(CouponCode.campaign_id == campaign_id)
        .execution_options(synchronize_session=False)
    )


@dataclass(frozen=True)
class Position:
    """Where a page of a campaign's codes starts: after `code` among the available codes, or after
    (`redeemed_at`, `code`) among the redeemed ones."""

    redeemed_at: datetime | None
    code: str


async def code_page(
    session: AsyncSession,
    ctx: AuthContext,
    campaign_id: str,
    *,
    redeemed: bool,
    after: Position | None,
    limit: int,
) -> Sequence[Row[str, datetime | None, str | None]]:
    """(code, redeemed_at, redeemed_by) of the campaign's available codes in code order, or of its redeemed
    codes in redemption order: each page is one range of ix_loyalty_coupon_codes_campaign."""
    statement = scoped.select(
        ctx, CouponCode, CouponCode.code, CouponCode.redeemed_at, CouponCode.redeemed_by
    ).where(CouponCode.campaign_id == campaign_id)
    if redeemed:
        statement = statement.where(CouponCode.redeemed_at.is_not(None)).order_by(
            CouponCode.redeemed_at, CouponCode.code
        )
        if after is not None:
            statement = statement.where(
                tuple_(CouponCode.redeemed_at, CouponCode.code)
                > tuple_(literal(after.redeemed_at, UTCDateTime), literal(after.code))
            )
    else:
        # Ordered by the index's own columns: PostgreSQL does not take `redeemed_at IS NULL` as fixing that
        # column, and ordered by code alone it sorted every available code of the campaign for each page.
        statement = statement.where(CouponCode.redeemed_at.is_(None)).order_by(
            CouponCode.redeemed_at, CouponCode.code
        )
        if after is not None:
            statement = statement.where(CouponCode.code > after.code)
    rows: Sequence[Row[str, datetime | None, str | None]] = (
        await session.execute(statement.limit(limit))
    ).all()
    return rows
