"""Any sequence of ledger operations, with the clock moving, keeps the totals equal to the ledger and
never negative."""

from __future__ import annotations

from collections.abc import Awaitable
from contextlib import suppress
from datetime import timedelta
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perks.db.database import Database
from perks.errors import AppError
from perks.kit import clock
from perks.kit.ids import new_id
from perks.ledger import repository
from perks.ledger import service as ledger
from perks.loyalty.customers import service as customers
from perks.loyalty.customers.schemas import CustomerCreate
from tests.support.ledger import WalletHandle
from tests.support.tenants import Tenant

REWARD = "points"
amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(60), places=2)
events = st.sampled_from(["event-1", "event-2", "event-3"])
pick = st.integers(min_value=0, max_value=20)
operations = st.one_of(
    st.tuples(st.just("accumulate"), amounts, st.none() | st.integers(min_value=1, max_value=72), events),
    st.tuples(st.just("redeem"), amounts, events),
    st.tuples(st.just("reserve"), amounts, st.none() | st.integers(min_value=1, max_value=3), events),
    st.tuples(st.just("fulfill"), events),
    st.tuples(st.just("release"), events),
    st.tuples(st.just("reverse"), pick),
    st.tuples(st.just("reverse_event"), events),
    st.tuples(st.just("travel"), st.integers(min_value=1, max_value=48)),
    st.tuples(st.just("expire")),
)


async def fresh_wallet(database: Database, tenant: Tenant) -> WalletHandle:
    ctx = ledger.system_context(tenant.account_id)
    async with database.transaction() as session:
        body = CustomerCreate(id=new_id(), is_anonymous=True)
        customer = await customers.register(session, ctx, body)
    return await _handle(database, ctx, customer.id)


async def _handle(database: Database, ctx: Any, customer_id: str) -> WalletHandle:
    async with database.transaction(read_only=True) as session:
        wallet = await ledger.wallet_of(session, ctx, customer_id)
    return WalletHandle(database, ctx, wallet.id, customer_id)


async def spend(wallet: WalletHandle, amount: Decimal, action: Awaitable[object]) -> None:
    """Redeem or reserve: refused exactly when the total is short, and otherwise takes exactly `amount`."""
    before = (await wallet.totals()).get(REWARD, Decimal(0))
    try:
        await action
    except ledger.InsufficientBalance:
        assert before < amount
        return
    assert (await wallet.totals()).get(REWARD, Decimal(0)) == before - amount


async def apply(wallet: WalletHandle, operation: tuple[Any, ...]) -> None:
    name, *args = operation
    if name == "accumulate":
        expires = clock.now() + timedelta(hours=args[1]) if args[1] else None
        await wallet.accumulate(
            REWARD, args[0], expiration_date=expires, entry=ledger.Entry(event_id=args[2])
        )
    elif name == "redeem":
        await spend(wallet, args[0], wallet.redeem(REWARD, args[0], entry=ledger.Entry(event_id=args[1])))
    elif name == "reserve":
        await spend(wallet, args[0], wallet.reserve(REWARD, args[0], args[2], days=args[1]))
    elif name == "fulfill":
        await wallet.fulfill(args[0])
    elif name == "release":
        await wallet.release(args[0])
    elif name == "reverse":
        async with wallet.session() as session:
            rows = await repository.wallet_transactions(session, wallet.ctx, wallet.wallet_id)
        if rows:
            await wallet.reverse(rows[args[0] % len(rows)].id)
    elif name == "reverse_event":
        async with wallet.session() as session:
            await ledger.reverse_event(session, wallet.ctx, args[0])
    elif name == "travel":
        clock.travel(timedelta(hours=args[0]))
    else:
        async with wallet.session() as session:
            await ledger.settle(session, wallet.ctx, wallet.wallet_id)


async def assert_consistent(wallet: WalletHandle) -> None:
    ledger_sum, left_on_lines, held = await wallet.ledger_sums()
    total = (await wallet.totals()).get(REWARD, Decimal(0))
    assert ledger_sum == left_on_lines
    assert total == ledger_sum - held
    assert total >= 0 and held >= 0
    async with wallet.session() as session:
        lines = await repository.open_lines(session, wallet.ctx, wallet.wallet_id)
    assert all(line.remaining > 0 for line in lines)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(operations, min_size=1, max_size=14))
async def test_any_sequence_keeps_totals_equal_to_the_ledger(
    database: Database, tenant: Tenant, steps: list[tuple[Any, ...]]
) -> None:
    clock.reset()
    wallet = await fresh_wallet(database, tenant)
    for operation in steps:
        # A refusal (already reversed, spent, not active...) rolls its transaction back.
        with suppress(AppError):
            await apply(wallet, operation)
        await assert_consistent(wallet)
