"""The overview: the account's last days at a glance, each series from one grouped query."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from perks.kit import clock
from perks.kit.periods import days_ending
from perks.ledger.models import TransactionType
from perks.loyalty.overview import repository
from perks.loyalty.rewards import service as rewards
from perks.tenancy.context import AuthContext

DAYS = 30
TOP_CAMPAIGNS = 10
POINTS = "POINTS"


@dataclass(frozen=True)
class TopCampaign:
    id: str
    name: str
    granted: int  # rewards granted (accumulation transactions) in the period


@dataclass(frozen=True)
class Overview:
    """Per UTC day, oldest first (`days` are ISO dates); points are those of POINTS rewards, as positive
    amounts: issued (accumulations), redeemed (redemptions), expired (expirations)."""

    days: list[str]
    events: list[int]
    issued: list[Decimal]
    redeemed: list[Decimal]
    expired: list[Decimal]
    coupon_redemptions: list[int]
    new_customers: list[int]
    top_campaigns: list[TopCampaign]

    @property
    def is_empty(self) -> bool:
        series: list[list[int] | list[Decimal]] = [
            self.events,
            self.issued,
            self.redeemed,
            self.expired,
            self.coupon_redemptions,
            self.new_customers,
        ]
        return not self.top_campaigns and all(value == 0 for values in series for value in values)


async def overview(
    session: AsyncSession, ctx: AuthContext, days: int = DAYS, today: datetime | None = None
) -> Overview:
    last = (today or clock.now()).date()
    since = datetime.combine(last - timedelta(days=days - 1), datetime.min.time(), tzinfo=UTC)
    calendar = [day.isoformat() for day in days_ending(last, days)]
    events = await repository.events_per_day(session, ctx, since)
    movements = await repository.movements_per_day(session, ctx, since)
    kinds = await rewards.reward_types(
        session, ctx, {reward_id for _day, _kind, reward_id, _sum in movements}
    )
    points: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for day, kind, reward_id, total in movements:
        if kinds.get(reward_id) == POINTS:
            points[kind][day] += abs(total)
    coupons = await repository.coupon_redemptions_per_day(session, ctx, since)
    customers = await repository.customers_per_day(session, ctx, since)
    top = await repository.top_campaigns(session, ctx, since, TOP_CAMPAIGNS)

    def each(counts: dict[str, int]) -> list[int]:
        return [counts.get(day, 0) for day in calendar]

    def amounts(kind: TransactionType) -> list[Decimal]:
        return [_plain(points[kind.value].get(day, Decimal(0))) for day in calendar]

    return Overview(
        days=calendar,
        events=each(events),
        issued=amounts(TransactionType.ACCUMULATION),
        redeemed=amounts(TransactionType.REDEMPTION),
        expired=amounts(TransactionType.EXPIRATION),
        coupon_redemptions=each(coupons),
        new_customers=each(customers),
        top_campaigns=[TopCampaign(*row) for row in top],
    )


def _plain(value: Decimal) -> Decimal:
    """Without trailing zeros (12.5, not 12.5000; 100, not 1E+2): how the table and the CSV show it."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
