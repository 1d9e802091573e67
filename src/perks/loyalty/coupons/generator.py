"""Coupon code formats and bulk generation.

A format is a template: `prefix + pattern + postfix`, where each `#` of the pattern is a random character
from a 32-character alphabet without look-alikes (no 0/O, no 1/I). Without a pattern, the pattern is
`length` (default 8) `#`s. Codes are canonical upper case, so `summer-ab2c` and `SUMMER-AB2C` are one code.

Generation is vectorised: one os.urandom call, one bytes.translate onto the alphabet (256 is a multiple of
32, so every character is equally likely), and one strided bytearray assignment per `#` position; a million
8-character codes take a fraction of a second. Duplicates inside a batch are removed with a set and topped up.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from perks.errors import invalid

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
_TRANSLATE = bytes(ALPHABET[i % len(ALPHABET)].encode()[0] for i in range(256))
RANDOM = "#"
DEFAULT_LENGTH = 8
MIN_LENGTH, MAX_LENGTH = 4, 32
MAX_AFFIX = 20
MAX_CODE_LENGTH = 64
# A code space is "safe" for a quantity when at most 1 in SAFETY_RATIO possible codes is issued: a guessed
# code is then wrong 99 times in 100, and generation needs few retries.
SAFETY_RATIO = 100
MAX_QUANTITY = 10_000_000
LITERAL = re.compile(r"^[A-Z0-9_-]*$")
CUSTOM_CODE = re.compile(r"^[A-Z0-9_.\-]{1,64}$")


@dataclass(frozen=True)
class CodeFormat:
    prefix: str = ""
    pattern: str = RANDOM * DEFAULT_LENGTH
    postfix: str = ""

    @property
    def template(self) -> str:
        return self.prefix + self.pattern + self.postfix

    @property
    def space(self) -> int:
        """How many distinct codes the format can produce."""
        return int(len(ALPHABET) ** self.pattern.count(RANDOM))

    @property
    def safe_quantity(self) -> int:
        return min(MAX_QUANTITY, self.space // SAFETY_RATIO)

    def as_config(self) -> dict[str, Any]:
        return {"prefix": self.prefix, "pattern": self.pattern, "postfix": self.postfix}


def parse_format(raw: Any, field: str = "attributes.code_config") -> CodeFormat:
    """Read `attributes.code_config` ({prefix, postfix, pattern | length}); missing means 8 random chars."""
    if raw is None:
        return CodeFormat()
    if not isinstance(raw, dict):
        raise invalid(field, "must be an object with prefix, postfix, pattern or length")
    prefix = _literal(raw.get("prefix"), f"{field}.prefix", MAX_AFFIX)
    postfix = _literal(raw.get("postfix"), f"{field}.postfix", MAX_AFFIX)
    pattern = _pattern(raw, field)
    code_format = CodeFormat(prefix, pattern, postfix)
    if len(code_format.template) > MAX_CODE_LENGTH:
        raise invalid(field, f"codes are at most {MAX_CODE_LENGTH} characters long")
    return code_format


def _literal(value: Any, field: str, limit: int) -> str:
    if value is None:
        return ""
    text = value.upper() if isinstance(value, str) else None
    if text is None or len(text) > limit or not LITERAL.match(text):
        raise invalid(field, f"must be up to {limit} letters, digits, '-' or '_'")
    return text


def _pattern(raw: dict[str, Any], field: str) -> str:
    pattern, length = raw.get("pattern"), raw.get("length")
    if pattern is not None:
        text = pattern.upper() if isinstance(pattern, str) else ""
        randoms = text.count(RANDOM)
        if not MIN_LENGTH <= randoms <= MAX_LENGTH or not LITERAL.match(text.replace(RANDOM, "")):
            raise invalid(
                f"{field}.pattern",
                f"must hold {MIN_LENGTH} to {MAX_LENGTH} '#' (random characters) among letters, "
                "digits, '-' and '_'",
            )
        return text
    if length is None:
        return RANDOM * DEFAULT_LENGTH
    if isinstance(length, bool) or not isinstance(length, int) or not MIN_LENGTH <= length <= MAX_LENGTH:
        raise invalid(f"{field}.length", f"must be an integer from {MIN_LENGTH} to {MAX_LENGTH}")
    return RANDOM * length


def check_quantity(code_format: CodeFormat, quantity: int | None, field: str = "quantity") -> int:
    if quantity is None or quantity < 1:
        raise invalid(field, "must be a positive integer")
    if quantity > code_format.safe_quantity:
        raise invalid(
            field,
            f"the code format {code_format.template} can safely hold at most {code_format.safe_quantity} "
            f"codes (at most 1 in {SAFETY_RATIO} of its {code_format.space} possible codes, and "
            f"{MAX_QUANTITY} per campaign); use a longer pattern or a lower quantity",
        )
    return quantity


def random_codes(code_format: CodeFormat, count: int) -> list[str]:
    """`count` random codes of the format (duplicates possible; see unique_codes)."""
    template = code_format.template
    width = len(template)
    positions = [index for index, char in enumerate(template) if char == RANDOM]
    buffer = bytearray(template.encode() * count)
    noise = os.urandom(count * len(positions)).translate(_TRANSLATE)
    for slot, position in enumerate(positions):
        buffer[position::width] = noise[slot * count : (slot + 1) * count]
    text = buffer.decode("ascii")
    return [text[start : start + width] for start in range(0, count * width, width)]


def unique_codes(code_format: CodeFormat, count: int) -> list[str]:
    """`count` distinct random codes, sorted (sorted inserts keep the database's index writes local)."""
    codes: set[str] = set()
    while len(codes) < count:
        codes.update(random_codes(code_format, count - len(codes)))
    return sorted(codes)


def parse_custom_codes(raw: str | None, field: str = "customCodes") -> list[str]:
    """The canonical codes of a comma-separated list; empty entries are skipped, duplicates refused."""
    codes = [part.strip().upper() for part in (raw or "").split(",")]
    codes = [code for code in codes if code]
    if not codes:
        raise invalid(field, "must hold at least one non-empty code when useCustomCodes is true")
    malformed = [code for code in codes if not CUSTOM_CODE.match(code)]
    if malformed:
        raise invalid(
            field, f"codes are 1 to 64 letters, digits, '-', '_' or '.': {', '.join(malformed[:10])}"
        )
    repeated = sorted(code for code, times in Counter(codes).items() if times > 1)
    if repeated:
        raise invalid(field, f"duplicate codes (compared case-insensitively): {', '.join(repeated[:10])}")
    if len(codes) > MAX_QUANTITY:
        raise invalid(field, f"at most {MAX_QUANTITY} codes per campaign")
    return codes
