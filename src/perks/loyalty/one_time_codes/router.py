"""Customer one-time codes on the storefront face: POST /auth/totp, GET /auth/totp/verify?code=."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import Query, Request

from perks.config import Settings
from perks.loyalty.face import Data, ServerAuth, Session, router
from perks.loyalty.one_time_codes import service
from perks.loyalty.one_time_codes.schemas import OneTimeCodeCreate, OneTimeCodeOut, VerifiedCode
from perks.web.unit_of_work import writes

one_time_codes_router = router(tags=["loyalty: auth"])


def _policy(request: Request) -> service.CodePolicy:
    settings: Settings = request.app.state.settings
    return service.CodePolicy(
        digits=settings.one_time_code_digits,
        lifetime=timedelta(seconds=settings.one_time_code_ttl_seconds),
        secret=settings.signing_secret,
        guard=request.app.state.code_guard,
    )


@one_time_codes_router.post(
    "/auth/totp",
    status_code=201,
    response_model=Data[OneTimeCodeOut],
    summary="Create a customer one-time code",
    response_description="TOTP token created",
)
async def create_code(
    request: Request, session: Session, ctx: ServerAuth, body: OneTimeCodeCreate
) -> Data[OneTimeCodeOut]:
    return Data(data=await service.create(session, ctx, _policy(request), body))


@one_time_codes_router.get(
    "/auth/totp/verify", response_model=Data[VerifiedCode], summary="Verify a customer one-time code"
)
@writes  # a code is used up by its verification
async def verify_code(
    request: Request,
    session: Session,
    ctx: ServerAuth,
    code: Annotated[str, Query(max_length=32, description="The code the customer shows")],
) -> Data[VerifiedCode]:
    return Data(data=await service.verify(session, ctx, _policy(request), code))
