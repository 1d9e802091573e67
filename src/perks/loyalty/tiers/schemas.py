from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from perks.loyalty.tiers.models import TierStatusValue


class TierWrite(BaseModel):
    """POST and PUT body. `level` defaults to the next free level on create."""

    name: str = Field(min_length=1, max_length=200)
    description: str | None = None
    status: TierStatusValue = "ACTIVE"
    level: int | None = Field(default=None, ge=1, le=10)
    entry_conditions: Any = Field(default_factory=list, description="OR of AND condition groups")
    exit_conditions: Any = Field(default_factory=list, description="OR of AND condition groups")


class TierOut(BaseModel):
    id: str
    name: str
    description: str | None
    status: TierStatusValue
    level: int
    entry_conditions: list[list[dict[str, Any]]]
    exit_conditions: list[list[dict[str, Any]]]
