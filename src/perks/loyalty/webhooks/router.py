"""Webhooks on the loyalty face: `{"data": ...}` envelope, snake_case. Ids go as path segments, like
every Masivo resource (`/webhooks/{endpoint_id}`), or in the query string like the affiliate face
(`/webhooks?endpoint_id=`; `endpointId=` is accepted too): both forms reach the same handler."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request

from perks.errors import invalid
from perks.kit.pagination import MAX_OFFSET
from perks.loyalty.face import Data, ServerAuth, Session, router
from perks.loyalty.webhooks.rendering import (
    delivery_out,
    endpoint_out,
    endpoint_with_secret_out,
    queued_event_out,
)
from perks.outbox import catalogue, service
from perks.outbox.schemas import (
    CatalogueEntry,
    EndpointCreate,
    EndpointUpdate,
    LoyaltyDeleted,
    LoyaltyDeliveries,
    LoyaltyDeliveryOut,
    LoyaltyEndpointOut,
    LoyaltyEndpointWithSecret,
    LoyaltyTestEventOut,
)

webhooks_router = router(tags=["loyalty: webhooks"])

DEFAULT_WINDOW = 50
MAX_WINDOW = 100


# One parameter serves both route shapes: on `/webhooks/{endpoint_id}` FastAPI reads `endpoint_id` from
# the path, on `/webhooks` from the query string; the camelCase query spelling is accepted too.
CamelQuery = Query(default=None, include_in_schema=False)


def _given(snake: str | None, camel: str | None, field: str, *, required: bool) -> str | None:
    found = snake or camel
    if found is None and required:
        raise invalid(field, "Field required")
    return found


def required_endpoint_id(endpoint_id: str | None = None, endpointId: str | None = CamelQuery) -> str:
    return str(_given(endpoint_id, endpointId, "endpoint_id", required=True))


def optional_endpoint_id(endpoint_id: str | None = None, endpointId: str | None = CamelQuery) -> str | None:
    return _given(endpoint_id, endpointId, "endpoint_id", required=False)


def required_delivery_id(delivery_id: str | None = None, deliveryId: str | None = CamelQuery) -> str:
    return str(_given(delivery_id, deliveryId, "delivery_id", required=True))


EndpointId = Annotated[str, Depends(required_endpoint_id)]
OptionalEndpointId = Annotated[str | None, Depends(optional_endpoint_id)]
DeliveryId = Annotated[str, Depends(required_delivery_id)]


def allow_private(request: Request) -> bool:
    return bool(request.app.state.settings.allow_private_webhooks)


# Fixed paths first, so that /webhooks/deliveries is never taken for an endpoint id.


@webhooks_router.get(
    "/webhooks/events",
    response_model=Data[list[CatalogueEntry]],
    summary=catalogue.SUMMARY,
    description=catalogue.DESCRIPTION,
)
async def event_types(ctx: ServerAuth) -> Data[list[CatalogueEntry]]:
    return Data(data=[CatalogueEntry.model_validate(entry) for entry in catalogue.entries()])


@webhooks_router.get("/webhooks/deliveries", response_model=LoyaltyDeliveries, response_model_by_alias=True)
@webhooks_router.get(
    "/webhooks/{endpoint_id}/deliveries", response_model=LoyaltyDeliveries, response_model_by_alias=True
)
async def list_deliveries(
    session: Session,
    ctx: ServerAuth,
    endpoint_id: OptionalEndpointId,
    start: Annotated[int, Query(alias="from", ge=0, le=MAX_OFFSET, description="First record, from 0")] = 0,
    to: Annotated[
        int | None,
        Query(ge=0, le=MAX_OFFSET + MAX_WINDOW, description=f"Last record (at most {MAX_WINDOW} per call)"),
    ] = None,
) -> LoyaltyDeliveries:
    end = start + DEFAULT_WINDOW - 1 if to is None else to
    if end < start or end - start + 1 > MAX_WINDOW:
        raise invalid("to", f"must be between from and from + {MAX_WINDOW - 1}")
    rows, total = await service.slice_deliveries(session, ctx, endpoint_id, start, end)
    items = [delivery_out(row) for row in rows]
    last = start + len(items) - 1 if items else start
    return LoyaltyDeliveries(data=items, from_=start, to=last, count=total)


@webhooks_router.post("/webhooks/deliveries/redeliver", response_model=Data[LoyaltyDeliveryOut])
@webhooks_router.post("/webhooks/deliveries/{delivery_id}/redeliver", response_model=Data[LoyaltyDeliveryOut])
async def redeliver(session: Session, ctx: ServerAuth, delivery_id: DeliveryId) -> Data[LoyaltyDeliveryOut]:
    delivery = await service.redeliver(session, ctx, delivery_id)
    return Data(data=delivery_out(delivery))


@webhooks_router.post("/webhooks/rotate-secret", response_model=Data[LoyaltyEndpointWithSecret])
@webhooks_router.post("/webhooks/{endpoint_id}/rotate-secret", response_model=Data[LoyaltyEndpointWithSecret])
async def rotate_secret(
    session: Session, ctx: ServerAuth, endpoint_id: EndpointId
) -> Data[LoyaltyEndpointWithSecret]:
    return Data(data=endpoint_with_secret_out(await service.rotate_secret(session, ctx, endpoint_id)))


@webhooks_router.post("/webhooks/test", status_code=201, response_model=Data[LoyaltyTestEventOut])
@webhooks_router.post(
    "/webhooks/{endpoint_id}/test", status_code=201, response_model=Data[LoyaltyTestEventOut]
)
async def send_test_event(
    session: Session, ctx: ServerAuth, endpoint_id: EndpointId
) -> Data[LoyaltyTestEventOut]:
    event = await service.send_test(session, ctx, endpoint_id)
    return Data(data=queued_event_out(event, endpoint_id))


@webhooks_router.post("/webhooks", status_code=201, response_model=Data[LoyaltyEndpointWithSecret])
async def create_endpoint(
    request: Request, session: Session, ctx: ServerAuth, body: EndpointCreate
) -> Data[LoyaltyEndpointWithSecret]:
    endpoint = await service.create_endpoint(session, ctx, body, allow_private(request))
    return Data(data=endpoint_with_secret_out(endpoint))


@webhooks_router.get("/webhooks", response_model=Data[list[LoyaltyEndpointOut]] | Data[LoyaltyEndpointOut])
@webhooks_router.get("/webhooks/{endpoint_id}", response_model=Data[LoyaltyEndpointOut])
async def get_endpoints(
    session: Session, ctx: ServerAuth, endpoint_id: OptionalEndpointId
) -> Data[list[LoyaltyEndpointOut]] | Data[LoyaltyEndpointOut]:
    """Every endpoint of the account, or one when an id is given."""
    if endpoint_id is not None:
        return Data(data=endpoint_out(await service.get_endpoint(session, ctx, endpoint_id)))
    return Data(data=[endpoint_out(row) for row in await service.list_endpoints(session, ctx)])


@webhooks_router.put("/webhooks", response_model=Data[LoyaltyEndpointOut])
@webhooks_router.put("/webhooks/{endpoint_id}", response_model=Data[LoyaltyEndpointOut])
async def update_endpoint(
    request: Request, session: Session, ctx: ServerAuth, endpoint_id: EndpointId, body: EndpointUpdate
) -> Data[LoyaltyEndpointOut]:
    endpoint = await service.update_endpoint(session, ctx, endpoint_id, body, allow_private(request))
    return Data(data=endpoint_out(endpoint))


@webhooks_router.delete("/webhooks", response_model=Data[LoyaltyDeleted])
@webhooks_router.delete("/webhooks/{endpoint_id}", response_model=Data[LoyaltyDeleted])
async def delete_endpoint(session: Session, ctx: ServerAuth, endpoint_id: EndpointId) -> Data[LoyaltyDeleted]:
    await service.delete_endpoint(session, ctx, endpoint_id)
    return Data(data=LoyaltyDeleted(id=endpoint_id))
