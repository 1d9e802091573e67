"""What a portal page module uses: the face, its templates, a router, the request's session.

A portal page is framed as its partner's workspace allows: `frame` (called by the sign-in dependency and
by the public pages that know their workspace) sets the page's own Content-Security-Policy with those
origins as frame-ancestors, and makes the cookies the page sets fit a cross-site iframe (SameSite=None;
Secure; Partitioned), which needs HTTPS (or localhost, where browsers accept Secure cookies over HTTP)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from perks.affiliate.workspaces.portal import frame_ancestors
from perks.ui.face import Face
from perks.ui.routing import Session, page_router
from perks.ui.security import content_security_policy
from perks.ui.templating import NOTICE_MAX, Pages, set_cookie

FACE = Face(name="portal", prefix="/portal", templates=(Path(__file__).parent / "templates",))
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]"})


def frame(request: Request, origins: Sequence[str]) -> None:
    """This request's page may be shown in an iframe of `origins` (none when empty)."""
    request.state.frame_origins = tuple(origins)


def framed(request: Request) -> bool:
    """Whether this page's cookies must work in a cross-site iframe: its workspace allows one, and the
    connection can carry Secure cookies."""
    secure = request.url.scheme == "https" or request.url.hostname in LOCAL_HOSTS
    return bool(getattr(request.state, "frame_origins", ())) and secure


def set_portal_cookie(
    request: Request, response: Response, name: str, value: str, max_age: int | None
) -> None:
    if framed(request):
        set_cookie(request, response, FACE, name, value, max_age=max_age, same_site="none", partitioned=True)
    else:
        set_cookie(request, response, FACE, name, value, max_age=max_age)


class PortalPages(Pages):
    def render(
        self,
        request: Request,
        template: str,
        context: Mapping[str, Any] | None = None,
        *,
        status: int = 200,
        headers: Mapping[str, str] | None = None,
    ) -> HTMLResponse:
        origins = getattr(request.state, "frame_origins", ())
        own = {
            "Content-Security-Policy": content_security_policy(frame_ancestors(origins)),
            **(headers or {}),
        }
        response = super().render(request, template, context, status=status, headers=own)
        if framed(request) and request.cookies.get(self.face.notice_cookie):
            set_portal_cookie(request, response, self.face.notice_cookie, "", max_age=0)
        return response

    def redirect(self, request: Request, to: str, *, notice: str | None = None) -> RedirectResponse:
        if not (notice and framed(request)):
            return super().redirect(request, to, notice=notice)
        response = RedirectResponse(to, status_code=303)
        set_portal_cookie(request, response, self.face.notice_cookie, quote(notice[:NOTICE_MAX]), max_age=60)
        return response


pages = PortalPages(FACE)


def router(**kwargs: Any) -> APIRouter:
    """A router for portal pages: one transaction per request, CSRF on every change."""
    return page_router(**kwargs)


__all__ = ["FACE", "Session", "pages", "router"]
