"""What the catalog's forms share: choices for their selects, the viewer's local times both ways, and
select values ("Summer (summer)") as a line of text."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from perks.kit.clock import as_utc
from perks.loyalty.conditions import CONDITION_TYPES, PRIMITIVES
from perks.ui.formatting import zone

from .rules import AMOUNT_TYPES, OPERATORS

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
