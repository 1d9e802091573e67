"""Webhook endpoints and deliveries as the affiliate face shows them (camelCase, millisecond times): its
routes render them here."""

from __future__ import annotations

from perks.affiliate.webhooks.schemas import (
    AffiliateDeliveryOut,
    AffiliateEndpointOut,
    AffiliateEndpointWithSecret,
    AffiliateTestEventOut,
)
from perks.outbox.models import OutboxEvent, WebhookDelivery, WebhookEndpoint


def endpoint_out(endpoint: WebhookEndpoint) -> AffiliateEndpointOut:
    return AffiliateEndpointOut.model_validate(endpoint, from_attributes=True)


def endpoint_with_secret_out(endpoint: WebhookEndpoint) -> AffiliateEndpointWithSecret:
    """Only when the secret is made (creation, rotation): it is shown once."""
    return AffiliateEndpointWithSecret.model_validate(endpoint, from_attributes=True)


def delivery_out(delivery: WebhookDelivery) -> AffiliateDeliveryOut:
    return AffiliateDeliveryOut.model_validate(delivery, from_attributes=True)


def queued_event_out(event: OutboxEvent, endpoint_id: str) -> AffiliateTestEventOut:
    """A test event queued for one endpoint."""
    return AffiliateTestEventOut(
        id=event.id, type=event.event_type, endpoint_id=endpoint_id, created_at=event.created_at
    )
