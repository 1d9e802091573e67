"""PostgreSQL text cannot hold NUL characters, and no field of either API means one: a request carrying a
NUL anywhere (query, path, JSON body) is a 400 naming the field, before any handler sees it."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request

from perks.errors import invalid

PROBLEM = "must not contain NUL characters"


async def reject_nul_characters(request: Request) -> None:
    for name, value in request.query_params.multi_items():
        if "\x00" in name or "\x00" in value:
            raise invalid(name.replace("\x00", ""), PROBLEM)
    for name, value in request.path_params.items():
        if "\x00" in str(value):
            raise invalid(name, PROBLEM)
    body = await request.body()
    if b"\x00" in body or b"\\u0000" in body.lower():
        raise invalid(_body_field(body), PROBLEM)


def _body_field(body: bytes) -> str:
    """The dotted path of the first string holding a NUL, or `body` when it is not JSON."""
    try:
        document = json.loads(body)
    except ValueError:
        return "body"
    return _find(document, "") or "body"


def _find(value: Any, path: str) -> str | None:
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{path}.{key}" if path else str(key)
            if "\x00" in str(key):
                return here
            found = _find(item, here)
            if found:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _find(item, f"{path}[{index}]" if path else f"[{index}]")
            if found:
                return found
    return None
