"""Conventions of the affiliate face: the `x-auth-referralstack` key, `{status, message, data}` success,
`{status, message}` errors, ids in the query string, camelCase fields, ISO timestamps with milliseconds."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import APIRouter, Depends, Query, Request
from fastapi.security import APIKeyHeader
from pydantic import BaseModel, ConfigDict, PlainSerializer
from pydantic.alias_generators import to_camel
from sqlalchemy.ext.asyncio import AsyncSession

from perks.config import Settings
from perks.errors import Unauthorized
from perks.kit.clock import iso_millis
from perks.kit.pagination import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    MAX_PAGE,
    ORDER_VALUE_PATTERN,
    PageRequest,
    PageResult,
)
from perks.tenancy import service as tenancy
from perks.tenancy.context import AuthContext
from perks.web.auth import admit
from perks.web.auth_first import authentication
from perks.web.unit_of_work import UnitOfWorkRoute, get_session, session_dependency

PREFIX = "/api/v1"
# What any route of the face may answer besides its success (documented so clients and fuzzers know).
ERROR_STATUSES = (400, 401, 403, 404, 409, 413, 422, 429)
INVALID_KEY_MESSAGE = "Invalid API key. Please check your API key and try again."
T = TypeVar("T")

key_scheme = APIKeyHeader(name="x-auth-referralstack", auto_error=False)

# Timestamps travel as "2025-01-15T10:30:00.000Z".
Timestamp = Annotated[datetime, PlainSerializer(iso_millis, return_type=str)]


class CamelModel(BaseModel):
    """Wire models of this face: camelCase on the wire, snake_case in Python."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, serialize_by_alias=True)


class Envelope(BaseModel, Generic[T]):
    status: int
    message: str
    data: T


class Message(BaseModel):
    status: int
    message: str


class Pagination(BaseModel):
    page: int
    limit: int
    total: int
    totalPages: int


class Page(BaseModel, Generic[T]):
    items: list[T]
    pagination: Pagination


def ok(data: T, message: str, status: int = 200) -> Envelope[T]:
    return Envelope(status=status, message=message, data=data)


def done(message: str, status: int = 200) -> Message:
    return Message(status=status, message=message)


def render_error(status: int, title: str, details: str, extra: dict[str, Any]) -> dict[str, Any]:
    return {"status": status, "message": details, **extra}


def router(**kwargs: Any) -> APIRouter:
    """A router for one affiliate domain; every route runs in one transaction."""
    kwargs.setdefault("responses", {status: {"model": Message} for status in ERROR_STATUSES})
    # The prefix is part of each route's own path, so metrics and logs name the full route template.
    return APIRouter(prefix=PREFIX, route_class=UnitOfWorkRoute, **kwargs)


async def _authenticate(request: Request, api_key: str | None, *, allow_public: bool) -> AuthContext:
    settings: Settings = request.app.state.settings
    try:
        ctx = await tenancy.authenticate_key(get_session(request), api_key, settings.signing_secret)
    except Unauthorized as error:
        raise Unauthorized(INVALID_KEY_MESSAGE) from error
    return await admit(request, ctx, allow_public=allow_public)


async def _server(request: Request) -> AuthContext:
    return await _authenticate(request, await key_scheme(request), allow_public=False)


async def _public(request: Request) -> AuthContext:
    return await _authenticate(request, await key_scheme(request), allow_public=True)


# Checked before the request body is read (perks.web.auth_first).
server_auth = authentication(_server, key_scheme)
public_auth = authentication(_public, key_scheme)

ServerAuth = Annotated[AuthContext, Depends(server_auth)]
PublicAuth = Annotated[AuthContext, Depends(public_auth)]
Session = Annotated[AsyncSession, Depends(session_dependency)]


async def page_query(
    page: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page number, from 1")] = 1,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"Items per page (max {MAX_LIMIT})")] = (
        DEFAULT_LIMIT
    ),
    orderType: Annotated[str | None, Query(description="Field to sort by")] = None,
    orderValue: Annotated[str, Query(pattern=ORDER_VALUE_PATTERN, description="ASC or DESC")] = "DESC",
) -> PageRequest:
    return PageRequest(page=page, limit=limit, order_type=orderType, order_value=orderValue)


PageQuery = Annotated[PageRequest, Depends(page_query)]


def page_of(result: PageResult, items: list[T]) -> Page[T]:
    return Page(
        items=items,
        pagination=Pagination(
            page=result.page, limit=result.limit, total=result.total, totalPages=result.total_pages
        ),
    )
