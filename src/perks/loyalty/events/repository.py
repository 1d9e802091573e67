"""SQL of behavior events, always scoped to the caller's account. Core statements where the event path
is hot (one event is a handful of round trips)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from perks.db.base import table_of
from perks.db.database import insert_for
from perks.kit.keyset import Keyset, KeysetPage, keyset_page
from perks.ledger.models import Wallet
from perks.loyalty.brands.models import Brand
from perks.loyalty.campaigns.models import Campaign, CampaignStatus
from perks.loyalty.campaigns.schemas import CampaignType
from perks.loyalty.customers.models import Customer
from perks.loyalty.customers.repository import CUSTOMER_KEYS, with_wallet
from perks.loyalty.events.models import BehaviorEvent, EventStatus
from perks.loyalty.tiers.models import Tier
from perks.sql import Runner, dialect_sized, in_list, insert_of, listed, loaded, sized, statement
from perks.tenancy import scoped
from perks.tenancy.context import AuthContext


async def customer_and_wallet(
    session: AsyncSession, ctx: AuthContext, external_id: str
) -> tuple[Customer, str] | None:
    """The customer (row-locked on PostgreSQL, so one customer's events queue up) and their wallet id."""
    row = (
        await session.execute(
            scoped.select(ctx, Customer, Customer, Wallet.id)
            .join(Wallet, (Wallet.customer_id == Customer.id) & (Wallet.account_id == Customer.account_id))
            .where(Customer.external_id == external_id)
            .with_for_update(of=Customer)
        )
    ).first()
    return None if row is None else (row[0], row[1])


async def customer(
    session: AsyncSession, ctx: AuthContext, customer_id: str, *, for_update: bool = False
) -> Customer | None:
    """By our id; `for_update` row-locks it (PostgreSQL) and reads it afresh."""
    statement = scoped.select(ctx, Customer).where(Customer.id == customer_id)
    if for_update:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    return await session.scalar(statement)


async def page_of_customer(
    session: AsyncSession, ctx: AuthContext, customer_id: str, keyset: Keyset
) -> KeysetPage[BehaviorEvent]:
    """A customer's events (by our customer id), newest first (ix_loyalty_events_customer)."""
    statement = scoped.select(ctx, BehaviorEvent).where(BehaviorEvent.customer_id == customer_id)
    order = (BehaviorEvent.issued_at, BehaviorEvent.id)
    return await keyset_page(session, statement, order, keyset, descending=True)


async def brand_exists(session: AsyncSession, ctx: AuthContext, brand_id: str) -> bool:
    found = await session.scalar(scoped.select(ctx, Brand, Brand.id).where(Brand.id == brand_id))
    return found is not None


async def insert_event(session: AsyncSession, values: dict[str, Any]) -> bool:
    """Record a new event; False when its purchase_id is already taken (nothing is written)."""
    inserted = await session.scalar(_insert_statement(session), values)
    return inserted is not None


async def insert_events(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> set[str]:
    """insert_event for several events in one statement; the ids of those recorded (the others repeat a
    recorded purchase_id)."""
    if not rows:
        return set()
    inserted = await session.scalars(_insert_statement(session), list(rows))
    return set(inserted.all())


_inserts: dict[str, Any] = {}


def _insert_statement(session: AsyncSession) -> Any:
    """INSERT .. ON CONFLICT DO NOTHING RETURNING id, built once per dialect (values come as parameters)."""
    dialect = session.get_bind().dialect.name
    if dialect not in _inserts:
        _inserts[dialect] = (
            insert_for(session)(BehaviorEvent).on_conflict_do_nothing().returning(BehaviorEvent.id)
        )
    return _inserts[dialect]


async def by_purchase(session: AsyncSession, ctx: AuthContext, purchase_id: str) -> BehaviorEvent | None:
    return await session.scalar(
        scoped.select(ctx, BehaviorEvent).where(BehaviorEvent.purchase_id == purchase_id)
    )


async def get(
    session: AsyncSession, ctx: AuthContext, event_id: str, *, for_update: bool = False
) -> BehaviorEvent | None:
    statement = scoped.select(ctx, BehaviorEvent).where(BehaviorEvent.id == event_id)
    return await session.scalar(statement.with_for_update() if for_update else statement)


async def finish(session: AsyncSession, ctx: AuthContext, event_id: str, values: dict[str, Any]) -> None:
    await session.execute(
        scoped.update(ctx, BehaviorEvent)
        .where(BehaviorEvent.id == event_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


async def expire_lapsed(
    session: AsyncSession, ctx: AuthContext, now: datetime, limit: int
) -> Sequence[tuple[str, str]]:
    """Mark up to `limit` unfulfilled RESOLVED events whose reservation lapsed by `now` as EXPIRED
    (expired_at = the lapse) in one conditional UPDATE; (event id, customer id) of those it changed.
    The subquery skips rows another worker has locked (PostgreSQL; SQLite renders no FOR UPDATE and
    serializes writers), and the outer WHERE re-checks each row, so an event is expired exactly once and
    never after a concurrent fulfil or reversal."""
    lapsed = (
        BehaviorEvent.status == EventStatus.RESOLVED,
        BehaviorEvent.fulfilled.is_(False),
        BehaviorEvent.reservation_expires_at <= now,
    )
    due = (
        scoped.select(ctx, BehaviorEvent, BehaviorEvent.id)
        .where(*lapsed)
        .order_by(BehaviorEvent.reservation_expires_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    rows = await session.execute(
        scoped.update(ctx, BehaviorEvent)
        .where(*lapsed, BehaviorEvent.id.in_(due.scalar_subquery()))
        .values(status=EventStatus.EXPIRED, expired_at=BehaviorEvent.reservation_expires_at)
        .returning(BehaviorEvent.id, BehaviorEvent.customer_id)
        .execution_options(synchronize_session=False)
    )
    return [(row[0], row[1]) for row in rows.all()]


async def active_behavior_campaigns(session: AsyncSession, ctx: AuthContext) -> Sequence[Campaign]:
    """ACTIVE BEHAVIOR campaigns, whatever their dates (the caller checks them per event)."""
    rows = await session.scalars(
        scoped.select(ctx, Campaign).where(
            Campaign.type == CampaignType.BEHAVIOR,
            Campaign.status == CampaignStatus.ACTIVE,
        )
    )
    return rows.all()


# Core statements of the group-committed batch (perks.sql).

_CUSTOMERS = table_of(Customer)
_WALLETS = table_of(Wallet)
_BRANDS = table_of(Brand)
_EVENTS = table_of(BehaviorEvent)
_CAMPAIGNS = table_of(Campaign)
_TIERS = table_of(Tier)

_LOCKED_CUSTOMERS = sized(
    lambda count: (
        with_wallet(in_list(_CUSTOMERS.c.external_id, count, "id"))
        .order_by(_CUSTOMERS.c.id)
        .with_for_update(of=_CUSTOMERS)
    )
)
_BRANDS_IN = sized(
    lambda count: scoped.select(scoped.bound(), _BRANDS, _BRANDS.c.id).where(
        in_list(_BRANDS.c.id, count, "id")
    )
)
_RECORDED_PURCHASES = sized(
    lambda count: scoped.select(scoped.bound(), _EVENTS, _EVENTS.c.purchase_id).where(
        in_list(_EVENTS.c.purchase_id, count, "purchase")
    )
)
_EVENT_COLUMNS = tuple(column.key for column in _EVENTS.columns)
_INSERT_EVENTS = dialect_sized(
    lambda count, dialect: (
        insert_of(dialect)(_EVENTS)
        .values(
            [
                {name: bindparam(f"{name}_{index}", type_=_EVENTS.c[name].type) for name in _EVENT_COLUMNS}
                for index in range(count)
            ]
        )
        .on_conflict_do_nothing()
        .returning(_EVENTS.c.id)
    )
)
_UPDATE_CUSTOMER = statement(
    lambda: (
        scoped.update(scoped.bound(), _CUSTOMERS)
        .where(_CUSTOMERS.c.id == bindparam("customer_id"))
        .values(
            metrics=bindparam("new_metrics"), tier_id=bindparam("new_tier_id"), updated_at=bindparam("now")
        )
    )
)


def _fingerprint() -> Any:
    account = scoped.bound()
    behavior = _CAMPAIGNS.c.type == CampaignType.BEHAVIOR

    def campaigns(column: Any) -> Any:
        return scoped.select(account, _CAMPAIGNS, column).where(behavior).scalar_subquery()

    def tiers(column: Any) -> Any:
        return scoped.select(account, _TIERS, column).scalar_subquery()

    return select(
        campaigns(func.count()),
        campaigns(func.max(_CAMPAIGNS.c.updated_at)),
        campaigns(func.max(_CAMPAIGNS.c.id)),
        tiers(func.count()),
        tiers(func.max(_TIERS.c.updated_at)),
        tiers(func.max(_TIERS.c.id)),
    )


_FINGERPRINT = statement(_fingerprint)


async def read_customers_and_wallets(
    runner: Runner, ctx: AuthContext, external_ids: Collection[str]
) -> dict[str, tuple[Customer, str]]:
    """customers_and_wallets through a runner: row-locked in id order on PostgreSQL, loaded outside any
    session (the batch writes back what it changes, `update_customers`)."""
    wanted = sorted(external_ids)
    if not wanted:
        return {}
    rows = await runner.rows(
        _LOCKED_CUSTOMERS(len(wanted)), {"account_id": ctx.account_id, **listed("id", wanted)}
    )
    found = {}
    for row in rows:
        customer = loaded(Customer, CUSTOMER_KEYS, row[:-1])
        found[customer.external_id] = (customer, row[-1])
    return found


async def read_existing_brands(runner: Runner, ctx: AuthContext, brand_ids: Collection[str]) -> set[str]:
    return await runner.present(_BRANDS_IN, ctx.account_id, "id", brand_ids)


async def read_recorded_purchases(
    runner: Runner, ctx: AuthContext, purchase_ids: Collection[str]
) -> set[str]:
    """Which of these purchase_ids the account's events have already recorded (one query)."""
    return await runner.present(_RECORDED_PURCHASES, ctx.account_id, "purchase", purchase_ids)


async def write_events(runner: Runner, rows: Sequence[dict[str, Any]]) -> set[str]:
    """insert_events through a runner: one multi-row INSERT .. ON CONFLICT DO NOTHING RETURNING id (the ids
    of the rows written: a row whose purchase_id is recorded already is skipped)."""
    if not rows:
        return set()
    values = {f"{name}_{index}": row[name] for index, row in enumerate(rows) for name in _EVENT_COLUMNS}
    return set(await runner.scalars(_INSERT_EVENTS(len(rows)), values))


async def update_customers(
    runner: Runner, ctx: AuthContext, customers: Sequence[Customer], now: datetime
) -> None:
    """Write back what a batch changed on its customers (lifetime metrics, tier)."""
    rows = [
        {
            "account_id": ctx.account_id,
            "customer_id": customer.id,
            "new_metrics": customer.metrics,
            "new_tier_id": customer.tier_id,
            "now": now,
        }
        for customer in customers
    ]
    await runner.many(_UPDATE_CUSTOMER, rows)


async def read_fingerprint(runner: Runner, ctx: AuthContext) -> tuple[Any, ...]:
    """catalog_fingerprint through a runner."""
    row = await runner.first(_FINGERPRINT, {"account_id": ctx.account_id})
    assert row is not None
    return row
