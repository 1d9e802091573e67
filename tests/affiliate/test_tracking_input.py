"""Characters PostgreSQL text cannot hold are 400s (or a 404 page), never 500s."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.tenants import AFFILIATE, Tenant
from tests.support.tracking import click


async def test_nul_characters_are_refused_naming_the_field(client: httpx.AsyncClient, tenant: Tenant) -> None:
    cases: list[tuple[str, dict[str, Any], str]] = [
        ("/track/sale", {"externalId": "a\u0000b", "amount": "1", "invoiceId": "x"}, "externalId"),
        ("/track/sale", {"email": "a\u0000@example.com", "amount": "1", "invoiceId": "x"}, "email"),
        ("/track/sale", {"email": "a@example.com", "amount": "1", "invoiceId": "x\u0000"}, "invoiceId"),
        ("/track/refund", {"invoiceId": "x\u0000"}, "invoiceId"),
        ("/track/signup", {"email": "a@example.com", "referralCode": "abc", "name": "a\u0000"}, "name"),
        ("/track/click", {"referralCode": "abc", "userAgent": "\u0000"}, "userAgent"),
    ]
    for path, body, field in cases:
        response = await client.post(f"{AFFILIATE}{path}", headers=tenant.affiliate, json=body)
        assert response.status_code == 400, (path, response.text)
        assert response.json()["message"].startswith(field)
    for code in ("a%00b", "%E2%82%AC", "a%0A"):
        assert (await click(client, code)).status_code == 404
