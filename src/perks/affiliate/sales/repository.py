"""SQL for sales; every statement is scoped to the caller's account."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, func

from perks.affiliate.commissions.models import Commission, CommissionStatus
from perks.affiliate.sales.models import Sale
from perks.db.base import table_of
from perks.kit.money import Amount
from perks.sql import Runner, attribute_columns, dialect_statement, insert_of, loaded, statement
from perks.tenancy import scoped
from perks.tenancy.context import AuthContext

# Core statements (perks.sql) of the sale and refund path; as in commissions.repository, every column
# is named in an INSERT or SET.

_SALES = table_of(Sale)
_COMMISSIONS = table_of(Commission)
_KEYS, _COLUMNS = attribute_columns(Sale)
_BY_INVOICE = statement(
    lambda: scoped.select(scoped.bound(), _SALES, *_COLUMNS).where(
        _SALES.c.invoice_id == bindparam("invoice_id")
    )
)
_INSERT_ONCE = dialect_statement(
    lambda dialect: (
        insert_of(dialect)(_SALES)
        .values({column.key: bindparam(column.key, type_=column.type) for column in _SALES.columns})
        .on_conflict_do_nothing(index_elements=["account_id", "invoice_id"])
        .returning(_SALES.c.id)
    )
)


def _add_refund() -> Any:
    # Parameters named apart from the columns: SQLAlchemy reserves column names for an UPDATE's SET.
    refunded = _SALES.c.refunded_amount + bindparam("b_amount", type_=Amount())
    return (
        scoped.update(scoped.bound("b_account"), _SALES)
        .where(
            _SALES.c.id == bindparam("b_id"),
            refunded <= _SALES.c.amount,
        )
        .values(refunded_amount=refunded, updated_at=bindparam("b_now", type_=_SALES.c.updated_at.type))
        .returning(*_COLUMNS)
    )


_ADD_REFUND = statement(_add_refund)
_EARNED_TOTAL = statement(
    lambda: scoped.select(
        scoped.bound(), _COMMISSIONS, func.coalesce(func.sum(_COMMISSIONS.c.amount), 0)
    ).where(
        _COMMISSIONS.c.sale_id == bindparam("sale_id"),
        _COMMISSIONS.c.status != CommissionStatus.REFUNDED,
    )
)


async def read_by_invoice(runner: Runner, ctx: AuthContext, invoice_id: str) -> Sale | None:
    """The account's sale of an invoice, loaded outside any session (read-only)."""
    row = await runner.first(_BY_INVOICE, {"account_id": ctx.account_id, "invoice_id": invoice_id})
    return None if row is None else loaded(Sale, _KEYS, row)


async def insert_once(runner: Runner, values: dict[str, Any]) -> Sale | None:
    """INSERT the sale (every column given, its account's among them) unless its invoice is recorded
    already: the unique index decides, also between concurrent requests. The sale as written, or None."""
    if await runner.first(_INSERT_ONCE, values) is None:
        return None
    return loaded(Sale, _KEYS, [values[key] for key in _KEYS])


async def add_refund(
    runner: Runner, ctx: AuthContext, sale_id: str, amount: Decimal, now: datetime
) -> Sale | None:
    """Add `amount` to the refunded total unless that would pass the sale's amount (one conditional
    UPDATE: concurrent refunds of one sale queue on its row). The sale as it is now, or None."""
    values = {"b_account": ctx.account_id, "b_id": sale_id, "b_amount": amount, "b_now": now}
    row = await runner.first(_ADD_REFUND, values)
    return None if row is None else loaded(Sale, _KEYS, row)


async def earned_total(runner: Runner, ctx: AuthContext, sale_id: str) -> Decimal:
    """What the sale's commissions (the original and any clawbacks) still add up to."""
    row = await runner.first(_EARNED_TOTAL, {"account_id": ctx.account_id, "sale_id": sale_id})
    return Decimal(row[0] or 0) if row else Decimal(0)
