"""SQL of coupon redemptions, scoped to the caller's account. A code is claimed, and a redemption
reversed, by one conditional UPDATE each."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam

from perks.db.base import table_of
from perks.ledger.models import Wallet
from perks.loyalty.coupons.models import CouponCode
from perks.loyalty.coupons.redemptions.models import CouponRedemption, RedemptionStatus
from perks.loyalty.customers.models import Customer
from perks.loyalty.customers.repository import BY_EXTERNAL_ID, CUSTOMER_KEYS, with_wallet
from perks.loyalty.events.models import BehaviorEvent
from perks.sql import Runner, attribute_columns, loaded, statement
from perks.tenancy import scoped
from perks.tenancy.context import AuthContext

# Core statements of the group-committed redemption (perks.sql).

_CODES = table_of(CouponCode)
_REDEMPTIONS = table_of(CouponRedemption)
_CLAIM = statement(
    lambda: (
        scoped.update(scoped.bound(), _CODES)
        .where(_CODES.c.code == bindparam("code"), _CODES.c.redeemed_at.is_(None))
        .values(
            redeemed_at=bindparam("now", type_=_CODES.c.redeemed_at.type),
            redeemed_by=bindparam("customer_id"),
        )
        .returning(_CODES.c.campaign_id)
    )
)
_CODE_CAMPAIGN = statement(
    lambda: scoped.select(scoped.bound(), _CODES, _CODES.c.campaign_id).where(
        _CODES.c.code == bindparam("code")
    )
)
_INSERT = statement(
    lambda: _REDEMPTIONS.insert().values(
        {column.key: bindparam(column.key, type_=column.type) for column in _REDEMPTIONS.columns}
    )
)


async def claim_code_with(
    runner: Runner, ctx: AuthContext, code: str, customer_id: str, now: datetime
) -> str | None:
    """claim_code through a runner."""
    values = {"account_id": ctx.account_id, "code": code, "now": now, "customer_id": customer_id}
    row = await runner.first(_CLAIM, values)
    return None if row is None else str(row[0])


async def code_campaign(runner: Runner, ctx: AuthContext, code: str) -> str | None:
    """The campaign of a code of the account, or None when there is no such code."""
    row = await runner.first(_CODE_CAMPAIGN, {"account_id": ctx.account_id, "code": code})
    return None if row is None else str(row[0])


async def insert_redemption(runner: Runner, values: dict[str, object]) -> None:
    await runner.execute(_INSERT, values)


# Core statements of the reversal (perks.sql).

_CUSTOMERS = table_of(Customer)
_WALLETS = table_of(Wallet)
_EVENTS = table_of(BehaviorEvent)
_REDEMPTION_KEYS, _REDEMPTION_COLUMNS = attribute_columns(CouponRedemption)
_LOCKED_CUSTOMER = statement(lambda: with_wallet(BY_EXTERNAL_ID).with_for_update(of=_CUSTOMERS))
_REVERSE = statement(
    lambda: (
        scoped.update(scoped.bound(), _REDEMPTIONS)
        .where(
            _REDEMPTIONS.c.code == bindparam("code"),
            _REDEMPTIONS.c.customer_id == bindparam("customer_id"),
            _REDEMPTIONS.c.status == RedemptionStatus.ACTIVE.value,
        )
        .values(
            status=RedemptionStatus.REVERSED.value,
            reversed_at=bindparam("now", type_=_REDEMPTIONS.c.reversed_at.type),
        )
        .returning(*_REDEMPTION_COLUMNS)
    )
)
_REDEMPTION_EXISTS = statement(
    lambda: scoped.select(scoped.bound(), _REDEMPTIONS, _REDEMPTIONS.c.id).where(
        _REDEMPTIONS.c.code == bindparam("code"),
        _REDEMPTIONS.c.customer_id == bindparam("customer_id"),
    )
)
_INSERT_EVENT = statement(
    lambda: _EVENTS.insert().values(
        {column.key: bindparam(column.key, type_=column.type) for column in _EVENTS.columns}
    )
)


async def read_locked_customer(
    runner: Runner, ctx: AuthContext, external_id: str
) -> tuple[Customer, str] | None:
    """The customer (by external id), row-locked on PostgreSQL and loaded outside any session, and their
    wallet id: a reversal locks the customer before the wallet, as every writer of both does."""
    row = await runner.first(_LOCKED_CUSTOMER, {"account_id": ctx.account_id, "external_id": external_id})
    if row is None:
        return None
    return loaded(Customer, CUSTOMER_KEYS, row[:-1]), row[-1]


async def reverse_redemption(
    runner: Runner, ctx: AuthContext, code: str, customer_id: str, now: datetime
) -> CouponRedemption | None:
    """ACTIVE -> REVERSED in one conditional UPDATE that is also the lookup: the ACTIVE redemption of `code`
    by the customer, now REVERSED (loaded outside any session); None when there is none, or it was reversed
    already (also by a concurrent request: exactly one wins)."""
    values = {"account_id": ctx.account_id, "code": code, "customer_id": customer_id, "now": now}
    row = await runner.first(_REVERSE, values)
    return None if row is None else loaded(CouponRedemption, _REDEMPTION_KEYS, row)


async def redemption_exists(runner: Runner, ctx: AuthContext, code: str, customer_id: str) -> bool:
    values = {"account_id": ctx.account_id, "code": code, "customer_id": customer_id}
    return await runner.first(_REDEMPTION_EXISTS, values) is not None


async def write_event(runner: Runner, values: dict[str, object]) -> None:
    """The REVERSED_COUPON event in the customer's event history (the events engine's table): the row as
    every column of the table names it."""
    await runner.execute(_INSERT_EVENT, values)
