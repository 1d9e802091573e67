"""Manual adjustments of a customer's balance (the console's "Adjust points"): a grant is a new batch with
its ACCUMULATION, a deduction spends from the lines that expire first with one REDEMPTION per line, both
through the ledger like every other movement. The reason is the transactions' `details`, and their
metadata says they were adjusted by hand and by whom, so the API's transaction lists show them as such."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession

from perks.errors import BadRequest, NotFound, invalid
from perks.kit.money import plain_number
from perks.ledger import service as ledger
from perks.ledger.models import Transaction, Wallet
from perks.loyalty.customers.models import Customer
from perks.loyalty.rewards import service as rewards
from perks.loyalty.rewards.models import Reward
from perks.tenancy.context import AuthContext

SOURCE = "manual_adjustment"  # metadata.source of an adjustment's transactions
REASON_MAX = 500


class AdjustmentIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    direction: Literal["grant", "deduct"]
    reward_id: str = Field(min_length=1, max_length=36)
    amount: Decimal = Field(gt=0, le=ledger.MAX_AMOUNT, decimal_places=4)
    reason: str = Field(min_length=1, max_length=REASON_MAX)

    @property
    def signed(self) -> Decimal:
        return self.amount if self.direction == "grant" else -self.amount


@dataclass(frozen=True)
class Adjusted:
    reward: Reward
    transactions: Sequence[Transaction]
    before: Decimal  # the reward's balance just before, and just after (under the wallet's lock)
    after: Decimal


async def check(session: AsyncSession, ctx: AuthContext, customer: Customer, body: AdjustmentIn) -> Decimal:
    """Whether `adjust` would take `body` as it stands, without writing: the reward is the account's and
    a deduction is covered. The reward's balance now."""
    reward = await _reward(session, ctx, body.reward_id)
    available = await balance(session, ctx, await ledger.wallet_of(session, ctx, customer.id), reward.id)
    if body.direction == "deduct" and body.amount > available:
        raise _uncovered(available, reward)
    return available


async def adjust(
    session: AsyncSession, ctx: AuthContext, customer: Customer, body: AdjustmentIn, *, by: str
) -> Adjusted:
    """Grant or deduct `body.amount` of a reward; `by` (who did it) goes in the transactions' metadata."""
    reward = await _reward(session, ctx, body.reward_id)
    wallet = await ledger.wallet_of(session, ctx, customer.id)
    entry = ledger.Entry(
        reward_type=reward.type, details=body.reason, metadata={"source": SOURCE, "adjusted_by": by}
    )
    transactions: Sequence[Transaction]
    if body.direction == "grant":
        transactions = [await ledger.accumulate(session, ctx, wallet.id, reward.id, body.amount, entry=entry)]
    else:
        try:
            transactions = await ledger.redeem(session, ctx, wallet.id, reward.id, body.amount, entry=entry)
        except ledger.InsufficientBalance:
            raise _uncovered(await balance(session, ctx, wallet, reward.id), reward) from None
    after = await balance(session, ctx, wallet, reward.id)  # the wallet is locked until the commit
    return Adjusted(reward, transactions, after - body.signed, after)


async def balance(session: AsyncSession, ctx: AuthContext, wallet: Wallet, reward_id: str) -> Decimal:
    """What the wallet holds of a reward and could spend now (the wallet's total for it)."""
    view = await ledger.view(session, ctx, wallet)
    return next((total.total for total in view.totals if total.reward_id == reward_id), Decimal(0))


async def _reward(session: AsyncSession, ctx: AuthContext, reward_id: str) -> Reward:
    try:
        return await rewards.get_reward(session, ctx, reward_id)
    except NotFound:
        raise invalid("reward_id", "is not a reward of this account") from None


def _uncovered(available: Decimal, reward: Reward) -> BadRequest:
    return invalid(
        "amount",
        f"is more than the {plain_number(available)} {reward.name} the customer has; "
        f"deduct at most {plain_number(available)}",
    )
