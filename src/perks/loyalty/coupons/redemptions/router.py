"""Coupon redemption on the storefront face."""

from __future__ import annotations

from fastapi import Request, Response

from perks.loyalty.coupons.redemptions import batch, service
from perks.loyalty.coupons.redemptions.schemas import CouponRedeemed, CouponReversed, RedeemBody, ReverseBody
from perks.loyalty.face import Data, ServerAuth, ServerClaim, Session, router
from perks.web.unit_of_work import group_committed

coupons_router = router(tags=["loyalty: coupons"])


@coupons_router.post("/coupons/redeem", response_model=Data[CouponRedeemed], summary="Redeem a coupon code")
@group_committed
async def redeem_coupon(request: Request, claimed: ServerClaim, body: RedeemBody) -> Response:
    answer = await batch.writer_of(request.app.state).submit(
        batch.Job(claimed.ctx, body, claimed.idempotency)
    )
    return Response(answer.body, status_code=answer.status_code, media_type="application/json")


@coupons_router.post(
    "/coupons/reverse", response_model=Data[CouponReversed], summary="Reverse a coupon redemption"
)
async def reverse_coupon(session: Session, ctx: ServerAuth, body: ReverseBody) -> Data[CouponReversed]:
    return Data(data=await service.reverse(session, ctx, body))
