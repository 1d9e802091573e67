"""Exact amounts: Decimal in Python, scaled integers in the database (DESIGN rule 4)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

from sqlalchemy import BigInteger
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from perks.errors import invalid

SCALE = 4
_FACTOR = Decimal(10) ** SCALE
CENT = Decimal("0.01")
# The largest amount, value or quantity an input may carry: well inside what a scaled 64-bit integer holds
# (Amount), and small enough that the engine's arithmetic at 28 significant digits stays exact.
MAX_INPUT = Decimal(10) ** 12


class Amount(TypeDecorator[Decimal]):
    """A Decimal stored as an integer count of 1/10,000ths: exact on SQLite and PostgreSQL alike,
    and summable in SQL."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> int | None:
        if value is None:
            return None
        scaled = (Decimal(value) * _FACTOR).to_integral_value(rounding=ROUND_HALF_EVEN)
        return int(scaled)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return (Decimal(int(value)) / _FACTOR).normalize() if value else Decimal(0)

    def result_processor(self, dialect: Dialect, coltype: object) -> Callable[[Any], Decimal | None]:
        # The conversion itself, without TypeDecorator's wrapper around process_result_value: a wallet's
        # lines carry two amounts each, read on every hot path.
        def scaled(value: Any) -> Decimal | None:
            if value is None:
                return None
            found = _READ.get(value)
            if found is None:
                if len(_READ) >= _READ_LIMIT:
                    _READ.clear()
                found = _READ[value] = (Decimal(int(value)) / _FACTOR).normalize() if value else Decimal(0)
            return found

        return scaled


# Stored integers already converted: Decimals are immutable and the same amounts recur (a campaign's
# grant, a coupon's points), so a dict lookup replaces the division and normalize (~0.3 µs each).
_READ: dict[int, Decimal] = {}
_READ_LIMIT = 100_000


def to_decimal(value: Any) -> Decimal:
    """Parse a number without going through a binary float's rounding."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        value = repr(value)
    try:
        return Decimal(str(value))
    except InvalidOperation as error:
        raise ValueError(f"not a number: {value!r}") from error


def round_money(value: Decimal, places: Decimal = CENT) -> Decimal:
    """Round half-even to the currency's minor unit."""
    return value.quantize(places, rounding=ROUND_HALF_EVEN)


def money_string(value: Decimal) -> str:
    """A decimal string with two places, as the affiliate face returns money."""
    return f"{round_money(value):.2f}"


def plain_number(value: Decimal) -> int | float:
    """A JSON number for a Decimal (integers stay integers: 50.00 is written 50)."""
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def is_positive_number(value: Any) -> bool:
    """A number (or decimal string) above 0: not a boolean, not NaN or an infinity."""
    try:
        number = to_decimal(value)
    except (ValueError, TypeError):
        return False
    return not isinstance(value, bool) and number.is_finite() and number > 0


def check_positive(value: Any, field: str) -> None:
    """A 400 naming `field` unless `value` is a number above 0 and at most MAX_INPUT, so the engine
    never multiplies by a value it cannot compute with."""
    if not is_positive_number(value):
        raise invalid(field, "must be a number greater than 0")
    if to_decimal(value) > MAX_INPUT:
        raise invalid(field, f"must be at most {MAX_INPUT}")
