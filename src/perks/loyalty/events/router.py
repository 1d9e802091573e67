"""Behavior events on the storefront face. An event is processed before the answer, which carries the
RESOLVED event and its result; concurrent events are group-committed (perks.loyalty.events.batch)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request, Response

from perks.kit import clock
from perks.loyalty.events import batch, preview, service
from perks.loyalty.events.schemas import EventCreate, EventOut, PreviewBody, ReverseBody
from perks.loyalty.face import Data, ServerAuth, ServerClaim, Session, router
from perks.web.unit_of_work import group_committed

events_router = router(tags=["loyalty: behavior events"])
DRY_RUN_HEADER = "Perks-Dry-Run"
EventData = Data[EventOut]


@events_router.post(
    "/behavior/events",
    status_code=201,
    response_model=EventData,
    summary="Create a behavior event",
    description="Runs the matching campaigns and returns the processed event (201), or the stored "
    "event (200) for a PURCHASE whose order.purchase_id was already recorded. With `dry_run=true` the "
    "same answer says what the event would do, and nothing is written (header `Perks-Dry-Run: true`).",
)
@group_committed
async def create_event(
    request: Request,
    claimed: ServerClaim,
    body: EventCreate,
    dry_run: Annotated[bool, Query(description="Evaluate only: write nothing")] = False,
) -> Response:
    issued_at = service.checked_issued_at(body, clock.now())
    if dry_run:  # no Idempotency-Key is claimed: nothing is kept to replay
        answer = await batch.dry_run(request.app.state.db, batch.Job(claimed.ctx, body, issued_at, None))
        headers = {DRY_RUN_HEADER: "true"}
    else:
        job = batch.Job(claimed.ctx, body, issued_at, claimed.idempotency)
        answer, headers = await batch.writer_of(request.app.state).submit(job), {}
    return Response(
        answer.body, status_code=answer.status_code, media_type="application/json", headers=headers
    )


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
