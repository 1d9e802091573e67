"""Every router of the affiliate face, mounted under PREFIX. A new domain adds its router here."""

from __future__ import annotations

from fastapi import APIRouter

from perks.affiliate.affiliates.router import affiliates_router
from perks.affiliate.campaigns.router import campaigns_router
from perks.affiliate.commissions.router import commissions_router
from perks.affiliate.links.router import links_router
from perks.affiliate.payouts.router import payouts_router
from perks.affiliate.portal_links.router import portal_links_router
from perks.affiliate.referred_users.router import referred_users_router
from perks.affiliate.sales.router import sales_router
from perks.affiliate.stats.router import stats_router
from perks.affiliate.tracking.router import redirect_router, tracking_router
from perks.affiliate.webhooks.router import webhooks_router
from perks.affiliate.workspaces.router import workspaces_router

ROUTERS: list[APIRouter] = [
    workspaces_router,
    campaigns_router,
    affiliates_router,
    links_router,
    referred_users_router,
    commissions_router,
    webhooks_router,
    stats_router,
    tracking_router,
    redirect_router,
    sales_router,
    payouts_router,
    portal_links_router,
]
