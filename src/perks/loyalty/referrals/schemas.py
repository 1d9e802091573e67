from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class CodeRequest(BaseModel):
    campaign_id: str = Field(min_length=1, max_length=36, description="The UUID of the referral campaign")
    brand_id: str | None = Field(default=None, description="Required if the campaign is brand-specific")


class ReferralCodeOut(BaseModel):
    id: str
    code: str
    customer_id: str
    campaign_id: str
    uses_count: int
    max_uses: int | None
    created_at: datetime
    metadata: dict[str, Any]
