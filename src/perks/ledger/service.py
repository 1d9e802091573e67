"""Wallet operations for the engines (events, coupons, referrals, migration): accumulate, redeem,
reserve / fulfill / release, reverse and expire. Services never commit; a raised error leaves the
caller's transaction to be rolled back.

Every operation first locks the wallet (one conditional UPDATE of its version) and settles it: expired
reservations go back to their source lines and expired lines write EXPIRATION transactions. So the
totals are right at any moment, whether or not the expiry job has run.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, TypedDict

from sqlalchemy.ext.asyncio import AsyncSession

from perks.errors import Conflict, NotFound, Unprocessable, invalid
from perks.kit import clock
from perks.kit.ids import new_id
from perks.kit.money import SCALE, plain_number
from perks.ledger import repository
from perks.ledger.models import (
    LedgerTransaction,
    Line,
    LineRow,
    OriginalRow,
    Transaction,
    TransactionRow,
    TransactionType,
    Wallet,
    WalletLine,
)
from perks.sql import Runner, runner_of
from perks.tenancy import repository as tenancy_repository
from perks.tenancy.context import AuthContext, KeyKind

DEFAULT_RESERVATION = timedelta(hours=24)
MAX_AMOUNT = Decimal(10) ** 12  # well inside what a scaled 64-bit integer can hold
_SMALLEST = Decimal(1).scaleb(-SCALE)
_REVERSIBLE = {TransactionType.ACCUMULATION, TransactionType.MIGRATION, TransactionType.REDEMPTION}


class InsufficientBalance(Unprocessable):
    def __init__(self, reward_id: str, available: Decimal, wanted: Decimal) -> None:
        super().__init__(
            f"Reward {reward_id} has {available} available, {wanted} requested",
            title="Insufficient balance",
            extra={"reward_id": reward_id},
        )


class RewardsSpent(Conflict):
    def __init__(self) -> None:
        super().__init__("The rewards have already been spent", title="Internal validation failed")


class RewardsReserved(Conflict):
    def __init__(self) -> None:
        super().__init__("The rewards are currently reserved", title="Internal validation failed")


class AlreadyReversed(Conflict):
    def __init__(self) -> None:
        super().__init__("This transaction has already been reversed", title="Internal validation failed")


class ReservationNotActive(Conflict):
    def __init__(self, reservation_id: str) -> None:
        super().__init__(
            f"Reservation {reservation_id} has expired or was already settled", title="Reservation not active"
        )


@dataclass(frozen=True)
class Entry:
    """Why a movement happened: the descriptive fields its transactions carry."""

    campaign_id: str | None = None
    brand_id: str | None = None
    event_id: str | None = None
    event_type: str | None = None
    channel_id: str | None = None
    store_id: str | None = None
    funded_by: str | None = None
    reward_type: str | None = None
    cost: Decimal | None = None
    details: str | None = None
    campaign_name: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    def of_campaign(self, campaign_id: str, funded_by: str | None, campaign_name: str) -> Entry:
        return self._but(campaign_id=campaign_id, funded_by=funded_by, campaign_name=campaign_name)

    def of_reward_type(self, reward_type: str | None) -> Entry:
        return self._but(reward_type=reward_type)

    def _but(self, **changes: Any) -> Entry:
        """dataclasses.replace without re-running the frozen __init__ (a fifth of its cost; an event
        makes a few of these for every effect it grants)."""
        changed = object.__new__(Entry)
        changed.__dict__.update(self.__dict__, **changes)
        return changed


NO_ENTRY = Entry()


@dataclass(frozen=True)
class Total:
    reward_id: str
    total: Decimal
    expiration_date: datetime | None


@dataclass(frozen=True)
class WalletView:
    wallet_id: str
    lines: Sequence[Line]
    totals: Sequence[Total]


def system_context(account_id: str) -> AuthContext:
    """The context the expiry job works in, one account at a time."""
    return AuthContext(account_id=account_id, key_id="system", kind=KeyKind.SERVER)


def exact_amount(value: Decimal, name: str = "amount") -> Decimal:
    """A positive amount the ledger can hold exactly (at most 4 decimal places)."""
    if not value.is_finite() or value <= 0:
        raise invalid(name, "must be greater than 0")
    if value > MAX_AMOUNT:
        raise invalid(name, f"must be at most {MAX_AMOUNT}")
    if value != value.quantize(_SMALLEST):
        raise invalid(name, f"must have at most {SCALE} decimal places")
    return value


async def open_wallet(session: AsyncSession, ctx: AuthContext, customer_id: str) -> Wallet:
    wallet = Wallet(account_id=ctx.account_id, customer_id=customer_id, version=0, created_at=clock.now())
    await repository.add(session, wallet)
    return wallet


async def open_wallets(session: AsyncSession, ctx: AuthContext, customer_ids: Sequence[str]) -> None:
    """open_wallet for many new customers at once (imports)."""
    await repository.insert_wallets(session, ctx, customer_ids, clock.now())


async def wallet_ids(session: AsyncSession, ctx: AuthContext, customer_ids: Sequence[str]) -> dict[str, str]:
    """{customer id: wallet id} of the customers that have a wallet."""
    wallets = await repository.wallets_of_customers(session, ctx, customer_ids)
    return {wallet.customer_id: wallet.id for wallet in wallets}


async def wallet_of(session: AsyncSession, ctx: AuthContext, customer_id: str) -> Wallet:
    wallet = await repository.wallet_of_customer(session, ctx, customer_id)
    if wallet is None:
        raise NotFound("Wallet not found", title="Wallet not found")
    return wallet


@dataclass(frozen=True)
class Accrual:
    """One batch to add: `amount` of `reward_id`, described by `entry`."""

    reward_id: str
    amount: Decimal
    entry: Entry = NO_ENTRY
    expiration_date: datetime | None = None
    issued_at: datetime | None = None


async def accumulate(
    session: AsyncSession,
    ctx: AuthContext,
    wallet_id: str,
    reward_id: str,
    amount: Decimal,
    *,
    entry: Entry = NO_ENTRY,
    expiration_date: datetime | None = None,
    issued_at: datetime | None = None,
    kind: TransactionType = TransactionType.ACCUMULATION,
) -> TransactionRow:
    """Add a new batch of `reward_id` and its ACCUMULATION (or MIGRATION / TRANSFER) transaction."""
    accrual = Accrual(reward_id, amount, entry, expiration_date, issued_at)
    [transaction] = await accumulate_many(session, ctx, wallet_id, [accrual], kind=kind)
    return transaction


async def accumulate_many(
    session: AsyncSession,
    ctx: AuthContext,
    wallet_id: str,
    accruals: Sequence[Accrual],
    *,
    kind: TransactionType = TransactionType.ACCUMULATION,
) -> list[TransactionRow]:
    """Add several batches under one wallet lock and one write (an event granting several effects)."""
    if not accruals:
        return []
    for accrual in accruals:
        exact_amount(accrual.amount)
    wallets = await lock_wallets(session, ctx, [wallet_id])
    transactions = wallets.accumulate(wallet_id, accruals, kind=kind)
    await wallets.flush(session)
    return transactions


@dataclass
class LockedWallets:
    """Wallets locked for the caller's transaction and settled to `now`, with their open lines in memory.
    `accumulate` adds batches in memory (the views see them at once); `flush` writes every new line and
    transaction in two statements, whatever the number of wallets: the group-committed event path
    accumulates for a whole batch of events this way."""

    ctx: AuthContext
    now: datetime
    lines: dict[str, list[Line]]
    _new_lines: list[LineRow] = field(default_factory=list)
    _new_transactions: list[TransactionRow] = field(default_factory=list)

    def accumulate(
        self,
        wallet_id: str,
        accruals: Sequence[Accrual],
        *,
        kind: TransactionType = TransactionType.ACCUMULATION,
    ) -> list[TransactionRow]:
        transactions = []
        for accrual in accruals:
            amount = exact_amount(accrual.amount)
            line = LineRow(
                id=new_id(),
                account_id=self.ctx.account_id,
                wallet_id=wallet_id,
                reward_id=accrual.reward_id,
                campaign_id=accrual.entry.campaign_id,
                brand_id=accrual.entry.brand_id,
                event_id=accrual.entry.event_id,
                amount=amount,
                remaining=amount,
                issued_at=accrual.issued_at or self.now,
                expiration_date=accrual.expiration_date,
                reservation_id=None,
                reservation_expires_at=None,
                source_line_id=None,
                created_at=self.now,
            )
            transaction = TransactionRow(
                **_transaction_fields(self.ctx, line, kind, amount, accrual.entry, self.now)
            )
            self.lines[wallet_id].append(line)
            self._new_lines.append(line)
            self._new_transactions.append(transaction)
            transactions.append(transaction)
        return transactions

    def view(self, wallet_id: str) -> WalletView:
        lines = sorted(self.lines[wallet_id], key=lambda line: (line.issued_at, line.id))
        return WalletView(wallet_id=wallet_id, lines=lines, totals=totals_of(lines, self.now))

    async def flush(self, session: AsyncSession) -> None:
        runner = await runner_of(session)
        await repository.write_rows(runner, WalletLine, self._new_lines)
        await repository.write_rows(runner, LedgerTransaction, self._new_transactions)
        self._new_lines, self._new_transactions = [], []


async def lock_wallets(session: AsyncSession, ctx: AuthContext, wallet_ids: Sequence[str]) -> LockedWallets:
    """Lock the wallets (one UPDATE), read their open lines (one SELECT) and settle those with something
    due (rare: a lapsed reservation or an expired line since the wallet was last touched)."""
    now = clock.now()
    wanted = sorted(set(wallet_ids))
    runner = await runner_of(session)
    if len(await repository.lock_wallets_with(runner, ctx, wanted)) != len(wanted):
        raise NotFound("Wallet not found", title="Wallet not found")
    lines: dict[str, list[Line]] = {wallet_id: [] for wallet_id in wanted}
    for line in await repository.read_open_lines_of(runner, ctx, wanted):
        lines[line.wallet_id].append(line)
    due = [wallet_id for wallet_id in wanted if any(_due(line, now) for line in lines[wallet_id])]
    for wallet_id in due:
        await _settle(session, ctx, wallet_id, now)
        lines[wallet_id] = list(await repository.open_lines(session, ctx, wallet_id))
    return LockedWallets(ctx, now, lines)


@dataclass(frozen=True)
class PastMovement:
    """One movement of a wallet's history kept by another system (a migration): it explains how the
    balance brought in came to be and moves no line."""

    wallet_id: str
    reward_id: str
    kind: TransactionType
    amount: Decimal
    issued_at: datetime
    entry: Entry = NO_ENTRY


async def record_history(session: AsyncSession, ctx: AuthContext, movements: Sequence[PastMovement]) -> None:
    """Write the movements as transactions in one statement. They touch no line (`line_id` is empty and
    `attributes.migrated` is true), so they stand beside the line invariant: the balance they explain
    arrived as the MIGRATION lines of the customers' migration."""
    if not movements:
        return
    now = clock.now()
    rows = [
        TransactionRow(
            id=new_id(),
            account_id=ctx.account_id,
            wallet_id=movement.wallet_id,
            line_id="",
            type=movement.kind.value,
            amount=movement.amount,
            reward_id=movement.reward_id,
            campaign_id=movement.entry.campaign_id,
            brand_id=movement.entry.brand_id,
            event_id=None,
            event_type=movement.entry.event_type,
            channel_id=movement.entry.channel_id,
            store_id=movement.entry.store_id,
            funded_by=movement.entry.funded_by,
            reward_type=movement.entry.reward_type,
            cost=movement.entry.cost,
            details=movement.entry.details,
            attributes={"migrated": True},
            metadata_=dict(movement.entry.metadata),
            issued_at=movement.issued_at,
            created_at=now,
        )
        for movement in movements
    ]
    await repository.write_rows(await runner_of(session), LedgerTransaction, rows)


async def redeem(
    session: AsyncSession,
    ctx: AuthContext,
    wallet_id: str,
    reward_id: str,
    amount: Decimal,
    *,
    entry: Entry = NO_ENTRY,
) -> list[LedgerTransaction]:
    """Spend `amount` from the lines that expire first: one REDEMPTION transaction per line touched."""
    now = await _locked(session, ctx, wallet_id)
    slices = await _plan(session, ctx, wallet_id, reward_id, exact_amount(amount), entry.brand_id, now)
    return await _debit(session, ctx, slices, TransactionType.REDEMPTION, entry, now)


async def reserve(
    session: AsyncSession,
    ctx: AuthContext,
    wallet_id: str,
    reward_id: str,
    amount: Decimal,
    reservation_id: str,
    *,
    days: int | None = None,
    brand_id: str | None = None,
) -> list[WalletLine]:
    """Set `amount` aside (from the lines that expire first) until `fulfill` spends it or `release` or
    the reservation's expiry (24 hours, or `days`) gives it back. No transaction is written."""
    now = await _locked(session, ctx, wallet_id)
    slices = await _plan(session, ctx, wallet_id, reward_id, exact_amount(amount), brand_id, now)
    until = now + (timedelta(days=days) if days else DEFAULT_RESERVATION)
    held = []
    for line, part in slices:
        await _take(session, ctx, line, part)
        held.append(_reserved_line(line, part, reservation_id, until, now))
    await repository.add(session, *held)
    return held


async def fulfill(
    session: AsyncSession, ctx: AuthContext, reservation_id: str, *, entry: Entry = NO_ENTRY
) -> list[LedgerTransaction]:
    """Spend what `reservation_id` holds: a REDEMPTION transaction per reserved line."""
    now, lines = await _active_reservation(session, ctx, reservation_id)
    slices = [(line, line.remaining) for line in lines]
    return await _debit(session, ctx, slices, TransactionType.REDEMPTION, entry, now)


async def release(session: AsyncSession, ctx: AuthContext, reservation_id: str) -> Decimal:
    """Give what `reservation_id` holds back to its source lines. Returns the amount released."""
    _now, lines = await _active_reservation(session, ctx, reservation_id)
    return await _give_back(session, ctx, lines)


async def reverse(
    session: AsyncSession, ctx: AuthContext, transaction_ids: Sequence[str], *, details: str | None = None
) -> list[LedgerTransaction]:
    """Undo accumulations and redemptions with REVERSAL transactions; the originals stay as they were.
    An accumulation can be reversed only while its batch is intact (not spent, expired or reserved)."""
    originals = await repository.transactions_by_id(session, ctx, transaction_ids)
    if len(originals) != len(set(transaction_ids)):
        raise NotFound("Transaction not found", title="Transaction not found")
    reversals = []
    for wallet_id in sorted({original.wallet_id for original in originals}):
        now = await _locked(session, ctx, wallet_id)
        # Give redemptions back before taking accumulations away: an event that earned and spent the same
        # points can then be undone whole.
        mine = sorted(
            (original for original in originals if original.wallet_id == wallet_id),
            key=lambda original: original.type != TransactionType.REDEMPTION,
        )
        if await repository.reversed_ids(session, ctx, [original.id for original in mine]):
            raise AlreadyReversed()
        for original in mine:
            reversals.append(await _reverse_one(session, ctx, original, details, now))
    await repository.add(session, *reversals)
    return reversals


async def reverse_event(
    session: AsyncSession, ctx: AuthContext, event_id: str, *, details: str | None = None
) -> list[LedgerTransaction]:
    """Undo what an event did: release what it still holds reserved (its id is the reservation id), then
    reverse its accumulations and redemptions that are not reversed yet."""
    with suppress(ReservationNotActive):
        await release(session, ctx, event_id)
    reversible = [
        transaction.id
        for transaction in await repository.event_transactions(session, ctx, event_id)
        if transaction.type in _REVERSIBLE
    ]
    already = await repository.reversed_ids(session, ctx, reversible)
    pending = [transaction_id for transaction_id in reversible if transaction_id not in already]
    return await reverse(session, ctx, pending, details=details) if pending else []


async def reverse_event_in(
    session: AsyncSession, ctx: AuthContext, event_id: str, wallet_id: str, *, details: str | None = None
) -> Sequence[Transaction]:
    """reverse_event for an event that moved only `wallet_id` (a coupon redemption: its customer's wallet),
    on perks.sql: the wallet locked and settled first, then the event's transactions not reversed yet and
    their lines in one read (under the lock, so no other reversal can come between), one UPDATE per line
    and one INSERT of the reversals. An event that still holds a reservation in the wallet, or moved
    another wallet, goes through reverse_event."""
    wallets = await lock_wallets(session, ctx, [wallet_id])
    if any(line.reservation_id == event_id for line in wallets.lines[wallet_id]):
        return await reverse_event(session, ctx, event_id, details=details)
    runner = await runner_of(session)
    pending = await repository.read_unreversed(runner, ctx, event_id)
    if any(original.wallet_id != wallet_id for original, _line in pending):
        return await reverse_event(session, ctx, event_id, details=details)
    # As reverse: redemptions given back before accumulations are taken away (a stable sort on id order).
    pending.sort(key=lambda item: item[0].type != TransactionType.REDEMPTION)
    rows: list[TransactionRow] = []
    for original, line in pending:
        if original.type == TransactionType.REDEMPTION:
            await repository.give_with(runner, ctx, line.source_line_id or line.id, -original.amount)
        elif not await repository.take_with(runner, ctx, line.id, original.amount):
            if await repository.has_active_reservation_from(session, ctx, line.id, wallets.now):
                raise RewardsReserved()
            raise RewardsSpent()
        entry = _reversal_entry(original, details)
        fields = _transaction_fields(
            ctx, line, TransactionType.REVERSAL, -original.amount, entry, wallets.now
        )
        fields["attributes"] = {**fields["attributes"], "reversed_transaction_id": original.id}
        rows.append(TransactionRow(**fields, reverses_id=original.id))
    await repository.write_rows(runner, LedgerTransaction, rows)
    return rows


async def settle(session: AsyncSession, ctx: AuthContext, wallet_id: str) -> list[LedgerTransaction]:
    """Bring a wallet up to the clock: release expired reservations, expire due lines. Takes the wallet's
    lock only when something is due, so a read of a settled wallet writes nothing."""
    now = clock.now()
    lines = await repository.open_lines(session, ctx, wallet_id)
    if not any(_due(line, now) for line in lines):
        return []
    return await _lock_and_settle(session, ctx, wallet_id, now)


async def settled_view(session: AsyncSession, ctx: AuthContext, wallet: Wallet) -> WalletView:
    """`settle` then `view`, reading the lines once when nothing is due (a read of a settled wallet)."""
    now = clock.now()
    lines = await repository.open_lines(session, ctx, wallet.id)
    if any(_due(line, now) for line in lines):
        await _lock_and_settle(session, ctx, wallet.id, now)
        lines = await repository.open_lines(session, ctx, wallet.id)
    return WalletView(wallet_id=wallet.id, lines=lines, totals=totals_of(lines, now))


async def due_wallets(session: AsyncSession, *, batch: int = 500) -> list[tuple[str, str]]:
    """(account id, wallet id) of wallets with an expired line or reservation, account by account."""
    due: list[tuple[str, str]] = []
    for account_id in await tenancy_repository.account_ids(session):
        wallets = await repository.wallets_with_due_lines(
            session, system_context(account_id), clock.now(), batch
        )
        due.extend((account_id, wallet_id) for wallet_id in wallets)
    return due


async def view(session: AsyncSession, ctx: AuthContext, wallet: Wallet) -> WalletView:
    """Lines with something left and per-reward totals over unexpired, unreserved lines."""
    now = clock.now()
    lines = await repository.open_lines(session, ctx, wallet.id)
    return WalletView(wallet_id=wallet.id, lines=lines, totals=totals_of(lines, now))


async def read_view(runner: Runner, ctx: AuthContext, wallet_id: str) -> WalletView:
    """The wallet as settling it now would leave it, read without settling (no lock, no write): a read
    transaction beside the writer. Expiry rows are written by the next change of the wallet or by the
    expiry job; what is shown is exact at read time either way."""
    now = clock.now()
    lines = await repository.read_open_lines(runner, ctx, wallet_id)
    held = {line.id for line in lines}
    missing = [
        line.source_line_id
        for line in lines
        if _reserved(line) and _due(line, now) and line.source_line_id and line.source_line_id not in held
    ]
    sources = await repository.read_lines(runner, ctx, missing) if missing else []
    shown = settled_lines(lines, sources, now)
    return WalletView(wallet_id=wallet_id, lines=shown, totals=totals_of(shown, now))


def settled_lines(lines: Sequence[Line], sources: Sequence[Line], now: datetime) -> list[Line]:
    """The open lines as `_settle` would leave them at `now`, computed without writing: what a lapsed
    reservation holds is back on its source line (`sources`: those with nothing left, read apart), and
    expired lines outside a reservation are gone. Oldest first, as the lines are read."""
    if not any(_due(line, now) for line in lines):
        return list(lines)
    by_id = {line.id: line for line in [*sources, *lines]}
    remaining = {line_id: line.remaining for line_id, line in by_id.items()}
    for line in lines:
        if _reserved(line) and _due(line, now):  # _give_back: the amount returns to its source
            amount = remaining[line.id]
            remaining[line.id] = Decimal(0)
            target = line.source_line_id or line.id
            remaining[target] = remaining.get(target, Decimal(0)) + amount
    shown = []
    for line_id, line in by_id.items():
        left = remaining[line_id]
        if left <= 0 or (not _reserved(line) and _expired(line, now)):  # expired: an EXPIRATION's to write
            continue
        line.remaining = left
        shown.append(line)
    return sorted(shown, key=lambda line: (line.issued_at, line.id))


def totals_of(lines: Sequence[Line], now: datetime) -> list[Total]:
    sums: dict[str, Decimal] = defaultdict(Decimal)
    soonest: dict[str, datetime | None] = {}
    for line in lines:
        if not _available(line, now):
            continue
        sums[line.reward_id] += line.remaining
        current = soonest.get(line.reward_id)
        if line.expiration_date is not None and (current is None or line.expiration_date < current):
            soonest[line.reward_id] = line.expiration_date
        else:
            soonest.setdefault(line.reward_id, current)
    return [Total(reward_id, sums[reward_id], soonest.get(reward_id)) for reward_id in sorted(sums)]


# Internals.


async def _locked(session: AsyncSession, ctx: AuthContext, wallet_id: str) -> datetime:
    """Lock the wallet for this transaction and settle it; every change starts here."""
    now = clock.now()
    await _lock_and_settle(session, ctx, wallet_id, now)
    return now


async def _lock_and_settle(
    session: AsyncSession, ctx: AuthContext, wallet_id: str, now: datetime
) -> list[LedgerTransaction]:
    if not await repository.lock_wallet(session, ctx, wallet_id):
        raise NotFound("Wallet not found", title="Wallet not found")
    return await _settle(session, ctx, wallet_id, now)


async def _settle(
    session: AsyncSession, ctx: AuthContext, wallet_id: str, now: datetime
) -> list[LedgerTransaction]:
    lines = await repository.open_lines(session, ctx, wallet_id)
    lapsed = [line for line in lines if _reserved(line) and _due(line, now)]
    if lapsed:
        await _give_back(session, ctx, lapsed)
        lines = await repository.open_lines(session, ctx, wallet_id)
    due = [(line, line.remaining) for line in lines if not _reserved(line) and _due(line, now)]
    return await _debit(session, ctx, due, TransactionType.EXPIRATION, NO_ENTRY, now)


async def _debit(
    session: AsyncSession,
    ctx: AuthContext,
    slices: Sequence[tuple[WalletLine, Decimal]],
    kind: TransactionType,
    entry: Entry,
    now: datetime,
) -> list[LedgerTransaction]:
    """Take each part from its line and write the (negative) transaction that says so."""
    transactions = []
    for line, part in slices:
        await _take(session, ctx, line, part)
        transactions.append(_transaction(ctx, line, kind, -part, entry, now))
    await repository.add(session, *transactions)
    return transactions


async def _plan(
    session: AsyncSession,
    ctx: AuthContext,
    wallet_id: str,
    reward_id: str,
    amount: Decimal,
    brand_id: str | None,
    now: datetime,
) -> list[tuple[WalletLine, Decimal]]:
    """Which lines pay for `amount`: soonest expiry first, never-expiring last, then oldest."""
    candidates = [
        line
        for line in await repository.open_lines(session, ctx, wallet_id)
        if line.reward_id == reward_id
        and _available(line, now)
        and (brand_id is None or line.brand_id in (None, brand_id))
    ]
    candidates.sort(
        key=lambda line: (line.expiration_date is None, line.expiration_date or now, line.issued_at)
    )
    available = sum((line.remaining for line in candidates), Decimal(0))
    if available < amount:
        raise InsufficientBalance(reward_id, available, amount)
    slices: list[tuple[WalletLine, Decimal]] = []
    left = amount
    for line in candidates:
        if left <= 0:
            break
        part = min(left, line.remaining)
        slices.append((line, part))
        left -= part
    return slices


async def _take(session: AsyncSession, ctx: AuthContext, line: WalletLine, amount: Decimal) -> None:
    if not await repository.take(session, ctx, line.id, amount):
        # Unreachable while the wallet lock is held; refuse rather than overdraw.
        raise Conflict("The wallet changed during the operation; try again", title="Conflict")


async def _give_back(session: AsyncSession, ctx: AuthContext, lines: Sequence[WalletLine]) -> Decimal:
    released = Decimal(0)
    for line in lines:
        amount = line.remaining
        await _take(session, ctx, line, amount)
        await repository.give(session, ctx, line.source_line_id or line.id, amount)
        released += amount
    return released


async def _active_reservation(
    session: AsyncSession, ctx: AuthContext, reservation_id: str
) -> tuple[datetime, Sequence[WalletLine]]:
    lines = await repository.reserved_lines(session, ctx, reservation_id)
    if not lines:
        raise ReservationNotActive(reservation_id)
    now = await _locked(session, ctx, lines[0].wallet_id)
    lines = await repository.reserved_lines(session, ctx, reservation_id)
    if not lines:
        raise ReservationNotActive(reservation_id)
    return now, lines


async def _reverse_one(
    session: AsyncSession, ctx: AuthContext, original: LedgerTransaction, details: str | None, now: datetime
) -> LedgerTransaction:
    if original.type not in _REVERSIBLE:
        raise Conflict(f"{original.type} transactions cannot be reversed", title="Internal validation failed")
    line = await repository.get_line(session, ctx, original.line_id)
    assert line is not None  # a transaction always points at its line
    if original.type == TransactionType.REDEMPTION:
        await repository.give(session, ctx, line.source_line_id or line.id, -original.amount)
    elif not await repository.take(session, ctx, line.id, original.amount):
        if await repository.has_active_reservation_from(session, ctx, line.id, now):
            raise RewardsReserved()
        raise RewardsSpent()
    entry = _reversal_entry(original, details)
    reversal = _transaction(ctx, line, TransactionType.REVERSAL, -original.amount, entry, now)
    reversal.reverses_id = original.id
    reversal.attributes = {**reversal.attributes, "reversed_transaction_id": original.id}
    return reversal


def _reserved_line(
    source: WalletLine, amount: Decimal, reservation_id: str, until: datetime, now: datetime
) -> WalletLine:
    return WalletLine(
        id=new_id(),
        account_id=source.account_id,
        wallet_id=source.wallet_id,
        reward_id=source.reward_id,
        campaign_id=source.campaign_id,
        brand_id=source.brand_id,
        event_id=source.event_id,
        amount=amount,
        remaining=amount,
        issued_at=source.issued_at,
        expiration_date=source.expiration_date,
        reservation_id=reservation_id,
        reservation_expires_at=until,
        source_line_id=source.id,
        created_at=now,
    )


def _transaction(
    ctx: AuthContext, line: Line, kind: TransactionType, amount: Decimal, entry: Entry, now: datetime
) -> LedgerTransaction:
    return LedgerTransaction(**_transaction_fields(ctx, line, kind, amount, entry, now))


def _transaction_fields(
    ctx: AuthContext, line: Line, kind: TransactionType, amount: Decimal, entry: Entry, now: datetime
) -> dict[str, Any]:
    attributes: dict[str, Any] = {"line": line_json(line, line.amount)}
    if entry.campaign_name is not None:
        attributes["campaign_name"] = entry.campaign_name
    return dict(
        id=new_id(),
        account_id=ctx.account_id,
        wallet_id=line.wallet_id,
        line_id=line.id,
        type=kind.value,
        amount=amount,
        reward_id=line.reward_id,
        campaign_id=entry.campaign_id or line.campaign_id,
        brand_id=entry.brand_id or line.brand_id,
        event_id=entry.event_id,
        event_type=entry.event_type,
        channel_id=entry.channel_id,
        store_id=entry.store_id,
        funded_by=entry.funded_by,
        reward_type=entry.reward_type,
        cost=entry.cost,
        details=entry.details,
        attributes=attributes,
        metadata_=dict(entry.metadata),
        issued_at=line.issued_at if kind is TransactionType.ACCUMULATION else now,
        created_at=now,
    )


class LineJSON(TypedDict):
    """A wallet line as its transaction stores it (`attributes["line"]`) and as events' results, coupon
    redemptions and webhooks show it: amounts as numbers, dates as ISO strings."""

    id: str
    amount: int | float
    reward_id: str
    campaign_id: str | None
    brand_id: str | None
    issued_at: str | None
    expiration_date: str | None
    reservation_expires_at: str | None


def line_json(line: Line, amount: Decimal) -> LineJSON:
    """A line, JSON-ready (amounts as numbers, dates as ISO strings), showing `amount`."""
    return {
        "id": line.id,
        "amount": plain_number(amount),
        "reward_id": line.reward_id,
        "campaign_id": line.campaign_id,
        "brand_id": line.brand_id,
        "issued_at": _iso(line.issued_at),
        "expiration_date": _iso(line.expiration_date),
        "reservation_expires_at": _iso(line.reservation_expires_at),
    }


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else clock.as_utc(moment).isoformat()


def _reserved(line: Line) -> bool:
    return line.reservation_id is not None


def _reservation_active(line: Line, now: datetime) -> bool:
    return line.reservation_expires_at is not None and line.reservation_expires_at > now


def _expired(line: Line, now: datetime) -> bool:
    return line.expiration_date is not None and line.expiration_date <= now


def _due(line: Line, now: datetime) -> bool:
    """Settling would change it: a lapsed reservation, or an expired line outside any reservation."""
    if _reserved(line):
        return not _reservation_active(line, now)
    return _expired(line, now)


def _available(line: Line, now: datetime) -> bool:
    """Counts in the totals: not expired, and not held by a reservation that is still running."""
    held = _reserved(line) and _reservation_active(line, now)
    return line.remaining > 0 and not held and not _expired(line, now)


def _reversal_entry(original: Transaction | OriginalRow, details: str | None) -> Entry:
    """What a REVERSAL records of the transaction it reverses: the same cause, with its own details."""
    return Entry(
        campaign_id=original.campaign_id,
        brand_id=original.brand_id,
        event_id=original.event_id,
        event_type=original.event_type,
        funded_by=original.funded_by,
        reward_type=original.reward_type,
        details=details,
    )
