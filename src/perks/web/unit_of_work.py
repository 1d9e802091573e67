"""One request, one transaction (DESIGN rule 1).

Routes of both faces use UnitOfWorkRoute: the handler runs inside a session that is committed once the
response is built (before a byte is sent) and rolled back on any error, so a client never sees success for
work that was not committed. The stored idempotent response is written in that same transaction.

A `@group_committed` route opens no transaction of its own: its handler hands the work to a group-commit
writer (perks.kit.group_commit) that does it, with its idempotency claim, in the transaction of a batch,
and answers once that transaction is committed.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from functools import partial
from typing import Any, TypeVar

from fastapi import Request, Response
from fastapi.routing import APIRoute
from sqlalchemy.ext.asyncio import AsyncSession

from perks.db.database import Database
from perks.db.retries import retrying
from perks.idempotency import service as idempotency
from perks.web.auth_first import Check, auth_checks, authenticate_first
from perks.web.direct_call import direct_handler
from perks.web.guard import GuardedRequest, guard_request

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])


def writes(endpoint: Endpoint) -> Endpoint:
    """Mark a GET endpoint that writes, so it takes the write lock up front (SQLite BEGIN IMMEDIATE)."""
    endpoint.perks_writes = True  # type: ignore[attr-defined]
    return endpoint


def group_committed(endpoint: Endpoint) -> Endpoint:
    """Mark an endpoint whose work is done, and committed, by a group-commit writer."""
    endpoint.perks_group_committed = True  # type: ignore[attr-defined]
    return endpoint


def own_transaction(endpoint: Endpoint) -> Endpoint:
    """Mark an endpoint that opens its transaction itself: a hot path's read
    (perks.db.database.Database.reading), or an upload that must not hold SQLite's writer while its body
    arrives."""
    endpoint.perks_own_transaction = True  # type: ignore[attr-defined]
    return endpoint


class UnitOfWorkRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        checks = auth_checks(self.dependant)
        marks = ("perks_group_committed", "perks_own_transaction")
        if any(getattr(self.endpoint, mark, False) for mark in marks):
            standard = super().get_route_handler()
            direct = direct_handler(self.dependant, self._embed_body_fields, standard)
            return _without_transaction(_guarded(direct, checks))
        handler = _guarded(super().get_route_handler(), checks)
        read_only = (self.methods or set()) <= SAFE_METHODS and not getattr(
            self.endpoint, "perks_writes", False
        )

        async def run_in_transaction(request: Request) -> Response:
            database: Database = request.app.state.db
            async with database.write_slot(read_only=read_only):
                session = database.session(read_only=read_only)
                request.state.session = session
                try:
                    return await _respond(request, session, handler)
                except BaseException:
                    await session.rollback()
                    raise
                finally:
                    await session.close()

        async def run_retrying(request: Request) -> Response:
            # A deadlock's victim (PostgreSQL) is rolled back whole: the request is run again from the
            # start (its body is cached), instead of answering 500 for a conflict the client did not cause.
            return await retrying(partial(run_in_transaction, GuardedRequest(request.scope, request.receive)))

        return run_retrying


Handler = Callable[[Request], Coroutine[Any, Any, Response]]


def _guarded(handler: Handler, checks: list[Check]) -> Handler:
    """Authenticate before reading the body, then check query, path and body (perks.web.guard)."""

    async def run(request: Request) -> Response:
        assert isinstance(request, GuardedRequest)
        await authenticate_first(request, checks)
        await guard_request(request)
        return await handler(request)

    return run


def _without_transaction(handler: Handler) -> Handler:
    async def run(request: Request) -> Response:
        return await handler(GuardedRequest(request.scope, request.receive))

    return run


async def _respond(
    request: Request, session: AsyncSession, handler: Callable[[Request], Coroutine[Any, Any, Response]]
) -> Response:
    """Run the handler; commit (storing the idempotent response first) unless it answered an error."""
    response = await handler(request)
    if response.status_code >= 400:
        await session.rollback()
        return response
    record_id = getattr(request.state, "idempotency_record", None)
    if record_id is not None:
        secret = request.app.state.settings.signing_secret
        body = idempotency.seal(bytes(response.body).decode(), secret)
        await idempotency.finish(session, record_id, response.status_code, body)
    await session.commit()
    return response


def get_session(request: Request) -> AsyncSession:
    """The request's session, opened by UnitOfWorkRoute."""
    session: AsyncSession = request.state.session
    return session


async def session_dependency(request: Request) -> AsyncSession:
    """get_session as a dependency; async so FastAPI does not hand it to a thread pool."""
    return get_session(request)
