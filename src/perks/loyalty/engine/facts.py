"""The facts a rule's conditions are evaluated on (see perks.loyalty.conditions): what the event says
(order, products, shipping, platform, brand, tags, date) and who the customer is (tier, tags, profile,
metrics). Condition types name the facts; list-valued facts match when any item does; a fact the event
does not carry is absent, so its conditions fail."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from perks.kit import clock
from perks.kit.money import to_decimal
from perks.loyalty.customers.models import Customer


def facts_for(
    event_type: str,
    data: Mapping[str, Any],
    customer: Customer,
    now: datetime,
    *,
    tier_id: str | None = None,
    tier_name: str | None = None,
) -> dict[str, Any]:
    """`data` is the event body as sent (order, product, platform, brand_id, tags, issued_at...).
    `tier_id`/`tier_name` name the customer's tier when the caller knows it (the Base tier for a customer
    without one); "Customer Tier" matches either."""
    return {
        **event_facts(event_type, data, now),
        **customer_facts(customer, now, tier_id=tier_id, tier_name=tier_name),
    }


def event_facts(event_type: str, data: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """The facts of the event alone (what facts_for adds the customer's to): read once per event."""
    facts: dict[str, Any] = {"now": now, "Event Type": event_type, "Event Date": data.get("issued_at") or now}
    _put(facts, "Platform", data.get("platform"))
    _put(facts, "Brand", data.get("brand_id"))
    _put(facts, "Event Tag", _tags(data.get("tags")))
    order = data.get("order")
    if isinstance(order, Mapping):
        facts.update(order_facts(order))
    elif isinstance(data.get("product"), Mapping):  # ADD_TO_CART and other single-product events
        facts.update(_product_facts([data["product"]]))
    return facts


def order_facts(order: Mapping[str, Any]) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    _put(facts, "Order Value", _number(order.get("value")))
    _put(facts, "Order Discounted Value", _number(order.get("discounted_value")))
    _put(facts, "Payment Method", order.get("payment_method"))
    _put(facts, "Channel", order.get("channel_id"))
    _put(facts, "Store", order.get("store_id"))
    shipping = order.get("shipping")
    if isinstance(shipping, Mapping):
        _put(facts, "Shipping Value", _number(shipping.get("value")))
    products = [item for item in order.get("products") or [] if isinstance(item, Mapping)]
    facts.update(_product_facts(products))
    return facts


def customer_facts(
    customer: Customer, now: datetime, *, tier_id: str | None = None, tier_name: str | None = None
) -> dict[str, Any]:
    facts: dict[str, Any] = {
        "Customer Is Anonymous": customer.is_anonymous,
        "Customer Registration Date": customer.registration_date,
    }
    tiers = [value for value in (tier_id or customer.tier_id, tier_name) if value]
    _put(facts, "Customer Tier", tiers or None)
    _put(facts, "Customer Tag", _tags(customer.tags))
    _put(facts, "Customer Gender", customer.gender)
    _put(facts, "Customer Country", customer.country)
    if customer.dob is not None:
        facts["Customer Birthday"] = customer.dob
        facts["Customer Age"] = _age(customer.dob, clock.as_utc(now).date())
    metrics = customer.metrics.get("lifetime", {}) if isinstance(customer.metrics, Mapping) else {}
    _put(facts, "Number of Purchases", _number(metrics.get("number_of_purchases")))
    _put(facts, "Spend Total", _number(metrics.get("spend_total")))
    _put(facts, "Last Visit", metrics.get("last_visit"))
    return facts


def _product_facts(products: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    items = list(products)
    if not items:
        return {}
    facts: dict[str, Any] = {
        "Number of Products": sum((_number(item.get("amount")) or Decimal(1) for item in items), Decimal(0))
    }
    _put(facts, "Product SKU", [item["sku"] for item in items if item.get("sku") is not None] or None)
    _put(facts, "Product Tag", [tag for item in items for tag in _tags(item.get("tags")) or []] or None)
    _put(
        facts,
        "Product Value",
        [v for v in (_number(item.get("value")) for item in items) if v is not None] or None,
    )
    _put(
        facts,
        "Product Amount",
        [v for v in (_number(item.get("amount")) for item in items) if v is not None] or None,
    )
    return facts


def _put(facts: dict[str, Any], name: str, value: Any) -> None:
    if value is not None:
        facts[name] = value


def _tags(raw: Any) -> list[str] | None:
    """Tags come as a list of strings or an object: an object's keys count as its tags (and "key:value")."""
    if isinstance(raw, Mapping):
        tags = [str(key) for key in raw] + [
            f"{key}:{value}" for key, value in raw.items() if value is not None
        ]
    elif isinstance(raw, list | tuple):
        tags = [str(item) for item in raw if item is not None]
    else:
        return None
    return tags or None


def _number(raw: Any) -> Decimal | None:
    if raw is None or isinstance(raw, bool):
        return None
    try:
        return to_decimal(raw)
    except ValueError:
        return None


def _age(dob: date, today: date) -> int:
    return today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))
