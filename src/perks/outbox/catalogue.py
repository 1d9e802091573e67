"""The event types an endpoint can subscribe to, what each means, and an example of its payload (served
by GET /webhooks/events on both faces; the examples are payloads the domains really emitted, kept in
webhook_examples.json and checked against fresh ones by tests/outbox/test_catalogue.py)."""

from __future__ import annotations

import difflib
import json
from functools import cache
from pathlib import Path
from typing import Any

# type: what happened (each domain emits its events in the transaction of the change)
LOYALTY_DESCRIPTIONS = {
    "CUSTOMER_REGISTRATION": "A customer is registered (POST /customers).",
    "CUSTOMER_ANONYMOUS_TO_REGISTERED": "An anonymous customer is identified.",
    "CUSTOMER_ACCUMULATION": "An event, a coupon or a referral adds rewards to a wallet.",
    "CUSTOMER_REDEMPTION": "Rewards are redeemed from a wallet.",
    "TIER_UPGRADE": "A customer moves up a tier.",
    "TIER_DOWNGRADE": "A customer leaves their tier by its exit conditions, for a lower one.",
    "COUPON_REDEEMED": "A coupon code is redeemed.",
    "COUPON_REVERSED": "A coupon redemption is reversed.",
    "EVENT_REVERSED": "A behavior event is reversed (or cancelled).",
}
AFFILIATE_DESCRIPTIONS = {
    "affiliate.created": "An affiliate is created.",
    "affiliate.updated": "An affiliate is changed.",
    "affiliate.deleted": "An affiliate is deleted (with its links, referrals and commissions).",
    "referral.created": "A referred user is recorded (POST /referred-users or a tracked sign-up).",
    "sale.created": "A sale of a referred customer is recorded.",
    "commission.created": "A commission is created.",
    "commission.updated": "A commission changes (status, amount).",
    "commission.refunded": "A commission becomes refunded (commission.updated is sent as well).",
    "payout.created": "A payout gathers due commissions.",
    "payout.paid": "A payout is marked paid.",
}
LOYALTY_EVENTS = tuple(LOYALTY_DESCRIPTIONS)
AFFILIATE_EVENTS = tuple(AFFILIATE_DESCRIPTIONS)
SUBSCRIBABLE = frozenset(LOYALTY_EVENTS + AFFILIATE_EVENTS)
SUMMARY = "The webhook event types, with example payloads"
DESCRIPTION = (
    "Every type an endpoint can subscribe to (both faces'), what it means, and an example of the `data` its "
    "deliveries carry."
)
CATALOGUE_ROUTES = "GET /api/v1/webhooks/events or GET /api/storefront/v1/webhooks/events"

# Sent on request to one endpoint (POST .../webhooks/test), whatever it subscribes to.
TEST_EVENT = "webhook.test"

EXAMPLES_FILE = Path(__file__).with_name("webhook_examples.json")


@cache
def _examples() -> dict[str, Any]:
    examples: dict[str, Any] = json.loads(EXAMPLES_FILE.read_text())
    return examples


def example(event_type: str) -> Any:
    return _examples().get(event_type, {})


def entries() -> list[dict[str, Any]]:
    """The catalogue: every subscribable type with its face, meaning and an example `data`."""
    faces = [("loyalty", LOYALTY_DESCRIPTIONS), ("affiliate", AFFILIATE_DESCRIPTIONS)]
    return [
        {"type": event_type, "face": face, "description": description, "example": example(event_type)}
        for face, descriptions in faces
        for event_type, description in descriptions.items()
    ]


def unknown_type(name: str) -> str:
    """What to say of a type that is not in the catalogue: the route that lists them, and the likely ones."""
    stem = name.rstrip("*").rstrip(".").lower()
    family = [item for item in (*LOYALTY_EVENTS, *AFFILIATE_EVENTS) if stem and item.lower().startswith(stem)]
    close = family or difflib.get_close_matches(name, [*LOYALTY_EVENTS, *AFFILIATE_EVENTS], n=3, cutoff=0.6)
    close = close or [item for item in LOYALTY_EVENTS if item.lower() == name.lower()]
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    wildcard = " (wildcards are not supported: name each type)" if "*" in name else ""
    return f"unknown event type {name!r}{wildcard}{hint} The types are listed by {CATALOGUE_ROUTES}"
