"""Follow a keyset-paged list of the loyalty face (`{"data": [...], "cursor": ...}`) to its end."""

from __future__ import annotations

from typing import Any

import httpx


async def every_page(
    client: httpx.AsyncClient, path: str, headers: dict[str, str], **query: Any
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    cursor = None
    while True:
        params = query | ({"cursor": cursor} if cursor else {})
        response = await client.get(path, params=params, headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        assert set(body) == {"data", "cursor"}
        rows += body["data"]
        cursor = body["cursor"]
        if cursor is None:
            return rows
