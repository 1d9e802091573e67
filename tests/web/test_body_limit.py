"""Request bodies are bounded: refused with 413 in the face's envelope while they stream in, never read
before the caller is authenticated; one route may declare a larger limit; a client that goes away
mid-body is no server error."""

from __future__ import annotations

import socket
import time
from collections.abc import AsyncIterator, MutableMapping
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from perks.app import create_app
from perks.config import Settings
from perks.db.database import Database
from tests.conftest import test_settings
from tests.support.probes import UPLOAD_LIMIT, mount_probes
from tests.support.server import TEST_SECRET, live_server
from tests.support.tenants import AFFILIATE, LOYALTY, Tenant, create_tenant

LIMIT = 64 * 1024
CHUNK = 16 * 1024


@pytest.fixture(scope="module")
async def small_app(database_url: str) -> AsyncIterator[FastAPI]:
    app = create_app(test_settings(database_url, max_body_bytes=LIMIT))
    mount_probes(app)
    yield app
    await app.state.db.dispose()


@pytest.fixture(scope="module")
async def small_client(small_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=small_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://perks.test") as http:
        yield http


@pytest.fixture
async def member(database: Database) -> Tenant:
    return await create_tenant(database, TEST_SECRET, "body-limit")


class Chunks:
    """A request body streamed in CHUNK-sized pieces, counting how many were taken."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.taken = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while self.taken * CHUNK < self.total:
            self.taken += 1
            yield b" " * CHUNK


def json_of(size: int) -> bytes:
    return b'{"name": "' + b"x" * (size - 24) + b'", "count": 1}'


async def test_a_body_over_the_limit_is_a_413_in_each_face_envelope(
    small_client: httpx.AsyncClient, member: Tenant
) -> None:
    loyalty = {**await member.loyalty(small_client), "content-type": "application/json"}
    response = await small_client.post(f"{LOYALTY}/_probe/echo", headers=loyalty, content=json_of(LIMIT + 1))
    assert response.status_code == 413
    assert response.json() == {
        "error": "Payload too large",
        "details": f"The request body is larger than this route accepts ({LIMIT} bytes at most)",
    }
    affiliate = {**member.affiliate, "content-type": "application/json"}
    response = await small_client.post(
        f"{AFFILIATE}/_probe/echo", headers=affiliate, content=json_of(LIMIT + 1)
    )
    assert response.status_code == 413
    assert response.json() == {
        "status": 413,
        "message": f"The request body is larger than this route accepts ({LIMIT} bytes at most)",
    }
    within = await small_client.post(f"{AFFILIATE}/_probe/echo", headers=affiliate, content=json_of(LIMIT))
    assert within.status_code == 200, within.text


async def test_a_streamed_body_is_refused_once_it_passes_the_limit_not_after(
    small_client: httpx.AsyncClient, member: Tenant
) -> None:
    body = Chunks(100 * LIMIT)  # no Content-Length: sent chunked
    headers = {**member.affiliate, "content-type": "application/json"}
    response = await small_client.post(f"{AFFILIATE}/_probe/echo", headers=headers, content=body)
    assert response.status_code == 413
    # Refused on the chunk that passed the limit: the other 99/100 of the body were never read.
    assert body.taken == LIMIT // CHUNK + 1


async def test_one_route_may_accept_more(small_client: httpx.AsyncClient, member: Tenant) -> None:
    headers = {**member.affiliate, "content-type": "application/octet-stream"}
    response = await small_client.post(
        f"{AFFILIATE}/_probe/upload", headers=headers, content=b"a" * UPLOAD_LIMIT
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"bytes": UPLOAD_LIMIT}
    too_big = await small_client.post(
        f"{AFFILIATE}/_probe/upload", headers=headers, content=b"a" * (UPLOAD_LIMIT + 1)
    )
    assert too_big.status_code == 413
    assert f"({UPLOAD_LIMIT} bytes at most)" in too_big.json()["message"]


def test_the_default_limit_is_one_mebibyte_and_configurable(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().max_body_bytes == 1024 * 1024
    monkeypatch.setenv("PERKS_MAX_BODY_BYTES", "5000")
    assert Settings().max_body_bytes == 5000


async def call(app: FastAPI, path: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes, int]:
    """(status, response body, how many times the app asked for the request body)."""
    asked = 0
    answer: dict[str, Any] = {"body": b""}

    async def receive() -> dict[str, Any]:
        nonlocal asked
        asked += 1
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
        elif message["type"] == "http.response.body":
            answer["body"] += message.get("body", b"")

    raw_headers = [(name.lower().encode(), value.encode()) for name, value in headers.items()]
    raw_headers.append((b"content-length", str(len(body)).encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": raw_headers,
        "client": ("127.0.0.1", 1),
        "server": ("perks.test", 80),
        "root_path": "",
        "state": {},
    }
    await app(scope, receive, send)
    return answer["status"], answer["body"], asked


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        (f"{AFFILIATE}/affiliates", {}),
        (f"{AFFILIATE}/affiliates", {"x-auth-referralstack": "rs_live_" + "0" * 40}),
        (f"{LOYALTY}/brands", {}),
        (f"{LOYALTY}/brands", {"authorization": "Bearer forged"}),
        (f"{LOYALTY}/behavior/events", {"authorization": "Bearer forged"}),
    ],
)
async def test_authentication_comes_before_a_byte_of_the_body_is_read(
    small_app: FastAPI, path: str, headers: dict[str, str]
) -> None:
    body = b'{"name": "' + b"x" * (10 * LIMIT) + b'"}'
    status, _answer, asked = await call(
        small_app, path, {**headers, "content-type": "application/json"}, body
    )
    assert status == 401
    assert asked == 0


async def test_an_authenticated_request_reads_its_body(small_app: FastAPI, member: Tenant) -> None:
    status, answer, asked = await call(
        small_app,
        f"{AFFILIATE}/_probe/echo",
        member.affiliate | {"content-type": "application/json"},
        json_of(100),
    )
    assert (status, asked) == (200, 1), answer
    status, answer, asked = await call(
        small_app,
        f"{AFFILIATE}/_probe/echo",
        member.affiliate | {"content-type": "application/json"},
        json_of(LIMIT + 1),
    )
    assert status == 413 and asked == 0  # Content-Length said so: refused before reading


async def test_a_client_that_leaves_mid_body_is_no_server_error(
    database_url: str, database: Database, workdir: Path
) -> None:
    tenant = await create_tenant(database, TEST_SECRET, "leaver")
    with live_server(database_url, workdir, env={"PERKS_LOG_LEVEL": "INFO"}) as server:
        host, port = server.base_url.removeprefix("http://").split(":")
        for _ in range(3):
            with socket.create_connection((host, int(port))) as connection:
                head = (
                    f"POST {AFFILIATE}/affiliates HTTP/1.1\r\nHost: {host}\r\n"
                    f"x-auth-referralstack: {tenant.server_key}\r\ncontent-type: application/json\r\n"
                    "content-length: 100000\r\n\r\n"
                )
                connection.sendall(head.encode() + b'{"email": "a@b.co", "firstName": "')
                time.sleep(0.2)
        time.sleep(0.5)
        metrics = httpx.get(f"{server.base_url}/metrics").text
        log = server.log()
    assert 'route="/api/v1/affiliates",status="499"} 3.0' in metrics, metrics[-3000:]
    assert 'status="500"' not in metrics
    assert "Traceback" not in log and "unhandled error" not in log
    assert log.count("client disconnected") == 3
