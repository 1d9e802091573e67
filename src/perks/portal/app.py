"""The affiliate portal's app, mounted at /portal: sign-in by single-use link, a partner's own pages,
self sign-up on open campaigns. Built on the console's kit (perks.ui)."""

from __future__ import annotations

from fastapi import FastAPI

from perks.config import Settings
from perks.portal.join import join_router
from perks.portal.pages import FACE, pages
from perks.portal.partner_pages import partner_pages
from perks.portal.sign_in import sign_in_router
from perks.ui.app import mount_face
from perks.web.ratelimit import RateLimiter


def mount_portal(app: FastAPI) -> FastAPI:
    settings: Settings = app.state.settings
    return mount_face(
        app,
        FACE,
        pages,
        [sign_in_router, partner_pages, join_router],
        sign_in_by_email=RateLimiter(
            settings.sign_in_limit_per_email, settings.redis_url, settings.rate_limit_enabled
        ),
        sign_in_by_address=RateLimiter(
            settings.sign_in_limit_per_address, settings.redis_url, settings.rate_limit_enabled
        ),
    )
