"""Every router of the affiliate face, mounted under PREFIX. A new domain adds its router here."""

from __future__ import annotations

from fastapi import APIRouter

from perks.affiliate.workspaces.router import workspaces_router
from perks.outbox.router_affiliate import webhooks_router

ROUTERS: list[APIRouter] = [
    workspaces_router,
    webhooks_router,
]
