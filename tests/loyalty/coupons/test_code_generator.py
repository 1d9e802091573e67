"""The code generator on its own (no database: these run once)."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perks.errors import BadRequest
from perks.loyalty.coupons.generator import (
    ALPHABET,
    CodeFormat,
    check_quantity,
    parse_custom_codes,
    parse_format,
    random_codes,
    unique_codes,
)

LITERALS = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_", max_size=5)


@settings(max_examples=50, deadline=None)
@given(
    prefix=LITERALS, postfix=LITERALS, middle=LITERALS, randoms=st.integers(4, 12), count=st.integers(1, 300)
)
def test_codes_keep_the_literals_and_fill_every_hash(
    prefix: str, postfix: str, middle: str, randoms: int, count: int
) -> None:
    half = randoms // 2
    code_format = parse_format(
        {"prefix": prefix, "postfix": postfix, "pattern": "#" * half + middle + "#" * (randoms - half)}
    )
    codes = unique_codes(code_format, count)
    assert len(codes) == count and len(set(codes)) == count and codes == sorted(codes)
    template = code_format.template
    for code in codes:
        assert len(code) == len(template)
        for char, slot in zip(code, template, strict=True):
            assert char in ALPHABET if slot == "#" else char == slot


def test_every_character_of_the_alphabet_is_about_equally_likely() -> None:
    counts = Counter("".join(random_codes(CodeFormat(), 20_000)))
    assert set(counts) == set(ALPHABET) and len(ALPHABET) == 32
    expected = 20_000 * 8 / 32
    assert all(abs(seen - expected) < expected * 0.1 for seen in counts.values())


def test_safe_limits() -> None:
    assert check_quantity(CodeFormat(), 10_000_000) == 10_000_000
    with pytest.raises(BadRequest, match="at most 10000000"):
        check_quantity(CodeFormat(), 10_000_001)
    four = parse_format({"length": 4})
    assert four.space == 32**4 and four.safe_quantity == 32**4 // 100
    with pytest.raises(BadRequest, match=r"^quantity: "):
        check_quantity(four, four.safe_quantity + 1)


def test_custom_codes_are_canonical() -> None:
    assert parse_custom_codes(" a1 ,B2,,c.3 ") == ["A1", "B2", "C.3"]
    with pytest.raises(BadRequest, match=r"duplicate codes.*A1"):
        parse_custom_codes("a1,A1")
    with pytest.raises(BadRequest, match="letters, digits"):
        parse_custom_codes("has space")
