"""Campaign rules: a JSON string holding a list of `{conditions, effects}`. Conditions are OR of AND groups
(see perks.loyalty.conditions); each effect grants `amount` (> 0) of a reward of this account, optionally
only to customers of `tier_id`, optionally expiring after `expiration_date` ("12/months")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from perks.errors import invalid
from perks.kit import json_input
from perks.kit.money import check_positive
from perks.loyalty.conditions import validate_conditions

EXPIRATION = re.compile(r"^\d{1,4}/(days|weeks|months|years)$")


@dataclass(frozen=True)
class References:
    reward_ids: set[str]
    tier_ids: set[str]
    links: set[tuple[str, str | None]]  # (reward_id, tier_id) pairs the effects name


def parse_json_string(raw: str | None, field: str, expected: type) -> Any:
    try:
        value = json_input.loads_field(raw, field) if isinstance(raw, str) else None
    except ValueError:
        value = None
    if not isinstance(value, expected):
        kind = "a JSON object" if expected is dict else "a JSON array"
        raise invalid(field, f"must be {kind} encoded as a string")
    return value


def parse_rules(raw: str | None, field: str, *, required: bool) -> list[dict[str, Any]]:
    rules = parse_json_string(raw, field, list)
    if required and not rules:
        raise invalid(field, "must contain at least one rule")
    return [_rule(rule, f"{field}[{index}]") for index, rule in enumerate(rules)]


def _rule(raw: Any, field: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise invalid(field, "must be an object with conditions and effects")
    effects = raw.get("effects")
    if not isinstance(effects, list) or not effects:
        raise invalid(f"{field}.effects", "must hold at least one effect (a reward per rule)")
    return {
        "conditions": validate_conditions(raw.get("conditions", []), f"{field}.conditions"),
        "effects": [_effect(effect, f"{field}.effects[{index}]") for index, effect in enumerate(effects)],
    }


def _effect(raw: Any, field: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise invalid(field, "must be an object with reward_id and amount")
    reward_id = raw.get("reward_id")
    if not isinstance(reward_id, str) or not reward_id:
        raise invalid(f"{field}.reward_id", "is required")
    amount = raw.get("amount")
    check_positive(amount, f"{field}.amount")
    tier_id = raw.get("tier_id")
    if tier_id is not None and not isinstance(tier_id, str):
        raise invalid(f"{field}.tier_id", "must be a tier id or null")
    expiration = raw.get("expiration_date")
    if expiration is not None and (not isinstance(expiration, str) or not EXPIRATION.match(expiration)):
        raise invalid(f"{field}.expiration_date", 'must look like "12/months" (days, weeks, months, years)')
    amount_type = raw.get("amount_type")  # the reward engine's: FIXED (default) or PER_CURRENCY_UNIT
    if amount_type not in (None, "FIXED", "PER_CURRENCY_UNIT"):
        raise invalid(f"{field}.amount_type", "must be FIXED or PER_CURRENCY_UNIT")
    effect = {
        "reward_id": reward_id,
        "amount": amount,
        "tier_id": tier_id or None,
        "expiration_date": expiration,
    }
    if raw.get("type") is not None:
        effect["type"] = raw["type"]
    if amount_type is not None:
        effect["amount_type"] = amount_type
    return effect


def references(*rule_sets: list[dict[str, Any]] | None) -> References:
    """The rewards and tiers the effects of these rule sets name."""
    links = {
        (effect["reward_id"], effect["tier_id"])
        for rules in rule_sets
        for rule in rules or []
        for effect in rule["effects"]
    }
    return References(
        reward_ids={reward for reward, _tier in links},
        tier_ids={tier for _reward, tier in links if tier},
        links=links,
    )
