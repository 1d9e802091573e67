"""Redeem a single-use coupon code into the customer's wallet, and reverse that redemption.

Redeem finds the customer, claims the code (case-insensitive) with one conditional UPDATE (exactly one of
concurrent redemptions wins; a code that cannot be claimed is unknown, of a campaign not running, or used),
then checks the campaign (RUNNING; its brand and platforms), the rules' conditions (at least one rule must
hold) and consent `coupon_campaigns`, and grants the effects within the campaign's budget. Any refusal
raises, so the request's transaction rolls back and nothing is written (the code stays available).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, TypedDict

from sqlalchemy.ext.asyncio import AsyncSession

from perks.errors import Conflict, NotFound, Unprocessable, invalid
from perks.kit import clock
from perks.kit.ids import new_id
from perks.kit.money import plain_number
from perks.ledger import service as ledger
from perks.ledger.models import Transaction
from perks.loyalty.campaigns import service as campaigns
from perks.loyalty.campaigns.models import Campaign
from perks.loyalty.campaigns.schemas import CampaignType, StatusFilter
from perks.loyalty.conditions import evaluate, unmet
from perks.loyalty.coupons.redemptions import repository
from perks.loyalty.coupons.redemptions.models import CouponRedemption, RedemptionStatus
from perks.loyalty.coupons.redemptions.schemas import CouponReversed, RedeemBody, ReverseBody
from perks.loyalty.customers import rendering
from perks.loyalty.customers import service as customers
from perks.loyalty.customers.models import Customer
from perks.loyalty.engine import budgets, effects, tier_moves
from perks.loyalty.engine.facts import facts_for
from perks.loyalty.events.models import resolved_row
from perks.loyalty.rewards import service as reward_service
from perks.outbox import service as outbox
from perks.sql import Runner, runner_of
from perks.tenancy.context import AuthContext

REDEEM_EVENT = "COUPON_REDEMPTION"  # event_type of the ledger transactions a redemption writes
REVERSE_EVENT = "REVERSED_COUPON"


class Movement(TypedDict):
    """What a reversal gave back, as the reversal's webhook and its recorded event show it."""

    reward_id: str
    amount: int | float
    issued_at: str


class RedeemedWebhook(TypedDict):
    """COUPON_REDEEMED."""

    customer_id: str
    code: str
    campaign_id: str
    redemption_id: str
    accumulations: list[ledger.LineJSON]


class RedeemedAccumulationWebhook(RedeemedWebhook):
    """CUSTOMER_ACCUMULATION of a coupon redemption: COUPON_REDEEMED's payload and the ledger's event type."""

    event_type: str


class ReversedWebhook(TypedDict):
    """COUPON_REVERSED."""

    customer_id: str
    code: str
    campaign_id: str
    redemption_id: str
    event_type: str
    redemptions: list[Movement]


CONSENT = "coupon_campaigns"
CONDITION_NOT_MET = "Condition was not met"


async def redeem(session: AsyncSession, ctx: AuthContext, body: RedeemBody) -> dict[str, Any]:
    """One redemption, in the caller's transaction (a group-committed batch gives each its savepoint). The
    answer's `data` (`CouponRedeemed`) as plain values, for `kit.encoding.wire_bytes`."""
    runner = await runner_of(session)
    customer, wallet_id = await customers.find_with_wallet(runner, ctx, body.customer_id)
    code = body.code.strip().upper()
    now = clock.now()
    # Claim first (one statement serves the lookup and the race); every refusal below rolls it back.
    campaign_id = await repository.claim_code_with(runner, ctx, code, customer.external_id, now)
    if campaign_id is None:
        raise await _unclaimable(runner, ctx, code)
    campaign = await _running_campaign(runner, ctx, campaign_id)
    _check_applies(campaign, body)
    facts = facts_for(REDEEM_EVENT, _event_data(body, now), customer, now)
    _check_conditions(campaign.rules, facts)
    if not customers.allows(customer, CONSENT):
        raise Unprocessable(
            f"The customer has not consented to {CONSENT}",
            title="Consent required",
            extra={"purpose": CONSENT},
        )
    redemption_id = new_id()
    planned = await effects.plan(
        session,
        ctx,
        campaign=campaign,
        rules=campaign.rules,
        customer=customer,
        facts=facts,
        entry=ledger.Entry(
            brand_id=body.brand_id or campaign.brand_id,
            event_id=redemption_id,
            event_type=REDEEM_EVENT,
            channel_id=body.channel_id,
            store_id=body.store_id,
            details=f"Coupon {code}",
        ),
    )
    if not planned:
        raise Conflict(
            "The coupon's rewards are out of stock (the campaign's budget is spent) or not available for "
            "the customer's tier",
            title="Coupon rewards unavailable",
        )
    # The wallet locked and settled, its lines read once: the grants are added to them in memory, written,
    # and the wallet is shown from them (not read again).
    wallets = await ledger.lock_wallets(session, ctx, [wallet_id])
    grants = effects.granted(planned, wallets.accumulate(wallet_id, [item.accrual for item in planned]))
    await wallets.flush(session)
    runner = await runner_of(session)
    await repository.insert_redemption(
        runner, _redemption(ctx, redemption_id, code, campaign, customer, body, grants, now)
    )
    accumulations = [grant.line for grant in grants]
    await outbox.emit_many(
        runner, ctx, _redeemed_webhooks(customer, code, campaign, redemption_id, accumulations)
    )
    view = wallets.view(wallet_id)
    rewards = await reward_service.read_reward_objects(
        runner, ctx, {total.reward_id for total in view.totals}
    )
    return {
        "customer": rendering.customer_document(customer),
        "wallet": customers.wallet_document(customer, view, rewards),
        "accumulations": accumulations,
    }


async def reverse(session: AsyncSession, ctx: AuthContext, body: ReverseBody) -> CouponReversed:
    """Undo a redemption, on perks.sql: the customer row-locked (before the wallet: the tier is reassessed
    after the ledger work), the redemption marked REVERSED by one conditional UPDATE (exactly one of
    concurrent reversals wins), its ledger movements reversed under the wallet's lock, the budget refunded,
    the REVERSED_COUPON event recorded, the tier reassessed, the webhook, and the wallet as it is now."""
    runner = await runner_of(session)
    found = await repository.read_locked_customer(runner, ctx, body.customer_id)
    if found is None:
        raise customers.CustomerNotFound(body.customer_id)
    customer, wallet_id = found
    code = body.code.strip().upper()
    now = clock.now()
    redemption = await repository.reverse_redemption(runner, ctx, code, customer.id, now)
    if redemption is None:
        if await repository.redemption_exists(runner, ctx, code, customer.id):
            raise Conflict(
                "This coupon redemption has already been reversed", title="Internal validation failed"
            )
        raise NotFound(
            f"No redemption of coupon {code} by customer {customer.external_id!r}",
            title="Coupon redemption not found",
        )
    reversals = await ledger.reverse_event_in(
        session, ctx, redemption.id, wallet_id, details=f"Coupon {code} reversed"
    )
    runner = await runner_of(session)
    campaign = await campaigns.read_campaign(runner, ctx, redemption.campaign_id)
    await budgets.refund_with(runner, ctx, campaign, redemption.budget_spent, redemption.redeemed_at)
    movements = [_movement(reversal) for reversal in reversals]
    recorded = _reversed_event(ctx, customer, redemption, movements, now)
    await repository.write_event(runner, recorded)
    # The docs' step 5, "recalculates the customer's tier if necessary", on the customer's own facts.
    await tier_moves.reassess_with(session, runner, ctx, customer, event_id=str(recorded["id"]))
    runner = await runner_of(session)  # a tier move's webhook (the ORM's) is written first, as before
    payload = ReversedWebhook(
        customer_id=customer.external_id,
        code=code,
        campaign_id=campaign.id,
        redemption_id=redemption.id,
        event_type=REVERSE_EVENT,
        redemptions=movements,
    )
    await outbox.emit_many(runner, ctx, [("COUPON_REVERSED", payload)])
    # The reversal settled the wallet under its lock a moment ago: shown as it is now.
    view = await ledger.read_view(runner, ctx, wallet_id)
    rewards = await reward_service.read_reward_objects(
        runner, ctx, {total.reward_id for total in view.totals}
    )
    return CouponReversed(
        customer_id=customer.external_id,
        customer=rendering.customer_out(customer),
        wallet=customers.wallet_shown(customer, view, rewards),
        redemptions=movements,
    )


# Internals.


async def _unclaimable(runner: Runner, ctx: AuthContext, code: str) -> Exception:
    """Why a code could not be claimed: unknown (404), its campaign not running (409), or already used."""
    campaign_id = await repository.code_campaign(runner, ctx, code)
    if campaign_id is None:
        return NotFound(f"No coupon code {code} in this account", title="Coupon not found")
    await _running_campaign(runner, ctx, campaign_id)
    return Conflict("This coupon code has already been redeemed", title="Coupon already redeemed")


async def _running_campaign(runner: Runner, ctx: AuthContext, campaign_id: str) -> Campaign:
    campaign = await campaigns.read_campaign(runner, ctx, campaign_id)
    status = campaigns.derived_status(campaign, clock.now())
    if status == StatusFilter.FINISHED:
        raise Conflict("The coupon's campaign has expired", title="Coupon expired")
    if status != StatusFilter.RUNNING or campaign.type != CampaignType.COUPONS:
        raise Conflict(f"The coupon's campaign is {status}, not RUNNING", title="Coupon not active")
    return campaign


def _check_applies(campaign: Campaign, body: RedeemBody) -> None:
    if campaign.brand_id is not None and body.brand_id != campaign.brand_id:
        raise invalid(
            "brand_id",
            f"must be {campaign.brand_id}, the brand of this coupon's campaign "
            f"({'it was not sent' if body.brand_id is None else 'another brand was sent'})",
        )
    allowed = {str(value).lower() for item in campaign.platforms for value in item.values()}
    if body.platform is not None and allowed and body.platform.lower() not in allowed:
        raise invalid("platform", "the coupon's campaign does not apply on this platform")


def _event_data(body: RedeemBody, now: datetime) -> dict[str, Any]:
    return {
        "brand_id": body.brand_id,
        "platform": body.platform,
        "issued_at": now,
        "order": {"store_id": body.store_id, "channel_id": body.channel_id},
    }


def _check_conditions(rules: Sequence[Mapping[str, Any]], facts: Mapping[str, Any]) -> None:
    """At least one rule's conditions must hold; else the first rule's first failing message."""
    if any(evaluate(rule.get("conditions") or [], facts) for rule in rules):
        return
    requirement = unmet(rules[0].get("conditions") or [], facts) if rules else None
    requirement = requirement or CONDITION_NOT_MET
    raise Unprocessable(
        f"The coupon's conditions are not met: {requirement}",
        title=CONDITION_NOT_MET,
        extra={"requirement": requirement},
    )


def _redemption(
    ctx: AuthContext,
    redemption_id: str,
    code: str,
    campaign: Campaign,
    customer: Customer,
    body: RedeemBody,
    grants: Sequence[effects.Grant],
    now: datetime,
) -> dict[str, Any]:
    return {
        "id": redemption_id,
        "account_id": ctx.account_id,
        "code": code,
        "campaign_id": campaign.id,
        "customer_id": customer.id,
        "status": RedemptionStatus.ACTIVE,
        "brand_id": body.brand_id,
        "platform": body.platform,
        "store_id": body.store_id,
        "channel_id": body.channel_id,
        "budget_spent": sum((grant.amount for grant in grants), Decimal(0)),
        "redeemed_at": now,
        "reversed_at": None,
    }


def _redeemed_webhooks(
    customer: Customer,
    code: str,
    campaign: Campaign,
    redemption_id: str,
    accumulations: list[ledger.LineJSON],
) -> list[tuple[str, outbox.Payload]]:
    payload = RedeemedWebhook(
        customer_id=customer.external_id,
        code=code,
        campaign_id=campaign.id,
        redemption_id=redemption_id,
        accumulations=accumulations,
    )
    accumulated = RedeemedAccumulationWebhook(**payload, event_type=REDEEM_EVENT)
    return [("COUPON_REDEEMED", payload), ("CUSTOMER_ACCUMULATION", accumulated)]


def _reversed_event(
    ctx: AuthContext,
    customer: Customer,
    redemption: CouponRedemption,
    movements: list[Movement],
    now: datetime,
) -> dict[str, Any]:
    """The REVERSED_COUPON event's row, every column of the events table."""
    return resolved_row(
        id=new_id(),
        account_id=ctx.account_id,
        customer_id=customer.id,
        customer_external_id=customer.external_id,
        brand_id=redemption.brand_id,
        type=REVERSE_EVENT,
        data={"code": redemption.code, "campaign_id": redemption.campaign_id, "redemption_id": redemption.id},
        rewarding_campaigns=[redemption.campaign_id],
        result={"accumulations": [], "redemptions": movements},
        issued_at=now,
        processing_at=now,
        resolved_at=now,
        created_at=now,
    )


def _movement(reversal: Transaction) -> Movement:
    return {
        "reward_id": reversal.reward_id,
        "amount": plain_number(reversal.amount),
        "issued_at": clock.iso_millis(reversal.issued_at),
    }
