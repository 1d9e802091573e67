"""The API documentation works without internet: /docs and /redoc load only this server's files."""

from __future__ import annotations

import re

import httpx
import pytest


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_the_docs_pages_reference_only_local_urls_that_answer(
    client: httpx.AsyncClient, page: str
) -> None:
    response = await client.get(page)
    assert response.status_code == 200
    references = re.findall(r'(?:src|href|spec-url|data-openapi-url)="([^"]+)"', response.text)
    assert len(references) >= 3, references
    for reference in references:
        assert reference.startswith("/") and not reference.startswith("//"), reference
        answer = await client.get(reference)
        assert answer.status_code == 200, reference
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "/openapi.json" in references


async def test_the_vendored_bundles_load_nothing_from_elsewhere(client: httpx.AsyncClient) -> None:
    for asset in [
        "vendor/swagger-ui/swagger-ui-bundle.js",
        "vendor/redoc/redoc.standalone.js",
        "vendor/htmx/htmx.min.js",
    ]:
        body = (await client.get(f"/static/{asset}")).text
        assert "cdn.redoc.ly" not in body and "unpkg.com" not in body and "jsdelivr" not in body, asset
