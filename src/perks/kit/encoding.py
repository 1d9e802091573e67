"""JSON encoding for the hot paths: orjson, several times faster than the standard library, for the JSON
columns (the engine's serializer), the group-committed event answers and the documents the hot reads
render without pydantic (`wire_bytes`).

`dump_bytes` writes what a compact `json.dumps` writes for the same value, except that NaN and infinities
become null (as pydantic's JSON mode, which most stored values come from, already makes them); an integer
beyond 64 bits, which orjson refuses, is written by the standard library. `wire_bytes` and `json_ready`
write what pydantic writes; beyond 64 bits, pydantic itself writes."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

import orjson
import pydantic_core

# orjson reads an integer beyond 64 bits as a float, and refuses what the standard library accepts (NaN,
# lone surrogates): a text with a run of 19 digits or more, or that orjson refuses, is read by the standard
# library, so that every stored document reads back as it was written.
_LONG_NUMBER = re.compile(r"\d{19}")


def loads(text: str | bytes) -> Any:
    """The JSON columns' reader (the engine's deserializer): what `json.loads` reads, faster."""
    if isinstance(text, str) and _LONG_NUMBER.search(text) is None:
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            pass
    return json.loads(text)


def dumps(value: Any) -> str:
    return dump_bytes(value).decode()


def dump_bytes(value: Any) -> bytes:
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)
    except orjson.JSONEncodeError:  # e.g. an integer beyond 64 bits (a client's metadata)
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


_WIRE = orjson.OPT_UTC_Z | orjson.OPT_NON_STR_KEYS


def wire_bytes(value: Any) -> bytes:
    """A document of plain values, datetimes and dates written as pydantic's JSON mode writes a model of
    the same fields: UTC datetimes end in "Z", microseconds only when there are some, dates as ISO text,
    non-ASCII text as it is. About four times faster than validating and dumping the model."""
    try:
        return orjson.dumps(value, default=_wire_value, option=_WIRE)
    except orjson.JSONEncodeError:  # an integer beyond 64 bits: pydantic's own writer, slower
        return pydantic_core.to_json(value)


def json_ready(value: Any) -> Any:
    """The document as pydantic's JSON mode (`model_dump(mode="json")`) makes it: plain JSON values, to be
    stored in a JSON column and written again later (an event's result)."""
    try:
        return orjson.loads(orjson.dumps(value, default=_wire_value, option=_WIRE))
    except orjson.JSONEncodeError:  # an integer beyond 64 bits (orjson would read it back as a float)
        return pydantic_core.to_jsonable_python(value)


def _wire_value(value: Any) -> str:
    if isinstance(value, Decimal):  # as pydantic writes a Decimal held in an Any field
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
