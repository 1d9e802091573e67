"""The pure evaluator the event engine will use (no database: these run once)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perks.errors import BadRequest
from perks.loyalty import conditions
from perks.loyalty.conditions import evaluate, unmet, validate_conditions

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


def condition(kind: str, operator: str, primitive: str, value: Any, **extra: Any) -> dict[str, Any]:
    return {"type": kind, "operator": operator, "primitive": primitive, "value": value} | extra


@pytest.mark.parametrize(
    ("rule", "facts", "expected"),
    [
        (condition("Order Value", "grater than", "string", 9.95), {"Order Value": Decimal("10")}, True),
        (condition("Order Value", "greater than", "currency", 9.95), {"Order Value": Decimal("9.95")}, False),
        (condition("Order Value", "less than or equal", "number", 9.95), {"Order Value": 9.95}, True),
        (condition("Order Value", "between", "currency", [10, 20]), {"Order Value": 20}, True),
        (condition("Order Value", "in", "number", [1, 2]), {"Order Value": 3}, False),
        (condition("Product SKU", "equal", "string", "mug"), {"Product SKU": ["CUP", "MUG"]}, True),
        (condition("Product SKU", "not in", "string", ["MUG"]), {"Product SKU": ["CUP", "MUG"]}, False),
        (condition("Product Tag", "contains", "string", "sum"), {"Product Tag": ["Summer"]}, True),
        (condition("Payment Method", "starts with", "string", "cre"), {"Payment Method": "CREDIT"}, True),
        (
            condition("Customer Is Anonymous", "equal", "boolean", False),
            {"Customer Is Anonymous": False},
            True,
        ),
        (condition("Event Date", "after", "absolute date", "2026-06-01"), {"Event Date": NOW}, True),
        (condition("Event Date", "before", "absolute date", "2026-06-01"), {"Event Date": NOW}, False),
        (
            condition("Customer Registration Date", "in the last", "relative date", "30/days"),
            {"Customer Registration Date": "2026-06-01"},
            True,
        ),
        (
            condition("Customer Registration Date", "not in the last", "relative date", "1/weeks"),
            {"Customer Registration Date": "2026-06-01"},
            True,
        ),
        (
            condition("Customer Birthday", "same day", "recurring date", "year"),
            {"Customer Birthday": "1990-06-15"},
            True,
        ),
        (
            condition("Customer Birthday", "same month", "recurring date", "year"),
            {"Customer Birthday": "1990-07-15"},
            False,
        ),
        (condition("Order Value", "greater than", "number", 1), {}, False),
    ],
)
def test_single_conditions(rule: dict[str, Any], facts: dict[str, Any], expected: bool) -> None:
    assert evaluate([[rule]], facts | {"now": NOW}) is expected


def test_or_of_and_groups() -> None:
    big = condition("Order Value", "greater than", "number", 100)
    card = condition("Payment Method", "equal", "string", "CREDIT")
    vip = condition("Customer Tag", "equal", "string", "vip")
    conditions = [[big, card], [vip]]
    assert evaluate(conditions, {"Order Value": 150, "Payment Method": "CREDIT"})
    assert not evaluate(conditions, {"Order Value": 150, "Payment Method": "DEBIT"})
    assert evaluate(conditions, {"Order Value": 1, "Customer Tag": ["VIP"]})
    assert evaluate([], {})


def test_unmet_reports_the_custom_message_or_the_default() -> None:
    rule = condition("Order Value", "greater than", "number", 50, message="Spend 50 or more")
    assert unmet([[rule]], {"Order Value": 10}) == "Spend 50 or more"
    assert unmet([[condition("Order Value", "equal", "number", 1)]], {}) == "Condition was not met"
    assert unmet([[rule]], {"Order Value": 60}) is None


def test_validation_returns_canonical_conditions_and_names_the_field() -> None:
    raw = [[condition("Order Value", "grater than", "string", 9.95, extra="dropped")]]
    assert validate_conditions(raw, "conditions") == [
        [{"type": "Order Value", "operator": "grater than", "primitive": "string", "value": 9.95}]
    ]
    with pytest.raises(BadRequest, match=r"^conditions\[0\]: "):
        validate_conditions([[]], "conditions")
    with pytest.raises(BadRequest, match=r"^conditions\[0\]\[0\]\.value: "):
        validate_conditions([[condition("Order Value", "between", "number", [5, 1])]], "conditions")
    with pytest.raises(BadRequest, match=r"^conditions\[0\]\[0\]\.primitive: "):
        validate_conditions([[condition("Product SKU", "equal", "number", "A")]], "conditions")


# The compiled tests read a fact of the expected type as it is and fold text without asking its type;
# they must decide exactly as the general reading: every value through `_scalar`, every comparison
# through COMPARISONS (hypothesis over facts of every type, lists included).
_TEXT_OPERATORS = [
    "equal",
    "not equal",
    "in",
    "not in",
    "contains",
    "not contains",
    "starts with",
    "ends with",
]
_NUMBER_OPERATORS = ["equal", "not equal", "greater than", "less than or equal", "between", "in", "not in"]
_scalars = st.one_of(
    st.text(max_size=4),
    st.decimals(allow_nan=False, allow_infinity=False, places=2, max_value=100, min_value=-100),
    st.integers(-100, 100),
    st.floats(-100, 100),
    st.booleans(),
    st.none(),
)


def _general(rule: dict[str, Any], fact: Any) -> bool:
    kind = conditions.CONDITION_TYPES[rule["type"]]
    operator = conditions.SPELLINGS.get(rule["operator"], rule["operator"])
    try:
        operand = conditions._coerce_operand(kind, rule["primitive"], rule["operator"], rule["value"])
    except (ValueError, TypeError, ArithmeticError):
        return False
    positive = conditions.NEGATED.get(operator, operator)
    compare, prepared = conditions.COMPARISONS[positive], conditions._prepared(positive, operand)
    if fact is None:
        return False
    try:
        values = [conditions._scalar(kind, rule["primitive"], item) for item in _items(fact)]
    except (ValueError, TypeError, ArithmeticError):
        return False
    found = False
    for value in values:
        try:
            found = found or bool(compare(value, prepared, NOW))
        except TypeError:
            continue
    return not found if operator in conditions.NEGATED else found


def _items(fact: Any) -> list[Any]:
    return list(fact) if isinstance(fact, list) else [fact]


@settings(max_examples=400, deadline=None)
@given(
    data=st.data(),
    fact=st.one_of(_scalars, st.lists(_scalars, max_size=3)),
)
def test_compiled_tests_decide_as_the_general_reading(data: st.DataObject, fact: Any) -> None:
    fact_type = data.draw(st.sampled_from(["Payment Method", "Order Value", "Customer Is Anonymous"]))
    if fact_type == "Payment Method":
        operator = data.draw(st.sampled_from(_TEXT_OPERATORS))
        value: Any = data.draw(st.text(max_size=3))
        primitive = "string"
    elif fact_type == "Order Value":
        operator = data.draw(st.sampled_from(_NUMBER_OPERATORS))
        value = data.draw(st.integers(-50, 50))
        primitive = "number"
    else:
        operator, value, primitive = "equal", data.draw(st.booleans()), "boolean"
    if operator in ("in", "not in"):
        value = [value, value]
    elif operator == "between":
        value = sorted([value, data.draw(st.integers(-50, 50))])
    rule = condition(fact_type, operator, primitive, value)
    assert evaluate([[rule]], {fact_type: fact, "now": NOW}) is _general(rule, fact)
