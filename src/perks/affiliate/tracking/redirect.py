"""The public redirect `GET /r/{referralCode}`, served ahead of the framework.

It is the hottest path of the engine (every affiliate link click) and needs nothing of the framework:
no key, no body, no validation beyond the code. So RedirectMiddleware answers it as plain ASGI in front
of the middleware stack and the router (a route match through every route of both faces costs more than
the redirect itself), and everything else passes through untouched. The route in tracking/router.py
answers the same through `follow()` and documents it in OpenAPI."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from perks.affiliate.links.service import tracking_url
from perks.affiliate.tracking.clicks import ClickRecorder, LinkGone, click_row
from perks.affiliate.wire import URL_SAFE
from perks.kit.ids import is_uuid

PREFIX = "/r/"
COOKIE = "perks_ref"
CODE_MAX = 64
# Referral codes as links are created with them (letters, digits, _ . ~ -); anything else is a 404.
CODE = re.compile(URL_SAFE)
NOT_FOUND_PAGE = b"<!doctype html><title>Not found</title><h1>Not found</h1><p>This link does not exist.</p>"


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


def recorder_of(state: Any) -> ClickRecorder:
    """The process's click recorder, kept on app.state."""
    recorder: ClickRecorder | None = getattr(state, "click_recorder", None)
    if recorder is None:
        recorder = state.click_recorder = ClickRecorder(state.db)
    return recorder


def _not_found() -> Answer:
    headers = [
        (b"content-type", b"text/html; charset=utf-8"),
        (b"content-length", str(len(NOT_FOUND_PAGE)).encode()),
    ]
    return Answer(404, headers, NOT_FOUND_PAGE)


@functools.lru_cache(maxsize=4096)
def _location(campaign_url: str, parameter: str, code: str) -> bytes:
    return tracking_url(campaign_url, parameter, code).encode()


async def follow(state: Any, path: str, ip: str, user_agent: str, referrer: str | None) -> Answer:
    """Record a click on the code of `path` ("CODE", or "WORKSPACE_ID/CODE" for a code several
    accounts use), committed before answering, and redirect to its campaign URL with
    `urlParameter=code`, setting the `perks_ref` cookie (the click id) for the attribution window."""
    recorder = recorder_of(state)
    workspace_id, _slash, code = path.rpartition("/")
    in_workspace = workspace_id or None
    usable = len(code) <= CODE_MAX and CODE.fullmatch(code) is not None
    usable = usable and (in_workspace is None or is_uuid(in_workspace))
    target = await recorder.target(code, in_workspace) if usable else None
    if target is None:
        return _not_found()
    row = click_row(target, ip, user_agent, referrer, None)
    try:
        await recorder.record(row)
    except LinkGone:
        recorder.forget(code, in_workspace)
        return _not_found()
    location = _location(target.campaign_url, target.url_parameter, target.referral_code)
    cookie = f"{COOKIE}={row['id']}; HttpOnly; Max-Age={target.cookie_days * 86400}; Path=/; SameSite=lax"
    headers = [
        (b"location", location),
        (b"set-cookie", cookie.encode()),
        (b"cache-control", b"no-store"),
        (b"content-length", b"0"),
    ]
    return Answer(302, headers, b"")


class RedirectMiddleware:
    """Answers `GET|HEAD /r/{code}` and `/r/{workspaceId}/{code}` itself; passes every other request on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith(PREFIX) or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        rest = path[len(PREFIX) :]
        if rest.count("/") > 1:
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        client = scope.get("client")
        answer = await follow(
            scope["app"].state,
            rest,
            client[0] if client else "",
            headers.get(b"user-agent", b"").decode("latin-1"),
            headers[b"referer"].decode("latin-1") if b"referer" in headers else None,
        )
        await send({"type": "http.response.start", "status": answer.status, "headers": answer.headers})
        await send({"type": "http.response.body", "body": answer.body if scope["method"] == "GET" else b""})
