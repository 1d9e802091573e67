"""Jinja2 for the people's faces: autoescaping on (everything a customer, an affiliate or an API client
wrote is shown as text), undefined names are errors, and the kit's filters and globals everywhere.

Each face has a `Pages` over its own template folder and the kit's (ui/templates); `render()` fills in
what every page needs: the request, the face, the signed-in viewer, the CSRF token, the notice left by the
previous request, the viewer's time zone and `static()` for asset URLs."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context

from perks.ui import csrf, formatting
from perks.ui.face import Face

UI_TEMPLATES = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
STATIC_PREFIX = "/static"
NOTICE_MAX = 300


@cache
def static_url(path: str) -> str:
    """/static/<path>?v=<content hash>: browsers may keep an asset until its content changes."""
    digest = hashlib.sha256((STATIC_DIR / path).read_bytes()).hexdigest()[:12]
    return f"{STATIC_PREFIX}/{path}?v={digest}"


def query(current: Mapping[str, Any], **changes: Any) -> str:
    """`?a=1&b=2` from the current filters with some changed; None or "" drops a parameter (a link to the
    next page keeps the search and filters, and drops the other direction's cursor)."""
    merged = {**current, **changes}
    kept = {name: value for name, value in merged.items() if value not in (None, "")}
    return "?" + urlencode(kept, doseq=True) if kept else "?"


def filtering(params: Mapping[str, Any]) -> bool:
    """Whether a list is narrowed by a search or a filter (its cursors aside): an empty list then means
    "nothing matches", not "nothing yet"."""
    ignored = {"after", "before", *getattr(params, "context", ())}
    return any(value not in (None, "") for name, value in params.items() if name not in ignored)


class Pages:
    def __init__(self, face: Face, globals_: Mapping[str, Any] | None = None) -> None:
        self.face = face
        self.env = Environment(
            loader=FileSystemLoader([*face.templates, UI_TEMPLATES]),
            autoescape=select_autoescape(default=True, default_for_string=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters.update(
            money=formatting.money,
            points=formatting.points,
            number=formatting.number,
            datetime=_in_viewer_zone(formatting.date_time),
            date=_in_viewer_zone(formatting.date_only),
            ago=formatting.relative,
            iso=formatting.iso,
        )
        self.env.globals.update(
            static=static_url, query=query, filtering=filtering, face=face, **(globals_ or {})
        )

    def render(
        self,
        request: Request,
        template: str,
        context: Mapping[str, Any] | None = None,
        *,
        status: int = 200,
        headers: Mapping[str, str] | None = None,
    ) -> HTMLResponse:
        viewer = getattr(request.state, "viewer", None)
        notice = request.cookies.get(self.face.notice_cookie)
        values = {
            "request": request,
            "viewer": viewer,
            "tz": getattr(viewer, "time_zone", None) or "UTC",
            "csrf_token": csrf.token_for(request),
            "notice": unquote(notice)[:NOTICE_MAX] if notice else None,
            **(context or {}),
        }
        html = self.env.get_template(template).render(values)
        response = HTMLResponse(html, status_code=status, headers=dict(headers) if headers else None)
        if notice:
            response.delete_cookie(self.face.notice_cookie, path=self.face.prefix)
        new_binding = getattr(request.state, "new_csrf_binding", None)
        if new_binding and not request.cookies.get(self.face.session_cookie):
            set_cookie(request, response, self.face, self.face.csrf_cookie, new_binding, max_age=None)
        return response

    def redirect(self, request: Request, to: str, *, notice: str | None = None) -> RedirectResponse:
        """303 to `to` (after a POST); `notice` shows once on the next page ("Brand created")."""
        response = RedirectResponse(to, status_code=303)
        if notice:
            set_cookie(
                request, response, self.face, self.face.notice_cookie, quote(notice[:NOTICE_MAX]), max_age=60
            )
        return response


def set_cookie(
    request: Request,
    response: Any,
    face: Face,
    name: str,
    value: str,
    *,
    max_age: int | None,
    same_site: str | None = None,
    partitioned: bool = False,
) -> None:
    """HttpOnly, on the face's path, Secure when the request came over HTTPS (or SameSite=None asks).
    `same_site` and `partitioned` override the face's for one cookie (a portal shown in an iframe)."""
    site = same_site or face.same_site
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=face.prefix,
        httponly=True,
        secure=request.url.scheme == "https" or site == "none",
        samesite=site,  # type: ignore[arg-type]
    )
    if partitioned:  # the attribute by hand: Python's cookie module writes it from 3.14 on
        header, written = response.raw_headers[-1]
        response.raw_headers[-1] = (header, written + b"; Partitioned")


def _in_viewer_zone(format_: Callable[..., str]) -> Callable[..., str]:
    @pass_context
    def in_zone(context: Context, moment: Any, *args: Any) -> str:
        return format_(moment, context.get("tz"), *args)

    return in_zone
