from __future__ import annotations

from tests.support.console import ConsoleClient


async def test_smoke(owner: ConsoleClient) -> None:
    for path in [
        "/console/brands",
        "/console/brands/new",
        "/console/settings/keys",
        "/console/settings/webhooks",
        "/console/settings/webhooks/new",
        "/console/settings/users",
        "/console/settings/profile",
        "/console/audit",
    ]:
        response = await owner.get(path)
        assert response.status_code == 200, (path, response.text[:3000])
    created = await owner.post("/console/brands/new", {"name": "Acme", "description": "d", "metadata": ""})
    assert created.status_code == 303, created.text[:3000]
    page = await owner.get("/console/brands")
    assert "Acme" in page.text
    audit = await owner.get("/console/audit")
    assert "Acme" in audit.text, audit.text
