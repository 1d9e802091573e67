# No `from __future__ import annotations`: FastAPI must see the real Annotated types of the closures.
"""Probe routes mounted on a test app: they exercise the faces' real auth, transaction, idempotency and
error machinery before any domain route needs them."""

from fastapi import APIRouter, FastAPI
from pydantic import BaseModel

from perks.affiliate import face as affiliate
from perks.loyalty import face as loyalty
from perks.tenancy.context import AuthContext


class ProbeBody(BaseModel):
    name: str
    count: int


def _probe_routes(face_router: APIRouter, server_auth: object, public_auth: object) -> APIRouter:
    @face_router.get("/_probe/server")
    async def server_only(ctx: server_auth) -> dict[str, str]:  # type: ignore[valid-type]
        assert isinstance(ctx, AuthContext)
        return {"account_id": ctx.account_id, "kind": ctx.kind.value}

    @face_router.get("/_probe/public")
    async def public_allowed(ctx: public_auth) -> dict[str, str]:  # type: ignore[valid-type]
        assert isinstance(ctx, AuthContext)
        return {"account_id": ctx.account_id, "kind": ctx.kind.value}

    @face_router.post("/_probe/echo")
    async def echo(ctx: server_auth, body: ProbeBody) -> dict[str, object]:  # type: ignore[valid-type]
        return {"name": body.name, "count": body.count}

    @face_router.get("/_probe/boom")
    async def boom(ctx: server_auth) -> None:  # type: ignore[valid-type]
        raise RuntimeError("secret internals: password=hunter2")

    return face_router


def mount_probes(app: FastAPI) -> None:
    app.include_router(_probe_routes(loyalty.router(), loyalty.ServerAuth, loyalty.PublicAuth))
    app.include_router(_probe_routes(affiliate.router(), affiliate.ServerAuth, affiliate.PublicAuth))
