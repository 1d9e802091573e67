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

from perks.errors import Conflict, invalid
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
from perks.loyalty.referrals.models import Referral, ReferralCode
from perks.loyalty.referrals.schemas import CodeRequest, ReferralCodeOut
from perks.outbox import service as outbox
from perks.sql import runner_of
from perks.tenancy.context import AuthContext

CODE_FORMAT = CodeFormat()  # 8 characters of the coupon alphabet, e.g. "ZMQQJTAZ"
MAX_ATTEMPTS = 5  # a fresh code is retried only when it collides with another code of the account


@dataclass(frozen=True)
class Referred:
    referral_id: str
    campaign: Campaign


async def request_code(
    session: AsyncSession, ctx: AuthContext, customer: Customer, body: CodeRequest
) -> tuple[ReferralCodeOut, bool]:
    """The customer's code for the campaign, created on first request; (code, created)."""
    campaign = await _referrals_campaign(session, ctx, body)
    existing = await repository.code_of(session, ctx, customer.id, campaign.id)
    if existing is not None:
        return code_out(existing, customer), False
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
        created = await repository.insert_code(session, ctx, values)
        row = await repository.code_of(session, ctx, customer.id, campaign.id)
        if row is not None:  # ours, or the one a concurrent request created first
            return code_out(row, customer), created
    raise Conflict("Could not allocate a free referral code; retry", title="Conflict")


async def on_registration(
    session: AsyncSession, ctx: AuthContext, customer: Customer, wallet_id: str, code: str
) -> list[effects.Grant]:
    """Apply the referral code a new customer registered with. A code that cannot be used (unknown, used
    up, campaign not running) is ignored: the registration itself never fails because of it."""
    facts = facts_for("REGISTRATION", {}, customer, clock.now())
    grants = await _referee_rewards(session, ctx, customer, wallet_id, code, facts, None)
    await _referrer_rewards(session, ctx, customer, facts, None)
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
        grants = await _referee_rewards(
            session, ctx, customer, event.wallet_id, referral_code, facts, event_id
        )
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


def code_out(row: ReferralCode, customer: Customer) -> ReferralCodeOut:
    return ReferralCodeOut(
        id=row.id,
        code=row.code,
        customer_id=customer.external_id,
        campaign_id=row.campaign_id,
        uses_count=row.uses_count,
        max_uses=row.max_uses,
        created_at=row.created_at,
        metadata=row.meta,
    )


# Internals.


async def _referrals_campaign(session: AsyncSession, ctx: AuthContext, body: CodeRequest) -> Campaign:
    campaign = await campaigns.get_campaign(session, ctx, body.campaign_id)
    if campaign.type != CampaignType.REFERRALS:
        raise invalid("campaign_id", "must be a REFERRALS campaign")
    if campaign.brand_id is not None and body.brand_id != campaign.brand_id:
        raise invalid("brand_id", "must be the campaign's brand (the campaign is brand-specific)")
    if campaigns.derived_status(campaign, clock.now()) == "FINISHED":
        raise Conflict("The referral campaign has ended", title="Campaign has ended")
    return campaign


async def _referee_rewards(
    session: AsyncSession,
    ctx: AuthContext,
    customer: Customer,
    wallet_id: str,
    code: str,
    facts: Mapping[str, Any],
    event_id: str | None,
) -> list[effects.Grant]:
    referred = await _refer(session, ctx, customer, code.strip().upper())
    if referred is None:
        return []
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
    referral = await repository.unrewarded_referral_of(session, ctx, referee.id)
    if referral is None:
        return
    campaign = await campaigns.get_campaign(session, ctx, referral.campaign_id)
    if _running(campaign):
        await _reward_referrer(session, ctx, referral, campaign, facts, event_id)


async def _refer(session: AsyncSession, ctx: AuthContext, customer: Customer, code: str) -> Referred | None:
    """Record that `customer` was referred with `code`, race-free; None when the code cannot be used (unknown,
    the customer's own, campaign not running, customer already referred, code used up)."""
    row = await repository.find_code(session, ctx, code)
    if row is None or row.customer_id == customer.id:
        return None
    campaign = await campaigns.get_campaign(session, ctx, row.campaign_id)
    if not _running(campaign):
        return None
    referral_id = await repository.insert_referral(
        session,
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
    if not await repository.use_code(session, ctx, row.id):
        await repository.drop_referral(session, ctx, referral_id)
        return None
    return Referred(referral_id, campaign)


async def _reward_referrer(
    session: AsyncSession,
    ctx: AuthContext,
    referral: Referral,
    campaign: Campaign,
    facts: Mapping[str, Any],
    event_id: str | None,
) -> None:
    """Grant the referrer the campaign's rules once, on the first referee event that meets them."""
    if not any(evaluate(rule.get("conditions") or [], facts) for rule in campaign.rules):
        return
    now = clock.now()
    if not await repository.claim_referrer_reward(session, ctx, referral.id, now):
        return
    referrer = await repository.customer_by_id(session, ctx, referral.referrer_id)
    if referrer is None:  # the referrer was deleted; nothing to give
        return
    wallet = await ledger.wallet_of(session, ctx, referrer.id)
    referrer_facts = {**facts, "now": now}
    grants = await effects.grant(
        session,
        ctx,
        campaign=campaign,
        rules=campaign.rules,
        customer=referrer,
        wallet_id=wallet.id,
        facts=referrer_facts,
        entry=_entry(Referred(referral.id, campaign), event_id, facts),
    )
    announce(session, ctx, referrer, grants, cause="REFERRAL")


class AccumulationWebhook(TypedDict):
    """CUSTOMER_ACCUMULATION of rewards given outside an event's own result (a referral's)."""

    customer_id: str
    cause: str
    accumulations: list[ledger.LineJSON]


def announce(
    session: AsyncSession, ctx: AuthContext, customer: Customer, grants: list[effects.Grant], *, cause: str
) -> None:
    """CUSTOMER_ACCUMULATION for rewards given outside an event's own result."""
    if grants:
        outbox.emit(
            session,
            ctx,
            "CUSTOMER_ACCUMULATION",
            AccumulationWebhook(
                customer_id=customer.external_id, cause=cause, accumulations=[g.line for g in grants]
            ),
        )


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
