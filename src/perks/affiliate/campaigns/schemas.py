from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from perks.affiliate.campaigns.models import DEFAULT_COOKIE_DAYS, DEFAULT_URL_PARAMETERS
from perks.affiliate.face import CamelModel, Timestamp
from perks.affiliate.wire import MAX_MONEY, URL_SAFE, HttpUrl, MoneyIn, MoneyNumber

CommissionType = Literal["percentage", "fixed"]
# A percentage (0 < amount <= 100) or a currency amount; four places so 12.5% or 9.99 stay exact.
CommissionAmount = Annotated[Decimal, Field(gt=0, le=MAX_MONEY, decimal_places=4)]
UrlParameter = Annotated[str, Field(min_length=1, max_length=64, pattern=URL_SAFE)]


def _unique(names: list[str]) -> list[str]:
    return list(dict.fromkeys(names))


UrlParameters = Annotated[list[UrlParameter], Field(min_length=1, max_length=20), AfterValidator(_unique)]
Text = Annotated[str, Field(max_length=10_000)]


class CampaignOut(CamelModel):
    id: str
    campaign_name: str
    commission_type: str
    amount: MoneyNumber
    minimum_payout_amount: MoneyNumber
    payout_id: str
    workspace_id: str
    requires_approval_to_join: bool
    allows_self_signup: bool
    collect_additional_info: bool
    hide_customer_email: bool
    payout_term: int
    url: str
    affiliate_portal_welcome_message: str
    affiliate_dashboard_text: str
    stripe_coupon_id: str
    allowed_url_parameters: list[str]
    is_default: bool
    cookie_duration_days: int
    created_at: Timestamp
    updated_at: Timestamp


class CampaignCreate(CamelModel):
    campaign_name: str = Field(min_length=1, max_length=200)
    workspace_id: str | None = None
    commission_type: CommissionType
    amount: CommissionAmount
    minimum_payout_amount: MoneyIn = Decimal(0)
    url: HttpUrl
    requires_approval_to_join: bool = False
    # Partners may join from the portal's public page /portal/{workspaceId}/{campaignId}/join.
    allows_self_signup: bool = False
    collect_additional_info: bool = False
    hide_customer_email: bool = False
    payout_term: int = Field(default=30, ge=0, le=3650)
    affiliate_portal_welcome_message: Text = ""
    affiliate_dashboard_text: Text = ""
    stripe_coupon_id: str = Field(default="", max_length=255)
    allowed_url_parameters: UrlParameters = Field(default_factory=lambda: list(DEFAULT_URL_PARAMETERS))
    is_default: bool = False
    cookie_duration_days: int = Field(default=DEFAULT_COOKIE_DAYS, ge=1, le=3650)


class CampaignUpdate(CamelModel):
    """Partial: only the fields sent change. `commissionType` is accepted only unchanged."""

    campaign_name: str | None = Field(default=None, min_length=1, max_length=200)
    workspace_id: str | None = None
    commission_type: CommissionType | None = None
    amount: CommissionAmount | None = None
    minimum_payout_amount: MoneyIn | None = None
    url: HttpUrl | None = None
    requires_approval_to_join: bool | None = None
    allows_self_signup: bool | None = None
    collect_additional_info: bool | None = None
    hide_customer_email: bool | None = None
    payout_term: int | None = Field(default=None, ge=0, le=3650)
    affiliate_portal_welcome_message: Text | None = None
    affiliate_dashboard_text: Text | None = None
    stripe_coupon_id: str | None = Field(default=None, max_length=255)
    allowed_url_parameters: UrlParameters | None = None
    is_default: bool | None = None
    cookie_duration_days: int | None = Field(default=None, ge=1, le=3650)
