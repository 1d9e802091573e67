"""SQL for tiers, always scoped to the caller's account."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, func
from sqlalchemy.ext.asyncio import AsyncSession

from perks.db.base import table_of
from perks.db.database import insert_for
from perks.db.writes import delete_owned, guarded
from perks.errors import Conflict
from perks.kit import clock
from perks.kit.ids import new_id
from perks.loyalty.customers.models import Customer
from perks.loyalty.tiers.models import Tier, TierStatus
from perks.sql import Runner, attribute_columns, loaded, statement
from perks.tenancy import scoped
from perks.tenancy.context import AuthContext

BASE_LEVEL = 1
LEVEL_TAKEN = "That level is already used by another tier of this account"


async def list_tiers(session: AsyncSession, ctx: AuthContext) -> Sequence[Tier]:
    return (await session.scalars(scoped.select(ctx, Tier).order_by(Tier.level))).all()


async def get(session: AsyncSession, ctx: AuthContext, tier_id: str) -> Tier | None:
    return await session.scalar(scoped.select(ctx, Tier).where(Tier.id == tier_id))


async def active(session: AsyncSession, ctx: AuthContext) -> Sequence[Tier]:
    """The account's ACTIVE tiers by level."""
    statement = scoped.select(ctx, Tier).where(Tier.status == TierStatus.ACTIVE).order_by(Tier.level)
    return (await session.scalars(statement)).all()


async def base(session: AsyncSession, ctx: AuthContext) -> Tier | None:
    return await session.scalar(scoped.select(ctx, Tier).where(Tier.is_base.is_(True)))


async def base_id(session: AsyncSession, ctx: AuthContext) -> str | None:
    tier_id: str | None = await session.scalar(
        scoped.select(ctx, Tier, Tier.id).where(Tier.is_base.is_(True))
    )
    return tier_id


async def existing_ids(session: AsyncSession, ctx: AuthContext, ids: set[str]) -> set[str]:
    rows = await session.scalars(scoped.select(ctx, Tier, Tier.id).where(Tier.id.in_(ids)))
    return set(rows.all())


async def next_level(session: AsyncSession, ctx: AuthContext) -> int:
    highest = await session.scalar(scoped.select(ctx, Tier, func.max(Tier.level)))
    return int(highest or 0) + 1


async def save(session: AsyncSession, tier: Tier) -> None:
    """Insert or update; the unique (account_id, level) constraint turns a taken level into a 409."""
    session.add(tier)
    async with guarded(session, Conflict(LEVEL_TAKEN, title="Tier level already in use")):
        await session.flush()


async def delete_tier(session: AsyncSession, ctx: AuthContext, tier_id: str) -> None:
    in_use = Conflict("A campaign or customer uses this tier; it cannot be deleted", title="Tier in use")
    await delete_owned(session, ctx, Tier, tier_id, in_use)


async def ensure_base(session: AsyncSession, account_id: str) -> None:
    """Create the account's Base tier at level 1 unless one exists (ON CONFLICT: safe under races)."""
    moment = clock.now()
    statement = (
        insert_for(session)(Tier)
        .values(
            id=new_id(),
            account_id=account_id,
            name="Base",
            description="The tier every customer starts in",
            status=TierStatus.ACTIVE,
            level=BASE_LEVEL,
            entry_conditions=[],
            exit_conditions=[],
            is_base=True,
            created_at=moment,
            updated_at=moment,
        )
        .on_conflict_do_nothing(index_elements=["account_id", "level"])
    )
    await session.execute(statement)


# Core statements of the tier reassessment of a reversal (perks.sql).

_TIERS = table_of(Tier)
_CUSTOMERS = table_of(Customer)
_TIER_KEYS, _TIER_COLUMNS = attribute_columns(Tier)
_ACTIVE = statement(
    lambda: (
        scoped.select(scoped.bound(), _TIERS, *_TIER_COLUMNS)
        .where(_TIERS.c.status == TierStatus.ACTIVE.value)
        .order_by(_TIERS.c.level)
    )
)
_SET_TIER = statement(
    lambda: (
        scoped.update(scoped.bound(), _CUSTOMERS)
        .where(_CUSTOMERS.c.id == bindparam("customer_id"))
        .values(tier_id=bindparam("tier_id"), updated_at=bindparam("now", type_=_CUSTOMERS.c.updated_at.type))
    )
)


async def read_active(runner: Runner, ctx: AuthContext) -> list[Tier]:
    """The account's ACTIVE tiers by level, loaded outside any session (read-only)."""
    rows = await runner.rows(_ACTIVE, {"account_id": ctx.account_id})
    return [loaded(Tier, _TIER_KEYS, row) for row in rows]


async def write_customer_tier(
    runner: Runner, ctx: AuthContext, customer_id: str, tier_id: str | None, now: datetime
) -> None:
    """A customer's move to another tier, for a customer loaded outside any session."""
    values = {"account_id": ctx.account_id, "customer_id": customer_id, "tier_id": tier_id, "now": now}
    await runner.execute(_SET_TIER, values)
