"""Conventions of the loyalty face: Bearer tokens, `{"data": ...}` success, `{"error", "details"}` errors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import APIRouter, Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from perks.config import Settings
from perks.errors import Unauthorized
from perks.idempotency import service as idempotency
from perks.tenancy import service as tenancy
from perks.tenancy.context import AuthContext
from perks.web.auth import admit, admit_claim
from perks.web.unit_of_work import UnitOfWorkRoute, get_session, session_dependency

PREFIX = "/api/storefront/v1"
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
    kwargs.setdefault("responses", {400: {"model": ErrorBody}, 401: {"model": ErrorBody}})
    # The prefix is part of each route's own path, so metrics and logs name the full route template.
    return APIRouter(prefix=PREFIX, route_class=UnitOfWorkRoute, **kwargs)


async def _authenticate(
    request: Request, credentials: HTTPAuthorizationCredentials | None, *, allow_public: bool
) -> AuthContext:
    claimed = _claimed_context(request, credentials)
    if not await tenancy.active_keys(get_session(request), [claimed]):
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


async def server_claim(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)]
) -> Claimed:
    ctx = _claimed_context(request, credentials)
    return Claimed(ctx, await admit_claim(request, ctx, allow_public=False))


async def server_auth(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)]
) -> AuthContext:
    return await _authenticate(request, credentials, allow_public=False)


async def public_auth(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)]
) -> AuthContext:
    return await _authenticate(request, credentials, allow_public=True)


ServerAuth = Annotated[AuthContext, Depends(server_auth)]
ServerClaim = Annotated[Claimed, Depends(server_claim)]
PublicAuth = Annotated[AuthContext, Depends(public_auth)]
Session = Annotated[AsyncSession, Depends(session_dependency)]

__all__ = [
    "PREFIX",
    "Claimed",
    "Data",
    "PublicAuth",
    "ServerAuth",
    "ServerClaim",
    "Session",
    "revoked",
    "router",
]
