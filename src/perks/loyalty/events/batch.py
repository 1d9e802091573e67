"""POST /behavior/events, group-committed (perks.kit.group_commit): the events that arrive while a batch is
being written are processed together in the next one, in one transaction, and each request is answered
once that transaction is committed, with its own event (201), the stored one (200) or its own error.

A batch, in its transaction:
1. checks that the tokens' keys are still active (one query for the batch);
2. per account, row-locks the customers and reads their wallets (one query) and checks the brands;
3. asks the event programs (punch cards, referrals) which events they may act on;
4. processes one by one, each in a SAVEPOINT so that its error undoes only its own work, the events that
   redeem, are unfulfilled or concern a program (events.service.create, as for a single request);
5. processes the others set-wise (events.service.create_many), in a SAVEPOINT of their own;
6. claims and stores the Idempotency-Keys along with each event's work; a job whose key an earlier job of
   the batch carries runs last, and gets the stored answer as a request of a later transaction would.
A batch that PostgreSQL picks as a deadlock's victim is rolled back and run again whole.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from perks.db.database import Database
from perks.db.retries import is_retryable, retrying
from perks.errors import AppError
from perks.idempotency import service as idempotency
from perks.kit import encoding
from perks.kit.group_commit import GroupCommit
from perks.loyalty import programs
from perks.loyalty.customers import service as customers
from perks.loyalty.customers.models import Customer
from perks.loyalty.events import repository, service
from perks.loyalty.events.programs import Candidate
from perks.loyalty.events.schemas import EventCreate
from perks.loyalty.face import revoked
from perks.sql import runner_of
from perks.tenancy import service as tenancy
from perks.tenancy.context import AuthContext
from perks.web.batching import Answer, claim, split_repeated_keys, store

MAX_BATCH = 100
POSTGRES_WRITERS = 4  # batches written side by side on PostgreSQL (SQLite admits one writer)
# A batch's fixed cost (its transaction, about fifteen statements) is shared by more events when the
# writer waits this long for a batch to fill: -15 % server CPU per event in bench/events.py.
LINGER = 0.002


@dataclass(frozen=True)
class Job:
    ctx: AuthContext  # as the token claims it; the batch checks the key
    body: EventCreate
    issued_at: datetime
    idempotency: idempotency.Claim | None


Outcomes = list[Answer | BaseException | None]
Found = dict[str, tuple[Customer, str]]


def writer_of(state: Any) -> GroupCommit[Job, Answer]:
    """The process's event writer, kept on app.state."""
    writer: GroupCommit[Job, Answer] | None = getattr(state, "event_writer", None)
    if writer is None:
        database: Database = state.db
        writers = 1 if database.is_sqlite else POSTGRES_WRITERS
        writer = GroupCommit(
            partial(write_batch, database), max_batch=MAX_BATCH, max_writers=writers, linger=LINGER
        )
        state.event_writer = writer
    return writer


async def write_batch(database: Database, jobs: list[Job]) -> list[Answer | BaseException]:
    """The batch in one transaction, run again (perks.db.retries.retrying) when PostgreSQL picks it as a
    deadlock's victim: batches lock their customers in id order, but an event processed one by one may
    lock others (a referrer's wallet) that a concurrent batch holds."""
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
    return [outcome if outcome is not None else RuntimeError("event left unanswered") for outcome in outcomes]


async def dry_run(database: Database, job: Job) -> Answer:
    """What the event would do, worked out by the very path that would do it (a batch of one, with its
    campaigns, budgets, tiers and consent) in a transaction that is then rolled back: nothing of it is
    kept (no event, ledger line, budget use, webhook or idempotency record). Raises the event's error."""

    async def rolled_back() -> Answer | BaseException:
        async with database.write_slot(read_only=False):
            session = database.session()
            try:
                [outcome] = await _run(session, [job])
            finally:
                await session.rollback()
                await session.close()
        return outcome if outcome is not None else RuntimeError("event left unanswered")

    outcome = await retrying(rolled_back)
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome


async def _run(session: AsyncSession, jobs: list[Job]) -> Outcomes:
    outcomes: Outcomes = [None] * len(jobs)
    active = await tenancy.read_active_keys(await runner_of(session), [job.ctx for job in jobs])
    by_account: dict[str, list[int]] = defaultdict(list)
    for index, job in enumerate(jobs):
        if job.ctx.key_id in active:
            by_account[job.ctx.account_id].append(index)
        else:
            outcomes[index] = revoked()
    for indexes in by_account.values():
        await _run_account(session, jobs, indexes, outcomes)
    return outcomes


async def _run_account(
    session: AsyncSession, jobs: list[Job], indexes: list[int], outcomes: Outcomes
) -> None:
    ctx = jobs[indexes[0]].ctx
    first, repeats = split_repeated_keys([job.idempotency for job in jobs], indexes)
    found, checked = await _lock_known_customers(session, ctx, jobs, first, outcomes)
    concerned = await programs.concerned(session, ctx, [_candidate(jobs[i].body, found) for i in checked])
    one_by_one = [
        index for k, index in enumerate(checked) if k in concerned or not _setwise_ready(jobs[index].body)
    ]
    for index in one_by_one:
        outcomes[index] = await _run_alone(session, jobs[index])
    setwise = [index for index in checked if index not in one_by_one]
    if setwise:
        if one_by_one:  # they may have changed the customers: read them again
            found = await repository.read_customers_and_wallets(
                await runner_of(session), ctx, {jobs[i].body.customer_id for i in setwise}
            )
        await _setwise(session, ctx, jobs, setwise, found, outcomes)
    for index in repeats:  # after the first: they find its stored response (or its key free again)
        outcomes[index] = await _run_alone(session, jobs[index])


async def _lock_known_customers(
    session: AsyncSession, ctx: AuthContext, jobs: list[Job], indexes: list[int], outcomes: Outcomes
) -> tuple[Found, list[int]]:
    """Row-lock the customers and read their wallets; the jobs whose customer and brand exist (the others
    get their 404 / 400)."""
    bodies = [jobs[index].body for index in indexes]
    runner = await runner_of(session)
    found = await repository.read_customers_and_wallets(runner, ctx, {body.customer_id for body in bodies})
    brands = await repository.read_existing_brands(
        runner, ctx, {body.brand_id for body in bodies if body.brand_id is not None}
    )
    checked = []
    for index in indexes:
        body = jobs[index].body
        if body.customer_id not in found:
            outcomes[index] = customers.CustomerNotFound(body.customer_id)
        elif body.brand_id is not None and body.brand_id not in brands:
            outcomes[index] = service.unknown_brand()
        else:
            checked.append(index)
    return found, checked


def _setwise_ready(body: EventCreate) -> bool:
    """An event the set-wise path handles: fulfilled and redeeming nothing."""
    return body.fulfilled and not service.redeem_items(body)


def _candidate(body: EventCreate, found: Found) -> Candidate:
    return Candidate(body.type, body.brand_id, found[body.customer_id][0].id, body.referral_code)


async def _run_alone(session: AsyncSession, job: Job) -> Answer | BaseException:
    try:
        async with session.begin_nested():
            record_id = await claim(session, job.ctx, job.idempotency)
            answer = _answer(await service.create(session, job.ctx, job.body))
            await store(session, record_id, answer)
        return answer
    except Exception as error:  # this event's own error (or Replay); the batch goes on
        if is_retryable(error):  # a deadlock: the whole batch is run again
            raise
        return error


async def _setwise(
    session: AsyncSession,
    ctx: AuthContext,
    jobs: list[Job],
    indexes: list[int],
    found: Found,
    outcomes: Outcomes,
) -> None:
    try:
        async with session.begin_nested():
            claimed: list[tuple[int, str | None]] = []
            for index in indexes:
                try:
                    claimed.append((index, await claim(session, jobs[index].ctx, jobs[index].idempotency)))
                except (AppError, idempotency.Replay) as error:  # the claim wrote nothing
                    outcomes[index] = error
            accepted = [_accepted(jobs[index], found) for index, _record in claimed]
            created = await service.create_many(session, ctx, accepted)
            for (index, record_id), result in zip(claimed, created, strict=True):
                outcomes[index] = await _settled(session, record_id, result)
    except Exception as error:  # nothing of the set-wise part was written: each of its events fails
        if is_retryable(error):
            raise
        for index in indexes:
            outcomes[index] = error


def _accepted(job: Job, found: Found) -> service.Accepted:
    customer, wallet_id = found[job.body.customer_id]
    return service.Accepted(job.body, customer, wallet_id, job.issued_at)


async def _settled(
    session: AsyncSession, record_id: str | None, result: service.Created | AppError
) -> Answer | AppError:
    if isinstance(result, AppError):
        if record_id is not None:
            await idempotency.abandon(session, record_id)
        return result
    answer = _answer(result)
    await store(session, record_id, answer)
    return answer


def _answer(created: service.Created) -> Answer:
    document = dict(created.event)
    document["result"] = document.pop("result")  # last, as the answers have always had it
    return Answer(200 if created.repeated else 201, encoding.wire_bytes({"data": document}))
