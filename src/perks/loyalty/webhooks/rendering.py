"""Webhook endpoints and deliveries as the loyalty face shows them (snake_case): its routes and the
console's audit trail render them here."""

from __future__ import annotations

from perks.outbox.models import OutboxEvent, WebhookDelivery, WebhookEndpoint
from perks.outbox.schemas import (
    LoyaltyDeliveryOut,
    LoyaltyEndpointOut,
    LoyaltyEndpointWithSecret,
    LoyaltyTestEventOut,
)


def endpoint_out(endpoint: WebhookEndpoint) -> LoyaltyEndpointOut:
    return LoyaltyEndpointOut.model_validate(endpoint, from_attributes=True)


def endpoint_with_secret_out(endpoint: WebhookEndpoint) -> LoyaltyEndpointWithSecret:
    """Only when the secret is made (creation, rotation): it is shown once."""
    return LoyaltyEndpointWithSecret.model_validate(endpoint, from_attributes=True)


def delivery_out(delivery: WebhookDelivery) -> LoyaltyDeliveryOut:
    return LoyaltyDeliveryOut.model_validate(delivery, from_attributes=True)


def queued_event_out(event: OutboxEvent, endpoint_id: str) -> LoyaltyTestEventOut:
    """A test event queued for one endpoint."""
    return LoyaltyTestEventOut(
        id=event.id, type=event.event_type, endpoint_id=endpoint_id, created_at=event.created_at
    )
