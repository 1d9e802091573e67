"""JSON from outside, parsed with bounds: what a client sends never reaches a handler, a schema or the
database in a shape they cannot store or compute with.

A document is refused (a 400 naming the field) when it holds a string or key that is not valid Unicode
(a lone surrogate such as `"\\ud800"`, which no database or encoder accepts) or that contains a NUL
character (PostgreSQL text cannot hold one), a number that is not finite (`NaN`, `Infinity`, `1e400`), or
arrays and objects nested deeper than MAX_DEPTH levels. Large finite numbers are data (metadata keeps
integers beyond 64 bits); the fields the engines compute with bound their numbers in their schemas."""

from __future__ import annotations

import json
import math
from typing import Any

from perks.errors import BadRequest, invalid

# Deeper than any document of either API needs (campaign rules nest about five levels); the parser and
# every encoder behind it stay far from Python's recursion limit.
MAX_DEPTH = 32

NUL = "must not contain NUL characters"
SURROGATE = "must be valid Unicode text (a lone surrogate such as \\ud800 was sent)"
NOT_FINITE = "must be a finite number"
TOO_DEEP = f"must not nest arrays and objects deeper than {MAX_DEPTH} levels"


def loads(raw: str | bytes) -> Any:
    """Parse JSON and check it; json.JSONDecodeError (a ValueError) when it is not JSON at all, a 400
    naming the field when it breaks a bound."""
    try:
        document = json.loads(raw)
    except RecursionError:
        raise BadRequest(f"body: {TOO_DEEP}", field="body") from None
    check(document)
    return document


def loads_field(raw: str, field: str) -> Any:
    """A JSON document sent inside a string field (campaign rules, metadata): fields are named from
    `field`; ValueError when it is not JSON."""
    try:
        document = json.loads(raw)
    except RecursionError:
        raise invalid(field, TOO_DEEP) from None
    check(document, field)
    return document


def check(document: Any, path: str = "") -> None:
    """Raise a 400 naming the first value of `document` that breaks a bound. The document is first walked
    without naming anything (a field's path is text to build at every node, the bulk of the cost); only a
    document that breaks a bound is walked again, in the same order, to name the first field that does."""
    if not _within_bounds(document, 0):
        _check(document, path, 0)


def _within_bounds(value: Any, depth: int) -> bool:
    """What `_check` checks, without the paths: False where `_check` would raise."""
    if isinstance(value, str):
        return _text_within_bounds(value)
    if isinstance(value, dict):
        if depth >= MAX_DEPTH:
            return False
        for key, item in value.items():
            if isinstance(key, str) and not _text_within_bounds(key):
                return False
            if not _within_bounds(item, depth + 1):
                return False
        return True
    if isinstance(value, list):
        if depth >= MAX_DEPTH:
            return False
        for item in value:  # noqa: SIM110 (a loop: all() over a generator costs more per item)
            if not _within_bounds(item, depth + 1):
                return False
        return True
    return not isinstance(value, float) or math.isfinite(value)


def _text_within_bounds(text: str) -> bool:
    if "\x00" in text:
        return False
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _check(value: Any, path: str, depth: int) -> None:
    if isinstance(value, str):
        _check_text(value, path)
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int | float):
        _check_number(value, path)
    elif isinstance(value, dict | list):
        if depth >= MAX_DEPTH:
            raise invalid(_outermost(path), TOO_DEEP)
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            here = _child(path, key)
            if isinstance(key, str):
                _check_text(key, here)
            _check(item, here, depth + 1)


def _check_text(text: str, path: str) -> None:
    if "\x00" in text:
        raise invalid(path or "body", NUL)
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise invalid(path or "body", SURROGATE) from None


def _check_number(number: float, path: str) -> None:
    if isinstance(number, float) and not math.isfinite(number):
        raise invalid(path or "body", NOT_FINITE)


def _child(path: str, key: object) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]" if path else f"[{key}]"
    name = printable(str(key))
    return f"{path}.{name}" if path else name


def _outermost(path: str) -> str:
    """The field a too-deep value sits in (its full path would itself be MAX_DEPTH segments long)."""
    return path.split(".", 1)[0].split("[", 1)[0] or "body"


def printable(name: str) -> str:
    """A field name as an error message can show it: NULs dropped, lone surrogates escaped."""
    return name.replace("\x00", "").encode("utf-8", "backslashreplace").decode("utf-8")
