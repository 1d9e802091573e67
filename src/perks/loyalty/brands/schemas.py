from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class BrandWrite(BaseModel):
    """POST and PUT body (PUT replaces every field)."""

    name: str = Field(min_length=1, max_length=200)
    description: str | None = None
    metadata: dict[str, Any] | None = None


class BrandOut(BaseModel):
    id: str
    name: str
    description: str | None
    metadata: dict[str, Any] | None = Field(validation_alias="meta")
