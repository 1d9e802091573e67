"""Opaque cursors of keyset-paged lists: the sort key of the last row a page showed, as a URL-safe token.
Clients hand the token back unchanged; its content may change between versions."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence

from perks.errors import invalid


def encode(parts: Sequence[str]) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(parts)).encode()).decode().rstrip("=")


def decode(cursor: str, *, length: int | None = None) -> list[str]:
    """The parts `encode` was given; a 400 naming `cursor` for anything a list did not hand out."""
    try:
        parts = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        parts = None
    if (
        not isinstance(parts, list)
        or not all(isinstance(part, str) for part in parts)
        or (length is not None and len(parts) != length)
    ):
        raise invalid("cursor", "is not a cursor this list handed out")
    return parts
