"""Punch cards on the storefront face."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from perks.loyalty.customers import service as customers
from perks.loyalty.face import Data, ServerAuth, Session, router
from perks.loyalty.punch_cards import service
from perks.loyalty.punch_cards.schemas import PunchCardOut

punch_cards_router = router(tags=["loyalty: punch cards"])


@punch_cards_router.get(
    "/customers/{customer_id}/punch-cards",
    response_model=Data[list[PunchCardOut]],
    summary="A customer's punch cards and their progress",
)
async def punch_cards(
    session: Session,
    ctx: ServerAuth,
    customer_id: str,
    campaign_id: Annotated[str | None, Query(description="Only this campaign's cards")] = None,
) -> Data[list[PunchCardOut]]:
    customer = await customers.get(session, ctx, customer_id)
    return Data(data=await service.cards(session, ctx, customer, campaign_id))
