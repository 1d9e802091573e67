"""The overview: the account's last days at a glance. A closed UTC day's figures are counted once (one
grouped query per chart over the days not counted yet) and saved; only the open day is counted on every
view, so the page costs about a day's rows, not a month's."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from perks.kit import clock
from perks.kit.periods import days_ending
from perks.ledger.models import TransactionType
from perks.loyalty.overview import repository
from perks.loyalty.overview.repository import Figures
from perks.loyalty.rewards import service as rewards
from perks.tenancy.context import AuthContext

DAYS = 30
TOP_CAMPAIGNS = 10
POINTS = "POINTS"
# A day is closed (its figures saved for good) this long after it ended: rows written at 23:59:59.9 have
# been committed by then.
SETTLE = timedelta(minutes=5)


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
    # Closed days counted by this view, for `save_days` (in a transaction of the caller's).
    to_save: dict[str, Figures] = field(default_factory=dict)

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


def _start(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC)


async def overview(
    session: AsyncSession, ctx: AuthContext, days: int = DAYS, now: datetime | None = None
) -> Overview:
    moment = now or clock.now()
    calendar = days_ending(moment.date(), days)
    names = [day.isoformat() for day in calendar]
    open_from = _start(calendar[-1]) if moment - _start(calendar[-1]) >= SETTLE else _start(calendar[-2])
    closed = [day for day in calendar if _start(day) < open_from]
    figures = await repository.saved_days(session, ctx, names[0], names[-1]) if closed else {}
    missing = [day for day in closed if day.isoformat() not in figures]
    counted: dict[str, Figures] = {}
    if missing:
        counted = await _count(
            session, ctx, [day.isoformat() for day in missing], _start(missing[0]), open_from
        )
        figures.update(counted)
    open_days = [day.isoformat() for day in calendar if _start(day) >= open_from]
    figures.update(await _count(session, ctx, open_days, open_from, None))
    return await _shown(session, ctx, names, figures, {day.isoformat() for day in missing}, counted)


async def save_days(session: AsyncSession, ctx: AuthContext, days: dict[str, Figures]) -> None:
    await repository.save_days(session, ctx, days, clock.now())


async def _count(
    session: AsyncSession, ctx: AuthContext, days: list[str], since: datetime, until: datetime | None
) -> dict[str, Figures]:
    """The figures of `days` (every day in [since, until)), one grouped query per chart."""
    figures: dict[str, Figures] = {
        day: {"events": 0, "coupons": 0, "customers": 0, "campaigns": {}, "points": {}} for day in days
    }
    for key in repository.COUNTED:
        for day, count in (await repository.per_day(session, ctx, key, since, until)).items():
            if day in figures:
                figures[day][key] = count
    for day, kind, reward_id, total in await repository.movements_per_day(session, ctx, since, until):
        if day in figures:
            figures[day]["points"].setdefault(kind, {})[reward_id] = str(total)
    for day, campaign_id, count in await repository.grants_per_day(session, ctx, since, until):
        if day in figures:
            figures[day]["campaigns"][campaign_id] = count
    return figures


async def _shown(
    session: AsyncSession,
    ctx: AuthContext,
    days: list[str],
    figures: dict[str, Figures],
    missing: set[str],
    counted: dict[str, Figures],
) -> Overview:
    reward_ids = {reward_id for day in days for sums in figures[day]["points"].values() for reward_id in sums}
    kinds = await rewards.reward_types(session, ctx, reward_ids)
    granted: Counter[str] = Counter()
    for day in days:
        granted.update(figures[day]["campaigns"])
    top = granted.most_common(TOP_CAMPAIGNS)
    names = await repository.campaign_names(session, ctx, [campaign_id for campaign_id, _count in top])

    def each(key: str) -> list[int]:
        return [int(figures[day][key]) for day in days]

    def points(kind: TransactionType) -> list[Decimal]:
        sums: dict[str, Decimal] = defaultdict(Decimal)
        for day in days:
            for reward_id, total in figures[day]["points"].get(kind.value, {}).items():
                if kinds.get(reward_id) == POINTS:
                    sums[day] += abs(Decimal(total))
        return [_plain(sums[day]) for day in days]

    shown: list[Any] = sorted(
        (
            TopCampaign(campaign_id, names[campaign_id], count)
            for campaign_id, count in top
            if campaign_id in names
        ),
        key=lambda campaign: (-campaign.granted, campaign.name),
    )
    return Overview(
        days=days,
        events=each("events"),
        issued=points(TransactionType.ACCUMULATION),
        redeemed=points(TransactionType.REDEMPTION),
        expired=points(TransactionType.EXPIRATION),
        coupon_redemptions=each("coupons"),
        new_customers=each("customers"),
        top_campaigns=shown,
        to_save={day: counted[day] for day in missing},
    )


def _plain(value: Decimal) -> Decimal:
    """Without trailing zeros (12.5, not 12.5000; 100, not 1E+2): how the table and the CSV show it."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
