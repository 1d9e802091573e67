"""Wire models. The request fields (`url`, `events`, `description`, `active`) are one word each, so both
faces share one request model; each face has its own response models (camelCase + ms timestamps on the
affiliate face, snake_case on the loyalty face)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, field_validator

from perks.outbox.catalogue import SUBSCRIBABLE, unknown_type

URL_MAX = 2048
DESCRIPTION_MAX = 500
EVENTS_MAX = 50


def _known_events(events: list[str] | None) -> list[str] | None:
    if events is None:
        return None
    unknown = [name for name in events if name not in SUBSCRIBABLE]
    if unknown:
        raise ValueError(unknown_type(unknown[0]))
    return list(dict.fromkeys(events))


class CatalogueEntry(BaseModel):
    """One event type of GET /webhooks/events; `example` is a `data` its deliveries carried."""

    type: str
    face: str
    description: str
    example: dict[str, Any]


class EndpointCreate(BaseModel):
    url: str = Field(min_length=1, max_length=URL_MAX)
    events: list[str] = Field(min_length=1, max_length=EVENTS_MAX)
    description: str | None = Field(default=None, max_length=DESCRIPTION_MAX)
    active: bool = True

    _events = field_validator("events")(_known_events)


class EndpointUpdate(BaseModel):
    """Only the fields sent change; `description: null` clears it."""

    url: str | None = Field(default=None, min_length=1, max_length=URL_MAX)
    events: list[str] | None = Field(default=None, min_length=1, max_length=EVENTS_MAX)
    description: str | None = Field(default=None, max_length=DESCRIPTION_MAX)
    active: bool | None = None

    _events = field_validator("events")(_known_events)


# Responses: the loyalty face's shape (snake_case, ISO datetimes); the affiliate face's subclasses add
# camelCase names and millisecond `Z` timestamps.


class LoyaltyEndpointOut(BaseModel):
    id: str
    url: str
    events: list[str]
    description: str | None
    active: bool
    created_at: datetime
    updated_at: datetime


class LoyaltyEndpointWithSecret(LoyaltyEndpointOut):
    secret: str


class LoyaltyDeliveryOut(BaseModel):
    id: str
    endpoint_id: str
    event_id: str
    event_type: str
    status: str
    attempts: int
    last_response_code: int | None
    last_error: str | None
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    created_at: datetime


class LoyaltyDeliveries(BaseModel):
    data: list[LoyaltyDeliveryOut]
    from_: int = Field(serialization_alias="from")
    to: int
    count: int


class LoyaltyTestEventOut(BaseModel):
    id: str
    type: str
    endpoint_id: str
    created_at: datetime


class LoyaltyDeleted(BaseModel):
    id: str
    deleted: bool = True
