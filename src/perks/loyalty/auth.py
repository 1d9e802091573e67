"""GET /auth/authorize: trade an API key (x-api-key) for a one-hour bearer token."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header, Request

from perks.config import Settings
from perks.errors import Unauthorized
from perks.loyalty.face import Data, Session, router
from perks.tenancy import service as tenancy
from perks.web.auth import admit

auth_router = router(tags=["loyalty: auth"])


@auth_router.get("/auth/authorize", response_model=Data[str], summary="Get an access token")
async def authorize(
    request: Request,
    session: Session,
    x_api_key: Annotated[str | None, Header(description="A server or public API key")] = None,
) -> Data[str]:
    settings: Settings = request.app.state.settings
    if not x_api_key:
        raise Unauthorized(
            "Missing API key: send it in the x-api-key header"
            + (" (not Authorization: Bearer)" if request.headers.get("authorization") else "")
            + "; the answer's token is what goes in Authorization: Bearer <token> on the other routes"
        )
    ctx = await tenancy.authenticate_key(session, x_api_key, settings.signing_secret)
    await admit(request, ctx, allow_public=True)
    return Data(data=tenancy.issue_token(ctx, settings.signing_secret, settings.token_ttl_seconds))
