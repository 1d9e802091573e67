"""Apply a campaign's rules to one customer: every rule whose conditions hold (an OR of AND groups) grants
each of its effects meant for the customer's tier, within the campaign's budget.

An effect is `{reward_id, type, amount, tier_id, expiration_date, amount_type}`:
- `amount_type` "FIXED" (the default) grants `amount`; "PER_CURRENCY_UNIT" grants `amount` for every unit of
  money in the caller's `multiplier_base` (the order value for a PURCHASE), so `amount: 1` is "1 point for
  every 1 dollar spent". Products are rounded down to 4 decimal places; nothing is granted when there is
  no base or the result is 0.
- `tier_id` absent: every customer; else only customers in that tier (no tier = the Base tier).
- `expiration_date` "12/months": the batch expires that long after it was issued.
Each effect consumes its amount from the campaign's budget first (budgets.consume); an exhausted budget
skips the effect. Grants emit no webhook: callers do."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_DOWN, Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from perks.kit import clock
from perks.kit.money import SCALE, to_decimal
from perks.ledger import service as ledger
from perks.ledger.models import Transaction
from perks.loyalty.campaigns.models import Campaign
from perks.loyalty.conditions import evaluate
from perks.loyalty.customers.models import Customer
from perks.loyalty.engine import budgets, expirations, tier_moves
from perks.tenancy.context import AuthContext

FIXED = "FIXED"
PER_CURRENCY_UNIT = "PER_CURRENCY_UNIT"
AMOUNT_TYPES = (FIXED, PER_CURRENCY_UNIT)
_QUANTUM = Decimal(1).scaleb(-SCALE)


@dataclass(frozen=True)
class Grant:
    """One effect written to the wallet: its ACCUMULATION transaction and the line as the wallet shows it."""

    campaign_id: str
    reward_id: str
    reward_type: str | None
    amount: Decimal
    transaction: Transaction

    @property
    def line(self) -> ledger.LineJSON:
        line: ledger.LineJSON = self.transaction.attributes["line"]  # written by ledger.line_json
        return line


@dataclass(frozen=True)
class Planned:
    """An effect that holds and whose budget is consumed: what `write` adds to the wallet."""

    campaign: Campaign
    reward_id: str
    reward_type: str | None
    accrual: ledger.Accrual


async def grant(
    session: AsyncSession,
    ctx: AuthContext,
    *,
    campaign: Campaign,
    rules: Sequence[Mapping[str, Any]],
    customer: Customer,
    wallet_id: str,
    facts: Mapping[str, Any],
    entry: ledger.Entry,
    multiplier_base: Decimal | None = None,
    issued_at: datetime | None = None,
) -> list[Grant]:
    """Grant the effects of every rule of `rules` whose conditions hold on `facts`. `entry` describes the
    cause (event id and type, brand, channel, store); the campaign's fields are filled in here."""
    planned = await plan(
        session,
        ctx,
        campaign=campaign,
        rules=rules,
        customer=customer,
        facts=facts,
        entry=entry,
        multiplier_base=multiplier_base,
        issued_at=issued_at,
    )
    return await write(session, ctx, wallet_id, planned)


async def plan(
    session: AsyncSession,
    ctx: AuthContext,
    *,
    campaign: Campaign,
    rules: Sequence[Mapping[str, Any]],
    customer: Customer,
    facts: Mapping[str, Any],
    entry: ledger.Entry,
    multiplier_base: Decimal | None = None,
    issued_at: datetime | None = None,
) -> list[Planned]:
    """The first half of `grant`: which effects hold, with their budget consumed (nothing written to the
    wallet yet), so that a caller running many campaigns writes them all at once with `write`."""
    planned: list[Planned] = []
    tier_id: str | None = None
    for rule in rules:
        if not evaluate(rule.get("conditions") or [], facts):
            continue
        # Built only for a rule that holds: most of the campaigns an event runs grant nothing.
        now = clock.now()
        issued = issued_at or now
        cause = entry.of_campaign(campaign.id, campaign.funded_by, campaign.name)
        for effect in rule.get("effects") or []:
            if effect.get("tier_id"):
                tier_id = tier_id or await tier_moves.tier_of(session, ctx, customer)
                if effect["tier_id"] != tier_id:
                    continue
            amount = effect_amount(effect, multiplier_base)
            if amount is None or not await budgets.consume(session, ctx, campaign, amount, now):
                continue
            accrual = ledger.Accrual(
                reward_id=effect["reward_id"],
                amount=amount,
                entry=cause.of_reward_type(effect.get("type")),
                expiration_date=expirations.expires_at(effect.get("expiration_date"), issued),
                issued_at=issued,
            )
            planned.append(Planned(campaign, effect["reward_id"], effect.get("type"), accrual))
    return planned


async def write(
    session: AsyncSession, ctx: AuthContext, wallet_id: str, planned: Sequence[Planned]
) -> list[Grant]:
    """Add every planned effect to the wallet under one lock."""
    transactions = await ledger.accumulate_many(session, ctx, wallet_id, [item.accrual for item in planned])
    return granted(planned, transactions)


def granted(planned: Sequence[Planned], transactions: Sequence[Transaction]) -> list[Grant]:
    """The grants of planned effects, given the transactions that wrote them (in the same order)."""
    return [
        Grant(item.campaign.id, item.reward_id, item.reward_type, item.accrual.amount, transaction)
        for item, transaction in zip(planned, transactions, strict=True)
    ]


def effect_amount(effect: Mapping[str, Any], multiplier_base: Decimal | None) -> Decimal | None:
    """What one effect grants, or None when it grants nothing."""
    amount = to_decimal(effect["amount"])
    if effect.get("amount_type", FIXED) == PER_CURRENCY_UNIT:
        if multiplier_base is None:
            return None
        amount = (amount * multiplier_base).quantize(_QUANTUM, rounding=ROUND_DOWN)
    return amount if amount > 0 else None
