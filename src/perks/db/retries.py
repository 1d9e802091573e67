"""Running a transaction again after PostgreSQL rolled it back whole (a deadlock's victim, a serialization
failure)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError

T = TypeVar("T")

# PostgreSQL's "deadlock detected" and "could not serialize": the transaction was rolled back whole and
# may simply be run again.
RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})
RETRY_ATTEMPTS = 3


class RunAgain(Exception):
    """A transaction found, at its end, that a concurrent one wrote first what it meant to write (a
    purchase_id recorded meanwhile): run again from the start, it sees that write and acts on it."""


def is_retryable(error: BaseException) -> bool:
    """A database error after which running the same transaction again may succeed."""
    if isinstance(error, RunAgain):
        return True
    return getattr(getattr(error, "orig", None), "sqlstate", None) in RETRYABLE_SQLSTATES


async def retrying(transaction: Callable[[], Awaitable[T]]) -> T:
    """Run `transaction` (a whole transaction, from BEGIN to COMMIT) again, up to RETRY_ATTEMPTS times in
    all, while PostgreSQL rolls it back as a deadlock's victim or for a serialization failure, or while it
    raises RunAgain."""
    for attempt in range(1, RETRY_ATTEMPTS + 1):
        try:
            return await transaction()
        except (DBAPIError, RunAgain) as error:
            if attempt == RETRY_ATTEMPTS or not is_retryable(error):
                raise
    raise AssertionError("unreachable: the last attempt returns or raises")
