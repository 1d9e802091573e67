"""Referrals: a referrer's code per REFERRALS campaign, and the rewards a referral brings.

A referee who registers with `referral_code`, or sends an event with one, is referred by the code's owner
(at most once: unique per referee) and gets the campaign's referee rules; the code's `uses_count` grows by
one through a conditional UPDATE that never passes `max_uses`. The referrer gets the campaign's `rules`
effects, once per referral, on the first referee event (registration included) whose facts meet them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypedDict

from sqlalchemy.ext.asyncio import AsyncSession

from perks.errors import Conflict, NotFound, invalid
from perks.kit import clock
from perks.ledger import service as ledger
from perks.loyalty.campaigns import service as campaigns
from perks.loyalty.campaigns.models import Campaign
from perks.loyalty.campaigns.schemas import CampaignType, StatusFilter
from perks.loyalty.conditions import evaluate
from perks.loyalty.coupons.generator import CodeFormat, random_codes
from perks.loyalty.customers.models import Customer
from perks.loyalty.engine import effects
from perks.loyalty.engine.facts import facts_for
from perks.loyalty.events.programs import Candidate, EventContext
from perks.loyalty.referrals import repository
from perks.loyalty.referrals.rendering import referral_code_out
from perks.loyalty.referrals.schemas import CodeRequest, ReferralCodeOut
from perks.outbox import service as outbox
from perks.sql import Runner, runner_of
from perks.tenancy.context import AuthContext

CODE_FORMAT = CodeFormat()  # 8 characters of the coupon alphabet, e.g. "ZMQQJTAZ"
MAX_ATTEMPTS = 5  # a fresh code is retried only when it collides with another code of the account


@dataclass(frozen=True)
class Referred:
    referral_id: str
    referrer_id: str  # customers.id of the code's owner
    campaign: Campaign


async def request_code(
    session: AsyncSession, ctx: AuthContext, customer: Customer, body: CodeRequest
) -> tuple[ReferralCodeOut, bool]:
    """The customer's code for the campaign, created on first request; (code, created). On perks.sql: the
    code is looked up, else inserted (ON CONFLICT DO NOTHING RETURNING: the unique indexes make concurrent
    requests create one code), else looked up again (a concurrent request created it first)."""
    runner = await runner_of(session)
    campaign = await _referrals_campaign(runner, ctx, body)
    existing = await repository.read_code_of(runner, ctx, customer.id, campaign.id)
    if existing is not None:
        return referral_code_out(existing, customer), False
    for _ in range(MAX_ATTEMPTS):
        values: dict[str, Any] = {
            "code": random_codes(CODE_FORMAT, 1)[0],
            "customer_id": customer.id,
            "campaign_id": campaign.id,
            "uses_count": 0,
            "max_uses": campaign.attributes.get("max_uses"),
            "meta": {},
            "created_at": clock.now(),
        }
        created = await repository.write_code(runner, ctx, values)
        if created is not None:
            return referral_code_out(created, customer), True
        row = await repository.read_code_of(runner, ctx, customer.id, campaign.id)
        if row is not None:  # the one a concurrent request created first
            return referral_code_out(row, customer), False
    raise Conflict("Could not allocate a free referral code; retry", title="Conflict")


async def on_registration(
    session: AsyncSession, ctx: AuthContext, customer: Customer, wallet_id: str, code: str
) -> list[effects.Grant]:
    """Apply the referral code a customer registered with, in the transaction that registered them. A code
    that cannot be used (unknown, used up, campaign not running) is ignored: the registration itself never
    fails because of it. The customer is new, so the only referral they can have is the one made here:
    its referrer is rewarded at once when the registration meets the campaign's rules."""
    facts = facts_for("REGISTRATION", {}, customer, clock.now())
    referred = await _refer(session, ctx, customer, code.strip().upper())
    if referred is None:
        return []
    grants = await _referee_grants(session, ctx, customer, wallet_id, referred, facts, None)
    await _reward_referrer(session, ctx, referred, facts, None)
    return grants


async def on_event(session: AsyncSession, ctx: AuthContext, event: EventContext) -> list[effects.Grant]:
    """The events pipeline's program: a `referral_code` on the event is applied (ignored when it cannot be
    used), and the referrer of a still-unrewarded referral is rewarded when the event meets the campaign's
    rules. Returns the referee's grants (the referrer's go to another wallet and are announced here)."""
    customer, referral_code, facts, event_id = (
        event.customer,
        event.referral_code,
        event.facts,
        event.event_id,
    )
    grants: list[effects.Grant] = []
    if referral_code:
        referred = await _refer(session, ctx, customer, referral_code.strip().upper())
        if referred is not None:
            grants = await _referee_grants(session, ctx, customer, event.wallet_id, referred, facts, event_id)
    await _referrer_rewards(session, ctx, customer, facts, event_id)
    return grants


async def concerned(session: AsyncSession, ctx: AuthContext, candidates: Sequence[Candidate]) -> set[int]:
    """The events `on_event` may act on: those with a referral code, and those of referees whose referrer
    is not rewarded yet."""
    runner = await runner_of(session)
    waiting = await repository.read_unrewarded_referees(
        runner, ctx, {item.customer_id for item in candidates}
    )
    return {
        index for index, item in enumerate(candidates) if item.referral_code or item.customer_id in waiting
    }


# Internals.


async def _referrals_campaign(runner: Runner, ctx: AuthContext, body: CodeRequest) -> Campaign:
    campaign = await campaigns.read_campaign(runner, ctx, body.campaign_id)
    if campaign.type != CampaignType.REFERRALS:
        raise invalid("campaign_id", "must be a REFERRALS campaign")
    if campaign.brand_id is not None and body.brand_id != campaign.brand_id:
        raise invalid("brand_id", "must be the campaign's brand (the campaign is brand-specific)")
    if campaigns.derived_status(campaign, clock.now()) == "FINISHED":
        raise Conflict("The referral campaign has ended", title="Campaign has ended")
    return campaign


async def _referee_grants(
    session: AsyncSession,
    ctx: AuthContext,
    customer: Customer,
    wallet_id: str,
    referred: Referred,
    facts: Mapping[str, Any],
    event_id: str | None,
) -> list[effects.Grant]:
    return await effects.grant(
        session,
        ctx,
        campaign=referred.campaign,
        rules=referred.campaign.referee_rules or [],
        customer=customer,
        wallet_id=wallet_id,
        facts=facts,
        entry=_entry(referred, event_id, facts),
    )


async def _referrer_rewards(
    session: AsyncSession,
    ctx: AuthContext,
    referee: Customer,
    facts: Mapping[str, Any],
    event_id: str | None,
) -> None:
    runner = await runner_of(session)
    referral = await repository.read_unrewarded_referral_of(runner, ctx, referee.id)
    if referral is None:
        return
    campaign = await campaigns.read_campaign(runner, ctx, referral.campaign_id)
    if _running(campaign):
        referred = Referred(referral.id, referral.referrer_id, campaign)
        await _reward_referrer(session, ctx, referred, facts, event_id)


async def _refer(session: AsyncSession, ctx: AuthContext, customer: Customer, code: str) -> Referred | None:
    """Record that `customer` was referred with `code`, race-free; None when the code cannot be used (unknown,
    the customer's own, campaign not running, customer already referred, code used up)."""
    runner = await runner_of(session)
    row = await repository.read_code(runner, ctx, code)
    if row is None or row.customer_id == customer.id:
        return None
    campaign = await campaigns.read_campaign(runner, ctx, row.campaign_id)
    if not _running(campaign):
        return None
    referral_id = await repository.write_referral(
        runner,
        ctx,
        {
            "referral_code_id": row.id,
            "campaign_id": campaign.id,
            "referrer_id": row.customer_id,
            "referee_id": customer.id,
            "created_at": clock.now(),
        },
    )
    if referral_id is None:
        return None
    if not await repository.use_code_with(runner, ctx, row.id):
        await repository.drop_referral_with(runner, ctx, referral_id)
        return None
    return Referred(referral_id, row.customer_id, campaign)


async def _reward_referrer(
    session: AsyncSession,
    ctx: AuthContext,
    referred: Referred,
    facts: Mapping[str, Any],
    event_id: str | None,
) -> None:
    """Grant the referrer the campaign's rules once, on the first referee event that meets them."""
    campaign = referred.campaign
    if not any(evaluate(rule.get("conditions") or [], facts) for rule in campaign.rules):
        return
    now = clock.now()
    runner = await runner_of(session)
    if not await repository.claim_referrer_reward_with(runner, ctx, referred.referral_id, now):
        return
    found = await repository.read_customer_with_wallet(runner, ctx, referred.referrer_id)
    if found is None:  # the referrer was deleted; nothing to give
        return
    referrer, wallet_id = found
    if wallet_id is None:
        raise NotFound("Wallet not found", title="Wallet not found")
    referrer_facts = {**facts, "now": now}
    grants = await effects.grant(
        session,
        ctx,
        campaign=campaign,
        rules=campaign.rules,
        customer=referrer,
        wallet_id=wallet_id,
        facts=referrer_facts,
        entry=_entry(referred, event_id, facts),
    )
    await announce(session, ctx, referrer, grants, cause="REFERRAL")


class AccumulationWebhook(TypedDict):
    """CUSTOMER_ACCUMULATION of rewards given outside an event's own result (a referral's)."""

    customer_id: str
    cause: str
    accumulations: list[ledger.LineJSON]


async def announce(
    session: AsyncSession, ctx: AuthContext, customer: Customer, grants: list[effects.Grant], *, cause: str
) -> None:
    """CUSTOMER_ACCUMULATION for rewards given outside an event's own result, written through the runner
    (after what the session holds pending, so webhooks keep their order)."""
    if grants:
        payload = AccumulationWebhook(
            customer_id=customer.external_id, cause=cause, accumulations=[g.line for g in grants]
        )
        await outbox.emit_many(await runner_of(session), ctx, [("CUSTOMER_ACCUMULATION", payload)])


def _entry(referred: Referred, event_id: str | None, facts: Mapping[str, Any]) -> ledger.Entry:
    return ledger.Entry(
        brand_id=referred.campaign.brand_id,
        event_id=event_id,
        event_type=str(facts.get("Event Type") or "REFERRAL"),
        details="Referral",
        metadata={"referral_id": referred.referral_id},
    )


def _running(campaign: Campaign, now: datetime | None = None) -> bool:
    return campaigns.derived_status(campaign, now or clock.now()) == StatusFilter.RUNNING
