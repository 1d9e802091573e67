"""Where people reach this service, for the links it hands out (portal sign-in links, tracking links)."""

from __future__ import annotations

from fastapi import Request

from perks.config import Settings


def public_base_url(request: Request) -> str:
    """PERKS_PUBLIC_BASE_URL, else the address this request came to."""
    settings: Settings = request.app.state.settings
    return settings.public_base_url or str(request.base_url)
