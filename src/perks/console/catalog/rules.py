"""Conditions (OR of AND groups) and campaign rules as form fields, both ways, and in plain words.

Inputs are named as the services name their errors, so a rule error lands next to its input:
`rules[0].conditions[1][0].value`, `rules[0].effects[0].reward_id`, `entry_conditions[0][1].operator`.
A form is read into rows of text (what was typed), compacted (rows left blank are dropped and the rest
numbered again, so the numbers of the errors match the form shown with them), and turned into the API's
values (numbers, lists, booleans) only for the service call.

Adding or removing a row needs no script: the form's `_action` buttons ("add:rules[0].conditions[1]",
"remove:rules[0].effects[2]") post the form back, and the page answers it again with the row added or
removed, nothing saved.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from perks.loyalty.conditions import CONDITION_TYPES, OPERATORS_BY_PRIMITIVE, SPELLINGS, Kind
from perks.ui.forms import FormValues

CONDITION_PARTS = ("type", "operator", "value", "primitive", "message")
EFFECT_PARTS = ("reward_id", "amount", "amount_type", "tier_id", "expiration_date")
# Every operator once, in the catalogue's order ("grater than" is read as its correct spelling).
OPERATORS = tuple(
    dict.fromkeys(op for ops in OPERATORS_BY_PRIMITIVE.values() for op in ops if op not in SPELLINGS)
)
LISTS = ("in", "not in", "between")
RELATIVE = ("in the last", "not in the last")
RECURRING = ("same day", "same month")
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
AMOUNT_TYPES = [("", "A fixed amount"), ("PER_CURRENCY_UNIT", "Per currency unit spent")]
ACTION = "_action"

Row = dict[str, str]
Conditions = list[list[Row]]


@dataclass
class RuleRows:
    conditions: Conditions
    effects: list[Row]


# ---- reading a form -----------------------------------------------------------------------------------


def _indexed(values: Mapping[str, Any], pattern: str) -> dict[tuple[int, ...], Row]:
    """Rows of the inputs whose names match `pattern` (index groups, then the part's name)."""
    rows: dict[tuple[int, ...], Row] = {}
    compiled = re.compile(pattern)
    for name, value in values.items():
        found = compiled.fullmatch(name)
        if found and isinstance(value, str):
            *indexes, part = found.groups()
            rows.setdefault(tuple(int(index) for index in indexes), {})[part] = value
    return rows


def read_conditions(values: Mapping[str, Any], prefix: str) -> Conditions:
    rows = _indexed(values, re.escape(prefix) + r"\[(\d+)\]\[(\d+)\]\.(\w+)")
    groups: dict[int, list[tuple[int, Row]]] = {}
    for (group, index), row in rows.items():
        groups.setdefault(group, []).append((index, _full(row, CONDITION_PARTS)))
    return [[row for _index, row in sorted(groups[group])] for group in sorted(groups)]


def read_effects(values: Mapping[str, Any], prefix: str) -> list[Row]:
    rows = _indexed(values, re.escape(prefix) + r"\[(\d+)\]\.(\w+)")
    return [_full(rows[key], EFFECT_PARTS) for key in sorted(rows)]


def read_rules(values: Mapping[str, Any], prefix: str) -> list[RuleRows]:
    numbers = {int(found.group(1)) for name in values if (found := _rule_number(prefix, name))}
    return [
        RuleRows(
            read_conditions(values, f"{prefix}[{number}].conditions"),
            read_effects(values, f"{prefix}[{number}].effects"),
        )
        for number in sorted(numbers)
    ]


def _rule_number(prefix: str, name: str) -> re.Match[str] | None:
    return re.match(re.escape(prefix) + r"\[(\d+)\]\.", name)


def _full(row: Row, parts: Sequence[str]) -> Row:
    return {part: row.get(part, "") for part in parts}


def _blank(row: Row, parts: Sequence[str]) -> bool:
    return not any(row.get(part, "").strip() for part in parts)


def compact_conditions(groups: Conditions) -> Conditions:
    """Rows without a type, a value or a message are dropped, then groups left empty."""
    kept = [[row for row in group if not _blank(row, ("type", "value", "message"))] for group in groups]
    return [group for group in kept if group]


def compact_rules(rules: list[RuleRows]) -> list[RuleRows]:
    compacted = []
    for rule in rules:
        effects = [row for row in rule.effects if not _blank(row, ("reward_id", "amount", "expiration_date"))]
        conditions = compact_conditions(rule.conditions)
        if conditions or effects:
            compacted.append(RuleRows(conditions, effects))
    return compacted


# ---- the form's add and remove buttons ----------------------------------------------------------------


def blank_condition() -> Row:
    return dict.fromkeys(CONDITION_PARTS, "")


def blank_effect() -> Row:
    return dict.fromkeys(EFFECT_PARTS, "")


def blank_rule() -> RuleRows:
    return RuleRows([], [blank_effect()])


def change_conditions(groups: Conditions, prefix: str, action: str) -> bool:
    """Apply an add/remove `action` aimed at these conditions; whether it was theirs."""
    verb, _, target = action.partition(":")
    if target == prefix and verb == "add":
        groups.append([blank_condition()])
        return True
    found = re.fullmatch(re.escape(prefix) + r"\[(\d+)\](?:\[(\d+)\])?", target)
    if found is None:
        return False
    group = int(found.group(1))
    if group >= len(groups):
        return True
    if verb == "add" and found.group(2) is None:
        groups[group].append(blank_condition())
    elif verb == "remove" and found.group(2) is not None and int(found.group(2)) < len(groups[group]):
        del groups[group][int(found.group(2))]
        if not groups[group]:
            del groups[group]
    return True


def change_rules(rules: list[RuleRows], prefix: str, action: str) -> bool:
    verb, _, target = action.partition(":")
    if target == prefix:
        if verb == "add":
            rules.append(blank_rule())
        return True
    found = re.match(re.escape(prefix) + r"\[(\d+)\]", target)
    if found is None or int(found.group(1)) >= len(rules):
        return found is not None
    number = int(found.group(1))
    rule, rest = rules[number], target[found.end() :]
    if rest == "" and verb == "remove":
        del rules[number]
    elif rest == ".effects" and verb == "add":
        rule.effects.append(blank_effect())
    elif (effect := re.fullmatch(r"\.effects\[(\d+)\]", rest)) and verb == "remove":
        if int(effect.group(1)) < len(rule.effects):
            del rule.effects[int(effect.group(1))]
    else:
        change_conditions(rule.conditions, f"{prefix}[{number}].conditions", action)
    return True


# ---- to the API's values ------------------------------------------------------------------------------


def conditions_payload(groups: Conditions) -> list[list[dict[str, Any]]]:
    return [[_condition(row) for row in group] for group in groups]


def _condition(row: Row) -> dict[str, Any]:
    kind = CONDITION_TYPES.get(row["type"])
    operator = row["operator"]
    condition: dict[str, Any] = {
        "type": row["type"],
        "operator": operator,
        "primitive": row["primitive"] or _primitive(kind, operator),
        "value": _operand(kind, operator, row["value"]),
    }
    if row["message"].strip():
        condition["message"] = row["message"].strip()
    return condition


def _primitive(kind: Kind | None, operator: str) -> str:
    """The primitive "Automatic" stands for: the condition's kind, or for dates the operator's."""
    if kind is Kind.DATE:
        if operator in RELATIVE:
            return "relative date"
        return "recurring date" if operator in RECURRING else "absolute date"
    return {Kind.NUMERIC: "number", Kind.BOOLEAN: "boolean"}.get(kind, "string") if kind else "string"


def _operand(kind: Kind | None, operator: str, text: str) -> Any:
    if operator in LISTS:
        return [_scalar(kind, part.strip()) for part in text.split(",") if part.strip()]
    return _scalar(kind, text.strip())


def _scalar(kind: Kind | None, text: str) -> Any:
    if kind is Kind.NUMERIC and NUMBER.match(text):
        return json.loads(text)
    if kind is Kind.BOOLEAN and text.lower() in ("true", "false"):
        return text.lower() == "true"
    return text


def number_or_text(text: str) -> Any:
    """A number typed in a form as the API's JSON would carry it; anything else as typed (the service
    then says what is wrong with it)."""
    text = text.strip()
    return json.loads(text) if NUMBER.match(text) else text


def rules_payload(rules: list[RuleRows]) -> list[dict[str, Any]]:
    return [
        {"conditions": conditions_payload(rule.conditions), "effects": [_effect(row) for row in rule.effects]}
        for rule in rules
    ]


def _effect(row: Row) -> dict[str, Any]:
    effect: dict[str, Any] = {
        "reward_id": row["reward_id"],
        "amount": number_or_text(row["amount"]) if row["amount"].strip() else None,
        "tier_id": row["tier_id"] or None,
        "expiration_date": row["expiration_date"].strip() or None,
    }
    if row["amount_type"]:
        effect["amount_type"] = row["amount_type"]
    return effect


# ---- from stored values -------------------------------------------------------------------------------


def conditions_rows(groups: Sequence[Sequence[Mapping[str, Any]]]) -> Conditions:
    return [[_condition_row(condition) for condition in group] for group in groups]


def _condition_row(condition: Mapping[str, Any]) -> Row:
    operator = str(condition.get("operator", ""))
    return {
        "type": str(condition.get("type", "")),
        "operator": SPELLINGS.get(operator, operator),
        "value": text_of(condition.get("value")),
        "primitive": str(condition.get("primitive", "")),
        "message": str(condition.get("message") or ""),
    }


def text_of(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(text_of(item) for item in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def rules_rows(rules: Sequence[Mapping[str, Any]] | None) -> list[RuleRows]:
    return [
        RuleRows(
            conditions_rows(rule.get("conditions", [])),
            [
                {
                    "reward_id": str(effect.get("reward_id", "")),
                    "amount": text_of(effect.get("amount")),
                    "amount_type": ""
                    if effect.get("amount_type") in (None, "FIXED")
                    else effect["amount_type"],
                    "tier_id": str(effect.get("tier_id") or ""),
                    "expiration_date": str(effect.get("expiration_date") or ""),
                }
                for effect in rule.get("effects", [])
            ],
        )
        for rule in rules or []
    ]


def conditions_values(groups: Conditions, prefix: str) -> FormValues:
    """The rows as form values (what a template's inputs show)."""
    return {
        f"{prefix}[{g}][{c}].{part}": value
        for g, group in enumerate(groups)
        for c, row in enumerate(group)
        for part, value in row.items()
    }


# ---- in plain words -----------------------------------------------------------------------------------


def condition_in_words(condition: Mapping[str, Any]) -> str:
    operator = str(condition.get("operator", ""))
    operator = SPELLINGS.get(operator, operator)
    value = condition.get("value")
    if operator == "between" and isinstance(value, list) and len(value) == 2:
        shown = f"{text_of(value[0])} and {text_of(value[1])}"
    elif isinstance(value, list):
        shown = "one of " + ", ".join(text_of(item) for item in value)
    elif isinstance(value, str) and "/" in value and operator in RELATIVE:
        count, _, unit = value.partition("/")
        shown = f"{count.strip()} {unit.strip()}"
    else:
        shown = text_of(value)
    return f"{condition.get('type')} {operator} {shown}"


def conditions_in_words(groups: Sequence[Sequence[Mapping[str, Any]]]) -> str:
    """ "Order Value greater than 10 and Channel equal web, or Customer Tier equal Gold"; "always"."""
    if not groups:
        return "always"
    return ", or ".join(" and ".join(condition_in_words(item) for item in group) for group in groups)


def effect_in_words(
    effect: Mapping[str, Any], reward_names: Mapping[str, str], tier_names: Mapping[str, str]
) -> str:
    reward = reward_names.get(str(effect.get("reward_id")), "a deleted reward")
    words = f"{text_of(effect.get('amount'))} of {reward}"
    if effect.get("amount_type") == "PER_CURRENCY_UNIT":
        words += " per currency unit spent"
    if effect.get("tier_id"):
        words += (
            f", to customers of the tier {tier_names.get(str(effect['tier_id']), 'that was deleted')} only"
        )
    if effect.get("expiration_date"):
        count, _, unit = str(effect["expiration_date"]).partition("/")
        words += f", expiring {count} {unit} after they are given"
    return words


def rules_values(rules: list[RuleRows], prefix: str) -> FormValues:
    values: FormValues = {}
    for number, rule in enumerate(rules):
        values |= conditions_values(rule.conditions, f"{prefix}[{number}].conditions")
        for index, row in enumerate(rule.effects):
            values |= {f"{prefix}[{number}].effects[{index}].{part}": value for part, value in row.items()}
    return values
