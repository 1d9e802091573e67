# No `from __future__ import annotations`: FastAPI must see the real Annotated types of the closures.
"""Probe routes mounted on a test app: they exercise the faces' real auth, transaction, idempotency and
error machinery before any domain route needs them."""

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from pydantic import BaseModel
from sqlalchemy import text

from perks.affiliate import face as affiliate
from perks.loyalty import face as loyalty
from perks.tenancy.context import AuthContext
from perks.web.body_limit import body_limit

# A value a failing statement carries: it must never reach a log line.
SQL_SECRET = "ana.customer@example.com"
# The probe upload route accepts bodies up to this size, whatever PERKS_MAX_BODY_BYTES says.
UPLOAD_LIMIT = 256 * 1024


class ProbeBody(BaseModel):
    name: str
    count: int


AuthDependency = Callable[..., Coroutine[Any, Any, AuthContext]]


def _probe_routes(
    face_router: APIRouter, server_auth: AuthDependency, public_auth: AuthDependency
) -> APIRouter:
    Server = Annotated[AuthContext, Depends(server_auth)]
    Public = Annotated[AuthContext, Depends(public_auth)]

    @face_router.get("/_probe/server")
    async def server_only(ctx: Server) -> dict[str, str]:
        return {"account_id": ctx.account_id, "kind": ctx.kind.value}

    @face_router.get("/_probe/public")
    async def public_allowed(ctx: Public) -> dict[str, str]:
        return {"account_id": ctx.account_id, "kind": ctx.kind.value}

    @face_router.post("/_probe/echo")
    async def echo(ctx: Server, body: ProbeBody) -> dict[str, object]:
        return {"name": body.name, "count": body.count}

    @face_router.post("/_probe/upload")
    @body_limit(UPLOAD_LIMIT)
    async def upload(ctx: Server, request: Request) -> dict[str, int]:
        return {"bytes": len(await request.body())}

    @face_router.get("/_probe/sql-boom")
    async def sql_boom(ctx: Server, request: Request) -> None:
        session = request.state.session
        await session.execute(text("SELECT no_such_column FROM accounts WHERE id = :v"), {"v": SQL_SECRET})

    @face_router.get("/_probe/boom")
    async def boom(ctx: Server) -> None:
        raise RuntimeError("secret internals: password=hunter2")

    return face_router


def mount_probes(app: FastAPI) -> None:
    app.include_router(_probe_routes(loyalty.router(), loyalty.server_auth, loyalty.public_auth))
    app.include_router(_probe_routes(affiliate.router(), affiliate.server_auth, affiliate.public_auth))
