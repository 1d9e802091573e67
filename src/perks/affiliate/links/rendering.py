"""A link as the affiliate face shows it, with its tracking URL and its campaign (the affiliate's): its
routes render links here."""

from __future__ import annotations

from perks.affiliate.links.schemas import LinkOut
from perks.affiliate.links.service import TrackedLink


def link_out(tracked: TrackedLink) -> LinkOut:
    link = tracked.link
    return LinkOut(
        id=link.id,
        affiliate_id=link.affiliate_id,
        campaign_id=tracked.campaign.id,
        referral_code=link.referral_code,
        url_parameter=link.url_parameter,
        url=tracked.url,
        created_at=link.created_at,
        updated_at=link.updated_at,
    )
