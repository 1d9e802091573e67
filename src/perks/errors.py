"""The one error hierarchy of the services. Each face renders an AppError in its own envelope."""

from __future__ import annotations

from typing import Any, TypeVar

T = TypeVar("T")


class AppError(Exception):
    """A failure the caller can act on. `title` is the loyalty face's `error`; `details` is the
    human sentence both faces show (the affiliate face's `message`)."""

    status_code = 500
    default_title = "Internal server error"

    def __init__(
        self,
        details: str,
        *,
        title: str | None = None,
        field: str | None = None,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(details)
        self.details = details
        self.title = title or self.default_title
        self.field = field
        self.extra = extra or {}
        self.headers = headers or {}


class BadRequest(AppError):
    status_code = 400
    default_title = "Invalid request"


class Unauthorized(AppError):
    status_code = 401
    default_title = "Unauthorized"


class Forbidden(AppError):
    status_code = 403
    default_title = "Forbidden"


class NotFound(AppError):
    status_code = 404
    default_title = "Not found"


class Conflict(AppError):
    status_code = 409
    default_title = "Conflict"


class Unprocessable(AppError):
    status_code = 422
    default_title = "Unprocessable entity"


class TooManyRequests(AppError):
    status_code = 429
    default_title = "Too many requests"

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(
            f"Rate limit exceeded. Retry in {retry_after_seconds} seconds.",
            headers={"Retry-After": str(retry_after_seconds)},
        )


def invalid(field: str, problem: str) -> BadRequest:
    """A 400 that names the offending field, in the shape both faces print."""
    return BadRequest(f"{field}: {problem}", field=field)


def or_not_found(row: T | None, message: str) -> T:
    """The row, or a 404 whose error and details are both `message` (as the loyalty face documents)."""
    if row is None:
        raise NotFound(message, title=message)
    return row
