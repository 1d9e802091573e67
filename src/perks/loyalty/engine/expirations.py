"""Effect expirations like "12/months": a count of days, weeks, months or years after a moment."""

from __future__ import annotations

import calendar
import re
from datetime import datetime, timedelta

PATTERN = re.compile(r"^\s*(\d{1,4})\s*/\s*(days|weeks|months|years)\s*$")


def parse(value: str) -> tuple[int, str]:
    """("12/months") -> (12, "months"); ValueError when it does not read."""
    match = PATTERN.match(value)
    if match is None:
        raise ValueError(f'expiration {value!r} must look like "12/months" (days, weeks, months, years)')
    return int(match.group(1)), match.group(2)


def expires_at(value: str | None, start: datetime) -> datetime | None:
    """When something issued at `start` expires; None (never) when no expiration is given. Months and
    years are calendar ones: 31 January + 1 month is 28 (or 29) February."""
    if value is None:
        return None
    count, unit = parse(value)
    if unit == "days":
        return start + timedelta(days=count)
    if unit == "weeks":
        return start + timedelta(weeks=count)
    return add_months(start, count * 12 if unit == "years" else count)


def add_months(start: datetime, months: int) -> datetime:
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return start.replace(year=year, month=month, day=day)
