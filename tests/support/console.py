"""Console test helpers: users made quickly (one password hash per run), signed-in HTTP clients, the CSRF
token of a page, and a counter of SQL statements per page render (for N+1 checks)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.routing import APIRoute
from sqlalchemy import event
from starlette.routing import Mount

from perks.console.pages import FACE
from perks.console.users.models import ConsoleUser, Role
from perks.console.users.service import HASHER
from perks.db.database import Database
from perks.kit.ids import new_id
from perks.ui.sessions import service as sessions

PASSWORD = "correct horse battery staple"
BASE_URL = "http://perks.test"
CSRF_META = re.compile(r'<meta name="csrf-token" content="([0-9a-f]+)">')


@cache
def password_hash() -> str:
    """argon2 takes ~0.1 s a hash: tests hash the one test password once."""
    return HASHER.hash(PASSWORD)


@dataclass(frozen=True)
class TestUser:
    user_id: str
    email: str
    account_id: str
    role: Role
    password: str = PASSWORD


TestUser.__test__ = False  # type: ignore[attr-defined]


async def add_user(database: Database, account_id: str, role: Role, email: str | None = None) -> TestUser:
    address = email or f"{role.value}-{new_id()[-12:]}@example.com"
    async with database.transaction() as session:
        user = ConsoleUser(
            account_id=account_id,
            email=address,
            role=role.value,
            password_hash=password_hash(),
            time_zone="UTC",
        )
        session.add(user)
    return TestUser(user.id, address, account_id, role)


async def session_token(database: Database, user: TestUser) -> str:
    """A live console session for `user`, as if they had signed in."""
    async with database.transaction() as session:
        started = await sessions.start(
            session,
            face=FACE.name,
            account_id=user.account_id,
            subject_id=user.user_id,
            lifetime=timedelta(hours=1),
        )
    return started.token


@dataclass
class ConsoleClient:
    """An HTTP client of the console with a browser's cookie jar; `post` adds the page's CSRF token."""

    http: httpx.AsyncClient
    csrf: str | None = None
    pages_seen: list[str] = field(default_factory=list)
    csrf_page: str = FACE.path("/login")  # a page with a form, for a first token

    async def get(self, path: str, **kwargs: Any) -> httpx.Response:
        response = await self.http.get(path, **kwargs)
        self.pages_seen.append(path)
        found = CSRF_META.search(response.text)
        if found:
            self.csrf = found.group(1)
        return response

    async def post(self, path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> httpx.Response:
        if self.csrf is None:
            await self.get(self.csrf_page)
        return await self.http.post(path, data={"csrf_token": self.csrf, **(data or {})}, **kwargs)


@asynccontextmanager
async def console_client(app: FastAPI, token: str | None = None) -> AsyncIterator[ConsoleClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
        if token is not None:
            http.cookies.set(FACE.session_cookie, token, domain="perks.test", path=FACE.prefix)
        client = ConsoleClient(http)
        if token is not None:
            await client.get(FACE.path("/settings/profile"))  # picks up the session's CSRF token
        yield client


@asynccontextmanager
async def signed_in(app: FastAPI, database: Database, user: TestUser) -> AsyncIterator[ConsoleClient]:
    async with console_client(app, await session_token(database, user)) as client:
        yield client


@dataclass
class StatementCount:
    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)


@contextmanager
def count_statements(database: Database) -> Iterator[StatementCount]:
    """Every SQL statement the app's engine runs inside the block (the page render under test)."""
    counted = StatementCount()

    def on_execute(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.startswith(("BEGIN", "PRAGMA", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")):
            counted.statements.append(statement)

    event.listen(database.engine.sync_engine, "before_cursor_execute", on_execute)
    try:
        yield counted
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", on_execute)


async def statements_per_page(client: ConsoleClient, database: Database, path: str) -> int:
    """How many SQL statements one render of `path` runs (a page whose count grows with its rows has an
    N+1: compare a page of 1 row with a page of many)."""
    with count_statements(database) as counted:
        response = await client.get(path)
    assert response.status_code == 200, response.text
    return counted.count


def console_app(app: FastAPI) -> FastAPI:
    """The console's own app, mounted in `app` (inside its security headers)."""
    for route in app.routes:
        if isinstance(route, Mount) and route.path == FACE.prefix:
            inner = route.app
            while not isinstance(inner, FastAPI):
                inner = inner.app  # type: ignore[attr-defined]
            return inner
    raise AssertionError("the console is not mounted")


def console_routes(app: FastAPI, method: str) -> list[str]:
    """The console's page paths answering `method`, with their path parameters filled with an id that
    names nothing."""
    return [
        FACE.prefix + re.sub(r"\{[^}]+\}", NO_SUCH_ID, route.path)
        for route in _api_routes(console_app(app).routes)
        if method in (route.methods or set())
    ]


def _api_routes(routes: list[Any]) -> list[APIRoute]:
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif hasattr(route, "original_router"):  # an included router (FastAPI keeps it whole)
            found.extend(_api_routes(route.original_router.routes))
    return found


NO_SUCH_ID = "00000000-0000-7000-8000-000000000000"
LABELLED = re.compile(r'<label[^>]*\bfor="([^"]+)"')
CONTROL = re.compile(r"<(input|select|textarea)\b([^>]*)>")


def unlabelled_controls(html: str) -> list[str]:
    """Form controls a screen reader could not name: no <label for=...>, no aria-label, not hidden."""
    labelled = set(LABELLED.findall(html))
    missing = []
    for tag, attributes in CONTROL.findall(html):
        if re.search(r'type="(hidden|submit|button)"', attributes) or "aria-label=" in attributes:
            continue
        found = re.search(r'\bid="([^"]+)"', attributes)
        if found is None or found.group(1) not in labelled:
            missing.append(f"<{tag}{attributes}>")
    return missing
