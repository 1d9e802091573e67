"""A payout as the affiliate face shows it: its routes, the payout.* webhooks and the console's pages and
audit trail render payouts here."""

from __future__ import annotations

from perks.affiliate.payouts.models import Payout
from perks.affiliate.payouts.schemas import PayoutOut
from perks.affiliate.sales.currency import money_in


def payout_out(payout: Payout) -> PayoutOut:
    """The amount in the payout's currency."""
    return PayoutOut(
        id=payout.id,
        workspace_id=payout.workspace_id,
        affiliate_id=payout.affiliate_id,
        campaign_id=payout.campaign_id,
        amount=money_in(payout.amount, payout.currency),
        currency=payout.currency,
        status=payout.status,
        commission_count=payout.commission_count,
        paid_at=payout.paid_at,
        created_at=payout.created_at,
        updated_at=payout.updated_at,
    )
