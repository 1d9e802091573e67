"""perks.tenancy.scoped: the one place a tenant's condition is written, so a statement built there never
reads or changes another account's rows."""

from __future__ import annotations

import sqlalchemy
from sqlalchemy import func

from perks.db.database import Database
from perks.kit.ids import new_id
from perks.loyalty.tiers.models import Tier, TierStatus
from perks.tenancy import scoped
from perks.tenancy.context import AuthContext, KeyKind
from tests.support.tenants import Tenant


def caller(tenant: Tenant) -> AuthContext:
    return AuthContext(tenant.account_id, tenant.server_key_id, KeyKind.SERVER)


def a_tier(tenant: Tenant, name: str) -> Tier:
    return Tier(
        id=new_id(),
        account_id=tenant.account_id,
        name=name,
        description="",
        status=TierStatus.ACTIVE,
        level=5,
        entry_conditions=[],
        exit_conditions=[],
        is_base=False,
    )


async def test_a_scoped_select_reads_only_the_callers_rows(
    database: Database, tenant: Tenant, other_tenant: Tenant
) -> None:
    async with database.transaction() as session:
        session.add_all([a_tier(tenant, "Gold"), a_tier(other_tenant, "Gold")])
    async with database.transaction(read_only=True) as session:
        mine = (await session.scalars(scoped.select(caller(tenant), Tier).order_by(Tier.level))).all()
        by_id = (await session.scalars(scoped.select(other_tenant.account_id, Tier, Tier.name))).all()
        counted = await session.scalar(
            scoped.select(scoped.bound("wanted"), Tier, func.count()), {"wanted": tenant.account_id}
        )
    assert [(tier.account_id, tier.name) for tier in mine] == [
        (tenant.account_id, "Base"),
        (tenant.account_id, "Gold"),
    ]
    assert sorted(by_id) == ["Base", "Gold"]
    assert counted == 2


async def test_a_scoped_update_and_delete_leave_other_accounts_alone(
    database: Database, tenant: Tenant, other_tenant: Tenant
) -> None:
    mine, theirs = a_tier(tenant, "Silver"), a_tier(other_tenant, "Silver")
    async with database.transaction() as session:
        session.add_all([mine, theirs])
    async with database.transaction() as session:
        renamed = await session.execute(
            scoped.update(caller(tenant), Tier).where(Tier.name == "Silver").values(name="Platinum")
        )
        # The other account's row, asked for by id, is out of reach.
        missed = await session.execute(scoped.delete(caller(tenant), Tier).where(Tier.id == theirs.id))
    assert (renamed.rowcount, missed.rowcount) == (1, 0)  # type: ignore[attr-defined]
    async with database.transaction(read_only=True) as session:
        names = dict(
            (await session.execute(scoped.select(other_tenant.account_id, Tier, Tier.id, Tier.name))).all()
        )
        ours = set((await session.scalars(scoped.select(caller(tenant), Tier, Tier.name))).all())
    assert names[theirs.id] == "Silver"
    assert ours == {"Base", "Platinum"}


async def test_among_reads_the_rows_of_the_accounts_named(
    database: Database, tenant: Tenant, other_tenant: Tenant
) -> None:
    async with database.transaction(read_only=True) as session:
        named = await session.scalars(
            sqlalchemy.select(Tier.account_id).where(scoped.among(Tier, [other_tenant.account_id]))
        )
    assert set(named.all()) == {other_tenant.account_id}
