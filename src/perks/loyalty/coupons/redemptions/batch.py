"""POST /coupons/redeem, group-committed (perks.kit.group_commit): the redemptions that arrive while a batch
is being written are done together in the next one, in one transaction, each in a savepoint of its own,
and each request is answered once that transaction is committed, with its own answer or its own error.

A code is still claimed by one conditional UPDATE, so of any number of redemptions of one code (in one
batch, in batches side by side, in other processes) exactly one wins; a refused redemption rolls back to
its savepoint, which frees the code again. A batch first checks that the tokens' keys are still active
(one query); an Idempotency-Key is claimed and its answer stored with the redemption's own work, and a
repeated key of the batch runs after the first, to find its stored answer. A batch that PostgreSQL picks
as a deadlock's victim is rolled back and run again whole."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from perks.db.database import Database
from perks.db.retries import is_retryable, retrying
from perks.idempotency import service as idempotency
from perks.kit import encoding
from perks.kit.group_commit import GroupCommit
from perks.loyalty.coupons.redemptions import service
from perks.loyalty.coupons.redemptions.schemas import RedeemBody
from perks.loyalty.events import repository as events_repository
from perks.loyalty.face import revoked
from perks.sql import Runner, runner_of
from perks.tenancy import service as tenancy
from perks.tenancy.context import AuthContext
from perks.web.batching import Answer, claim, savepoint, split_repeated_keys, store

MAX_BATCH = 100
POSTGRES_WRITERS = 4  # batches written side by side on PostgreSQL (SQLite admits one writer)
LINGER = 0.001


@dataclass(frozen=True)
class Job:
    ctx: AuthContext  # as the token claims it; the batch checks the key
    body: RedeemBody
    idempotency: idempotency.Claim | None


def writer_of(state: Any) -> GroupCommit[Job, Answer]:
    """The process's redemption writer, kept on app.state."""
    writer: GroupCommit[Job, Answer] | None = getattr(state, "redemption_writer", None)
    if writer is None:
        database: Database = state.db
        writers = 1 if database.is_sqlite else POSTGRES_WRITERS
        writer = GroupCommit(
            partial(write_batch, database), max_batch=MAX_BATCH, max_writers=writers, linger=LINGER
        )
        state.redemption_writer = writer
    return writer


async def write_batch(database: Database, jobs: list[Job]) -> list[Answer | BaseException]:
    return await retrying(partial(_write_once, database, jobs))


async def _write_once(database: Database, jobs: list[Job]) -> list[Answer | BaseException]:
    async with database.write_slot(read_only=False):
        session = database.session()
        try:
            outcomes = await _run(session, jobs)
            await session.commit()
        except BaseException:
            await session.rollback()
            raise
        finally:
            await session.close()
    return outcomes


async def _run(session: AsyncSession, jobs: list[Job]) -> list[Answer | BaseException]:
    runner = await runner_of(session)
    active = await tenancy.read_active_keys(runner, [job.ctx for job in jobs])
    await _lock_customers(runner, [job for job in jobs if job.ctx.key_id in active])
    outcomes: list[Answer | BaseException] = [revoked()] * len(jobs)
    first, repeats = split_repeated_keys([job.idempotency for job in jobs], list(range(len(jobs))))
    for index in first + repeats:
        if jobs[index].ctx.key_id in active:
            outcomes[index] = await _run_alone(session, runner, jobs[index])
    return outcomes


async def _lock_customers(runner: Runner, jobs: list[Job]) -> None:
    """Row-lock the batch's customers in id order first (PostgreSQL; SQLite has one writer): batches side
    by side then take their customers' wallets in one order, and never deadlock on them."""
    by_account: dict[str, tuple[AuthContext, set[str]]] = {}
    for job in jobs:
        by_account.setdefault(job.ctx.account_id, (job.ctx, set()))[1].add(job.body.customer_id)
    for ctx, external_ids in by_account.values():
        await events_repository.read_customers_and_wallets(runner, ctx, external_ids)


async def _run_alone(session: AsyncSession, runner: Runner, job: Job) -> Answer | BaseException:
    try:
        async with savepoint(runner):
            record_id = await claim(session, job.ctx, job.idempotency)
            redeemed = await service.redeem(session, job.ctx, job.body)
            answer = Answer(200, encoding.wire_bytes({"data": redeemed}))
            await store(session, record_id, answer)
        return answer
    except Exception as error:  # this redemption's own error (or Replay); the batch goes on
        if is_retryable(error):  # a deadlock: the whole batch is run again
            raise
        return error
