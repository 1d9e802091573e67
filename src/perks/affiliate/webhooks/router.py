"""Webhooks on the affiliate face: ids in the query string, lists at /list, ReferralStack envelope."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request

from perks.affiliate.face import (
    Envelope,
    Message,
    Page,
    PageQuery,
    ServerAuth,
    Session,
    done,
    ok,
    page_of,
    router,
)
from perks.affiliate.webhooks.rendering import (
    delivery_out,
    endpoint_out,
    endpoint_with_secret_out,
    queued_event_out,
)
from perks.affiliate.webhooks.schemas import (
    AffiliateDeliveryOut,
    AffiliateEndpointOut,
    AffiliateEndpointWithSecret,
    AffiliateTestEventOut,
)
from perks.outbox import catalogue, service
from perks.outbox.schemas import (
    CatalogueEntry,
    EndpointCreate,
    EndpointUpdate,
)

webhooks_router = router(tags=["affiliate: webhooks"])

EndpointId = Annotated[str, Query(alias="endpointId", description="The webhook endpoint's id")]
OptionalEndpointId = Annotated[str | None, Query(alias="endpointId", description="Only this endpoint's")]
DeliveryId = Annotated[str, Query(alias="deliveryId", description="The delivery's id")]


def allow_private(request: Request) -> bool:
    return bool(request.app.state.settings.allow_private_webhooks)


@webhooks_router.get(
    "/webhooks/events",
    response_model=Envelope[list[CatalogueEntry]],
    summary=catalogue.SUMMARY,
    description=catalogue.DESCRIPTION,
)
async def event_types(ctx: ServerAuth) -> Envelope[list[CatalogueEntry]]:
    entries = [CatalogueEntry.model_validate(entry) for entry in catalogue.entries()]
    return ok(entries, "Webhook event types fetched successfully")


@webhooks_router.post("/webhooks", status_code=201, response_model=Envelope[AffiliateEndpointWithSecret])
async def create_endpoint(
    request: Request, session: Session, ctx: ServerAuth, body: EndpointCreate
) -> Envelope[AffiliateEndpointWithSecret]:
    endpoint = await service.create_endpoint(session, ctx, body, allow_private(request))
    return ok(endpoint_with_secret_out(endpoint), "Webhook endpoint created successfully", 201)


@webhooks_router.get("/webhooks/list", response_model=Envelope[Page[AffiliateEndpointOut]])
async def list_endpoints(
    session: Session, ctx: ServerAuth, page: PageQuery
) -> Envelope[Page[AffiliateEndpointOut]]:
    result = await service.page_endpoints(session, ctx, page)
    return ok(
        page_of(result, [endpoint_out(row) for row in result.items]), "Webhook endpoints fetched successfully"
    )


@webhooks_router.get(
    "/webhooks",
    response_model=Envelope[AffiliateEndpointOut] | Envelope[Page[AffiliateEndpointOut]],
    summary="Get one webhook endpoint (?endpointId=), or the list without it",
)
async def get_endpoint(
    session: Session, ctx: ServerAuth, page: PageQuery, endpoint_id: OptionalEndpointId = None
) -> Envelope[AffiliateEndpointOut] | Envelope[Page[AffiliateEndpointOut]]:
    if endpoint_id is None:
        return await list_endpoints(session, ctx, page)
    endpoint = await service.get_endpoint(session, ctx, endpoint_id)
    return ok(endpoint_out(endpoint), "Webhook endpoint fetched successfully")


@webhooks_router.put("/webhooks", response_model=Envelope[AffiliateEndpointOut])
async def update_endpoint(
    request: Request, session: Session, ctx: ServerAuth, body: EndpointUpdate, endpoint_id: EndpointId
) -> Envelope[AffiliateEndpointOut]:
    endpoint = await service.update_endpoint(session, ctx, endpoint_id, body, allow_private(request))
    return ok(endpoint_out(endpoint), "Webhook endpoint updated successfully")


@webhooks_router.delete("/webhooks", response_model=Message)
async def delete_endpoint(session: Session, ctx: ServerAuth, endpoint_id: EndpointId) -> Message:
    await service.delete_endpoint(session, ctx, endpoint_id)
    return done("Webhook endpoint deleted successfully")


@webhooks_router.post("/webhooks/rotate-secret", response_model=Envelope[AffiliateEndpointWithSecret])
async def rotate_secret(
    session: Session, ctx: ServerAuth, endpoint_id: EndpointId
) -> Envelope[AffiliateEndpointWithSecret]:
    endpoint = await service.rotate_secret(session, ctx, endpoint_id)
    return ok(endpoint_with_secret_out(endpoint), "Webhook secret rotated successfully")


@webhooks_router.post("/webhooks/test", status_code=201, response_model=Envelope[AffiliateTestEventOut])
async def send_test_event(
    session: Session, ctx: ServerAuth, endpoint_id: EndpointId
) -> Envelope[AffiliateTestEventOut]:
    event = await service.send_test(session, ctx, endpoint_id)
    return ok(queued_event_out(event, endpoint_id), "Test event queued successfully", 201)


@webhooks_router.get("/webhooks/deliveries", response_model=Envelope[Page[AffiliateDeliveryOut]])
async def list_deliveries(
    session: Session, ctx: ServerAuth, page: PageQuery, endpoint_id: OptionalEndpointId = None
) -> Envelope[Page[AffiliateDeliveryOut]]:
    result = await service.page_deliveries(session, ctx, endpoint_id, page)
    items = [delivery_out(row) for row in result.items]
    return ok(page_of(result, items), "Webhook deliveries fetched successfully")


@webhooks_router.post("/webhooks/deliveries/redeliver", response_model=Envelope[AffiliateDeliveryOut])
async def redeliver(
    session: Session, ctx: ServerAuth, delivery_id: DeliveryId
) -> Envelope[AffiliateDeliveryOut]:
    delivery = await service.redeliver(session, ctx, delivery_id)
    return ok(delivery_out(delivery), "Redelivery scheduled successfully")
