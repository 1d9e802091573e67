"""What every authenticated request goes through, whatever the face: key kind, rate limit, idempotency."""

from __future__ import annotations

from datetime import timedelta

from fastapi import Request

from perks.config import Settings
from perks.errors import Forbidden
from perks.idempotency import service as idempotency
from perks.tenancy.context import AuthContext
from perks.web.observability import bind_account
from perks.web.unit_of_work import get_session


async def admit(request: Request, ctx: AuthContext, *, allow_public: bool) -> AuthContext:
    claim = await admit_claim(request, ctx, allow_public=allow_public)
    if claim is not None:
        request.state.idempotency_record = await idempotency.begin(
            get_session(request), ctx, claim.key, claim.fingerprint, claim.ttl
        )
    return ctx


async def admit_claim(request: Request, ctx: AuthContext, *, allow_public: bool) -> idempotency.Claim | None:
    """`admit` without a database: the rate limit and key kind, and the Idempotency-Key the request asks
    to own, for a caller that claims it in a transaction of its own (a group-committed route)."""
    if not getattr(request.state, "rate_counted", False):  # once, though a deadlock's victim runs again
        await request.app.state.limiter.hit(ctx.key_id)
        request.state.rate_counted = True
    bind_account(ctx.account_id)
    if not allow_public and not ctx.is_server:
        raise Forbidden("This route needs a server API key; a public key was used", title="Forbidden")
    request.state.auth = ctx
    key = request.headers.get("idempotency-key")
    if request.method != "POST" or key is None:
        return None
    settings: Settings = request.app.state.settings
    fingerprint = idempotency.request_fingerprint(
        request.method, request.url.path, request.url.query, await request.body()
    )
    return idempotency.Claim(key, fingerprint, timedelta(hours=settings.idempotency_ttl_hours))
