"""The overview: the account's last days at a glance. A closed UTC hour's figures are counted once (one
grouped query per chart over the hours not counted yet) and saved; a view counts only the open hour's rows,
so it costs about an hour of activity, not a month's."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from perks.kit import clock
from perks.kit.periods import days_ending
from perks.ledger.models import TransactionType
from perks.loyalty.overview import repository
from perks.loyalty.overview.repository import COUNTED, Figures
from perks.loyalty.rewards import service as rewards
from perks.tenancy.context import AuthContext

DAYS = 30
TOP_CAMPAIGNS = 10
POINTS = "POINTS"
# An hour is closed (its figures saved for good) this long after it ended: rows written at :59:59.9 have
# been committed by then.
SETTLE = timedelta(minutes=5)
HOUR = timedelta(hours=1)
HOUR_FORMAT = "%Y-%m-%d %H"  # as kit.periods.utc_hour writes it


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
    # Closed hours counted by this view, for `save_hours` (in a transaction of the caller's).
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


@dataclass(frozen=True)
class Window:
    """The hours of the last `days` UTC days up to `now`: those closed (their figures keep), from `first`
    to `open_from`, and the open ones after."""

    days: list[str]
    first: datetime
    open_from: datetime

    @classmethod
    def of(cls, now: datetime, days: int = DAYS) -> Window:
        calendar = [day.isoformat() for day in days_ending(now.date(), days)]
        first = _start(date.fromisoformat(calendar[0]))
        return cls(calendar, first, max(first, (now - SETTLE).replace(minute=0, second=0, microsecond=0)))

    @property
    def closed(self) -> list[str]:
        hours = (self.open_from - self.first) // HOUR
        return [(self.first + HOUR * index).strftime(HOUR_FORMAT) for index in range(hours)]


async def overview(
    session: AsyncSession, ctx: AuthContext, days: int = DAYS, now: datetime | None = None
) -> Overview:
    window = Window.of(clock.as_utc(now or clock.now()), days)
    closed = window.closed
    hours = await repository.saved_hours(session, ctx, closed[0], closed[-1]) if closed else {}
    to_save = await _missing(session, ctx, window, hours)
    hours.update(to_save)
    live = await _count(session, ctx, window.open_from, None)
    return await _shown(session, ctx, window.days, [*hours.items(), *live.items()], to_save)


async def closed_hours_to_save(session: AsyncSession, ctx: AuthContext) -> dict[str, Figures]:
    """For the worker: the closed hours of the window not counted yet, counted (nothing when the last one
    is saved, which one indexed read finds out: hours are saved from the oldest missing to the last)."""
    window = Window.of(clock.now())
    closed = window.closed
    if not closed or await repository.latest_hour(session, ctx) == closed[-1]:
        return {}
    return await _missing(
        session, ctx, window, await repository.saved_hours(session, ctx, closed[0], closed[-1])
    )


async def _missing(
    session: AsyncSession, ctx: AuthContext, window: Window, saved: dict[str, Figures]
) -> dict[str, Figures]:
    missing = [hour for hour in window.closed if hour not in saved]
    if not missing:
        return {}
    since = datetime.strptime(missing[0], HOUR_FORMAT).replace(tzinfo=UTC)
    counted = await _count(session, ctx, since, window.open_from)
    return {hour: counted.get(hour, {}) for hour in missing}


async def save_hours(session: AsyncSession, ctx: AuthContext, hours: dict[str, Figures]) -> None:
    """Keep counted hours, and forget those older than the overview shows."""
    now = clock.now()
    await repository.save_hours(session, ctx, hours, now)
    await repository.prune_hours(session, ctx, Window.of(now).first.strftime(HOUR_FORMAT))


async def _count(
    session: AsyncSession, ctx: AuthContext, since: datetime, until: datetime | None
) -> dict[str, Figures]:
    """The figures of the hours in [since, until) that had something (zeros left out): one grouped query
    per counting chart, one for the ledger."""
    figures: dict[str, Figures] = defaultdict(dict)
    for key in COUNTED:
        for hour, count in (await repository.per_hour(session, ctx, key, since, until)).items():
            figures[hour][key] = count
    for hour, kind, reward_id, campaign_id, total, count in await repository.movements_per_hour(
        session, ctx, since, until
    ):
        sums = figures[hour].setdefault("points", {}).setdefault(kind, {})
        sums[reward_id] = str(Decimal(sums.get(reward_id, "0")) + total)
        if kind == TransactionType.ACCUMULATION.value and campaign_id is not None:
            grants = figures[hour].setdefault("campaigns", {})
            grants[campaign_id] = grants.get(campaign_id, 0) + count
    return dict(figures)


async def _shown(
    session: AsyncSession,
    ctx: AuthContext,
    calendar: list[str],
    hours: Iterable[tuple[str, Figures]],
    to_save: dict[str, Figures],
) -> Overview:
    """The hours' figures added up per day of `calendar`."""
    wanted = set(calendar)
    counts: dict[str, Counter[str]] = {key: Counter() for key in COUNTED}
    sums: dict[str, dict[tuple[str, str], Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    granted: Counter[str] = Counter()
    for hour, figures in hours:
        day = hour[:10]
        if day not in wanted:
            continue
        for key in COUNTED:
            counts[key][day] += int(figures.get(key, 0))
        for kind, by_reward in figures.get("points", {}).items():
            for reward_id, total in by_reward.items():
                sums[kind][(day, reward_id)] += Decimal(total)
        granted.update(figures.get("campaigns", {}))
    kinds = await rewards.reward_types(
        session, ctx, {reward_id for by_key in sums.values() for _day, reward_id in by_key}
    )
    top = granted.most_common(TOP_CAMPAIGNS)
    names = await repository.campaign_names(session, ctx, [campaign_id for campaign_id, _count in top])

    def points(kind: TransactionType) -> list[Decimal]:
        per_day: dict[str, Decimal] = defaultdict(Decimal)
        for (day, reward_id), total in sums[kind.value].items():
            if kinds.get(reward_id) == POINTS:
                per_day[day] += abs(total)
        return [_without_trailing_zeros(per_day[day]) for day in calendar]

    shown = sorted(
        (
            TopCampaign(campaign_id, names[campaign_id], count)
            for campaign_id, count in top
            if campaign_id in names
        ),
        key=lambda campaign: (-campaign.granted, campaign.name),
    )
    return Overview(
        days=calendar,
        events=[counts["events"][day] for day in calendar],
        issued=points(TransactionType.ACCUMULATION),
        redeemed=points(TransactionType.REDEMPTION),
        expired=points(TransactionType.EXPIRATION),
        coupon_redemptions=[counts["coupons"][day] for day in calendar],
        new_customers=[counts["customers"][day] for day in calendar],
        top_campaigns=shown,
        to_save=to_save,
    )


def _without_trailing_zeros(value: Decimal) -> Decimal:
    """Without trailing zeros (12.5, not 12.5000; 100, not 1E+2): how the table and the CSV show it."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
