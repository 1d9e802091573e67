"""Hostile input in every body field, query parameter and path parameter of every operation, on both
databases: never a 5xx, and every refusal in the face's envelope. The classic hostile values go into every
field; hypothesis (fixed seed, bounded examples) draws more from perks' own generator (tests/contract/
hostile.py); every body-taking operation also gets an oversized body and odd content types."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perks.app import create_app
from perks.config import Settings
from perks.web.body_limit import route_limit
from perks.web.dispatch import api_routes
from tests.contract.hostile import (
    CLASSIC_TOKENS,
    CLASSIC_URL_VALUES,
    CONTENT_TYPES,
    Operation,
    Target,
    hostile_tokens,
    hostile_url_values,
    operations,
)
from tests.contract.world import World
from tests.support.server import TEST_SECRET
from tests.support.tenants import AFFILIATE, LOYALTY, Tenant

# The description is the app's own; no database is opened to read it.
OPERATIONS = operations(
    create_app(Settings(database_url="sqlite+aiosqlite://", secret_key=TEST_SECRET)).openapi()
)
DRAWN_PER_OPERATION = 8


def check(operation: Operation, response: httpx.Response, sent: str) -> None:
    context = f"{operation} with {sent[:300]!r}: {response.status_code} {response.text[:300]}"
    assert response.status_code < 500, context
    if response.status_code < 400:
        return
    if operation.path.startswith(LOYALTY):
        body = response.json()
        assert isinstance(body.get("error"), str) and isinstance(body.get("details"), str), context
    elif operation.path.startswith(AFFILIATE):
        body = response.json()
        assert body.get("status") == response.status_code and isinstance(body.get("message"), str), context


class Fuzzer:
    """Sends one operation's requests with the tenant's credentials and the ids of its real rows."""

    def __init__(
        self, client: httpx.AsyncClient, operation: Operation, headers: dict[str, str], ids: dict[str, str]
    ):
        self.client = client
        self.operation = operation
        self.headers = headers
        self.ids = ids

    @classmethod
    async def of(cls, client: httpx.AsyncClient, tenant: Tenant, operation: Operation) -> Fuzzer:
        """One per test: a test's hypothesis examples share the tenant and its rows."""
        key = (tenant.account_id, str(operation))
        if key not in _FUZZERS:
            # Both faces' server credentials at once: each face reads its own header.
            headers = {**tenant.affiliate, **await tenant.loyalty(client)}
            ids = await World(client, tenant).ids(operation.names())
            _FUZZERS.clear()
            _FUZZERS[key] = cls(client, operation, headers, ids)
        return _FUZZERS[key]

    async def send_body(self, content: bytes, content_type: str = "application/json") -> httpx.Response:
        headers = {**self.headers, "content-type": content_type}
        return await self.client.request(
            self.operation.method, self.operation.url(self.ids), content=content, headers=headers
        )

    async def send(self, target: Target, value: str) -> httpx.Response:
        operation = self.operation
        if target.location == "body":
            return await self.send_body(operation.body_with(target, value, self.ids))
        body = operation.plausible_body(self.ids) if operation.body_schema else None
        headers = {**self.headers, "content-type": "application/json"} if body else self.headers
        url = operation.url(self.ids, {target.name: value})
        return await self.client.request(operation.method, url, content=body, headers=headers)


_FUZZERS: dict[tuple[str, str], Fuzzer] = {}


def classic_values(target: Target) -> list[str]:
    return CLASSIC_TOKENS if target.location == "body" else CLASSIC_URL_VALUES


@pytest.mark.parametrize("operation", OPERATIONS, ids=str)
async def test_every_field_refuses_the_classic_hostile_values(
    client: httpx.AsyncClient, tenant: Tenant, operation: Operation
) -> None:
    fuzzer = await Fuzzer.of(client, tenant, operation)
    for target in operation.targets:
        for value in classic_values(target):
            check(operation, await fuzzer.send(target, value), f"{target}={value}")


def body_limit_of(app: FastAPI, operation: Operation) -> int:
    """The body limit of the operation's route: PERKS_MAX_BODY_BYTES, unless the route declares its own (the
    batch routes, whose 1,000 records may weigh more)."""
    for route in api_routes(app.router.routes):
        if route.path == operation.path and operation.method in route.methods:
            limit, _refusal = route_limit({"route": route}, Settings())
            return limit
    raise AssertionError(f"no route for {operation}")


@pytest.mark.parametrize("operation", [op for op in OPERATIONS if op.body_schema is not None], ids=str)
async def test_odd_content_types_and_oversized_bodies_are_4xx_in_the_envelope(
    app: FastAPI, client: httpx.AsyncClient, tenant: Tenant, operation: Operation
) -> None:
    fuzzer = await Fuzzer.of(client, tenant, operation)
    plausible = operation.plausible_body(fuzzer.ids)
    for content_type in CONTENT_TYPES:
        for content in (plausible, b"\xff\xfe{", b"a=1&b=%00"):
            response = await fuzzer.send_body(content, content_type)
            check(operation, response, f"{content_type}: {content!r}")
    oversized = b'{"x": "' + b"a" * body_limit_of(app, operation) + b'"}'
    response = await fuzzer.send_body(oversized)
    check(operation, response, "an oversized body")
    assert response.status_code == 413


@pytest.mark.parametrize("operation", OPERATIONS, ids=str)
@settings(
    max_examples=DRAWN_PER_OPERATION,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(data=st.data())
async def test_drawn_hostile_values_never_get_a_server_error(
    client: httpx.AsyncClient, tenant: Tenant, operation: Operation, data: Any
) -> None:
    targets = operation.targets
    if not targets:
        return
    target = data.draw(st.sampled_from(targets), label="target")
    strategy = hostile_tokens() if target.location == "body" else hostile_url_values()
    value = data.draw(strategy, label="value")
    fuzzer = await Fuzzer.of(client, tenant, operation)
    check(operation, await fuzzer.send(target, value), f"{target}={value}")
