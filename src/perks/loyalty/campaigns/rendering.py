"""A campaign as the API shows it, below the router: the storefront routes and the console's audit trail
and pages render campaigns here."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from perks.kit.clock import iso_millis
from perks.kit.money import plain_number
from perks.loyalty.campaigns import service
from perks.loyalty.campaigns.models import Campaign
from perks.loyalty.campaigns.schemas import CampaignOut, CampaignType


def campaign_out(campaign: Campaign, now: datetime, summary: dict[str, Any] | None = None) -> CampaignOut:
    attributes = dict(campaign.attributes) | ({"codes_summary": summary} if summary is not None else {})
    return CampaignOut(
        id=campaign.id,
        brand_id=campaign.brand_id,
        platforms=campaign.platforms,
        name=campaign.name,
        description=campaign.description,
        type=CampaignType(campaign.type),
        rules=campaign.rules,
        referee_rules=campaign.referee_rules,
        attributes=attributes,
        status=service.derived_status(campaign, now),
        start_date=iso_millis(campaign.start_date) or "",
        end_date=iso_millis(campaign.end_date),
        withoutEndDate=campaign.end_date is None,
        funded_by=campaign.funded_by,
        budget=plain_number(campaign.budget) if campaign.budget is not None else None,
        divide_budget_in=campaign.divide_budget_in,
        labels=campaign.labels,
        metadata=campaign.meta,
        quantity=campaign.quantity,
        useCustomCodes=campaign.use_custom_codes,
    )
