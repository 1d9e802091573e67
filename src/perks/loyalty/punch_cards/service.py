"""Punch cards: a PUNCH_CARDS campaign counts one punch for every event of its `trigger` (default PURCHASE)
that meets at least one of its rules' conditions; when a card reaches `attributes.punches` the rules'
effects are granted and the next card opens, unless `attributes.single_card` is true. Consent
`punchcard_campaigns` withdrawn: no punches at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from perks.kit import clock
from perks.ledger import service as ledger
from perks.loyalty.campaigns.models import Campaign
from perks.loyalty.conditions import evaluate
from perks.loyalty.customers import service as customers
from perks.loyalty.customers.models import Customer
from perks.loyalty.engine import effects
from perks.loyalty.events.programs import Candidate, EventContext
from perks.loyalty.punch_cards import repository
from perks.loyalty.punch_cards.models import PunchCard
from perks.loyalty.punch_cards.rendering import punch_card_out
from perks.loyalty.punch_cards.schemas import PunchCardOut
from perks.sql import runner_of
from perks.tenancy.context import AuthContext

CONSENT = "punchcard_campaigns"
DEFAULT_TRIGGER = "PURCHASE"
ATTEMPTS = 3  # a punch that finds its card just completed moves on to the next card


async def on_event(session: AsyncSession, ctx: AuthContext, event: EventContext) -> list[effects.Grant]:
    """The events pipeline's program: punch every matching card, grant the effects of completed ones."""
    if not customers.allows(event.customer, CONSENT):
        return []
    now = clock.now()
    grants: list[effects.Grant] = []
    for campaign in await repository.running_campaigns(session, ctx, now):
        if not _matches(campaign, event):
            continue
        card = await _punch(session, ctx, campaign, event.customer, now)
        if card is not None:
            grants.extend(await _complete(session, ctx, campaign, card, event))
    return grants


async def concerned(session: AsyncSession, ctx: AuthContext, candidates: Sequence[Candidate]) -> set[int]:
    """The events `on_event` may act on: those whose type and brand a running campaign counts (its rule
    conditions are checked when the event is processed)."""
    running = await repository.running_triggers(await runner_of(session), ctx, clock.now())
    return {
        index
        for index, item in enumerate(candidates)
        if any(
            _counted(attributes, brand_id, item.event_type, item.brand_id) for attributes, brand_id in running
        )
    }


async def cards(
    session: AsyncSession, ctx: AuthContext, customer: Customer, campaign_id: str | None
) -> list[PunchCardOut]:
    rows = await repository.cards_of(session, ctx, customer.id, campaign_id)
    names = await repository.campaign_names(session, ctx, sorted({row.campaign_id for row in rows}))
    return [punch_card_out(row, names.get(row.campaign_id)) for row in rows]


# Internals.


def _counts(campaign: Campaign, event_type: str, brand_id: str | None) -> bool:
    return _counted(campaign.attributes, campaign.brand_id, event_type, brand_id)


def _counted(
    attributes: Mapping[str, Any], campaign_brand: str | None, event_type: str, brand_id: str | None
) -> bool:
    """Whether a campaign with these attributes and brand counts an event of this type and brand."""
    if attributes.get("trigger", DEFAULT_TRIGGER) != event_type:
        return False
    return campaign_brand is None or campaign_brand == brand_id


def _matches(campaign: Campaign, event: EventContext) -> bool:
    if not _counts(campaign, event.event_type, event.brand_id):
        return False
    return any(evaluate(rule.get("conditions") or [], event.facts) for rule in campaign.rules)


async def _punch(
    session: AsyncSession, ctx: AuthContext, campaign: Campaign, customer: Customer, now: datetime
) -> PunchCard | None:
    """Punch the customer's open card (opening one if needed); the card when this punch completed it."""
    for _ in range(ATTEMPTS):
        card = await repository.open_card(session, ctx, campaign.id, customer.id)
        if card is None:
            if not await _open_next(session, ctx, campaign, customer, now):
                return None
            continue
        punched = await repository.punch(session, ctx, card.id, now)
        if punched is None:
            continue
        _punches, completed_at = punched
        if completed_at is None:
            return None
        await _open_next(session, ctx, campaign, customer, now)
        return card
    return None


async def _open_next(
    session: AsyncSession, ctx: AuthContext, campaign: Campaign, customer: Customer, now: datetime
) -> bool:
    """Open the customer's next card; False when cards are single and one exists already."""
    last = await repository.last_number(session, ctx, campaign.id, customer.id)
    if last and campaign.attributes.get("single_card") is True:
        return False
    await repository.open_new_card(
        session,
        ctx,
        {
            "campaign_id": campaign.id,
            "customer_id": customer.id,
            "number": last + 1,
            "punches": 0,
            "required": int(campaign.attributes["punches"]),
            "created_at": now,
            "updated_at": now,
        },
    )
    return True


async def _complete(
    session: AsyncSession, ctx: AuthContext, campaign: Campaign, card: PunchCard, event: EventContext
) -> Sequence[effects.Grant]:
    return await effects.grant(
        session,
        ctx,
        campaign=campaign,
        rules=campaign.rules,
        customer=event.customer,
        wallet_id=event.wallet_id,
        facts=event.facts,
        entry=ledger.Entry(
            brand_id=event.brand_id,
            event_id=event.event_id,
            event_type=event.event_type,
            details=f"Punch card {card.number} completed",
            metadata={"punch_card_id": card.id},
        ),
    )
