"""Fire the same HTTP request from several OS processes at (nearly) the same instant."""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Mapping
from typing import Any

import httpx


def _fire(args: tuple[float, str, str, dict[str, str], Any]) -> tuple[int, str]:
    start_at, method, url, headers, body = args
    with httpx.Client(timeout=60) as http:
        http.get(url.split("/api/")[0] + "/healthz")  # connect before the starting line
        time.sleep(max(0.0, start_at - time.time()))
        response = http.request(method, url, headers=headers, json=body)
        return response.status_code, response.text


def concurrent_requests(
    processes: int, method: str, url: str, headers: Mapping[str, str], bodies: list[Any]
) -> list[tuple[int, str]]:
    """Send bodies[i] from process i (len(bodies) requests), all released at the same moment."""
    context = multiprocessing.get_context("spawn")
    start_at = time.time() + 2.0  # time for the spawned interpreters to import and connect
    with context.Pool(processes) as pool:
        return pool.map(_fire, [(start_at, method, url, dict(headers), body) for body in bodies])
