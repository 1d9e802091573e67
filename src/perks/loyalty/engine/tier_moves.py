"""The customer's tier as the engine sees it: a customer without one is in the account's Base tier.

`recalculate` moves a customer between tiers: down when their tier's exit conditions hold, up when a
higher tier's entry conditions do (see docs/events.md, "Metrics and tiers"); `announce` emits the webhook."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypedDict

from sqlalchemy.ext.asyncio import AsyncSession

from perks.kit import clock
from perks.loyalty.conditions import evaluate
from perks.loyalty.customers import rendering
from perks.loyalty.customers.models import Customer
from perks.loyalty.engine.facts import customer_facts
from perks.loyalty.tiers import service as tier_service
from perks.loyalty.tiers.models import Tier
from perks.outbox import service as outbox
from perks.sql import Runner
from perks.tenancy.context import AuthContext

UP, DOWN = "UP", "DOWN"
WEBHOOKS = {UP: "TIER_UPGRADE", DOWN: "TIER_DOWNGRADE"}
BASE_LEVEL = 1


class TierWebhook(TypedDict):
    """TIER_UPGRADE or TIER_DOWNGRADE."""

    customer: dict[str, Any]  # CustomerOut, JSON-ready
    previous_tier_id: str | None
    tier_id: str
    tier_name: str
    event_id: str


@dataclass(frozen=True)
class TierChange:
    """A move between tiers. `previous_tier_id` is what the customer's `tier_id` was (None: never left
    Base); `tier` is where they are now (after a fall to the bottom, the Base tier)."""

    previous_tier_id: str | None
    tier: Tier
    direction: str  # UP or DOWN


_base_tiers: dict[str, str] = {}  # account id -> Base tier id (it can be renamed, never deleted)


async def base_tier_id(session: AsyncSession, ctx: AuthContext) -> str | None:
    cached = _base_tiers.get(ctx.account_id)
    if cached is None:
        cached = await tier_service.base_tier_id(session, ctx)
        if cached is not None:
            _base_tiers[ctx.account_id] = cached
    return cached


async def tier_of(session: AsyncSession, ctx: AuthContext, customer: Customer) -> str | None:
    return customer.tier_id or await base_tier_id(session, ctx)


async def recalculate(
    session: AsyncSession,
    ctx: AuthContext,
    customer: Customer,
    facts: Mapping[str, Any],
    tiers: Sequence[Tier] | None = None,
) -> TierChange | None:
    """Put the customer in the tier `facts` qualify them for and say what changed (None: they stay).

    A tier qualifies when it is ACTIVE, has entry conditions that hold and no exit conditions that
    hold (so one recalculation never enters a tier the next would leave). If the customer's tier has
    exit conditions that hold, they leave it for the highest qualifying tier, usually a lower one (the
    Base tier when none qualifies); otherwise they move up to the highest qualifying tier above their own.
    `tiers` are the account's ACTIVE tiers by level when the caller has them already."""
    if tiers is None:
        tiers = await tier_service.active_tiers(session, ctx)
    current = await _current_tier(session, ctx, customer, tiers)
    level = current.level if current is not None else BASE_LEVEL
    leaving = current is not None and _exits(current, facts)
    reached = [tier for tier in tiers if (leaving or tier.level > level) and _qualifies(tier, facts)]
    target = reached[-1] if reached else (await _base_tier(session, ctx, tiers) if leaving else None)
    if target is None or (current is not None and target.id == current.id):
        return None
    previous = customer.tier_id
    customer.tier_id = target.id
    return TierChange(previous, target, UP if target.level > level else DOWN)


async def reassess(session: AsyncSession, ctx: AuthContext, customer: Customer, *, event_id: str) -> None:
    """Recalculate the tier on the customer's own facts (profile and metrics, no event) after something
    took rewards or purchases away (a coupon or event reversal), and announce a move. The caller read the
    customer row-locked, before the wallet (customers.get(for_update=True)), so no concurrent event has
    moved them since."""
    now = clock.now()
    facts = {"now": now, **customer_facts(customer, now, tier_id=await tier_of(session, ctx, customer))}
    announce(session, ctx, customer, await recalculate(session, ctx, customer, facts), event_id=event_id)


async def reassess_with(
    session: AsyncSession, runner: Runner, ctx: AuthContext, customer: Customer, *, event_id: str
) -> None:
    """reassess for a customer loaded outside the session (perks.sql), row-locked by the caller: the
    account's active tiers read through the runner, and a move written back with one UPDATE (as a flush of
    the ORM's customer would write it, `updated_at` included)."""
    now = clock.now()
    facts = {"now": now, **customer_facts(customer, now, tier_id=await tier_of(session, ctx, customer))}
    change = await recalculate(
        session, ctx, customer, facts, await tier_service.read_active_tiers(runner, ctx)
    )
    announce(session, ctx, customer, change, event_id=event_id)
    if change is not None:
        customer.updated_at = clock.now()
        await tier_service.write_customer_tier(
            runner, ctx, customer.id, customer.tier_id, customer.updated_at
        )


def announce(
    session: AsyncSession, ctx: AuthContext, customer: Customer, change: TierChange | None, *, event_id: str
) -> None:
    """TIER_UPGRADE or TIER_DOWNGRADE for a move (none when `change` is None), in the caller's transaction."""
    if change is None:
        return
    payload = TierWebhook(
        customer=rendering.customer_out(customer).model_dump(mode="json"),
        previous_tier_id=change.previous_tier_id,
        tier_id=change.tier.id,
        tier_name=change.tier.name,
        event_id=event_id,
    )
    outbox.emit(session, ctx, WEBHOOKS[change.direction], payload)


def _qualifies(tier: Tier, facts: Mapping[str, Any]) -> bool:
    # A tier without entry conditions is never entered automatically (Base is the fallback instead).
    return bool(tier.entry_conditions) and evaluate(tier.entry_conditions, facts) and not _exits(tier, facts)


def _exits(tier: Tier, facts: Mapping[str, Any]) -> bool:
    # An empty list of conditions "always holds" (conditions.evaluate): here it means "never leave".
    return bool(tier.exit_conditions) and evaluate(tier.exit_conditions, facts)


async def _current_tier(
    session: AsyncSession, ctx: AuthContext, customer: Customer, tiers: Sequence[Tier]
) -> Tier | None:
    """The customer's tier. It may be INACTIVE, so not among `tiers`: its level and exit conditions still
    count. None for a customer without one (in Base, level 1: leaving Base changes nothing, so its exit
    conditions need no look-up) or whose tier was deleted."""
    if customer.tier_id is None:
        return None
    known = next((tier for tier in tiers if tier.id == customer.tier_id), None)
    if known is not None:
        return known
    return await tier_service.find_tier(session, ctx, customer.tier_id)


async def _base_tier(session: AsyncSession, ctx: AuthContext, tiers: Sequence[Tier]) -> Tier | None:
    known = next((tier for tier in tiers if tier.is_base), None)
    if known is not None:
        return known
    return await tier_service.base_tier(session, ctx)
