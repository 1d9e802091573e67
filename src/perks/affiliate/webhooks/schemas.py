"""The affiliate face's webhook shapes: the outbox's, in camelCase with millisecond times."""

from __future__ import annotations

from datetime import datetime

from pydantic import field_serializer

from perks.affiliate.face import CamelModel
from perks.kit.clock import iso_millis
from perks.outbox.schemas import (
    LoyaltyDeliveryOut,
    LoyaltyEndpointOut,
    LoyaltyEndpointWithSecret,
    LoyaltyTestEventOut,
)


class _AffiliateWire(CamelModel):
    @field_serializer("*", when_used="json")
    def _millis(self, value: object) -> object:
        return iso_millis(value) if isinstance(value, datetime) else value


class AffiliateEndpointOut(_AffiliateWire, LoyaltyEndpointOut):
    pass


class AffiliateEndpointWithSecret(_AffiliateWire, LoyaltyEndpointWithSecret):
    pass


class AffiliateDeliveryOut(_AffiliateWire, LoyaltyDeliveryOut):
    pass


class AffiliateTestEventOut(_AffiliateWire, LoyaltyTestEventOut):
    pass
