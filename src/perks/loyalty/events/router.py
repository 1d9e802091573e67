"""Behavior events on the storefront face. Events are processed synchronously inside the request: the
response carries the RESOLVED event and its result."""

from __future__ import annotations

from fastapi import Response
from fastapi.responses import JSONResponse

from perks.loyalty.events import preview, service
from perks.loyalty.events.schemas import EventCreate, EventOut, PreviewBody, ReverseBody
from perks.loyalty.face import Data, ServerAuth, Session, router

events_router = router(tags=["loyalty: behavior events"])
EventData = Data[EventOut]


@events_router.post(
    "/behavior/events",
    status_code=201,
    response_model=EventData,
    summary="Create a behavior event",
    description="Runs the matching campaigns and returns the processed event (201), or the stored "
    "event (200) for a PURCHASE whose order.purchase_id was already recorded.",
)
async def create_event(session: Session, ctx: ServerAuth, body: EventCreate) -> Response:
    created = await service.create(session, ctx, body)
    # The hot path answers its JSON directly: the event is built from validated models already.
    content = {"data": created.event.model_dump(mode="json")}
    return JSONResponse(content, status_code=200 if created.repeated else 201)


@events_router.get("/behavior/events/{event_id}", response_model=EventData, summary="Get a behavior event")
async def get_event(session: Session, ctx: ServerAuth, event_id: str) -> EventData:
    return Data(data=await service.get(session, ctx, event_id))


@events_router.patch(
    "/behavior/events/{event_id}/fulfill", response_model=EventData, summary="Fulfill a behavior event"
)
async def fulfill_event(session: Session, ctx: ServerAuth, event_id: str) -> EventData:
    return Data(data=await service.fulfill(session, ctx, event_id))


@events_router.post(
    "/behavior/events/{event_id}/reverse", response_model=EventData, summary="Reverse a behavior event"
)
async def reverse_event(
    session: Session, ctx: ServerAuth, event_id: str, body: ReverseBody | None = None
) -> EventData:
    return Data(data=await service.reverse(session, ctx, event_id, body.reason if body else None))


@events_router.put(
    "/events/redeem/preview",
    response_model=Data[dict[str, object]],
    summary="Preview an order with rewards redeemed",
)
async def preview_redeem(session: Session, ctx: ServerAuth, body: PreviewBody) -> Data[dict[str, object]]:
    return Data(data=await preview.preview(session, ctx, body))
