"""SQL for commissions; every statement is scoped to the caller's account."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, func, or_
from sqlalchemy.ext.asyncio import AsyncSession

from perks.affiliate.commissions.models import UNPAID, Commission, CommissionStatus
from perks.db.base import table_of
from perks.kit.keyset import Keyset, KeysetPage, keyset_batches, keyset_page
from perks.sql import Runner, Statement, attribute_columns, loaded, statement
from perks.tenancy import scoped
from perks.tenancy.context import AuthContext

# "review": pending, not yet approved, in no payout: the console's queue.
REVIEW = "review"


@dataclass(frozen=True)
class CommissionFilter:
    workspace_id: str | None = None
    affiliate_id: str | None = None
    status: str | None = None  # a status, or REVIEW
    payout_id: str | None = None


def _filtered(ctx: AuthContext, where: CommissionFilter) -> Select[Commission]:
    statement = scoped.select(ctx, Commission)
    if where.workspace_id:
        statement = statement.where(Commission.workspace_id == where.workspace_id)
    if where.affiliate_id:
        statement = statement.where(Commission.affiliate_id == where.affiliate_id)
    if where.payout_id:
        statement = statement.where(Commission.payout_id == where.payout_id)
    if where.status == REVIEW:
        statement = statement.where(
            Commission.status == CommissionStatus.PENDING,
            Commission.approved_at.is_(None),
            Commission.payout_id.is_(None),
        )
    elif where.status:
        statement = statement.where(Commission.status == where.status)
    return statement


def commissions(ctx: AuthContext) -> Select[Commission]:
    """The caller's commissions: the statement the service's published list filters and pages."""
    return scoped.select(ctx, Commission)


async def page(
    session: AsyncSession, ctx: AuthContext, where: CommissionFilter, keyset: Keyset
) -> KeysetPage[Commission]:
    """Newest first, on the account-workspace (or account-affiliate) created index."""
    return await keyset_page(session, _filtered(ctx, where), ORDER, keyset, descending=True)


ORDER = (Commission.created_at, Commission.id)


def batches(
    session: AsyncSession, ctx: AuthContext, where: CommissionFilter
) -> AsyncIterator[Sequence[Commission]]:
    return keyset_batches(session, _filtered(ctx, where), ORDER, descending=True)


async def approve(session: AsyncSession, ctx: AuthContext, commission_id: str, now: datetime) -> bool:
    """Approve a pending commission not approved yet, in one conditional UPDATE."""
    result = await session.execute(
        scoped.update(ctx, Commission)
        .where(
            Commission.id == commission_id,
            Commission.status == CommissionStatus.PENDING,
            Commission.approved_at.is_(None),
        )
        .values(approved_at=now, updated_at=now)
        .returning(Commission.id)
        .execution_options(synchronize_session=False)
    )
    return result.first() is not None


async def totals_by_status(
    session: AsyncSession, ctx: AuthContext, affiliate_id: str
) -> dict[tuple[str, str | None], Decimal]:
    """(status, currency) -> the sum of one affiliate's commissions (clawbacks count negative)."""
    rows = await session.execute(
        scoped.select(ctx, Commission, Commission.status, Commission.currency, func.sum(Commission.amount))
        .where(Commission.affiliate_id == affiliate_id)
        .group_by(Commission.status, Commission.currency)
    )
    return {(status, currency): Decimal(total or 0) for status, currency, total in rows.all()}


async def get(session: AsyncSession, ctx: AuthContext, commission_id: str) -> Commission | None:
    return await session.scalar(scoped.select(ctx, Commission).where(Commission.id == commission_id))


async def add(session: AsyncSession, commission: Commission) -> None:
    session.add(commission)
    await session.flush()


async def update_if(
    session: AsyncSession,
    ctx: AuthContext,
    commission_id: str,
    conditions: list[ColumnElement[bool]],
    values: dict[str, Any],
) -> bool:
    """One conditional UPDATE; False when the row no longer meets `conditions`."""
    result = await session.execute(
        scoped.update(ctx, Commission)
        .where(Commission.id == commission_id, *conditions)
        .values(**values)
        .returning(Commission.id)
        .execution_options(synchronize_session=False)
    )
    return result.first() is not None


async def delete_commission(session: AsyncSession, ctx: AuthContext, commission_id: str) -> bool:
    result = await session.execute(
        scoped.delete(ctx, Commission)
        .where(Commission.id == commission_id)
        .returning(Commission.id)
        .execution_options(synchronize_session=False)
    )
    return result.first() is not None


async def delete_for_referred(session: AsyncSession, ctx: AuthContext, referred_key: str) -> None:
    await session.execute(
        scoped.delete(ctx, Commission)
        .where(Commission.referred_key == referred_key)
        .execution_options(synchronize_session=False)
    )


# Core statements of the sale and refund path (perks.sql). Every column is named in an INSERT or SET:
# a statement run on the driver applies no Python-side default (id, timestamps).

_COMMISSIONS = table_of(Commission)
_KEYS, _COLUMNS = attribute_columns(Commission)
_READ = statement(
    lambda: scoped.select(scoped.bound(), _COMMISSIONS, *_COLUMNS).where(_COMMISSIONS.c.id == bindparam("id"))
)
_INSERT = statement(
    lambda: _COMMISSIONS.insert().values(
        {column.key: bindparam(column.key, type_=column.type) for column in _COMMISSIONS.columns}
    )
)


def _reduce(*changed: str) -> Statement:
    """A refund's conditional UPDATE of a commission not paid yet, returning the row as it is now.
    Parameters are named apart from the columns: SQLAlchemy reserves column names for an UPDATE's SET."""
    table = _COMMISSIONS
    return statement(
        lambda: (
            scoped.update(scoped.bound("b_account"), table)
            .where(
                table.c.id == bindparam("b_id"),
                or_(*(table.c.status == status for status in UNPAID)),  # no expanding IN on the driver
            )
            .values(
                {name: bindparam(f"v_{name}", type_=table.c[name].type) for name in (*changed, "updated_at")}
            )
            .returning(*_COLUMNS)
        )
    )


_REFUND = _reduce("status")
_REDUCE = _reduce("amount", "admin_earned_amount")


async def read(runner: Runner, ctx: AuthContext, commission_id: str) -> Commission | None:
    """get, through a runner: the commission loaded outside any session (read-only)."""
    row = await runner.first(_READ, {"account_id": ctx.account_id, "id": commission_id})
    return None if row is None else loaded(Commission, _KEYS, row)


async def insert(runner: Runner, values: dict[str, Any]) -> Commission:
    """A new commission (every column given, its account's among them), as written."""
    await runner.execute(_INSERT, values)
    return loaded(Commission, _KEYS, [values[key] for key in _KEYS])


async def reduce_unpaid(
    runner: Runner, ctx: AuthContext, commission_id: str, values: dict[str, Any], now: datetime
) -> Commission | None:
    """A refund applied to a commission not paid yet (pending or processing): `values` is {"status":
    refunded} or the reduced {"amount", "admin_earned_amount"}. The row as it is now, or None when it was
    paid or refunded meanwhile."""
    query = _REFUND if "status" in values else _REDUCE
    parameters = {f"v_{name}": value for name, value in values.items()}
    parameters |= {"b_account": ctx.account_id, "b_id": commission_id, "v_updated_at": now}
    row = await runner.first(query, parameters)
    return None if row is None else loaded(Commission, _KEYS, row)
