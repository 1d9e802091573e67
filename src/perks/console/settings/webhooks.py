"""Settings: Webhooks (owners): endpoints through the outbox services, each with its delivery log and a
resend button; the signing secret is shown once, at creation; deleting asks for confirmation."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from perks.audit import service as audit
from perks.console.auth import Owner
from perks.console.pages import FACE, Session, pages, router
from perks.errors import NotFound
from perks.loyalty.webhooks.rendering import endpoint_out
from perks.outbox import service as outbox
from perks.outbox.catalogue import AFFILIATE_EVENTS, LOYALTY_EVENTS
from perks.outbox.models import WebhookEndpoint
from perks.outbox.schemas import EndpointCreate
from perks.ui.forms import FormErrors, FormValues, attempt, form_values, parse
from perks.ui.listing import Listing

webhooks = router()
EVENT_GROUPS = [("Loyalty events", LOYALTY_EVENTS), ("Affiliate events", AFFILIATE_EVENTS)]
LIST = FACE.path("/settings/webhooks")


def _target(endpoint: WebhookEndpoint) -> audit.Target:
    return audit.Target("webhook_endpoint", endpoint.id, endpoint.url)


def _allow_private(request: Request) -> bool:
    return bool(request.app.state.settings.allow_private_webhooks)


@webhooks.get("/settings/webhooks")
async def list_endpoints(request: Request, session: Session, staff: Owner) -> Response:
    endpoints = await outbox.list_endpoints(session, staff.ctx)
    return pages.render(request, "console/settings/webhooks.html", {"endpoints": endpoints})


def _form(request: Request, values: FormValues, errors: FormErrors, status: int = 200) -> Response:
    context = {"values": values, "errors": errors, "event_groups": EVENT_GROUPS}
    return pages.render(request, "console/settings/webhook_form.html", context, status=status)


@webhooks.get("/settings/webhooks/new")
async def new_endpoint(request: Request, staff: Owner) -> Response:
    return _form(request, {"events": []}, FormErrors())


@webhooks.post("/settings/webhooks/new")
async def create_endpoint(request: Request, session: Session, staff: Owner) -> Response:
    values = await form_values(request, lists={"events"})
    created = await attempt(
        lambda: outbox.create_endpoint(
            session, staff.ctx, parse(EndpointCreate, values), _allow_private(request)
        )
    )
    if isinstance(created, FormErrors):
        return _form(request, values, created, status=created.status)
    audit.record(session, staff, "create", _target(created), after=endpoint_out(created))
    return pages.render(request, "console/settings/webhook_created.html", {"endpoint": created})


@webhooks.get("/settings/webhooks/{endpoint_id}")
async def show_endpoint(
    request: Request, session: Session, staff: Owner, endpoint_id: str, listing: Listing
) -> Response:
    endpoint = await outbox.get_endpoint(session, staff.ctx, endpoint_id)
    deliveries = await outbox.keyset_deliveries(session, staff.ctx, endpoint_id, listing.keyset())
    context: dict[str, Any] = {"endpoint": endpoint, "page": deliveries, "params": listing.params()}
    return pages.render(request, "console/settings/webhook.html", context)


@webhooks.post("/settings/webhooks/{endpoint_id}/deliveries/{delivery_id}/resend")
async def resend_delivery(
    request: Request, session: Session, staff: Owner, endpoint_id: str, delivery_id: str
) -> Response:
    endpoint = await outbox.get_endpoint(session, staff.ctx, endpoint_id)
    delivery = await outbox.redeliver(session, staff.ctx, delivery_id)
    if delivery.endpoint_id != endpoint.id:
        raise NotFound(outbox.DELIVERY_NOT_FOUND)  # the rescheduling is rolled back with the 404
    target = audit.Target("webhook_delivery", delivery.id, f"{delivery.event_type} to {endpoint.url}")
    audit.record(
        session, staff, "resend", target, after={"status": delivery.status, "attempts": delivery.attempts}
    )
    return pages.redirect(
        request,
        FACE.path(f"/settings/webhooks/{endpoint.id}"),
        notice=f"{delivery.event_type} will be sent again now.",
    )


@webhooks.get("/settings/webhooks/{endpoint_id}/delete")
async def confirm_delete(request: Request, session: Session, staff: Owner, endpoint_id: str) -> Response:
    endpoint = await outbox.get_endpoint(session, staff.ctx, endpoint_id)
    return pages.render(request, "console/settings/webhook_delete.html", {"endpoint": endpoint})


@webhooks.post("/settings/webhooks/{endpoint_id}/delete")
async def delete_endpoint(request: Request, session: Session, staff: Owner, endpoint_id: str) -> Response:
    endpoint = await outbox.get_endpoint(session, staff.ctx, endpoint_id)
    before, target = endpoint_out(endpoint), _target(endpoint)
    await outbox.delete_endpoint(session, staff.ctx, endpoint_id)
    audit.record(session, staff, "delete", target, before=before)
    return pages.redirect(request, LIST, notice=f"Endpoint {target.label} deleted.")
