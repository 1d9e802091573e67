"""An affiliate as the affiliate face shows it: its routes, the affiliate.* webhooks, and the console's
and the portal's audit trails render affiliates here."""

from __future__ import annotations

from perks.affiliate.affiliates.models import Affiliate
from perks.affiliate.affiliates.schemas import AffiliateOut


def affiliate_out(affiliate: Affiliate) -> AffiliateOut:
    return AffiliateOut.model_validate(affiliate, from_attributes=True)
