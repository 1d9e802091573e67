"""A commission as the affiliate face shows it: its routes (also inside a tracked sale or refund), the
commission.* webhooks and the console's audit trail render commissions here."""

from __future__ import annotations

from perks.affiliate.commissions.models import Commission
from perks.affiliate.commissions.schemas import CommissionOut


def commission_out(commission: Commission) -> CommissionOut:
    return CommissionOut.model_validate(commission, from_attributes=True)
