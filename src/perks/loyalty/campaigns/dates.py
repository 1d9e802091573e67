"""The campaign date restrictions: start today or later and less than a year ahead; end after start and
less than a year after it. Dates are kept in UTC to the millisecond, so what a client reads back compares
equal to what is stored."""

from __future__ import annotations

from datetime import datetime

from perks.errors import invalid
from perks.kit.clock import as_utc


def exact(moment: datetime) -> datetime:
    utc = as_utc(moment)
    return utc.replace(microsecond=utc.microsecond // 1000 * 1000)


def one_year_after(moment: datetime) -> datetime:
    try:
        return moment.replace(year=moment.year + 1)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + 1, day=28)


def check_schedule(start: datetime, now: datetime) -> None:
    """On create, and on update of a campaign that has not started."""
    if start.date() < now.date():
        raise invalid("start_date", "must be today or later")
    if start >= one_year_after(now):
        raise invalid("start_date", "must be less than one year from now")


def check_end(start: datetime, end: datetime | None) -> None:
    if end is None:
        return
    if end <= start:
        raise invalid("end_date", "must be after start_date")
    if end >= one_year_after(start):
        raise invalid("end_date", "must be less than one year after start_date")
