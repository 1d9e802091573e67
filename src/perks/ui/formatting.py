"""How numbers and times read on a page: money with its currency, points with grouping, times in the
viewer's time zone, and relative times ("3 hours ago"), through Babel's locale data."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date, format_datetime, format_timedelta
from babel.numbers import format_currency, format_decimal

from perks.kit import clock
from perks.kit.clock import as_utc

LOCALE = "en_US"
Number = Decimal | int | float | str


@lru_cache(maxsize=512)
def zone(name: str | None) -> ZoneInfo:
    """The named time zone; UTC when the name is empty or unknown (a page never fails on a setting)."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def money(amount: Number | None, currency: str | None = "USD") -> str:
    """ "$1,234.50", "€12.00", "¥1,200": the currency's own symbol and minor units."""
    if amount is None:
        return "—"
    return format_currency(Decimal(str(amount)), (currency or "USD").upper(), locale=LOCALE)


def points(amount: Number | None, places: int = 0) -> str:
    """Points with thousands separators, as integers unless the reward counts fractions."""
    if amount is None:
        return "—"
    pattern = "#,##0" + ("." + "0" * places if places > 0 else "")
    return format_decimal(Decimal(str(amount)), format=pattern, locale=LOCALE)


def number(amount: Number | None) -> str:
    return "—" if amount is None else format_decimal(Decimal(str(amount)), locale=LOCALE)


def date_time(moment: datetime | None, time_zone: str | None = None, style: str = "medium") -> str:
    """ "Mar 1, 2026, 1:30:15 PM" in the given zone."""
    if moment is None:
        return "—"
    return format_datetime(as_utc(moment), style, tzinfo=zone(time_zone), locale=LOCALE)


def date_only(moment: datetime | None, time_zone: str | None = None) -> str:
    if moment is None:
        return "—"
    return format_date(as_utc(moment).astimezone(zone(time_zone)).date(), "medium", locale=LOCALE)


def relative(moment: datetime | None, now: datetime | None = None) -> str:
    """ "3 hours ago", "in 2 days": rounded to the largest unit that fits."""
    if moment is None:
        return "—"
    delta: timedelta = as_utc(moment) - (now or clock.now())
    if abs(delta) < timedelta(seconds=45):
        return "just now"
    return format_timedelta(delta, add_direction=True, threshold=0.9, locale=LOCALE)


def iso(moment: datetime | None) -> str:
    """The machine-readable form, for <time datetime="...">."""
    return "" if moment is None else as_utc(moment).isoformat()
