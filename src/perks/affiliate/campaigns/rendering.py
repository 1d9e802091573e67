"""A campaign as the affiliate face shows it: its routes and the console's pages and audit trail render
campaigns here."""

from __future__ import annotations

from perks.affiliate.campaigns.models import AffiliateCampaign
from perks.affiliate.campaigns.schemas import CampaignOut


def campaign_out(campaign: AffiliateCampaign) -> CampaignOut:
    return CampaignOut.model_validate(campaign, from_attributes=True)
