from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from perks.loyalty.campaigns.models import CampaignStatusValue
from perks.loyalty.coupons.generator import MAX_QUANTITY


class CampaignType(StrEnum):
    BEHAVIOR = "BEHAVIOR"
    COUPONS = "COUPONS"
    PUNCH_CARDS = "PUNCH_CARDS"
    REFERRALS = "REFERRALS"


class StatusFilter(StrEnum):
    RUNNING = "RUNNING"
    PAUSED = "PAUSED"
    SCHEDULED = "SCHEDULED"
    FINISHED = "FINISHED"
    NOT_FINISHED = "NOT FINISHED"


class Include(StrEnum):
    CODES_SUMMARY = "CODES_SUMMARY"


BudgetPeriod = Literal["daily", "weekly", "monthly", "total"]


class SelectValue(BaseModel):
    """A dashboard select value."""

    label: str = Field(min_length=1, max_length=200)
    value: str = Field(min_length=1, max_length=200)


class CampaignWrite(BaseModel):
    """Storefront campaign write payload (POST and full-replace PUT). The type travels in the `type` query
    parameter; `account_id` comes from the token. Either field in the body is refused."""

    model_config = ConfigDict(extra="allow")

    brand_id: str | None = Field(default=None, description="The brand id of the campaign, null if global")
    platforms: list[SelectValue] = Field(default_factory=list)
    name: str = Field(min_length=1, max_length=200)
    description: str | None = None
    rules: str = Field(description="JSON string with the main/referrer campaign rules (at least one)")
    attributes: dict[str, Any] = Field(default_factory=dict)
    status: CampaignStatusValue = "ACTIVE"
    start_date: datetime
    withoutEndDate: bool = False
    end_date: datetime | None = None
    funded_by: str | None = Field(default=None, max_length=200)
    budget: Decimal | None = Field(default=None, ge=1, max_digits=18, decimal_places=4)
    divide_budget_in: BudgetPeriod | None = None
    labels: list[SelectValue] = Field(default_factory=list)
    metadata: str | None = Field(default=None, description="A JSON object encoded as a string")
    quantity: int | None = Field(
        default=None,
        description="COUPONS only: codes to generate or keep",
        json_schema_extra={"minimum": 1, "maximum": MAX_QUANTITY},
    )
    useCustomCodes: bool = False
    customCodes: str | None = Field(default=None, description="COUPONS only: comma-separated codes")
    confirm_changes: bool = False
    referee_rules_json: str | None = Field(default=None, description="REFERRALS only: referee rules")


class CampaignOut(BaseModel):
    id: str
    brand_id: str | None
    platforms: list[SelectValue]
    name: str
    description: str | None
    type: CampaignType
    rules: list[dict[str, Any]]
    referee_rules: list[dict[str, Any]] | None
    attributes: dict[str, Any]
    status: str = Field(description="Derived: SCHEDULED, RUNNING, PAUSED or FINISHED")
    start_date: str
    end_date: str | None
    withoutEndDate: bool
    funded_by: str | None
    budget: int | float | None
    divide_budget_in: str | None
    labels: list[SelectValue]
    metadata: dict[str, Any]
    quantity: int | None
    useCustomCodes: bool


class CampaignSummary(BaseModel):
    """What PUT and DELETE return."""

    id: str
    name: str
    status: str
    attributes: dict[str, Any]


class CampaignPage(BaseModel):
    data: list[CampaignOut]
    from_: int = Field(serialization_alias="from")
    to: int
    count: int
