"""What each campaign type needs in `attributes` (unknown keys are kept as they are)."""

from __future__ import annotations

from typing import Any

from perks.errors import invalid
from perks.loyalty.campaigns.schemas import CampaignType
from perks.loyalty.coupons.generator import parse_format

DERIVED = ("codes_summary",)  # added to responses, never stored
MAX_PUNCHES = 100


def normalise(campaign_type: CampaignType, raw: dict[str, Any], *, custom_codes: bool) -> dict[str, Any]:
    attributes = {key: value for key, value in raw.items() if key not in DERIVED}
    if campaign_type is CampaignType.BEHAVIOR:
        attributes["trigger"] = _trigger(attributes.get("trigger"), required=True)
    elif campaign_type is CampaignType.PUNCH_CARDS:
        attributes["trigger"] = _trigger(attributes.get("trigger"), required=False)
        attributes["punches"] = _count(attributes.get("punches"), "attributes.punches", 2, MAX_PUNCHES)
    elif campaign_type is CampaignType.REFERRALS and attributes.get("max_uses") is not None:
        attributes["max_uses"] = _count(attributes["max_uses"], "attributes.max_uses", 1, 10**9)
    elif campaign_type is CampaignType.COUPONS and not custom_codes:
        attributes["code_config"] = parse_format(attributes.get("code_config")).as_config()
    return attributes


def _trigger(value: Any, *, required: bool) -> str:
    if value is None and not required:
        return "PURCHASE"
    if not isinstance(value, str) or not value.strip():
        raise invalid(
            "attributes.trigger", "must name the event type that triggers the campaign, e.g. PURCHASE"
        )
    return value.strip()


def _count(value: Any, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise invalid(field, f"must be an integer from {low} to {high}")
    return value
