"""Sales and refunds on the affiliate face: `POST /track/sale`, `POST /track/refund`."""

from __future__ import annotations

from fastapi import Response

from perks.affiliate.face import Envelope, ServerAuth, Session, ok, router
from perks.affiliate.sales import service
from perks.affiliate.sales.rendering import tracked_refund_out, tracked_sale_out
from perks.affiliate.sales.schemas import RefundIn, SaleIn, TrackedRefund, TrackedSale

sales_router = router(tags=["affiliate: sales"])


@sales_router.post("/track/sale", status_code=201, response_model=Envelope[TrackedSale])
async def track_sale(
    session: Session, ctx: ServerAuth, body: SaleIn, response: Response
) -> Envelope[TrackedSale]:
    """Record a sale (once per `invoiceId`); a referred customer's sale earns a pending commission."""
    recorded = await service.track_sale(session, ctx, body)
    data = tracked_sale_out(recorded.sale, recorded.commission)
    if not recorded.created:
        response.status_code = 200
        return ok(data, "Sale already recorded")
    if recorded.sale.affiliate_id is None:
        response.status_code = 200
        return ok(data, "Sale recorded; the customer was not referred")
    return ok(data, "Sale tracked successfully", 201)


@sales_router.post("/track/refund", response_model=Envelope[TrackedRefund])
async def track_refund(session: Session, ctx: ServerAuth, body: RefundIn) -> Envelope[TrackedRefund]:
    """Refund (part of) an invoice's sale; its commission is reduced, refunded or clawed back."""
    refunded = await service.track_refund(session, ctx, body)
    return ok(tracked_refund_out(refunded.sale, refunded.commissions), "Refund tracked successfully")
