"""Coupon redemption on the storefront face."""

from __future__ import annotations

from perks.loyalty.coupons.redemptions import service
from perks.loyalty.coupons.redemptions.schemas import CouponRedeemed, CouponReversed, RedeemBody, ReverseBody
from perks.loyalty.face import Data, ServerAuth, Session, router

coupons_router = router(tags=["loyalty: coupons"])


@coupons_router.post("/coupons/redeem", response_model=Data[CouponRedeemed], summary="Redeem a coupon code")
async def redeem_coupon(session: Session, ctx: ServerAuth, body: RedeemBody) -> Data[CouponRedeemed]:
    return Data(data=await service.redeem(session, ctx, body))


@coupons_router.post(
    "/coupons/reverse", response_model=Data[CouponReversed], summary="Reverse a coupon redemption"
)
async def reverse_coupon(session: Session, ctx: ServerAuth, body: ReverseBody) -> Data[CouponReversed]:
    return Data(data=await service.reverse(session, ctx, body))
