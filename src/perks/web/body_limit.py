"""Bounded request bodies: at most PERKS_MAX_BODY_BYTES (1 MiB by default) per request, unless the route
declares more with @body_limit (a file import). A body over its route's limit is refused with 413 in the
face's envelope as soon as that is known: at once when Content-Length says so, else when the streamed
bytes pass the limit, so the server never holds more than the limit of any request (plus the server's
own read buffer). The body is only read when a route asks for it, which face routes do after
authentication (perks.web.auth)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from perks.config import Settings

Endpoint = TypeVar("Endpoint", bound=Callable[..., object])
Limit = int | Callable[[Settings], int]


GENERAL_REFUSAL = "The request body is larger than this route accepts ({limit} bytes at most)"


class PayloadTooLarge(HTTPException):
    def __init__(self, limit: int, refusal: str = GENERAL_REFUSAL) -> None:
        super().__init__(413, refusal.format(limit=limit))


def body_limit(limit: Limit, refusal: str = GENERAL_REFUSAL) -> Callable[[Endpoint], Endpoint]:
    """Let one route accept bodies up to `limit` bytes (or `limit(settings)`, to make it configurable)
    instead of PERKS_MAX_BODY_BYTES: `@body_limit(lambda settings: settings.import_max_bytes)`. `refusal`
    is the 413's message ({limit} is replaced), to say what the caller can do."""

    def mark(endpoint: Endpoint) -> Endpoint:
        endpoint.perks_body_limit = limit  # type: ignore[attr-defined]
        endpoint.perks_body_refusal = refusal  # type: ignore[attr-defined]
        return endpoint

    return mark


def route_limit(scope: Scope, settings: Settings) -> tuple[int, str]:
    """The limit of the route that matched (known once routing ran, before any handler reads the body),
    and the message that refuses a larger body."""
    endpoint = getattr(scope.get("route"), "endpoint", None)
    declared = getattr(endpoint, "perks_body_limit", None)
    if declared is None:
        return settings.max_body_bytes, GENERAL_REFUSAL
    limit = declared(settings) if callable(declared) else int(declared)
    return limit, getattr(endpoint, "perks_body_refusal", GENERAL_REFUSAL)


class BodyLimitMiddleware:
    """Counts each request's body as it streams in and refuses it past its route's limit."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit: int | None = None
        refusal = GENERAL_REFUSAL
        received = 0

        async def limited_receive() -> Message:
            nonlocal limit, refusal, received
            if limit is None:
                limit, refusal = route_limit(scope, self.settings)
                declared = _content_length(scope)
                if declared is not None and declared > limit:
                    raise PayloadTooLarge(limit, refusal)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise PayloadTooLarge(limit, refusal)
            return message

        await self.app(scope, limited_receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
