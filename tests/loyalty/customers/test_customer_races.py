"""Registrations racing against a live server from several OS processes: the unique indexes decide, so one
customer id (or email) is registered exactly once and every loser gets a clean 409."""

from __future__ import annotations

import asyncio
import multiprocessing
from pathlib import Path
from typing import Any

import httpx

from tests.support.server import live_server
from tests.support.tenants import LOYALTY, Tenant

RACERS = 5


def register_in_a_process(
    base_url: str, token: str, bodies: list[dict[str, Any]], start: Any, results: Any
) -> None:
    """Post each body in turn, every process starting each round at the same moment."""
    with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=60) as http:
        for round_number, body in enumerate(bodies):
            start.wait()
            response = http.post(f"{LOYALTY}/customers", json=body)
            results.put((round_number, response.status_code, response.json()))


async def race(base_url: str, token: str, rounds: list[list[dict[str, Any]]]) -> list[list[tuple[int, Any]]]:
    """rounds[r][p] is what process p posts in round r; returns (status, body) per round."""
    spawn = multiprocessing.get_context("spawn")
    start, results = spawn.Barrier(RACERS), spawn.Queue()
    workers = [
        spawn.Process(
            target=register_in_a_process,
            args=(base_url, token, [bodies[racer] for bodies in rounds], start, results),
        )
        for racer in range(RACERS)
    ]
    for worker in workers:
        worker.start()
    outcomes: list[list[tuple[int, Any]]] = [[] for _ in rounds]
    for _ in range(RACERS * len(rounds)):
        round_number, status, body = await asyncio.to_thread(results.get, True, 120)
        outcomes[round_number].append((status, body))
    for worker in workers:
        await asyncio.to_thread(worker.join, 30)
    return outcomes


async def test_one_id_or_email_registers_once(database_url: str, workdir: Path, tenant: Tenant) -> None:
    with live_server(database_url, workdir) as server:
        async with httpx.AsyncClient(base_url=server.base_url) as http:
            token = await tenant.loyalty(http)
        bearer = token["Authorization"].removeprefix("Bearer ")
        same_id = [{"id": "racer", "name": "R", "email": f"r{n}@example.com"} for n in range(RACERS)]
        same_email = [{"id": f"racer-{n}", "name": "R", "email": "same@example.com"} for n in range(RACERS)]
        rounds = await race(server.base_url, bearer, [same_id, same_email])
        for outcomes, field in zip(rounds, ("id", "email"), strict=True):
            statuses = sorted(status for status, _ in outcomes)
            assert statuses == [201] + [409] * (RACERS - 1), outcomes
            assert all(body["details"].startswith(f"{field}:") for status, body in outcomes if status == 409)
