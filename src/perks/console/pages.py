"""What a console page module uses: the face, its templates, a router, the request's session.

from perks.console.auth import Manager, Viewer
from perks.console.pages import Session, pages, router

brands = router()

@brands.get("/brands")
async def list_brands(request: Request, session: Session, staff: Viewer, listing: Listing) -> Response:
    ...
    return pages.render(request, "console/brands/list.html", {...})
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter

from perks.ui.face import Face
from perks.ui.routing import Session, page_router
from perks.ui.templating import Pages

FACE = Face(name="console", prefix="/console", templates=(Path(__file__).parent / "templates",))
pages = Pages(FACE)


def router(**kwargs: Any) -> APIRouter:
    """A router for console pages: one transaction per request, CSRF on every change."""
    return page_router(**kwargs)


__all__ = ["FACE", "Session", "pages", "router"]
