"""A tier as the API shows it: the storefront routes and the console's pages and audit trail render
tiers here."""

from __future__ import annotations

from perks.loyalty.tiers.models import Tier
from perks.loyalty.tiers.schemas import TierOut


def tier_out(tier: Tier) -> TierOut:
    return TierOut.model_validate(tier, from_attributes=True)
