"""SQL of referral codes and referrals, scoped to the caller's account. Every counter and claim is one
conditional statement."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, or_

from perks.db.base import table_of
from perks.kit.ids import new_id
from perks.ledger.models import Wallet
from perks.loyalty.customers.models import Customer
from perks.loyalty.customers.repository import CUSTOMER_KEYS, with_wallet
from perks.loyalty.referrals.models import Referral, ReferralCode
from perks.sql import (
    Runner,
    attribute_columns,
    dialect_statement,
    in_list,
    insert_of,
    loaded,
    sized,
    statement,
)
from perks.tenancy import scoped
from perks.tenancy.context import AuthContext

_REFERRALS = table_of(Referral)
_UNREWARDED = sized(
    lambda count: scoped.select(scoped.bound(), _REFERRALS, _REFERRALS.c.referee_id).where(
        in_list(_REFERRALS.c.referee_id, count, "id"),
        _REFERRALS.c.referrer_rewarded_at.is_(None),
    )
)


async def read_unrewarded_referees(
    runner: Runner, ctx: AuthContext, referee_ids: Collection[str]
) -> set[str]:
    """unrewarded_referees through a runner."""
    return await runner.present(_UNREWARDED, ctx.account_id, "id", referee_ids)


# Core statements of request-code and of a referral code's use (perks.sql).

_CODES = table_of(ReferralCode)
_CUSTOMERS = table_of(Customer)
_WALLETS = table_of(Wallet)
_CODE_KEYS, _CODE_COLUMNS = attribute_columns(ReferralCode)
_REFERRAL_KEYS, _REFERRAL_COLUMNS = attribute_columns(Referral)


def _all_values(table: Any) -> dict[str, Any]:
    return {column.key: bindparam(column.key, type_=column.type) for column in table.columns}


_CODE_OF = statement(
    lambda: scoped.select(scoped.bound(), _CODES, *_CODE_COLUMNS).where(
        _CODES.c.customer_id == bindparam("customer_id"),
        _CODES.c.campaign_id == bindparam("campaign_id"),
    )
)
_FIND_CODE = statement(
    lambda: scoped.select(scoped.bound(), _CODES, *_CODE_COLUMNS).where(_CODES.c.code == bindparam("code"))
)
_INSERT_CODE = dialect_statement(
    lambda dialect: (
        insert_of(dialect)(_CODES)
        .values(_all_values(_CODES))
        .on_conflict_do_nothing()
        .returning(*_CODE_COLUMNS)
    )
)
_USE_CODE = statement(
    lambda: (
        scoped.update(scoped.bound(), _CODES)
        .where(
            _CODES.c.id == bindparam("code_id"),
            or_(_CODES.c.max_uses.is_(None), _CODES.c.uses_count < _CODES.c.max_uses),
        )
        .values(uses_count=_CODES.c.uses_count + 1)
        .returning(_CODES.c.id)
    )
)
_INSERT_REFERRAL = dialect_statement(
    lambda dialect: (
        insert_of(dialect)(_REFERRALS)
        .values(_all_values(_REFERRALS))
        .on_conflict_do_nothing()
        .returning(_REFERRALS.c.id)
    )
)
_DROP_REFERRAL = statement(
    lambda: scoped.delete(scoped.bound(), _REFERRALS).where(_REFERRALS.c.id == bindparam("referral_id"))
)
_UNREWARDED_OF = statement(
    lambda: scoped.select(scoped.bound(), _REFERRALS, *_REFERRAL_COLUMNS).where(
        _REFERRALS.c.referee_id == bindparam("referee_id"),
        _REFERRALS.c.referrer_rewarded_at.is_(None),
    )
)
_CLAIM_REWARD = statement(
    lambda: (
        scoped.update(scoped.bound(), _REFERRALS)
        .where(
            _REFERRALS.c.id == bindparam("referral_id"),
            _REFERRALS.c.referrer_rewarded_at.is_(None),
        )
        .values(referrer_rewarded_at=bindparam("now", type_=_REFERRALS.c.referrer_rewarded_at.type))
        .returning(_REFERRALS.c.id)
    )
)
_CUSTOMER_WITH_WALLET = statement(
    lambda: with_wallet(_CUSTOMERS.c.id == bindparam("customer_id"), outer=True)
)


async def read_code_of(
    runner: Runner, ctx: AuthContext, customer_id: str, campaign_id: str
) -> ReferralCode | None:
    """The customer's code for the campaign, loaded outside any session."""
    values = {"account_id": ctx.account_id, "customer_id": customer_id, "campaign_id": campaign_id}
    row = await runner.first(_CODE_OF, values)
    return None if row is None else loaded(ReferralCode, _CODE_KEYS, row)


async def read_code(runner: Runner, ctx: AuthContext, code: str) -> ReferralCode | None:
    """A code of the account (as stored: upper case), loaded outside any session."""
    row = await runner.first(_FIND_CODE, {"account_id": ctx.account_id, "code": code})
    return None if row is None else loaded(ReferralCode, _CODE_KEYS, row)


async def write_code(runner: Runner, ctx: AuthContext, values: dict[str, Any]) -> ReferralCode | None:
    """Insert unless the customer already has a code for the campaign or the code is taken (the unique
    indexes decide, so concurrent requests create one code): the new code as written, or None."""
    row_values = {"id": new_id(), "account_id": ctx.account_id, **values}
    row_values["metadata"] = row_values.pop("meta")  # the column of the attribute `meta`
    row = await runner.first(_INSERT_CODE, row_values)
    return None if row is None else loaded(ReferralCode, _CODE_KEYS, row)


async def use_code_with(runner: Runner, ctx: AuthContext, code_id: str) -> bool:
    """One use more, unless the code has reached max_uses: one conditional UPDATE, race-free."""
    return await runner.first(_USE_CODE, {"account_id": ctx.account_id, "code_id": code_id}) is not None


async def write_referral(runner: Runner, ctx: AuthContext, values: dict[str, Any]) -> str | None:
    """The referral's id, or None when the referee was already referred (unique per referee)."""
    row = await runner.first(
        _INSERT_REFERRAL,
        {"id": new_id(), "account_id": ctx.account_id, "referrer_rewarded_at": None, **values},
    )
    return None if row is None else str(row[0])


async def drop_referral_with(runner: Runner, ctx: AuthContext, referral_id: str) -> None:
    await runner.execute(_DROP_REFERRAL, {"account_id": ctx.account_id, "referral_id": referral_id})


async def read_unrewarded_referral_of(runner: Runner, ctx: AuthContext, referee_id: str) -> Referral | None:
    """The customer's referral whose referrer is not rewarded yet, loaded outside any session."""
    row = await runner.first(_UNREWARDED_OF, {"account_id": ctx.account_id, "referee_id": referee_id})
    return None if row is None else loaded(Referral, _REFERRAL_KEYS, row)


async def claim_referrer_reward_with(
    runner: Runner, ctx: AuthContext, referral_id: str, now: datetime
) -> bool:
    """Mark the referrer as rewarded for this referral; False when another request already did."""
    values = {"account_id": ctx.account_id, "referral_id": referral_id, "now": now}
    return await runner.first(_CLAIM_REWARD, values) is not None


async def read_customer_with_wallet(
    runner: Runner, ctx: AuthContext, customer_id: str
) -> tuple[Customer, str | None] | None:
    """A customer by our internal id (the referrer of a code), loaded outside any session, and their
    wallet's id (None: no wallet)."""
    row = await runner.first(
        _CUSTOMER_WITH_WALLET, {"account_id": ctx.account_id, "customer_id": customer_id}
    )
    if row is None:
        return None
    return loaded(Customer, CUSTOMER_KEYS, row[:-1]), row[-1]
