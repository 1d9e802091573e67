from __future__ import annotations

from typing import Annotated

from pydantic import Field

from perks.affiliate.face import CamelModel, Timestamp

ReferralCode = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


class LinkOut(CamelModel):
    id: str
    affiliate_id: str
    campaign_id: str
    referral_code: str
    url_parameter: str
    url: str
    created_at: Timestamp
    updated_at: Timestamp


class LinkCreate(CamelModel):
    affiliate_id: str = Field(min_length=1, max_length=36)
    referral_code: ReferralCode | None = None
    url_parameter: str | None = Field(default=None, min_length=1, max_length=64)
