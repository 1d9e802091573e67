from __future__ import annotations

from typing import Annotated

from pydantic import Field

from perks.affiliate.face import CamelModel
from perks.affiliate.wire import URL_SAFE, Email

ReferralCode = Annotated[str, Field(min_length=1, max_length=64, pattern=URL_SAFE)]
# NUL characters are refused for every request by perks.web.nul, before these models run.
Address = Email


class ClickIn(CamelModel):
    referral_code: ReferralCode
    url: Annotated[str, Field(max_length=2048)] | None = None
    referrer: Annotated[str, Field(max_length=2048)] | None = None
    user_agent: Annotated[str, Field(max_length=2048)] | None = None


class ClickOut(CamelModel):
    click_id: str
    cookie_duration_days: int


class SignupIn(CamelModel):
    """A sign-up to bind: by the click it came through, or by a referral code."""

    email: Address
    click_id: Annotated[str, Field(max_length=36)] | None = None
    referral_code: ReferralCode | None = None
    name: Annotated[str, Field(max_length=200)] | None = None
    external_id: Annotated[str, Field(min_length=1, max_length=255)] | None = None
