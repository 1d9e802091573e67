"""Security headers on every answer of the console (pages, errors, redirects, assets), and templates
that cannot run script: no inline script, no inline event handler, no inline style, autoescaping on."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import Response
from starlette.types import Receive, Scope, Send

from perks.console.pages import pages
from perks.ui.security import SecurityHeadersMiddleware, content_security_policy, security_headers
from tests.support.console import ConsoleClient, console_client

SRC = Path(__file__).parents[2] / "src/perks"
TEMPLATES = sorted(
    [
        *SRC.glob("ui/templates/**/*.html"),
        *SRC.glob("console/templates/**/*.html"),
        *SRC.glob("portal/templates/**/*.html"),
    ]
)


def assert_console_headers(response: httpx.Response) -> None:
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe" not in csp
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp and "form-action 'self'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["x-frame-options"] == "DENY"


async def test_every_kind_of_console_answer_carries_the_security_headers(
    app: FastAPI, owner: ConsoleClient, viewer: ConsoleClient
) -> None:
    async with console_client(app) as anonymous:
        answers = [
            await anonymous.get("/console/login"),
            await anonymous.get("/console/brands"),  # a redirect to sign in
            await anonymous.get("/console/"),
            await owner.get("/console/brands"),
            await owner.get("/console/nowhere"),  # 404
            await viewer.get("/console/brands/new"),  # 403
            await owner.post("/console/brands/new", {"name": ""}),  # 400
            await owner.http.post("/console/brands/new", data={"name": "x"}),  # 403, no CSRF token
        ]
    assert [answer.status_code for answer in answers] == [200, 303, 303, 200, 404, 403, 400, 403]
    for answer in answers:
        assert_console_headers(answer)
    assert answers[3].headers["cache-control"] == "no-store"


async def test_assets_are_local_and_served_with_nosniff(
    client: httpx.AsyncClient, owner: ConsoleClient
) -> None:
    page = await owner.get("/console/brands")
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text)
    assert len(assets) >= 4  # favicon, stylesheet, htmx, the app's script
    for asset in assets:
        answer = await client.get(asset)
        assert answer.status_code == 200, asset
        assert answer.headers["x-content-type-options"] == "nosniff"
    assert not re.findall(r'(?:src|href)="(?:https?:)?//', page.text)


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: str(path.relative_to(SRC)))
def test_templates_hold_no_inline_script_or_style(template: Path) -> None:
    text = template.read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), "inline <script>"
    assert not re.search(r"\son[a-z]+\s*=", text), "inline event handler"
    assert not re.search(r"\sstyle\s*=|<style", text), "inline style (the CSP forbids it)"
    assert "|safe" not in text.replace(" ", "") and "autoescape false" not in text


def test_autoescape_is_on_for_every_template() -> None:
    rendered = pages.env.from_string("{{ name }}").render(name="<script>alert(1)</script>")
    assert rendered == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert pages.env.autoescape("console/brands/list.html") is True  # type: ignore[operator]


async def test_a_page_may_set_its_own_policy_and_keeps_the_other_headers() -> None:
    """How the portal frames itself for a workspace's allowed origins."""

    async def page(scope: Scope, receive: Receive, send: Send) -> None:
        own = content_security_policy("https://shop.example")
        await Response("<p>framed</p>", headers={"Content-Security-Policy": own})(scope, receive, send)

    app = SecurityHeadersMiddleware(page, security_headers(content_security_policy()))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://perks.test"
    ) as http:
        answer = await http.get("/portal/")
    assert "frame-ancestors https://shop.example" in answer.headers["content-security-policy"]
    assert "x-frame-options" not in answer.headers
    assert (
        answer.headers["x-content-type-options"] == "nosniff"
        and answer.headers["cache-control"] == "no-store"
    )


async def test_metrics_name_console_routes_with_their_prefix(
    client: httpx.AsyncClient, owner: ConsoleClient
) -> None:
    await owner.get("/console/brands/00000000-0000-7000-8000-000000000000")
    metrics = (await client.get("/metrics")).text
    assert 'route="/console/brands/{brand_id}"' in metrics
