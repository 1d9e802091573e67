"""Wallets for ledger tests: a customer registered through the API, its wallet driven by the service."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from perks.db.database import Database
from perks.kit import clock
from perks.ledger import repository
from perks.ledger import service as ledger
from perks.loyalty.customers import service as customers
from perks.tenancy import service as tenancy
from perks.tenancy.context import AuthContext, KeyKind
from tests.support.server import TEST_SECRET
from tests.support.tenants import LOYALTY, Tenant

YEAR_SECONDS = 366 * 24 * 3600


class WalletHandle:
    """One customer's wallet: run ledger operations in their own transactions, read it back."""

    def __init__(self, database: Database, ctx: AuthContext, wallet_id: str, customer_id: str) -> None:
        self.database = database
        self.ctx = ctx
        self.wallet_id = wallet_id
        self.customer_id = customer_id

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self.database.transaction() as session:
            yield session

    async def accumulate(self, reward_id: str, amount: str | Decimal, **options: Any) -> str:
        async with self.session() as session:
            done = await ledger.accumulate(
                session, self.ctx, self.wallet_id, reward_id, Decimal(amount), **options
            )
            return done.id

    async def redeem(self, reward_id: str, amount: str | Decimal, **options: Any) -> list[str]:
        async with self.session() as session:
            done = await ledger.redeem(
                session, self.ctx, self.wallet_id, reward_id, Decimal(amount), **options
            )
            return [transaction.id for transaction in done]

    async def reserve(
        self, reward_id: str, amount: str | Decimal, reservation_id: str, **options: Any
    ) -> None:
        async with self.session() as session:
            await ledger.reserve(
                session, self.ctx, self.wallet_id, reward_id, Decimal(amount), reservation_id, **options
            )

    async def fulfill(self, reservation_id: str) -> list[str]:
        async with self.session() as session:
            return [transaction.id for transaction in await ledger.fulfill(session, self.ctx, reservation_id)]

    async def release(self, reservation_id: str) -> Decimal:
        async with self.session() as session:
            return await ledger.release(session, self.ctx, reservation_id)

    async def reverse(self, *transaction_ids: str) -> list[str]:
        async with self.session() as session:
            return [
                transaction.id for transaction in await ledger.reverse(session, self.ctx, transaction_ids)
            ]

    async def totals(self) -> dict[str, Decimal]:
        async with self.session() as session:
            await ledger.settle(session, self.ctx, self.wallet_id)
            wallet = await ledger.wallet_of(session, self.ctx, self.customer_id)
            view = await ledger.view(session, self.ctx, wallet)
        return {total.reward_id: total.total for total in view.totals}

    async def ledger_sums(self) -> tuple[Decimal, Decimal, Decimal]:
        """(sum of transactions, sum left on every line, sum held by running reservations), after settling."""
        async with self.session() as session:
            await ledger.settle(session, self.ctx, self.wallet_id)
            transactions = await repository.wallet_transactions(session, self.ctx, self.wallet_id)
            lines = await repository.open_lines(session, self.ctx, self.wallet_id)
        held = sum((line.remaining for line in lines if line.reservation_id is not None), Decimal(0))
        return (
            sum((transaction.amount for transaction in transactions), Decimal(0)),
            sum((line.remaining for line in lines), Decimal(0)),
            held,
        )


async def wallet_for(database: Database, tenant: Tenant, external_id: str) -> WalletHandle:
    ctx = ledger.system_context(tenant.account_id)
    async with database.transaction(read_only=True) as session:
        customer = await customers.get(session, ctx, external_id)
        wallet = await ledger.wallet_of(session, ctx, customer.id)
    return WalletHandle(database, ctx, wallet.id, customer.id)


async def registered_wallet(
    client: httpx.AsyncClient, database: Database, tenant: Tenant, external_id: str = "c1"
) -> WalletHandle:
    response = await client.post(
        f"{LOYALTY}/customers",
        headers=await tenant.loyalty(client),
        json={"id": external_id, "name": "Customer", "email": f"{external_id}@example.com"},
    )
    assert response.status_code == 201, response.text
    return await wallet_for(database, tenant, external_id)


async def wallet_json(client: httpx.AsyncClient, tenant: Tenant, external_id: str = "c1") -> dict[str, Any]:
    response = await client.get(f"{LOYALTY}/customers/{external_id}", headers=await tenant.loyalty(client))
    assert response.status_code == 200, response.text
    wallet: dict[str, Any] = response.json()["data"]["wallet"]
    return wallet


def travel(tenant: Tenant, delta: timedelta) -> None:
    """Move the clock. A token issued after the move carries an `iat` in the real future, which the JWT
    library refuses, and a one-hour token issued before it expires: so the tenant keeps a long-lived
    token minted before the first move."""
    if not getattr(tenant, "_long_lived", False):
        ctx = AuthContext(tenant.account_id, tenant.server_key_id, KeyKind.SERVER)
        tenant._tokens[tenant.server_key] = tenancy.issue_token(ctx, TEST_SECRET, YEAR_SECONDS)
        tenant._long_lived = True  # type: ignore[attr-defined]
    clock.travel(delta)


async def listing(client: httpx.AsyncClient, tenant: Tenant, path: str) -> list[dict[str, Any]]:
    """The `data` list of a loyalty GET that must succeed."""
    response = await client.get(f"{LOYALTY}{path}", headers=await tenant.loyalty(client))
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()["data"]
    return rows


def totals_by_reward(wallet: dict[str, Any]) -> dict[str, Any]:
    return {total["reward_id"]: total["total"] for total in wallet["totals"]}
