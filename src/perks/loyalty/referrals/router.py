"""Referral codes on the storefront face."""

from __future__ import annotations

from fastapi import Response

from perks.loyalty.customers import service as customers
from perks.loyalty.face import Data, ServerAuth, Session, router
from perks.loyalty.referrals import service
from perks.loyalty.referrals.schemas import CodeRequest, ReferralCodeOut
from perks.sql import runner_of

referrals_router = router(tags=["loyalty: referrals"])


@referrals_router.post(
    "/customers/{customer_id}/referrals/request-code",
    status_code=201,
    response_model=Data[ReferralCodeOut],
    summary="Request a customer's referral code",
    description="Returns the customer's code for a REFERRALS campaign: 201 when it is created, 200 when "
    "the customer already had one (the existing code is returned).",
)
async def request_code(
    session: Session, ctx: ServerAuth, customer_id: str, body: CodeRequest, response: Response
) -> Data[ReferralCodeOut]:
    customer, _wallet_id = await customers.find_with_wallet(await runner_of(session), ctx, customer_id)
    code, created = await service.request_code(session, ctx, customer, body)
    if not created:
        response.status_code = 200
    return Data(data=code)
