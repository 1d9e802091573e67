from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class JobOut(BaseModel):
    """A job as the API shows it. `done` + `skipped` + `errors` counts what was read of `total`."""

    id: str
    type: str
    state: str
    total: int | None
    done: int
    skipped: int
    errors: int
    message: str | None
    params: dict[str, Any]
    created_at: str
    started_at: str | None
    finished_at: str | None
    updated_at: str


class JobErrorOut(BaseModel):
    line: int
    id: str | None
    field: str | None
    error: str
