"""A sale, and what tracking a sale or a refund answers, as the affiliate face shows them: its routes and
the sale.created webhook render sales here."""

from __future__ import annotations

from collections.abc import Iterable

from perks.affiliate.commissions.models import Commission
from perks.affiliate.commissions.rendering import commission_out
from perks.affiliate.sales.currency import money_in
from perks.affiliate.sales.models import Sale
from perks.affiliate.sales.schemas import SaleOut, TrackedRefund, TrackedSale


def sale_out(sale: Sale) -> SaleOut:
    """Amounts in the sale's currency; the customer's email is `referredUser` on the wire."""
    return SaleOut(
        id=sale.id,
        invoice_id=sale.invoice_id,
        workspace_id=sale.workspace_id,
        affiliate_id=sale.affiliate_id,
        campaign_id=sale.campaign_id,
        referred_user=sale.email,
        external_id=sale.external_id,
        amount=money_in(sale.amount, sale.currency),
        refunded_amount=money_in(sale.refunded_amount, sale.currency),
        currency=sale.currency,
        commission_id=sale.commission_id,
        created_at=sale.created_at,
        updated_at=sale.updated_at,
    )


def tracked_sale_out(sale: Sale, commission: Commission | None) -> TrackedSale:
    return TrackedSale(sale=sale_out(sale), commission=commission_out(commission) if commission else None)


def tracked_refund_out(sale: Sale, commissions: Iterable[Commission]) -> TrackedRefund:
    return TrackedRefund(sale=sale_out(sale), commissions=[commission_out(item) for item in commissions])
