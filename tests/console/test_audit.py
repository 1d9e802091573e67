"""The audit log: one entry per console change, listed and filtered by user and object; a change that
forgets its entry is refused at commit."""

from __future__ import annotations

import csv
import io
import re

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, update

from perks.audit import service as audit
from perks.audit.guard import UnauditedChange, require_audit
from perks.console.auth import Staff
from perks.console.users.models import Role
from perks.db.database import Database
from perks.loyalty.brands.models import Brand
from tests.support.console import ConsoleClient, TestUser, add_user, signed_in
from tests.support.tenants import Tenant


def staff_of(user: TestUser) -> Staff:
    return Staff(user.user_id, user.email, user.role, "UTC", user.account_id, "test")


async def brand_count(database: Database, account_id: str) -> int:
    async with database.transaction(read_only=True) as session:
        return int(
            await session.scalar(
                select(func.count()).select_from(Brand).where(Brand.account_id == account_id)
            )
            or 0
        )


async def test_a_change_without_an_audit_entry_is_not_committed(
    database: Database, owner_user: TestUser
) -> None:
    with pytest.raises(UnauditedChange):
        async with database.transaction() as session:
            require_audit(session)
            session.add(Brand(account_id=owner_user.account_id, name="unrecorded"))
    with pytest.raises(UnauditedChange):
        async with database.transaction() as session:
            require_audit(session)
            await session.execute(
                update(Brand).where(Brand.account_id == owner_user.account_id).values(name="x")
            )
    assert await brand_count(database, owner_user.account_id) == 0

    async with database.transaction() as session:
        require_audit(session)
        brand = Brand(account_id=owner_user.account_id, name="recorded")
        session.add(brand)
        await session.flush()
        audit.record(session, staff_of(owner_user), "create", audit.Target("brand", brand.id, brand.name))
    async with database.transaction() as session:
        require_audit(session)  # reading only: nothing to record
        await session.scalar(select(Brand).where(Brand.account_id == owner_user.account_id))
    assert await brand_count(database, owner_user.account_id) == 1


async def test_the_log_filters_by_user_and_by_object_and_charts_changes_per_day(
    app: FastAPI, database: Database, tenant: Tenant, owner: ConsoleClient
) -> None:
    manager_user = await add_user(database, tenant.account_id, Role.MANAGER)
    async with signed_in(app, database, manager_user) as manager:
        await manager.post("/console/brands/new", {"name": "By the manager"})
    await owner.post("/console/brands/new", {"name": "By the owner"})
    await owner.post("/console/settings/keys", {"kind": "public"})

    everything = await owner.get("/console/audit")
    assert (
        "By the manager" in everything.text
        and "By the owner" in everything.text
        and "api_key" in everything.text
    )
    by_manager = await owner.get(f"/console/audit?user={manager_user.user_id}")
    assert "By the manager" in by_manager.text and "By the owner" not in by_manager.text
    assert f'<option value="{manager_user.user_id}" selected>' in by_manager.text
    brand_id = re.findall(r"object_id=([0-9a-f-]+)\">brand</a>: By the owner", everything.text)[0]
    one_object = await owner.get(f"/console/audit?object_type=brand&object_id={brand_id}")
    assert one_object.text.split('id="entries"')[1].count("<tr>") == 2  # the header and the one entry
    assert "By the manager" not in one_object.text

    brands_only = await owner.get("/console/audit?object_type=brand&format=csv")
    assert brands_only.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(brands_only.text)))
    assert rows[0] == ["label", "Changes"] and len(rows) == 31
    assert int(rows[-1][1]) == 2  # today: the two brands
    assert sum(int(row[1]) for row in rows[1:]) == 2
    assert "<svg" in everything.text and "Show the numbers" in everything.text


async def test_the_log_pages_newest_first(
    database: Database, owner_user: TestUser, owner: ConsoleClient
) -> None:
    async with database.transaction() as session:
        for index in range(30):
            audit.record(
                session,
                staff_of(owner_user),
                "update",
                audit.Target("brand", f"b{index}", f"label-{index:02d}"),
            )
    first = await owner.get("/console/audit?object_type=brand")
    labels = re.findall(r"label-(\d\d)", first.text.split('id="entries"')[1])
    assert labels == [f"{index:02d}" for index in range(29, 4, -1)]
    after = re.search(r'href="(\?[^"]*after=[^"]+)"', first.text)
    assert after is not None
    second = await owner.get("/console/audit" + after.group(1).replace("&amp;", "&"))
    assert re.findall(r"label-(\d\d)", second.text.split('id="entries"')[1]) == [
        f"{index:02d}" for index in range(4, -1, -1)
    ]
