"""Every router of the loyalty face, mounted under PREFIX. A new domain adds its router here."""

from __future__ import annotations

from fastapi import APIRouter

from perks.loyalty.auth import auth_router

ROUTERS: list[APIRouter] = [
    auth_router,
]
