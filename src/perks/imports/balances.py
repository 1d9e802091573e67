"""`perks import balances`: reward balances brought from another system, each one a wallet line with an
IMPORT transaction and its own expiry. A balance is known by its `id` (the other system's), or by all it
says when it has none."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from perks.errors import AppError
from perks.imports.importers import (
    Outcome,
    Parsed,
    RowProblem,
    Text,
    content_key,
    not_yet_imported,
    of_known_customers,
    register_importer,
    validated,
)
from perks.imports.records import Columns
from perks.kit import clock
from perks.ledger import service as ledger
from perks.ledger.models import TransactionType
from perks.loyalty.rewards import service as rewards
from perks.tenancy.context import AuthContext


class BalanceRow(BaseModel):
    id: Text | None = None
    customer_id: Text
    reward_id: Text
    amount: Decimal
    expiration_date: datetime | None = None
    issued_at: datetime | None = None
    brand_id: Text | None = None
    funded_by: Annotated[str, Field(max_length=64)] | None = None
    details: Annotated[str, Field(max_length=500)] | None = None

    @property
    def key(self) -> str:
        if self.id is not None:
            return self.id
        return content_key(
            self.customer_id, self.reward_id, self.amount, self.expiration_date, self.issued_at, self.brand_id
        )


class BalanceImporter:
    name = "balances"
    columns = Columns(
        required=("customer_id", "reward_id", "amount"),
        optional=("id", "expiration_date", "issued_at", "brand_id", "funded_by", "details"),
    )

    def parse(self, row: dict[str, Any]) -> BalanceRow:
        balance = validated(BalanceRow, row)
        try:
            ledger.exact_amount(balance.amount)
        except AppError as error:
            raise RowProblem.of(error) from None
        now = clock.now()
        if balance.expiration_date is not None:
            balance.expiration_date = clock.as_utc(balance.expiration_date)
            if balance.expiration_date <= now:
                raise RowProblem("expiration_date", "has passed: the balance would expire at once")
        if balance.issued_at is not None:
            balance.issued_at = clock.as_utc(balance.issued_at)
            if balance.issued_at > now:
                raise RowProblem("issued_at", "is in the future")
        return balance

    def reference(self, row: dict[str, Any]) -> str | None:
        value = row.get("id") or row.get("customer_id")
        return None if value is None else str(value)

    async def apply(
        self, session: AsyncSession, ctx: AuthContext, rows: Sequence[Parsed[BalanceRow]], job_id: str
    ) -> Outcome:
        outcome = Outcome()
        valid, known = await of_known_customers(session, ctx, rows, outcome)
        reward_types = await rewards.reward_types(session, ctx, {row.item.reward_id for row in valid})
        for row in valid:
            if row.item.reward_id not in reward_types:
                outcome.refuse(row, RowProblem("reward_id", "no reward with this id in your account"))
        valid = [row for row in valid if row.item.reward_id in reward_types]
        wallets = await ledger.wallet_ids(session, ctx, [customer.id for customer in known.values()])
        accruals: dict[str, list[ledger.Accrual]] = defaultdict(list)
        for row in await not_yet_imported(session, ctx, self.name, valid, outcome, job_id):
            balance = row.item
            entry = ledger.Entry(
                brand_id=balance.brand_id,
                funded_by=balance.funded_by,
                reward_type=reward_types[balance.reward_id],
                details=balance.details or "Imported balance",
                metadata={"import_id": balance.id} if balance.id else {},
            )
            accruals[wallets[known[balance.customer_id].id]].append(
                ledger.Accrual(
                    balance.reward_id, balance.amount, entry, balance.expiration_date, balance.issued_at
                )
            )
            outcome.imported += 1
        if accruals:
            locked = await ledger.lock_wallets(session, ctx, list(accruals))
            for wallet_id, batch in accruals.items():
                locked.accumulate(wallet_id, batch, kind=TransactionType.IMPORT)
            await locked.flush(session)
        return outcome


register_importer(BalanceImporter())
