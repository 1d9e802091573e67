from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from perks.affiliate.common import URL_SAFE, Email
from perks.affiliate.face import CamelModel


def _printable(value: str) -> str:
    """No NUL characters: PostgreSQL text cannot hold them (a 400, not a 500)."""
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


Plain = AfterValidator(_printable)
ReferralCode = Annotated[str, Field(min_length=1, max_length=64, pattern=URL_SAFE)]
Address = Annotated[Email, Plain]


class ClickIn(CamelModel):
    referral_code: ReferralCode
    url: Annotated[str, Field(max_length=2048), Plain] | None = None
    referrer: Annotated[str, Field(max_length=2048), Plain] | None = None
    user_agent: Annotated[str, Field(max_length=2048), Plain] | None = None


class ClickOut(CamelModel):
    click_id: str
    cookie_duration_days: int


class SignupIn(CamelModel):
    """A sign-up to bind: by the click it came through, or by a referral code."""

    email: Address
    click_id: Annotated[str, Field(max_length=36)] | None = None
    referral_code: ReferralCode | None = None
    name: Annotated[str, Field(max_length=200), Plain] | None = None
    external_id: Annotated[str, Field(min_length=1, max_length=255), Plain] | None = None
