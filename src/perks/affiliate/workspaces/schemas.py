from __future__ import annotations

from pydantic import Field

from perks.affiliate.face import CamelModel, Timestamp


class WorkspaceOut(CamelModel):
    id: str
    name: str
    is_default: bool
    created_at: Timestamp
    updated_at: Timestamp


class WorkspaceCreate(CamelModel):
    name: str = Field(min_length=1, max_length=200)
    is_default: bool = False


class WorkspaceUpdate(CamelModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    is_default: bool | None = None
