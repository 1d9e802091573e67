"""Migration from another vendor (the storefront's POST /customers/migrate, .../transactions, .../events):
the bodies the routes validate whole, and the importers their jobs run on the import engine.

- `migration.customers`: one row per customer, registered with its balance lines (each a wallet line with
  its own expiry and a MIGRATION transaction) and its metrics, all or nothing, known by its id.
- `migration.transactions`: one row per customer, its history; written only when it sums, reward by
  reward, to the customer's balance; each movement known by what it says.
- `migration.events`: one row per event, stored as history (perks.loyalty.events.history) by the events
  importer, which knows an event by its id or its purchase_id (shared with `perks import events`).

See docs/migration.md."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, field_validator
from pydantic_core import PydanticCustomError
from sqlalchemy.ext.asyncio import AsyncSession

from perks.errors import AppError
from perks.imports import repository
from perks.imports.events import EventImporter
from perks.imports.importers import (
    ImportRows,
    Outcome,
    Parsed,
    RowProblem,
    Text,
    content_key,
    known_brands,
    not_yet_imported,
    validated,
)
from perks.imports.records import Columns
from perks.jobs.runner import register
from perks.kit import clock
from perks.ledger import service as ledger
from perks.ledger.models import TransactionType
from perks.loyalty.customers import service as customers
from perks.loyalty.customers.models import Customer
from perks.loyalty.customers.schemas import CustomerCreate, CustomerId
from perks.loyalty.rewards import service as rewards
from perks.loyalty.tiers import service as tiers
from perks.tenancy.context import AuthContext

JOB_PREFIX = "migration."
MAX_RECORDS = 1000  # customers per batch (customers, transactions); events per batch
MAX_LINES = 100  # balance lines of one customer
MAX_TRANSACTIONS = 10_000  # transactions of one batch, all customers together
MAX_PERIODS = 20  # metrics periods of one customer
STEP = Decimal("0.0001")  # amounts have at most 4 decimal places (the ledger's scale)
Amount = Annotated[Decimal, Field(gt=0, le=ledger.MAX_AMOUNT, multiple_of=STEP)]
Signed = Annotated[Decimal, Field(ge=-ledger.MAX_AMOUNT, le=ledger.MAX_AMOUNT, multiple_of=STEP)]
Money = Annotated[Decimal, Field(ge=0, le=ledger.MAX_AMOUNT, multiple_of=STEP)]


def _utc(moment: datetime) -> datetime:
    try:
        return clock.as_utc(moment)
    except OverflowError:
        raise PydanticCustomError("out_of_range", "is out of range once in UTC") from None


Moment = Annotated[datetime, AfterValidator(_utc)]  # in UTC (naive: taken as UTC)
Short = Annotated[str, Field(min_length=1, max_length=64)]
Period = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,31}$")]
MIGRATED_BALANCE = "Migrated balance"


# The bodies.


class BalanceLine(BaseModel):
    reward_id: Text
    amount: Amount
    expiration_date: Moment | None = None
    brand_id: Text | None = None
    channel_id: Text | None = None
    store_id: Text | None = None
    issued_at: Moment | None = None
    funded_by: Short | None = None


class MetricsPeriod(BaseModel):
    """One period of a customer's metrics (lifetime, this_year, last_month, ...) as the vendor kept it."""

    model_config = ConfigDict(populate_by_name=True)

    from_: Moment | None = Field(default=None, alias="from")
    to: Moment | None = None
    tier_id: Text | None = None
    last_visit: Moment | None = None
    spend_total: Money | None = None
    number_of_purchases: Annotated[int, Field(ge=0, le=1_000_000_000)] | None = None


class MigratedCustomer(CustomerCreate):
    balance: Annotated[list[BalanceLine], Field(max_length=MAX_LINES)] = []
    metrics: Annotated[dict[Period, MetricsPeriod], Field(max_length=MAX_PERIODS)] | None = None

    # The import engine's CustomerRow: a customer row is about that customer, known by its id.
    @property
    def customer_id(self) -> str:
        return self.id

    @property
    def brand_id(self) -> str | None:
        return None

    @property
    def key(self) -> str:
        return self.id


class CustomersMigration(BaseModel):
    customers: Annotated[list[MigratedCustomer], Field(min_length=1, max_length=MAX_RECORDS)]


class HistoryType(StrEnum):
    """The storefront's transaction types (TransactionType but IMPORT, which only `perks import` writes)."""

    ACCUMULATION = "ACCUMULATION"
    REDEMPTION = "REDEMPTION"
    EXPIRATION = "EXPIRATION"
    MIGRATION = "MIGRATION"
    TRANSFER = "TRANSFER"
    REVERSAL = "REVERSAL"


class PastTransaction(BaseModel):
    """One movement of the vendor's history, signed as it moved the balance (a redemption is negative)."""

    reward_id: Text
    type: HistoryType
    amount: Signed
    issued_at: Moment
    resolved_at: Moment | None = None
    brand_id: Text | None = None
    details: Annotated[str, Field(max_length=500)] | None = None
    cost: Money | None = None
    store_id: Text | None = None
    channel_id: Text | None = None
    event: Text | dict[str, Any] | None = None
    funded_by: Short | None = None


class CustomerHistory(BaseModel):
    id: CustomerId
    transactions: Annotated[list[PastTransaction], Field(min_length=1, max_length=MAX_RECORDS)]


class TransactionsMigration(BaseModel):
    customers: Annotated[list[CustomerHistory], Field(min_length=1, max_length=MAX_RECORDS)]

    @field_validator("customers")
    @classmethod
    def _bounded(cls, customers: list[CustomerHistory]) -> list[CustomerHistory]:
        _at_most(sum(len(customer.transactions) for customer in customers), MAX_TRANSACTIONS, "transactions")
        return customers


class PastOrder(BaseModel):
    purchase_id: Text | None = None
    value: Money | None = None
    store_id: Text | None = None
    channel_id: Text | None = None


class PastEvent(BaseModel):
    id: Text | None = None
    type: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")]
    issued_at: Moment
    brand_id: Text | None = None
    order: PastOrder | None = None
    metadata: dict[str, Any] | None = None


class CustomerEvents(BaseModel):
    id: CustomerId
    events: Annotated[list[PastEvent], Field(min_length=1, max_length=MAX_RECORDS)]


class EventsMigration(BaseModel):
    customers: Annotated[list[CustomerEvents], Field(min_length=1, max_length=MAX_RECORDS)]

    @field_validator("customers")
    @classmethod
    def _bounded(cls, customers: list[CustomerEvents]) -> list[CustomerEvents]:
        _at_most(sum(len(customer.events) for customer in customers), MAX_RECORDS, "events")
        return customers


def _at_most(count: int, limit: int, what: str) -> None:
    if count > limit:
        raise PydanticCustomError("too_many", f"hold {count} {what}; at most {limit} per batch")


def event_rows(body: EventsMigration) -> list[dict[str, Any]]:
    """One row per event, in the events importer's terms (its columns)."""
    rows = []
    for customer in body.customers:
        for event in customer.events:
            order = event.order or PastOrder()
            row = {
                "id": event.id,
                "customer_id": customer.id,
                "type": event.type,
                "issued_at": event.issued_at.isoformat(),
                "brand_id": event.brand_id,
                "purchase_id": order.purchase_id,
                "value": None if order.value is None else str(order.value),
                "store_id": order.store_id,
                "channel_id": order.channel_id,
                "metadata": event.metadata,
            }
            rows.append({name: value for name, value in row.items() if value is not None})
    return rows


# The importers.


class CustomerMigration:
    name = "customers"
    columns = Columns(required=("id",))

    def parse(self, row: dict[str, Any]) -> MigratedCustomer:
        customer = validated(MigratedCustomer, row)
        now = clock.now()
        for index, line in enumerate(customer.balance):
            if line.expiration_date is not None and line.expiration_date <= now:
                raise RowProblem(
                    f"balance.{index}.expiration_date", "has passed: the balance would expire at once"
                )
            if line.issued_at is not None and line.issued_at > now:
                raise RowProblem(f"balance.{index}.issued_at", "is in the future")
        return customer

    def reference(self, row: dict[str, Any]) -> str | None:
        return _text(row.get("id"))

    async def apply(
        self, session: AsyncSession, ctx: AuthContext, rows: Sequence[Parsed[MigratedCustomer]], job_id: str
    ) -> Outcome:
        outcome = Outcome()
        # Customers migrated before are skipped at once (sending a batch again costs a read).
        seen = await repository.claimed_keys(
            session, ctx, JOB_PREFIX + self.name, [row.item.id for row in rows]
        )
        outcome.skipped += sum(row.item.id in seen for row in rows)
        rows = [row for row in rows if row.item.id not in seen]
        lines = [line for row in rows for line in row.item.balance]
        reward_types = await rewards.reward_types(session, ctx, {line.reward_id for line in lines})
        brand_ids = await known_brands(session, ctx, {line.brand_id for line in lines})
        unknown_tiers = await tiers.unknown_tiers(session, ctx, _tier_ids(rows))
        valid = []
        for row in rows:
            problem = _unknown_reference(row.item, reward_types, brand_ids, unknown_tiers)
            if problem is not None:
                outcome.refuse(row, problem)
            else:
                valid.append(row)
        results = await customers.register_many(session, ctx, [row.item for row in valid])
        registered = []
        for row, result in zip(valid, results, strict=True):
            if isinstance(result, AppError):
                outcome.refuse(row, RowProblem.of(result))
            else:
                registered.append(row)
        chosen = await not_yet_imported(session, ctx, JOB_PREFIX + self.name, registered, outcome, job_id)
        if not chosen:
            return outcome
        known = await customers.find_many(session, ctx, [row.item.id for row in chosen], for_update=True)
        wallets = await ledger.wallet_ids(session, ctx, [customer.id for customer in known.values()])
        locked = await ledger.lock_wallets(session, ctx, list(wallets.values()))
        for row in chosen:
            customer = known[row.item.id]
            accruals = [_accrual(line, reward_types[line.reward_id]) for line in row.item.balance]
            if accruals:
                locked.accumulate(wallets[customer.id], accruals, kind=TransactionType.MIGRATION)
            _adopt_metrics(customer, row.item)
            outcome.imported += 1
        await locked.flush(session)
        await session.flush()
        return outcome


class TransactionMigration:
    name = "transactions"
    columns = Columns(required=("id", "transactions"))

    def parse(self, row: dict[str, Any]) -> CustomerHistory:
        history = validated(CustomerHistory, row)
        for index, transaction in enumerate(history.transactions):
            if transaction.amount == 0:
                raise RowProblem(f"transactions.{index}.amount", "must not be 0")
        return history

    def reference(self, row: dict[str, Any]) -> str | None:
        return _text(row.get("id"))

    async def apply(
        self, session: AsyncSession, ctx: AuthContext, rows: Sequence[Parsed[CustomerHistory]], job_id: str
    ) -> Outcome:
        outcome = Outcome()
        movements = [transaction for row in rows for transaction in row.item.transactions]
        known = await customers.find_many(session, ctx, [row.item.id for row in rows], for_update=True)
        reward_types = await rewards.reward_types(session, ctx, {item.reward_id for item in movements})
        brand_ids = await known_brands(session, ctx, {item.brand_id for item in movements})
        wallets = await ledger.wallet_ids(session, ctx, [customer.id for customer in known.values()])
        locked = await ledger.lock_wallets(session, ctx, list(wallets.values()))
        valid: list[tuple[Parsed[CustomerHistory], str, list[str]]] = []
        for row in rows:
            customer = known.get(row.item.id)
            problem = (
                RowProblem("id", "no customer with this id in your account")
                if customer is None
                else _history_problem(row.item, reward_types, brand_ids)
            )
            if problem is None and customer is not None:
                balance = {
                    total.reward_id: total.total
                    for total in ledger.totals_of(locked.lines[wallets[customer.id]], locked.now)
                }
                problem = _mismatch(row.item, balance)
            if problem is not None:
                outcome.refuse(row, problem)
            else:
                valid.append((row, wallets[known[row.item.id].id], _movement_keys(row.item)))
        fresh = await repository.claim_keys(
            session, ctx, JOB_PREFIX + self.name, [key for *_, keys in valid for key in keys], job_id
        )
        written: list[ledger.PastMovement] = []
        for row, wallet_id, keys in valid:
            new = [
                _movement(wallet_id, transaction, reward_types[transaction.reward_id])
                for transaction, key in zip(row.item.transactions, keys, strict=True)
                if key in fresh
            ]
            written += new
            if new:
                outcome.imported += 1
            else:
                outcome.skipped += 1
        await ledger.record_history(session, ctx, written)
        return outcome


# Internals.


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _tier_ids(rows: Sequence[Parsed[MigratedCustomer]]) -> set[str]:
    return {
        period.tier_id
        for row in rows
        for period in (row.item.metrics or {}).values()
        if period.tier_id is not None
    }


def _unknown_reference(
    customer: MigratedCustomer, reward_types: dict[str, str], brand_ids: set[str], unknown_tiers: set[str]
) -> RowProblem | None:
    for index, line in enumerate(customer.balance):
        if line.reward_id not in reward_types:
            return RowProblem(f"balance.{index}.reward_id", "no reward with this id in your account")
        if line.brand_id is not None and line.brand_id not in brand_ids:
            return RowProblem(f"balance.{index}.brand_id", "no brand with this id in your account")
    for name, period in (customer.metrics or {}).items():
        if period.tier_id in unknown_tiers:
            return RowProblem(f"metrics.{name}.tier_id", "no tier with this id in your account")
    return None


def _accrual(line: BalanceLine, reward_type: str) -> ledger.Accrual:
    entry = ledger.Entry(
        brand_id=line.brand_id,
        channel_id=line.channel_id,
        store_id=line.store_id,
        funded_by=line.funded_by,
        reward_type=reward_type,
        details=MIGRATED_BALANCE,
    )
    return ledger.Accrual(line.reward_id, line.amount, entry, line.expiration_date, line.issued_at)


def _adopt_metrics(customer: Customer, migrated: MigratedCustomer) -> None:
    """The vendor's metrics, period by period; a period the customer already has here is kept (a customer
    who signed up here before the migration). The customer's tier is lifetime's `tier_id` when they have
    none yet."""
    if not migrated.metrics:
        return
    periods = {name: _period_json(period) for name, period in migrated.metrics.items()}
    customer.metrics = {**periods, **(customer.metrics or {})}
    lifetime = migrated.metrics.get("lifetime")
    if customer.tier_id is None and lifetime is not None and lifetime.tier_id is not None:
        customer.tier_id = lifetime.tier_id


def _period_json(period: MetricsPeriod) -> dict[str, Any]:
    """As live metrics keep a period: amounts as decimal strings, counts as integers, dates in ISO."""
    shown: dict[str, Any] = {}
    for name, value in period.model_dump(by_alias=True, exclude_none=True).items():
        if isinstance(value, datetime):
            shown[name] = value.isoformat()
        elif isinstance(value, Decimal):
            shown[name] = str(value)
        else:
            shown[name] = value
    return shown


def _history_problem(
    history: CustomerHistory, reward_types: dict[str, str], brand_ids: set[str]
) -> RowProblem | None:
    for index, transaction in enumerate(history.transactions):
        if transaction.reward_id not in reward_types:
            return RowProblem(f"transactions.{index}.reward_id", "no reward with this id in your account")
        if transaction.brand_id is not None and transaction.brand_id not in brand_ids:
            return RowProblem(f"transactions.{index}.brand_id", "no brand with this id in your account")
    return None


def _mismatch(history: CustomerHistory, balance: dict[str, Decimal]) -> RowProblem | None:
    """A problem when the history does not sum, reward by reward, to the customer's balance."""
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for transaction in history.transactions:
        sums[transaction.reward_id] += transaction.amount
    for reward_id in sorted(set(sums) | set(balance)):
        summed, held = sums.get(reward_id, Decimal(0)), balance.get(reward_id, Decimal(0))
        if summed != held:
            return RowProblem(
                "transactions",
                f"sum to {summed.normalize():f} of reward {reward_id}, but the customer's balance of it is "
                f"{held.normalize():f}; nothing was written for this customer",
            )
    return None


def _movement_keys(history: CustomerHistory) -> list[str]:
    """Each movement's identity: what it says, and which repetition of it this is (two equal movements
    of one history are two movements)."""
    seen: Counter[str] = Counter()
    keys = []
    for transaction in history.transactions:
        said = content_key(
            history.id,
            transaction.reward_id,
            transaction.type,
            transaction.amount.normalize(),
            transaction.issued_at.isoformat(),
            transaction.brand_id,
            transaction.store_id,
            transaction.channel_id,
            transaction.details,
        )
        seen[said] += 1
        keys.append(content_key(said, seen[said]))
    return keys


def _movement(wallet_id: str, transaction: PastTransaction, reward_type: str) -> ledger.PastMovement:
    metadata: dict[str, Any] = {}
    if transaction.resolved_at is not None:
        metadata["resolved_at"] = transaction.resolved_at.isoformat()
    if transaction.event is not None:
        metadata["event"] = transaction.event
    entry = ledger.Entry(
        brand_id=transaction.brand_id,
        channel_id=transaction.channel_id,
        store_id=transaction.store_id,
        funded_by=transaction.funded_by,
        reward_type=reward_type,
        cost=transaction.cost,
        details=transaction.details,
        metadata=metadata,
    )
    return ledger.PastMovement(
        wallet_id,
        transaction.reward_id,
        TransactionType(transaction.type.value),
        transaction.amount,
        transaction.issued_at,
        entry,
    )


register(JOB_PREFIX + "customers", ImportRows(CustomerMigration()))
register(JOB_PREFIX + "transactions", ImportRows(TransactionMigration()))
# Migrated events are the events importer's rows: one identity (id, or purchase_id) for both.
register(JOB_PREFIX + "events", ImportRows(EventImporter()))
