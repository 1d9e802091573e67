"""CSRF protection for every state-changing request of a people's face.

A form carries a hidden `csrf_token` (htmx sends it as the X-CSRF-Token header): an HMAC, under the
server's secret, of the browser's session cookie (or, before sign-in, of a random cookie of its own). A
page from this site can read it; another site can neither read it nor compute it, and it changes when the
session does. Nothing is stored; the check is one HMAC and a constant-time comparison."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Request

from perks.errors import Forbidden, invalid
from perks.ui.face import Face

FIELD = "csrf_token"
HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
EXPIRED = (
    "This form has expired or did not come from this site (the page may have been open across a sign-in "
    "or sign-out). Reload the page and try again."
)


def face_of(request: Request) -> Face:
    face: Face = request.app.state.face
    return face


def _binding(request: Request) -> str | None:
    face = face_of(request)
    return request.cookies.get(face.session_cookie) or request.cookies.get(face.csrf_cookie)


def _token(request: Request, binding: str) -> str:
    secret: str = request.app.state.settings.signing_secret
    message = f"csrf:{face_of(request).name}:{binding}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def token_for(request: Request) -> str:
    """The token for forms on this page. A visitor without any cookie gets one (set by the page's
    response; see templating.render), so the sign-in form is protected too."""
    binding = getattr(request.state, "csrf_binding", None) or _binding(request)
    if binding is None:
        binding = request.state.new_csrf_binding = secrets.token_urlsafe(32)
    request.state.csrf_binding = binding
    return _token(request, binding)


def bind_to_session(request: Request, session_token: str) -> None:
    """After sign-in, forms rendered in the same response are bound to the new session."""
    request.state.csrf_binding = session_token


async def verify(request: Request) -> None:
    """Dependency of every page router: unsafe methods need the token; form values must not hold NUL
    characters (PostgreSQL text cannot store them)."""
    if request.method in SAFE_METHODS:
        return
    form = await request.form()
    for name, value in form.multi_items():
        if isinstance(value, str) and "\x00" in value:
            raise invalid(name, "must not contain NUL characters")
    sent = request.headers.get(HEADER) or form.get(FIELD)
    binding = _binding(request)
    if (
        not isinstance(sent, str)
        or binding is None
        or not hmac.compare_digest(sent, _token(request, binding))
    ):
        raise Forbidden(EXPIRED, title="Form expired")
