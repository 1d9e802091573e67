"""A referral code belongs to one link in all of Perks: no account can capture or shadow the redirect
traffic of another account's code, and the migration settles codes that several accounts shared."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import httpx
from alembic import command
from sqlalchemy import select

from perks.affiliate.links.models import AffiliateLink
from perks.app import create_app
from perks.db.database import Database
from perks.db.migrate import alembic_config, migrate
from tests.conftest import test_settings
from tests.support.affiliate import create, program
from tests.support.databases import fresh_database
from tests.support.server import TEST_SECRET
from tests.support.tenants import AFFILIATE, Tenant, create_tenant, release_link_codes
from tests.support.tracking import click


def fresh_code() -> str:
    return f"summer{uuid.uuid4().hex[:8]}"


async def test_a_code_taken_by_another_account_is_a_409_naming_nobody(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    code = fresh_code()
    _, mine = await program(client, tenant)
    link = await create(client, tenant, "links", {"affiliateId": mine["id"], "referralCode": code})
    _, theirs = await program(client, other_tenant)
    for attempt in (code, code.upper()):
        response = await client.post(
            f"{AFFILIATE}/links",
            headers=other_tenant.affiliate,
            json={"affiliateId": theirs["id"], "referralCode": attempt},
        )
        assert response.status_code == 409, response.text
        assert response.json() == {
            "status": 409,
            "message": "referralCode: this referral code is already in use; choose another",
        }
        for revealing in (tenant.account_id, mine["id"], link["id"], tenant.workspace_id, "tenant-a"):
            assert revealing not in response.text
    listing = await client.get(
        f"{AFFILIATE}/links?affiliateId={theirs['id']}", headers=other_tenant.affiliate
    )
    assert listing.json()["data"]["pagination"]["total"] == 0
    # The redirect still leads to the owner's campaign.
    visit = await click(client, code)
    assert visit.status_code == 302
    assert visit.headers["location"] == link["url"]


async def test_a_freed_code_may_be_taken_by_another_account(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    code = fresh_code()
    _, mine = await program(client, tenant)
    link = await create(client, tenant, "links", {"affiliateId": mine["id"], "referralCode": code})
    deleted = await client.delete(f"{AFFILIATE}/links?affiliateLinkId={link['id']}", headers=tenant.affiliate)
    assert deleted.status_code == 200
    _, theirs = await program(client, other_tenant)
    await create(client, other_tenant, "links", {"affiliateId": theirs["id"], "referralCode": code})


async def test_two_accounts_racing_for_a_code_get_one_link(
    database: Database, client: httpx.AsyncClient
) -> None:
    tenants = [await create_tenant(database, TEST_SECRET, f"racer-{index}") for index in range(4)]
    people = [(await program(client, tenant))[1] for tenant in tenants]
    code = fresh_code()
    answers = await asyncio.gather(
        *(
            client.post(
                f"{AFFILIATE}/links",
                headers=tenant.affiliate,
                json={"affiliateId": person["id"], "referralCode": code},
            )
            for tenant, person in zip(tenants, people, strict=True)
        )
    )
    assert sorted(answer.status_code for answer in answers) == [201, 409, 409, 409]
    for tenant in tenants:
        await release_link_codes(database, tenant)


async def shared_codes(url: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Three accounts' links with one code (as codes unique per account allowed), and one unique code."""
    app = create_app(test_settings(url))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://perks.test") as http:
            owners = [await create_tenant(app.state.db, TEST_SECRET, f"owner-{index}") for index in range(3)]
            links = []
            for owner in owners:
                _, person = await program(http, owner)
                body = {"affiliateId": person["id"], "referralCode": "Shared"}
                links.append(await create(http, owner, "links", body))
            solo = await create(
                http, owners[2], "links", {"affiliateId": person["id"], "referralCode": "solo"}
            )
    finally:
        await app.state.db.dispose()
    return links, solo


async def stored_links(url: str) -> dict[str, AffiliateLink]:
    database = Database(url)
    try:
        async with database.transaction(read_only=True) as session:
            return {row.id: row for row in await session.scalars(select(AffiliateLink))}
    finally:
        await database.dispose()


def test_the_migration_renames_later_duplicates_and_keeps_the_oldest(
    database_url: str, tmp_path: Path
) -> None:
    kind = "sqlite" if database_url.startswith("sqlite") else "postgres"
    with fresh_database(kind, tmp_path) as url:
        command.downgrade(alembic_config(url), "0500")  # codes unique per account, as before
        links, solo = asyncio.run(shared_codes(url))
        migrate(url)
        rows = asyncio.run(stored_links(url))
    oldest, *later = links
    assert rows[oldest["id"]].referral_code == "Shared"
    assert rows[solo["id"]].referral_code == "solo"
    renamed = [rows[link["id"]].referral_code for link in later]
    assert all(code.startswith("Shared-") and len(code) == len("Shared-") + 6 for code in renamed)
    assert len({code.lower() for code in renamed}) == 2
    assert all(rows[link["id"]].code_key == rows[link["id"]].referral_code.lower() for link in later)
