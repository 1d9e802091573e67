from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class PunchCardOut(BaseModel):
    id: str
    campaign_id: str
    campaign_name: str | None
    number: int
    punches: int
    required: int
    completed: bool
    completed_at: datetime | None
    created_at: datetime
    updated_at: datetime
