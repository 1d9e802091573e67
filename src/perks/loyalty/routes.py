"""Every router of the loyalty face, mounted under PREFIX. A new domain adds its router here."""

from __future__ import annotations

from fastapi import APIRouter

from perks.imports.migration_router import migration_router
from perks.imports.router import imports_router
from perks.jobs.router_loyalty import jobs_router
from perks.loyalty.auth import auth_router
from perks.loyalty.brands.router import brands_router
from perks.loyalty.campaigns.router import campaigns_router
from perks.loyalty.coupons.redemptions.router import coupons_router
from perks.loyalty.coupons.router import codes_router
from perks.loyalty.customers.router import customers_router
from perks.loyalty.events.router import events_router
from perks.loyalty.one_time_codes.router import one_time_codes_router
from perks.loyalty.punch_cards.router import punch_cards_router
from perks.loyalty.referrals.router import referrals_router
from perks.loyalty.rewards.router import rewards_router
from perks.loyalty.tiers.router import tiers_router
from perks.loyalty.transactions.router import transactions_router
from perks.loyalty.webhooks.router import webhooks_router

# Routes are matched in order, one by one (about 2 us each): the busiest paths come first.
ROUTERS: list[APIRouter] = [
    events_router,
    auth_router,
    brands_router,
    rewards_router,
    tiers_router,
    campaigns_router,
    codes_router,
    migration_router,  # before /customers/{customer_id}
    customers_router,
    transactions_router,
    webhooks_router,
    coupons_router,
    referrals_router,
    punch_cards_router,
    one_time_codes_router,
    jobs_router,
    imports_router,
]
