"""The console's app, mounted at /console: its page modules, its sidebar, its sign-in limits.

To add a section: write a page module with a `router()` and a `nav.Section`, and list them in PAGES
(docs/console.md)."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import RedirectResponse

from perks.config import Settings
from perks.console import audit_log, auth, brands, commissions, customers, overview, payouts, settings
from perks.console.affiliates import campaigns as affiliate_campaigns
from perks.console.affiliates import partners, portal_settings, workspaces
from perks.console.catalog import campaigns as loyalty_campaigns
from perks.console.catalog import rewards, tiers
from perks.console.nav import Section, Sidebar
from perks.console.pages import FACE, pages, router
from perks.console.settings import keys, profile, users, webhooks
from perks.ui.app import mount_face
from perks.web.ratelimit import RateLimiter

# Every page router, with its sidebar section (None: reached from another page).
PAGES: list[tuple[APIRouter, Section | None]] = [
    (auth.sign_in_router, None),
    (overview.overview, overview.SECTION),
    (customers.customers_pages, customers.SECTION),
    (loyalty_campaigns.campaigns, loyalty_campaigns.SECTION),
    (rewards.rewards, rewards.SECTION),
    (tiers.tiers, tiers.SECTION),
    (brands.brands, brands.SECTION),
    (workspaces.switcher, None),
    (affiliate_campaigns.campaigns, None),
    (portal_settings.portal_settings, None),
    (partners.partners, partners.SECTION),
    (commissions.commissions, commissions.SECTION),
    (payouts.payouts, payouts.SECTION),
    (settings.settings_home, settings.SECTION),
    (keys.keys, None),
    (webhooks.webhooks, None),
    (users.people, None),
    (profile.profile, None),
    (audit_log.audit_log, audit_log.SECTION),
]


def sidebar() -> Sidebar:
    return Sidebar([section for _router, section in PAGES if section is not None])


SIDEBAR = sidebar()
home = router()


@home.get("/")
async def console_home(request: Request) -> RedirectResponse:
    return RedirectResponse(SIDEBAR.home(), status_code=303)


def mount_console(app: FastAPI) -> FastAPI:
    settings_: Settings = app.state.settings
    pages.env.globals["sidebar"] = SIDEBAR
    return mount_face(
        app,
        FACE,
        pages,
        [home, *(page_router for page_router, _section in PAGES)],
        sign_in_by_email=RateLimiter(
            settings_.sign_in_limit_per_email, settings_.redis_url, settings_.rate_limit_enabled
        ),
        sign_in_by_address=RateLimiter(
            settings_.sign_in_limit_per_address, settings_.redis_url, settings_.rate_limit_enabled
        ),
    )
