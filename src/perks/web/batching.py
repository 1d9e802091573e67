"""What group-committed routes share (behavior events, coupon redemptions): a request's answer as bytes,
its Idempotency-Key claimed and its answer stored in the batch's transaction, and the order that gives a
repeated key in one batch the stored answer of the first."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from perks.idempotency import service as idempotency
from perks.sql import Runner
from perks.tenancy.context import AuthContext


@dataclass(frozen=True)
class Answer:
    status_code: int
    body: bytes


async def claim(session: AsyncSession, ctx: AuthContext, wanted: idempotency.Claim | None) -> str | None:
    """Own the request's Idempotency-Key in the batch's transaction (None: it sent none)."""
    if wanted is None:
        return None
    return await idempotency.begin(session, ctx, wanted.key, wanted.fingerprint, wanted.ttl)


async def store(session: AsyncSession, record_id: str | None, answer: Answer) -> None:
    if record_id is not None:
        await idempotency.finish(session, record_id, answer.status_code, answer.body.decode())


def split_repeated_keys(
    claims: Sequence[idempotency.Claim | None], indexes: list[int]
) -> tuple[list[int], list[int]]:
    """The indexes whose Idempotency-Key an earlier one of the batch carries go last: claimed alongside
    the first they would find it in progress, where a request of a later transaction finds its answer."""
    seen: set[str] = set()
    first, repeats = [], []
    for index in indexes:
        wanted = claims[index]
        if wanted is not None and wanted.key in seen:
            repeats.append(index)
            continue
        if wanted is not None:
            seen.add(wanted.key)
        first.append(index)
    return first, repeats


@asynccontextmanager
async def savepoint(runner: Runner) -> AsyncIterator[None]:
    """One item of a batch: its work is undone alone if it raises (the error goes on to the caller)."""
    await runner.sql("SAVEPOINT perks_item")
    try:
        yield
    except BaseException:
        await runner.sql("ROLLBACK TO SAVEPOINT perks_item")
        await runner.sql("RELEASE SAVEPOINT perks_item")
        raise
    await runner.sql("RELEASE SAVEPOINT perks_item")
