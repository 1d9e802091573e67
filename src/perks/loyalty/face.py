"""Conventions of the loyalty face: Bearer tokens, `{"data": ...}` success, `{"error", "details"}` errors."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import APIRouter, Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from perks.config import Settings
from perks.db.database import Database
from perks.errors import Unauthorized
from perks.idempotency import service as idempotency
from perks.sql import Runner, runner_of
from perks.tenancy import service as tenancy
from perks.tenancy.context import AuthContext
from perks.web.auth import admit, admit_claim
from perks.web.auth_first import authentication
from perks.web.unit_of_work import UnitOfWorkRoute, get_session, session_dependency

PREFIX = "/api/storefront/v1"
# What any route of the face may answer besides its success (documented so clients and fuzzers know).
ERROR_STATUSES = (400, 401, 403, 404, 409, 413, 422, 429)
API_KEY_PREFIXES = ("rs_live_", "pk_live_")
T = TypeVar("T")

bearer_scheme = HTTPBearer(auto_error=False, description="The token from GET /auth/authorize")


class Data(BaseModel, Generic[T]):
    data: T


class ErrorBody(BaseModel):
    error: str
    details: str


def render_error(status: int, title: str, details: str, extra: dict[str, Any]) -> dict[str, Any]:
    return {"error": title, "details": details, **extra}


def router(**kwargs: Any) -> APIRouter:
    """A router for one loyalty domain; every route runs in one transaction."""
    kwargs.setdefault("responses", {status: {"model": ErrorBody} for status in ERROR_STATUSES})
    # The prefix is part of each route's own path, so metrics and logs name the full route template.
    return APIRouter(prefix=PREFIX, route_class=UnitOfWorkRoute, **kwargs)


async def _authenticate(
    request: Request, credentials: HTTPAuthorizationCredentials | None, *, allow_public: bool
) -> AuthContext:
    claimed = _claimed_context(request, credentials)
    if not await tenancy.key_active(await runner_of(get_session(request)), claimed):
        raise revoked()
    return await admit(request, claimed, allow_public=allow_public)


def _claimed_context(request: Request, credentials: HTTPAuthorizationCredentials | None) -> AuthContext:
    settings: Settings = request.app.state.settings
    token = credentials.credentials if credentials and credentials.scheme.lower() == "bearer" else None
    try:
        return tenancy.decode_token(token, settings.signing_secret)
    except Unauthorized as error:
        raise Unauthorized(error.details + _hint(token), title="Unauthorized") from error


def _hint(token: str | None) -> str:
    """Where the usual first-hour mistakes go wrong: no token at all, or the API key sent as the token."""
    if token is None:
        return (
            ": GET /auth/authorize with your API key in the x-api-key header, "
            "then send Authorization: Bearer <token>"
        )
    if token.startswith(API_KEY_PREFIXES):
        return (
            ": this is an API key, not a token; trade it for one at GET /auth/authorize "
            "(x-api-key header) and send that as Authorization: Bearer <token>"
        )
    return ""


def revoked() -> Unauthorized:
    return Unauthorized("Token revoked", title="Unauthorized")


@dataclass(frozen=True)
class Claimed:
    """A group-committed request's caller as its token claims it, and the Idempotency-Key it asks to own:
    the batch's transaction checks that the key is still active and claims the Idempotency-Key."""

    ctx: AuthContext
    idempotency: idempotency.Claim | None


async def _claim_server(request: Request) -> Claimed:
    ctx = _claimed_context(request, await bearer_scheme(request))
    return Claimed(ctx, await admit_claim(request, ctx, allow_public=False))


async def _claim_token(request: Request) -> AuthContext:
    """The caller as the token claims it, checked without the database (see `admitted`)."""
    return _claimed_context(request, await bearer_scheme(request))


@asynccontextmanager
async def reading(request: Request) -> AsyncIterator[Runner]:
    """A hot path's read transaction (perks.db.database.Database.reading)."""
    database: Database = request.app.state.db
    async with database.reading() as runner:
        yield runner


async def admitted(
    request: Request, runner: Runner, claimed: AuthContext, *, allow_public: bool
) -> AuthContext:
    """`_authenticate` in a hot path's own transaction: the key still active, then the rate limit and
    the key's kind."""
    if not await tenancy.key_active(runner, claimed):
        raise revoked()
    await admit_claim(request, claimed, allow_public=allow_public)
    return claimed


async def _server(request: Request) -> AuthContext:
    return await _authenticate(request, await bearer_scheme(request), allow_public=False)


async def _public(request: Request) -> AuthContext:
    return await _authenticate(request, await bearer_scheme(request), allow_public=True)


# Checked before the request body is read (perks.web.auth_first).
server_claim = authentication(_claim_server, bearer_scheme)
server_auth = authentication(_server, bearer_scheme)
public_auth = authentication(_public, bearer_scheme)
token_claim = authentication(_claim_token, bearer_scheme)

ServerAuth = Annotated[AuthContext, Depends(server_auth)]
ServerClaim = Annotated[Claimed, Depends(server_claim)]
PublicAuth = Annotated[AuthContext, Depends(public_auth)]
TokenClaim = Annotated[AuthContext, Depends(token_claim)]
Session = Annotated[AsyncSession, Depends(session_dependency)]

__all__ = [
    "PREFIX",
    "Claimed",
    "Data",
    "PublicAuth",
    "ServerAuth",
    "ServerClaim",
    "Session",
    "TokenClaim",
    "admitted",
    "reading",
    "revoked",
    "router",
]
