from __future__ import annotations

from perks.affiliate.face import CamelModel


class CommissionTotals(CamelModel):
    count: int
    amount: str


class Stats(CamelModel):
    affiliate_id: str | None = None
    campaign_id: str | None = None
    clicks: int
    unique_clicks: int
    bot_clicks: int
    sign_ups: int
    conversions: int
    revenue: dict[str, str]
    commissions: dict[str, CommissionTotals]
