"""JSON encoding for the hot paths: orjson, several times faster than the standard library, for the JSON
columns (the engine's serializer) and the group-committed event answers.

It writes what a compact `json.dumps` writes for the same value, except that NaN and infinities become
null (as pydantic's JSON mode, which most stored values come from, already makes them). An integer
beyond 64 bits, which orjson refuses, is written by the standard library."""

from __future__ import annotations

import json
from typing import Any

import orjson


def dumps(value: Any) -> str:
    return dump_bytes(value).decode()


def dump_bytes(value: Any) -> bytes:
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)
    except orjson.JSONEncodeError:  # e.g. an integer beyond 64 bits (a client's metadata)
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
