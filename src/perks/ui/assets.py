"""The local assets (/static: the kit's stylesheet and scripts, vendored htmx, Swagger UI and Redoc) and
the API documentation pages /docs and /redoc built on them: nothing is loaded from another site, so both
work on a machine without internet."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

from perks.ui.security import SecurityHeadersMiddleware, content_security_policy, security_headers
from perks.ui.templating import STATIC_DIR, STATIC_PREFIX, static_url

# Swagger UI and Redoc set inline styles at run time; scripts stay this site's own. Redoc builds its
# search index in a worker started from a blob: URL.
DOCS_POLICY = content_security_policy("'self'", inline_styles=True) + "; worker-src 'self' blob:"


def mount_assets(app: FastAPI) -> None:
    static = StaticFiles(directory=STATIC_DIR, follow_symlink=False)
    headers = security_headers(content_security_policy(), cacheable=True)
    app.mount(STATIC_PREFIX, SecurityHeadersMiddleware(static, headers), name="static")
    _add_docs_pages(app)


def _page(title: str, head: str, body: str) -> HTMLResponse:
    html = (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title>"
        f'<link rel="icon" href="{static_url("favicon.svg")}" type="image/svg+xml">{head}</head>'
        f"<body>{body}</body></html>"
    )
    return HTMLResponse(html, headers=security_headers(DOCS_POLICY, cacheable=True))


def _add_docs_pages(app: FastAPI) -> None:
    title = f"{app.title} API"

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return _page(
            f"{title}: Swagger UI",
            f'<link rel="stylesheet" href="{static_url("vendor/swagger-ui/swagger-ui.css")}">',
            f'<div id="swagger-ui" data-openapi-url="{app.openapi_url}"></div>'
            f'<script src="{static_url("vendor/swagger-ui/swagger-ui-bundle.js")}"></script>'
            f'<script src="{static_url("docs/swagger-init.js")}"></script>',
        )

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return _page(
            f"{title}: ReDoc",
            f'<link rel="stylesheet" href="{static_url("docs/redoc.css")}">',
            f'<redoc spec-url="{app.openapi_url}"></redoc>'
            f'<script src="{static_url("vendor/redoc/redoc.standalone.js")}"></script>',
        )
