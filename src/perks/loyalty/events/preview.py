"""PUT /events/redeem/preview: the order as if the given rewards were redeemed. Nothing is written.

Each part of the order that carries `redeem` (the order, each product, the shipping) gets a
`redemptions_result`: `redeemed` lists every item with its reward and an `error` (null when it could be
redeemed), `amount` the units redeemed, `discount_value` the money it takes off, `discount_percent` that
discount as a percentage of the part's value, `value` the part's value after it, `action: "UPDATE"`.
A reward unit is worth: POINTS its `conversion_factor`; DISCOUNT FIXED_AMOUNT its `value`, PERCENTAGE
`value` % of the part; GIFT_CARD its `value`; PRODUCT nothing (it adds or replaces a product). A part's
discount never exceeds its value. The order's own result sums the discounts of every part."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from perks.errors import NotFound
from perks.kit.money import round_money, to_decimal
from perks.ledger import service as ledger
from perks.loyalty.customers import service as customers
from perks.loyalty.events.schemas import PreviewBody, Priced, RedeemedOut, RedeemItem, RedemptionsResult
from perks.loyalty.rewards import service as rewards
from perks.loyalty.rewards.models import Reward
from perks.tenancy.context import AuthContext

HUNDRED = Decimal(100)


class Balances:
    """The customer's available totals, drawn down as the preview redeems."""

    def __init__(self, totals: dict[str, Decimal]) -> None:
        self.left: dict[str, Decimal] = defaultdict(Decimal, totals)

    def take(self, reward_id: str, amount: Decimal) -> bool:
        if self.left[reward_id] < amount:
            return False
        self.left[reward_id] -= amount
        return True


async def preview(session: AsyncSession, ctx: AuthContext, body: PreviewBody) -> dict[str, Any]:
    customer = await customers.get(session, ctx, body.customer_id)
    wallet = await ledger.wallet_of(session, ctx, customer.id)
    view = await ledger.view(session, ctx, wallet)
    balances = Balances({total.reward_id: total.total for total in view.totals})
    order = body.order.model_dump(mode="json", exclude_none=True)
    known: dict[str, Reward | None] = {}
    discounts = Decimal(0)
    for index, product in enumerate(body.order.products or []):
        if product.redeem:
            result = await _part(session, ctx, product, body.brand_id, balances, known)
            order["products"][index]["redemptions_result"] = result.model_dump(mode="json")
            discounts += result.discount_value
    if body.order.shipping is not None and body.order.shipping.redeem:
        result = await _part(session, ctx, body.order.shipping, body.brand_id, balances, known)
        order["shipping"]["redemptions_result"] = result.model_dump(mode="json")
        discounts += result.discount_value
    if body.order.redeem or discounts:
        result = await _part(session, ctx, body.order, body.brand_id, balances, known, already=discounts)
        order["redemptions_result"] = result.model_dump(mode="json")
    return {"customer_id": body.customer_id, "brand_id": body.brand_id, "order": order}


async def _part(
    session: AsyncSession,
    ctx: AuthContext,
    part: Priced,
    brand_id: str | None,
    balances: Balances,
    known: dict[str, Reward | None],
    *,
    already: Decimal = Decimal(0),
) -> RedemptionsResult:
    value = part.discounted_value if part.discounted_value is not None else part.value
    redeemed: list[RedeemedOut] = []
    amount = Decimal(0)
    discount = already
    for item in part.redeem or []:
        reward = await _reward(session, ctx, item.id, known)
        error = _error(reward, item, brand_id, balances)
        redeemed.append(RedeemedOut(id=item.id, amount=item.amount, reward=_reward_json(reward), error=error))
        if error is None and reward is not None:
            amount += item.amount
            discount += _worth(reward, item.amount, value)
    if value is not None:
        discount = min(discount, value)
    discount = round_money(discount)
    percent = round_money(discount * HUNDRED / value) if value else Decimal(0)
    return RedemptionsResult(
        redeemed=redeemed,
        amount=amount,
        discount_value=discount,
        discount_percent=percent,
        value=None if value is None else value - discount,
    )


async def _reward(
    session: AsyncSession, ctx: AuthContext, reward_id: str, known: dict[str, Reward | None]
) -> Reward | None:
    if reward_id not in known:
        try:
            known[reward_id] = await rewards.get_reward(session, ctx, reward_id)
        except NotFound:
            known[reward_id] = None
    return known[reward_id]


def _error(reward: Reward | None, item: RedeemItem, brand_id: str | None, balances: Balances) -> str | None:
    if reward is None:
        return "Reward not found"
    if reward.brand_id is not None and brand_id is not None and reward.brand_id != brand_id:
        return "Reward not available for this brand"
    if not balances.take(reward.id, item.amount):
        return "Insufficient balance"
    return None


def _worth(reward: Reward, amount: Decimal, value: Decimal | None) -> Decimal:
    attributes = reward.attributes or {}
    if reward.type == "POINTS":
        return amount * to_decimal(attributes.get("conversion_factor") or 0)
    if reward.type == "DISCOUNT" and attributes.get("discount_type") == "PERCENTAGE":
        percent = min(HUNDRED, to_decimal(attributes.get("value") or 0) * amount)
        return (value or Decimal(0)) * percent / HUNDRED
    if reward.type in ("DISCOUNT", "GIFT_CARD"):
        return amount * to_decimal(attributes.get("value") or 0)
    return Decimal(0)


def _reward_json(reward: Reward | None) -> dict[str, Any] | None:
    if reward is None:
        return None
    return {
        "id": reward.id,
        "brand_id": reward.brand_id,
        "name": reward.name,
        "type": reward.type,
        "attributes": reward.attributes,
    }
