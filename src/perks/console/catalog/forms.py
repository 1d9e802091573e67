"""What the catalog's forms share: choices for their selects, the viewer's local times both ways, and
select values ("Summer (summer)") as a line of text."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import Request

from perks.console.catalog.rules import (
    ACTION,
    AMOUNT_TYPES,
    OPERATORS,
    Conditions,
    change_conditions,
    compact_conditions,
    conditions_values,
    number_or_text,
    read_conditions,
)
from perks.kit.clock import as_utc
from perks.loyalty.conditions import CONDITION_TYPES, PRIMITIVES
from perks.ui.formatting import zone
from perks.ui.forms import FormValues, form_values

LOCAL = "%Y-%m-%dT%H:%M"
LABELLED = re.compile(r"^(.*?)\s*\(([^()]+)\)$")


def condition_choices() -> dict[str, list[tuple[str, str]]]:
    return {
        "types": [(name, name) for name in CONDITION_TYPES],
        "operators": [(operator, operator) for operator in OPERATORS],
        "primitives": [(primitive, primitive) for primitive in PRIMITIVES],
        "amount_types": AMOUNT_TYPES,
    }


def local(moment: datetime | None, time_zone: str) -> str:
    """A stored moment as a datetime-local input shows it, in the viewer's zone."""
    return as_utc(moment).astimezone(zone(time_zone)).strftime(LOCAL) if moment else ""


def moment_of(text: str, time_zone: str, stored: datetime | None = None) -> str | None:
    """A datetime-local input's text as the API's ISO moment; unchanged text gives back the stored moment
    exactly (the input drops its seconds), text that is no moment is passed on for the schema to refuse."""
    text = text.strip()
    if not text:
        return None
    if stored is not None and text == local(stored, time_zone):
        return as_utc(stored).isoformat()
    try:
        typed = datetime.fromisoformat(text)
    except ValueError:
        return text
    if typed.tzinfo is None:
        typed = typed.replace(tzinfo=zone(time_zone))
    return as_utc(typed).isoformat()


def selections_text(selected: Sequence[Mapping[str, Any]] | None) -> str:
    """[{label, value}] as "Summer (summer), Web": the value in brackets when it differs from the label."""
    return ", ".join(
        str(item["label"]) if item["label"] == item["value"] else f"{item['label']} ({item['value']})"
        for item in selected or []
    )


def selections(text: str) -> list[dict[str, str]]:
    chosen = []
    for part in (piece.strip() for piece in text.split(",")):
        if not part:
            continue
        found = LABELLED.match(part)
        label, value = (found.group(1), found.group(2).strip()) if found else (part, part)
        chosen.append({"label": label or value, "value": value})
    return chosen


@dataclass
class ConditionsForm:
    """A posted form with condition sets: its values as shown again (typed text, rows numbered anew),
    the sets as rows, and the add/remove button pressed (empty when the form is being saved)."""

    values: FormValues
    sets: dict[str, Conditions]
    action: str


async def read_conditions_form(request: Request, prefixes: Sequence[str]) -> ConditionsForm:
    values = await form_values(request)
    action = str(values.pop(ACTION, ""))
    sets = {prefix: read_conditions(values, prefix) for prefix in prefixes}
    if action:
        any(change_conditions(sets[prefix], prefix, action) for prefix in prefixes)
    else:
        sets = {prefix: compact_conditions(groups) for prefix, groups in sets.items()}
    return ConditionsForm(with_conditions(values, sets), sets, action)


def with_conditions(values: FormValues, sets: Mapping[str, Conditions]) -> FormValues:
    """`values` with the condition inputs of `sets` replaced by the rows given."""
    plain = {
        name: value for name, value in values.items() if not name.startswith(tuple(f"{p}[" for p in sets))
    }
    for prefix, groups in sets.items():
        plain |= conditions_values(groups, prefix)
    return plain


def attributes_of(
    values: Mapping[str, Any], names: Sequence[str], stored: Mapping[str, Any]
) -> dict[str, Any]:
    """The form's `attributes.<name>` fields over the stored attributes (keys the form does not show are
    kept; a field left blank removes its key). Numbers go as numbers."""
    attributes = dict(stored)
    for name in names:
        text = str(values.get(f"attributes.{name}", "")).strip()
        if text:
            attributes[name] = number_or_text(text)
        else:
            attributes.pop(name, None)
    return attributes
