"""What each reward type needs in `attributes`. Unknown keys are kept as they are."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from perks.errors import invalid
from perks.kit.money import check_positive, to_decimal

DISCOUNT_TYPES = ("PERCENTAGE", "FIXED_AMOUNT")
DISCOUNT_TARGETS = ("ORDER_VALUE", "PRODUCT", "SHIPPING")
PRODUCT_ACTIONS = ("ADD", "REPLACE")


def check_attributes(reward_type: str, attributes: dict[str, Any]) -> dict[str, Any]:
    CHECKS[reward_type](attributes)
    return attributes


def _positive(
    attributes: dict[str, Any], key: str, *, required: bool = True, example: str = "1", meaning: str = ""
) -> None:
    value = attributes.get(key)
    if value is None and not required:
        return
    if value is None:
        raise invalid(f"attributes.{key}", f'is required, e.g. "attributes": {{"{key}": {example}}}{meaning}')
    check_positive(value, f"attributes.{key}")


def _one_of(
    attributes: dict[str, Any], key: str, choices: tuple[str, ...], default: str | None = None
) -> str:
    value = attributes.setdefault(key, default) if default else attributes.get(key)
    if value not in choices:
        raise invalid(f"attributes.{key}", f"must be one of: {', '.join(choices)}")
    return str(value)


def _text(attributes: dict[str, Any], key: str) -> None:
    value = attributes.get(key)
    if not isinstance(value, str) or not value.strip():
        raise invalid(f"attributes.{key}", "is required")


def _points(attributes: dict[str, Any]) -> None:
    # "The Conversion factor is the amount of money each point is worth."
    _positive(attributes, "conversion_factor", example="0.1", meaning=" (the money one point is worth)")


def _discount(attributes: dict[str, Any]) -> None:
    kind = _one_of(attributes, "discount_type", DISCOUNT_TYPES)
    _positive(attributes, "value")
    if kind == "PERCENTAGE" and to_decimal(attributes["value"]) > 100:
        raise invalid("attributes.value", "a percentage is at most 100")
    if _one_of(attributes, "apply_to", DISCOUNT_TARGETS, "ORDER_VALUE") == "PRODUCT":
        _text(attributes, "sku")


def _gift_card(attributes: dict[str, Any]) -> None:
    _positive(attributes, "value", required=False)


def _product(attributes: dict[str, Any]) -> None:
    _text(attributes, "sku")
    if _one_of(attributes, "action", PRODUCT_ACTIONS, "ADD") == "REPLACE":
        _text(attributes, "replaced_sku")


CHECKS: dict[str, Callable[[dict[str, Any]], None]] = {
    "POINTS": _points,
    "DISCOUNT": _discount,
    "GIFT_CARD": _gift_card,
    "PRODUCT": _product,
}
