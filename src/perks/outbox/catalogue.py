"""The event types an endpoint can subscribe to (payloads are documented in README.md, ## Webhooks)."""

from __future__ import annotations

LOYALTY_EVENTS = (
    "CUSTOMER_REGISTRATION",
    "CUSTOMER_ANONYMOUS_TO_REGISTERED",
    "CUSTOMER_ACCUMULATION",
    "CUSTOMER_REDEMPTION",
    "TIER_UPGRADE",
    "TIER_DOWNGRADE",
    "COUPON_REDEEMED",
    "COUPON_REVERSED",
    "EVENT_REVERSED",
)
AFFILIATE_EVENTS = (
    "affiliate.created",
    "affiliate.updated",
    "affiliate.deleted",
    "referral.created",
    "sale.created",
    "commission.created",
    "commission.updated",
    "commission.refunded",
    "payout.created",
    "payout.paid",
)
SUBSCRIBABLE = frozenset(LOYALTY_EVENTS + AFFILIATE_EVENTS)

# Sent on request to one endpoint (POST .../webhooks/test), whatever it subscribes to.
TEST_EVENT = "webhook.test"
