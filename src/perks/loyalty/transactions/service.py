"""Transaction lists: one day of the account, or a customer's last 3 months (or one year)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from perks.errors import invalid
from perks.kit.ids import is_uuid
from perks.kit.keyset import Keyset, KeysetPage
from perks.ledger import service as ledger
from perks.ledger.models import LedgerTransaction, TransactionType
from perks.loyalty.customers import service as customers
from perks.loyalty.transactions import repository
from perks.loyalty.transactions.rendering import transaction_out
from perks.loyalty.transactions.repository import Filters
from perks.loyalty.transactions.schemas import TransactionOut
from perks.tenancy.context import AuthContext

FIRST_YEAR = 2020
DEFAULT_MONTHS = 3


def day_range(text: str) -> tuple[datetime, datetime]:
    """`31-07-2024` → that UTC day, [start, end)."""
    try:
        start = datetime.strptime(text, "%d-%m-%Y").replace(tzinfo=UTC)
    except ValueError as error:
        raise invalid("date", "must be a date written DD-MM-YYYY, e.g. 31-07-2024") from error
    return start, start + timedelta(days=1)


LAST_YEAR = 9998  # datetime's last year, less the one the range ends in


def year_range(year: int) -> tuple[datetime, datetime]:
    if year < FIRST_YEAR:
        raise invalid("year", f"must be {FIRST_YEAR} or later")
    if year > LAST_YEAR:
        raise invalid("year", "is too far in the future")
    return datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)


def recent_range(now: datetime) -> tuple[datetime, datetime]:
    """The last 3 calendar months up to now (and a little beyond, for rows written this instant)."""
    month_index = now.year * 12 + now.month - 1 - DEFAULT_MONTHS
    year, month = divmod(month_index, 12)
    day = min(now.day, 28)
    start = now.replace(year=year, month=month + 1, day=day)
    return start, now + timedelta(seconds=1)


def checked(filters: Filters) -> Filters:
    if filters.cursor is not None and not is_uuid(filters.cursor):
        raise invalid("cursor", "must be a transaction id (UUID)")
    if filters.type is not None and filters.type not in TransactionType.__members__:
        raise invalid("type", f"must be one of {', '.join(TransactionType)}")
    return filters


async def of_account(session: AsyncSession, ctx: AuthContext, filters: Filters) -> list[TransactionOut]:
    return _shown(await repository.find(session, ctx, checked(filters)))


async def of_customer(
    session: AsyncSession, ctx: AuthContext, external_id: str, filters: Filters
) -> list[TransactionOut]:
    customer = await customers.get(session, ctx, external_id)
    wallet = await ledger.wallet_of(session, ctx, customer.id)
    await ledger.settle(session, ctx, wallet.id)
    return _shown(await repository.find(session, ctx, checked(replace(filters, wallet_id=wallet.id))))


async def page_of_wallet(
    session: AsyncSession, ctx: AuthContext, wallet_id: str, keyset: Keyset
) -> KeysetPage[LedgerTransaction]:
    """The console's list of a customer's transactions: newest first, keyset-paged (no settling: a read)."""
    return await repository.page_of_wallet(session, ctx, wallet_id, keyset)


def _shown(rows: Sequence[tuple[LedgerTransaction, str]]) -> list[TransactionOut]:
    return [transaction_out(transaction, customer_id) for transaction, customer_id in rows]
