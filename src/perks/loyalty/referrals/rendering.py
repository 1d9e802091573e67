"""Referral codes as the API shows them (with their customer's own id)."""

from __future__ import annotations

from perks.loyalty.customers.models import Customer
from perks.loyalty.referrals.models import ReferralCode
from perks.loyalty.referrals.schemas import ReferralCodeOut


def referral_code_out(row: ReferralCode, customer: Customer) -> ReferralCodeOut:
    return ReferralCodeOut(
        id=row.id,
        code=row.code,
        customer_id=customer.external_id,
        campaign_id=row.campaign_id,
        uses_count=row.uses_count,
        max_uses=row.max_uses,
        created_at=row.created_at,
        metadata=row.meta,
    )
