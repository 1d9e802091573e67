"""Settings: API keys, webhook endpoints and users (owners), and each user's own time zone."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse

from perks.console import nav
from perks.console.auth import Viewer
from perks.console.pages import FACE, router

SECTION = nav.Section("settings", "Settings", FACE.path("/settings"))
settings_home = router()


@settings_home.get("/settings")
async def settings_index(request: Request, staff: Viewer) -> RedirectResponse:
    """Owners land on API keys; everyone else on their own profile."""
    return RedirectResponse(
        FACE.path("/settings/keys" if staff.is_owner else "/settings/profile"), status_code=303
    )
