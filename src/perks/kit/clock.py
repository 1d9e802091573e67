"""The one source of time: UTC, and movable by tests (DESIGN rule 6)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import overload

_offset = timedelta(0)
_offset_file: Path | None = None


def now() -> datetime:
    """The current UTC time, shifted by the test offset if one is set."""
    return datetime.now(UTC) + _offset + _file_offset()


def travel(delta: timedelta) -> None:
    """Move this process's clock by `delta` (tests only)."""
    global _offset
    _offset += delta


def reset() -> None:
    global _offset
    _offset = timedelta(0)


def use_offset_file(path: Path | None) -> None:
    """Read an extra offset (seconds) from `path` on every call, so a test can move a server's clock."""
    global _offset_file
    _offset_file = path


def _file_offset() -> timedelta:
    if _offset_file is None:
        return timedelta(0)
    try:
        return timedelta(seconds=float(_offset_file.read_text().strip() or 0))
    except (FileNotFoundError, ValueError):
        return timedelta(0)


def as_utc(moment: datetime) -> datetime:
    """Naive datetimes are taken as UTC; aware ones are converted."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


@overload
def iso_millis(moment: datetime) -> str: ...
@overload
def iso_millis(moment: None) -> None: ...
def iso_millis(moment: datetime | None) -> str | None:
    """ISO 8601 with milliseconds and Z, as the affiliate face writes timestamps."""
    if moment is None:
        return None
    return as_utc(moment).strftime("%Y-%m-%dT%H:%M:%S.") + f"{as_utc(moment).microsecond // 1000:03d}Z"
