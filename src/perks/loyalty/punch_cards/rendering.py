"""Punch cards as the API shows them."""

from __future__ import annotations

from perks.loyalty.punch_cards.models import PunchCard
from perks.loyalty.punch_cards.schemas import PunchCardOut


def punch_card_out(card: PunchCard, campaign_name: str | None) -> PunchCardOut:
    return PunchCardOut(
        id=card.id,
        campaign_id=card.campaign_id,
        campaign_name=campaign_name,
        number=card.number,
        punches=card.punches,
        required=card.required,
        completed=card.completed_at is not None,
        completed_at=card.completed_at,
        created_at=card.created_at,
        updated_at=card.updated_at,
    )
