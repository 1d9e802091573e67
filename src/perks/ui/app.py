"""A people's face as a FastAPI sub-application mounted under its prefix: HTML error pages, security
headers on every response, and the parent app's database and settings."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from perks.errors import AppError
from perks.ui.face import Face
from perks.ui.routing import SignInRequired
from perks.ui.security import SecurityHeadersMiddleware, content_security_policy, security_headers
from perks.ui.templating import Pages
from perks.web.errors import describe_validation

log = logging.getLogger("perks.ui")
HTTP_TITLES = {404: "Page not found", 405: "Not allowed here", 403: "Forbidden"}


def mount_face(
    parent: FastAPI, face: Face, pages: Pages, routers: Sequence[APIRouter], **state: Any
) -> FastAPI:
    """Build the face's app on the parent's database and settings and mount it under its prefix, inside
    the security headers (so that they are on every answer, a 500 included)."""
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.state.db = parent.state.db
    app.state.settings = parent.state.settings
    app.state.face = face
    app.state.pages = pages
    for name, value in state.items():
        setattr(app.state, name, value)
    for router in routers:
        app.include_router(router)
    _install_error_pages(app, pages)
    headers = security_headers(content_security_policy(face.frame_ancestors))
    parent.mount(face.prefix, SecurityHeadersMiddleware(_FullRoutePaths(app, face.prefix), headers))
    return app


@dataclass(frozen=True)
class _RouteLabel:
    path: str


class _FullRoutePaths:
    """Metrics and access logs name a page's route with the face's prefix ("/console/brands/{brand_id}"),
    not as the mounted app sees it ("/brands/{brand_id}")."""

    def __init__(self, app: ASGIApp, prefix: str) -> None:
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        finally:
            path = getattr(scope.get("route"), "path", None)
            if isinstance(path, str) and not path.startswith(self.prefix):
                scope["route"] = _RouteLabel(self.prefix + path)


def _install_error_pages(app: FastAPI, pages: Pages) -> None:
    def error_page(request: Request, status: int, title: str, details: str) -> Response:
        return pages.render(
            request, "ui/error.html", {"status": status, "title": title, "details": details}, status=status
        )

    async def on_sign_in_required(request: Request, error: Exception) -> Response:
        assert isinstance(error, SignInRequired)
        to = f"{pages.face.prefix}/login?next={quote(error.return_to, safe='/')}"
        if request.headers.get("hx-request"):
            return Response(status_code=204, headers={"HX-Redirect": to})
        return RedirectResponse(to, status_code=303)

    async def on_app_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, AppError)
        response = error_page(request, error.status_code, error.title, error.details)
        response.headers.update(error.headers)
        return response

    async def on_validation_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, RequestValidationError)
        _field, details = describe_validation(error.errors())
        return error_page(request, 400, "This address is not quite right", details)

    async def on_http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, HTTPException)
        title = HTTP_TITLES.get(error.status_code, "Something is not right")
        details = "There is no page at this address." if error.status_code == 404 else str(error.detail)
        return error_page(request, error.status_code, title, details)

    async def on_unexpected(request: Request, error: Exception) -> Response:
        log.exception("unhandled error on a page", extra={"path": request.url.path})
        return error_page(
            request, 500, "Something went wrong", "The change was not made. Please try again in a moment."
        )

    app.add_exception_handler(SignInRequired, on_sign_in_required)
    app.add_exception_handler(AppError, on_app_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(HTTPException, on_http_error)
    app.add_exception_handler(Exception, on_unexpected)
