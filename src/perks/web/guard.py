"""What every face route checks before its handler runs, whatever the route: no NUL character in the query
string, the path or the body (PostgreSQL text cannot hold one, and no field of either API means one),
and a JSON body parsed once with the bounds of perks.kit.json_input (valid Unicode, finite and bounded
numbers, limited nesting). Each refusal is a 400 naming the field. The body itself is bounded in size by
perks.web.body_limit before any of it is read."""

from __future__ import annotations

import email.message
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl

from fastapi import Request

from perks.errors import invalid
from perks.kit import json_input
from perks.kit.json_input import NUL, printable

UNPARSED = object()  # GuardedRequest.checked_json before (or without) a JSON body


class GuardedRequest(Request):
    """A request whose JSON body was parsed once, with bounds, before FastAPI asks for it."""

    checked_json: Any = UNPARSED

    async def json(self) -> Any:
        if self.checked_json is UNPARSED:
            return await super().json()
        return self.checked_json


async def guard_request(request: GuardedRequest) -> None:
    for name, value in request.query_params.multi_items():
        if "\x00" in name or "\x00" in value:
            raise invalid(printable(name), NUL)
    for name, value in request.path_params.items():
        if "\x00" in str(value):
            raise invalid(name, NUL)
    body = await request.body()
    if not body:
        return
    content_type = request.headers.get("content-type", "")
    if is_json(content_type):
        try:
            request.checked_json = json_input.loads(body)
        except ValueError:  # not JSON at all: FastAPI answers its own "Invalid JSON" 400
            if b"\x00" in body:
                raise invalid("body", NUL) from None
        return
    if b"\x00" in body:
        raise invalid("body", NUL)
    if content_type.startswith("application/x-www-form-urlencoded"):
        for name, value in parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
            if "\x00" in name or "\x00" in value:
                raise invalid(printable(name), NUL)


@lru_cache(maxsize=64)  # a client sends the same few content types; parsing one costs ~10 µs
def is_json(content_type: str) -> bool:
    """The content types FastAPI reads as JSON: application/json and application/*+json."""
    if not content_type:
        return False
    message = email.message.Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json")
    )
