"""The condition language shared by rewards, tiers and campaign rules: its published catalogue, validation,
and a pure evaluator for the event engine.

A `conditions` value is an OR of AND groups: `[[c1, c2], [c3]]` holds when (c1 and c2) or c3; an empty list
always holds. A condition is `{"type", "operator", "primitive", "value"}` plus an optional `message` (the
custom error shown when it is not met). The condition `type` names a fact about the event or the customer;
its kind (numeric, text, boolean, date) decides which operators apply and how `value` is read. `primitive`
must be one of the seven documented primitives; for date facts it picks absolute, relative or recurring
comparison. The documented example `{"type": "Order Value", "operator": "grater than", "primitive":
"string", "value": 9.95}` is accepted as written: "grater than" is the API's own spelling of "greater than".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from perks.errors import invalid
from perks.kit import clock
from perks.kit.money import to_decimal


class Kind(StrEnum):
    NUMERIC = "numeric"
    TEXT = "text"
    BOOLEAN = "boolean"
    DATE = "date"


PRIMITIVES = ("string", "number", "currency", "boolean", "absolute date", "relative date", "recurring date")

# Condition type -> the kind of fact it reads. List-valued facts (products, tags) match when any item does.
CONDITION_TYPES: dict[str, Kind] = {
    "Order Value": Kind.NUMERIC,
    "Order Discounted Value": Kind.NUMERIC,
    "Number of Products": Kind.NUMERIC,
    "Product SKU": Kind.TEXT,
    "Product Tag": Kind.TEXT,
    "Product Value": Kind.NUMERIC,
    "Product Amount": Kind.NUMERIC,
    "Shipping Value": Kind.NUMERIC,
    "Payment Method": Kind.TEXT,
    "Channel": Kind.TEXT,
    "Store": Kind.TEXT,
    "Platform": Kind.TEXT,
    "Brand": Kind.TEXT,
    "Event Type": Kind.TEXT,
    "Event Tag": Kind.TEXT,
    "Event Date": Kind.DATE,
    "Customer Tier": Kind.TEXT,
    "Customer Tag": Kind.TEXT,
    "Customer Gender": Kind.TEXT,
    "Customer Country": Kind.TEXT,
    "Customer Age": Kind.NUMERIC,
    "Customer Birthday": Kind.DATE,
    "Customer Registration Date": Kind.DATE,
    "Customer Is Anonymous": Kind.BOOLEAN,
    "Number of Purchases": Kind.NUMERIC,
    "Spend Total": Kind.NUMERIC,
    "Last Visit": Kind.DATE,
}

# Which primitives each kind accepts. "string" on numeric facts is the documented example's choice.
PRIMITIVES_BY_KIND: dict[Kind, tuple[str, ...]] = {
    Kind.NUMERIC: ("number", "currency", "string"),
    Kind.TEXT: ("string",),
    Kind.BOOLEAN: ("boolean",),
    Kind.DATE: ("absolute date", "relative date", "recurring date"),
}

GREATER = "greater than"
OPERATORS_BY_PRIMITIVE: dict[str, tuple[str, ...]] = {
    "numeric": (
        "equal",
        "not equal",
        GREATER,
        "grater than",
        "greater than or equal",
        "less than",
        "less than or equal",
        "between",
        "in",
        "not in",
    ),
    "string": ("equal", "not equal", "contains", "not contains", "starts with", "ends with", "in", "not in"),
    "boolean": ("equal", "not equal"),
    "absolute date": ("equal", "before", "after", "between"),
    "relative date": ("in the last", "not in the last"),
    "recurring date": ("same day", "same month"),
}
SPELLINGS = {"grater than": GREATER}
RELATIVE_UNITS = {"days": 1, "weeks": 7, "months": 30, "years": 365}
RECURRING_PERIODS = {"same day": ("year", "month", "week"), "same month": ("year",)}
RELATIVE_VALUE = re.compile(r"^\s*(\d{1,4})\s*/\s*(days|weeks|months|years)\s*$")


def catalogue() -> dict[str, Any]:
    """The published catalogue (GET /conditions/catalogue): types, primitives and operators."""
    return {
        "types": [
            {
                "type": name,
                "kind": kind.value,
                "primitives": list(PRIMITIVES_BY_KIND[kind]),
                "operators": sorted({op for p in PRIMITIVES_BY_KIND[kind] for op in _operators(kind, p)}),
            }
            for name, kind in CONDITION_TYPES.items()
        ],
        "primitives": list(PRIMITIVES),
        "operator_aliases": dict(SPELLINGS),
        "relative_units": list(RELATIVE_UNITS),
        "recurring_periods": {op: list(periods) for op, periods in RECURRING_PERIODS.items()},
    }


def _operators(kind: Kind, primitive: str) -> tuple[str, ...]:
    if kind is Kind.NUMERIC:
        return OPERATORS_BY_PRIMITIVE["numeric"]
    return OPERATORS_BY_PRIMITIVE[primitive]


# ---- validation -------------------------------------------------------------------------------------


def validate_conditions(raw: Any, field: str) -> list[list[dict[str, Any]]]:
    """Check an OR-of-AND conditions value and return it canonical, or raise a 400 naming the field."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise invalid(field, "must be an array of arrays of conditions (OR of AND groups)")
    groups: list[list[dict[str, Any]]] = []
    for i, group in enumerate(raw):
        if not isinstance(group, list) or not group:
            raise invalid(f"{field}[{i}]", "must be a non-empty array of conditions (an AND group)")
        groups.append([validate_condition(item, f"{field}[{i}][{j}]") for j, item in enumerate(group)])
    return groups


def validate_condition(raw: Any, field: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise invalid(field, "must be an object with type, operator, primitive and value")
    kind = _known(raw.get("type"), CONDITION_TYPES, f"{field}.type", "condition type")
    primitive = raw.get("primitive")
    if primitive not in PRIMITIVES:
        raise invalid(f"{field}.primitive", f"must be one of: {', '.join(PRIMITIVES)}")
    if primitive not in PRIMITIVES_BY_KIND[kind]:
        allowed = ", ".join(PRIMITIVES_BY_KIND[kind])
        raise invalid(f"{field}.primitive", f"{raw['type']} conditions take the primitive {allowed}")
    operator = raw.get("operator")
    if operator not in _operators(kind, primitive):
        allowed = ", ".join(_operators(kind, primitive))
        raise invalid(f"{field}.operator", f"must be one of: {allowed}")
    _check_value(kind, primitive, operator, raw.get("value"), f"{field}.value")
    message = raw.get("message")
    if message is not None and not isinstance(message, str):
        raise invalid(f"{field}.message", "must be a string")
    condition = {"type": raw["type"], "operator": operator, "primitive": primitive, "value": raw.get("value")}
    if message is not None:
        condition["message"] = message
    return condition


def _known(value: Any, table: Mapping[str, Kind], field: str, what: str) -> Kind:
    if not isinstance(value, str) or value not in table:
        raise invalid(field, f"unknown {what}; see GET /conditions/catalogue")
    return table[value]


def _check_value(kind: Kind, primitive: str, operator: str, value: Any, field: str) -> None:
    try:
        _coerce_operand(kind, primitive, operator, value)
    except (ValueError, TypeError, ArithmeticError) as error:
        raise invalid(field, str(error) or "is not valid for this operator") from error


def _coerce_operand(kind: Kind, primitive: str, operator: str, value: Any) -> Any:
    """The condition's value, read for its kind and operator (raises ValueError when it cannot be)."""
    if operator in ("in", "not in"):
        if not isinstance(value, list) or not value:
            raise ValueError("must be a non-empty array")
        return [_scalar(kind, primitive, item) for item in value]
    if operator == "between":
        if not isinstance(value, list) or len(value) != 2:
            raise ValueError("must be an array of two bounds")
        low, high = (_scalar(kind, primitive, item) for item in value)
        if low > high:
            raise ValueError("the lower bound must come first")
        return (low, high)
    if primitive == "relative date":
        return _relative(value)
    if primitive == "recurring date":
        if value not in RECURRING_PERIODS[operator]:
            raise ValueError(f"must be one of: {', '.join(RECURRING_PERIODS[operator])}")
        return value
    return _scalar(kind, primitive, value)


def _scalar(kind: Kind, primitive: str, value: Any) -> Any:
    if kind is Kind.NUMERIC:
        if type(value) is Decimal:  # the facts' numbers already are
            return value
        if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
            raise ValueError("must be a number")
        number = to_decimal(value)
        if not number.is_finite():
            raise ValueError("must be a finite number")
        return number
    if kind is Kind.BOOLEAN:
        if not isinstance(value, bool):
            raise ValueError("must be true or false")
        return value
    if kind is Kind.DATE:
        return _date(value)
    if not isinstance(value, str):
        raise ValueError("must be a string")
    return value


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        return clock.as_utc(value).date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise ValueError("must be a date (YYYY-MM-DD)")
    try:
        return clock.as_utc(datetime.fromisoformat(value.replace("Z", "+00:00"))).date()
    except ValueError:
        return date.fromisoformat(value)


def _relative(value: Any) -> timedelta:
    match = RELATIVE_VALUE.match(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError('must look like "30/days" (units: days, weeks, months, years)')
    return timedelta(days=int(match.group(1)) * RELATIVE_UNITS[match.group(2)])


# ---- evaluation -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Test:
    """One condition read once: the fact it looks at, how to read that fact, what to compare it with."""

    fact: str
    kind: Kind
    primitive: str
    compare: Callable[[Any, Any, datetime], bool]  # the positive comparison ("in" for "not in")
    negated: bool
    operand: Any
    ready: type | None  # the type of the facts that _scalar returns as they are (most facts)

    def holds(self, facts: Mapping[str, Any], now: datetime) -> bool:
        fact = facts.get(self.fact)
        if fact is None:
            return False
        if type(fact) is self.ready:  # one value already read, the common case (every campaign runs this)
            value = fact
        elif isinstance(fact, list | tuple | set):
            return self._holds_for_any(fact, now)
        else:
            try:
                value = _scalar(self.kind, self.primitive, fact)
            except (ValueError, TypeError, ArithmeticError):
                return False
        try:
            found = bool(self.compare(value, self.operand, now))
        except TypeError:
            found = False
        return not found if self.negated else found

    def _holds_for_any(self, fact: list[Any] | tuple[Any, ...] | set[Any], now: datetime) -> bool:
        kind, primitive = self.kind, self.primitive
        try:  # every item is read first: one that cannot be read fails the condition
            values = [_scalar(kind, primitive, item) for item in fact]
        except (ValueError, TypeError, ArithmeticError):
            return False
        compare, operand = self.compare, self.operand
        found = False
        for value in values:
            try:
                if compare(value, operand, now):
                    found = True
                    break
            except TypeError:
                continue
        return not found if self.negated else found


@dataclass(frozen=True, slots=True)
class Compiled:
    """Conditions (an OR of AND groups) with every operand read once: what a cached campaign keeps, so an
    event evaluates them without parsing them again. None stands for a condition that can never hold
    (an unknown type or operator, an operand that cannot be read)."""

    groups: tuple[tuple[_Test | None, ...], ...]

    def holds(self, facts: Mapping[str, Any]) -> bool:
        if not self.groups:
            return True
        now = facts.get("now") or clock.now()
        for group in self.groups:  # loops rather than any(all(...)): this runs for every campaign
            for test in group:
                if test is None or not test.holds(facts, now):
                    break
            else:
                return True
        return False


def compile_conditions(conditions: Sequence[Sequence[Mapping[str, Any]]]) -> Compiled:
    return Compiled(tuple(tuple(_test(condition) for condition in group) for group in conditions))


def evaluate(conditions: Sequence[Sequence[Mapping[str, Any]]] | Compiled, facts: Mapping[str, Any]) -> bool:
    """True when at least one AND group holds entirely. `facts` maps condition types ("Order Value") to the
    event's or customer's value (a list for products and tags); a missing fact fails its condition.
    `facts["now"]` (optional) is the moment relative and recurring dates are measured from."""
    compiled = conditions if isinstance(conditions, Compiled) else compile_conditions(conditions)
    return compiled.holds(facts)


def unmet(conditions: Sequence[Sequence[Mapping[str, Any]]], facts: Mapping[str, Any]) -> str | None:
    """None when the conditions hold, else the first failing condition's message (or the default)."""
    if evaluate(conditions, facts):
        return None
    now = facts.get("now") or clock.now()
    for group in conditions:
        for condition in group:
            if not holds(condition, facts, now):
                return str(condition.get("message") or "Condition was not met")
    return "Condition was not met"


def holds(condition: Mapping[str, Any], facts: Mapping[str, Any], now: datetime) -> bool:
    test = _test(condition)
    return test is not None and test.holds(facts, now)


def _test(condition: Mapping[str, Any]) -> _Test | None:
    name = str(condition.get("type"))
    kind = CONDITION_TYPES.get(name)
    if kind is None:
        return None
    primitive = str(condition.get("primitive"))
    operator = SPELLINGS.get(str(condition.get("operator")), str(condition.get("operator")))
    try:
        operand = _coerce_operand(kind, primitive, str(condition.get("operator")), condition.get("value"))
    except (ValueError, TypeError, ArithmeticError):
        return None
    positive = NEGATED.get(operator, operator)
    compare = (TEXT_COMPARISONS.get(positive) if kind is Kind.TEXT else None) or COMPARISONS.get(positive)
    if compare is None:
        return None
    prepared = _prepared(positive, operand)
    return _Test(name, kind, primitive, compare, operator in NEGATED, prepared, _READY.get(kind))


# What _scalar returns unchanged, per kind: a fact of that very type needs no reading.
_READY: dict[Kind, type] = {Kind.NUMERIC: Decimal, Kind.TEXT: str, Kind.BOOLEAN: bool}


def _prepared(operator: str, operand: Any) -> Any:
    """The operand as its comparison reads it on every event: folded once (text compares
    case-insensitively), and the members of "in" as a set."""
    if operator == "in":
        members = [_fold(item) for item in operand]
        try:
            return frozenset(members)
        except TypeError:  # an unhashable member: looked up one by one
            return tuple(members)
    if operator in FOLDED:
        return _fold(operand)
    return operand


FOLDED = frozenset({"equal", "contains", "starts with", "ends with"})


NEGATED = {"not equal": "equal", "not contains": "contains", "not in": "in", "not in the last": "in the last"}


def _today(now: datetime) -> date:
    return clock.as_utc(now).date()


COMPARISONS: dict[str, Callable[[Any, Any, datetime], bool]] = {
    # Operands come prepared (_prepared): folded, and a set for "in".
    "equal": lambda value, operand, _now: _fold(value) == operand,
    GREATER: lambda value, operand, _now: value > operand,
    "greater than or equal": lambda value, operand, _now: value >= operand,
    "less than": lambda value, operand, _now: value < operand,
    "less than or equal": lambda value, operand, _now: value <= operand,
    "between": lambda value, operand, _now: operand[0] <= value <= operand[1],
    "in": lambda value, operand, _now: _fold(value) in operand,
    "contains": lambda value, operand, _now: operand in _fold(value),
    "starts with": lambda value, operand, _now: _fold(value).startswith(operand),
    "ends with": lambda value, operand, _now: _fold(value).endswith(operand),
    "before": lambda value, operand, _now: value < operand,
    "after": lambda value, operand, _now: value > operand,
    "in the last": lambda value, operand, now: _today(now) - operand <= value <= _today(now),
    "same day": lambda value, operand, now: _same_day(value, operand, _today(now)),
    "same month": lambda value, _operand, now: value.month == _today(now).month,
}


# A TEXT fact is read as a str (_scalar): folded without asking what it is.
TEXT_COMPARISONS: dict[str, Callable[[Any, Any, datetime], bool]] = {
    "equal": lambda value, operand, _now: value.casefold() == operand,
    "in": lambda value, operand, _now: value.casefold() in operand,
    "contains": lambda value, operand, _now: operand in value.casefold(),
    "starts with": lambda value, operand, _now: value.casefold().startswith(operand),
    "ends with": lambda value, operand, _now: value.casefold().endswith(operand),
}


def _fold(value: Any) -> Any:
    """Text compares case-insensitively; numbers, dates and booleans as they are."""
    return value.casefold() if isinstance(value, str) else value


def _same_day(value: date, period: str, today: date) -> bool:
    if period == "week":
        return value.weekday() == today.weekday()
    if period == "month":
        return value.day == today.day
    return (value.month, value.day) == (today.month, today.day)


__all__ = [
    "CONDITION_TYPES",
    "PRIMITIVES",
    "Compiled",
    "catalogue",
    "compile_conditions",
    "evaluate",
    "holds",
    "unmet",
    "validate_conditions",
]
