"""Security headers on every response of a people's face (pages, errors, redirects, assets)."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def content_security_policy(frame_ancestors: str = "'none'", *, inline_styles: bool = False) -> str:
    """Only this site's scripts and styles, never inline script, no plugins, forms posting only here."""
    style = "'self' 'unsafe-inline'" if inline_styles else "'self'"
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            f"style-src {style}",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            f"frame-ancestors {frame_ancestors}",
        ]
    )


def security_headers(csp: str, *, cacheable: bool = False) -> dict[str, str]:
    headers = {
        "Content-Security-Policy": csp,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    if "frame-ancestors 'none'" in csp:
        headers["X-Frame-Options"] = "DENY"  # the same rule for browsers that predate frame-ancestors
    if not cacheable:
        # Pages show account data: never kept by a shared cache, nor shown from history after sign-out.
        headers["Cache-Control"] = "no-store"
    return headers


class SecurityHeadersMiddleware:
    """Adds each header the response did not set itself (a page may set its own CSP, e.g. the portal's
    frame-ancestors from a workspace setting)."""

    def __init__(self, app: ASGIApp, headers: dict[str, str]) -> None:
        self.app = app
        self.headers = list(headers.items())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                own_policy = "content-security-policy" in headers
                for name, value in self.headers:
                    # A page with its own policy frames as that policy says (X-Frame-Options would deny).
                    if name not in headers and not (own_policy and name == "X-Frame-Options"):
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
