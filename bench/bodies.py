"""Memory under huge request bodies: does a 100 MB body move the server's memory?

A real `perks serve` (SQLite) receives 100 MB bodies five times in each of these ways: without credentials
(refused with 401 before a byte is read), with a valid key and a Content-Length (413 at once), with a
valid key streamed chunked (413 once 1 MiB has passed), and 100 MB of event metadata with a valid token.
Baseline: the same server after 200 ordinary small requests. Printed: the server's resident memory
(VmRSS) and its peak (VmHWM) after each series, the time to the refusal, and how much of the body the
client had sent when the answer came.

    .venv/bin/python -m bench.bodies [--megabytes 100] [--repeat 5]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from bench.support import machine, perks_server

CHUNK = 1024 * 1024


def memory_mb(pid: int) -> tuple[float, float]:
    """(resident, peak resident) memory of a process, in MB, from /proc."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line
    )
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


class Body:
    """`megabytes` of filler in 1 MiB chunks, counting what the client actually got to send."""

    def __init__(self, megabytes: int, prefix: bytes = b"") -> None:
        self.megabytes = megabytes
        self.prefix = prefix
        self.sent = 0

    def __iter__(self) -> Iterator[bytes]:
        yield self.prefix
        self.sent += len(self.prefix)
        for _ in range(self.megabytes):
            self.sent += CHUNK
            yield b"a" * CHUNK


def post(url: str, headers: dict[str, str], body: Body, sized: bool) -> tuple[int, float, float]:
    """(status, seconds to the answer, MB the client had sent by then)."""
    if sized:
        headers = {**headers, "content-length": str(len(body.prefix) + body.megabytes * CHUNK)}
    started = time.perf_counter()
    try:
        response = httpx.post(url, headers=headers, content=iter(body), timeout=120)
        status = response.status_code
    except httpx.TransportError:  # the server closed the connection on a body it would not read
        status = 0
    return status, time.perf_counter() - started, body.sent / CHUNK


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--megabytes", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(machine())
    with perks_server() as server:
        key = {"x-auth-referralstack": server.api_key, "content-type": "application/json"}
        token = httpx.get(
            f"{server.base_url}/api/storefront/v1/auth/authorize", headers={"x-api-key": server.api_key}
        ).json()["data"]
        bearer = {"authorization": f"Bearer {token}", "content-type": "application/json"}
        columns = ("status", "answer s", "client sent MB", "RSS MB", "peak MB")
        print(
            f"{'series':<48} {columns[0]:>6} {columns[1]:>9} {columns[2]:>15} {columns[3]:>7} {columns[4]:>8}"
        )
        rss, peak = memory_mb(server.pid)
        print(f"{'started':<48} {'':>6} {'':>9} {'':>15} {rss:>7.1f} {peak:>8.1f}")
        for _ in range(200):
            httpx.post(f"{server.base_url}/api/v1/workspaces", headers=key, json={"name": "w"})
        rss, peak = memory_mb(server.pid)
        print(f"{'baseline: 200 small POSTs':<48} {201:>6} {'':>9} {'':>15} {rss:>7.1f} {peak:>8.1f}")
        series = [
            (
                "no credentials, Content-Length",
                f"{server.base_url}/api/v1/affiliates",
                {"content-type": "application/json"},
                True,
                b"",
            ),
            ("valid key, Content-Length", f"{server.base_url}/api/v1/affiliates", key, True, b""),
            ("valid key, chunked", f"{server.base_url}/api/v1/affiliates", key, False, b""),
            (
                "valid token, event metadata, chunked",
                f"{server.base_url}/api/storefront/v1/behavior/events",
                bearer,
                False,
                b'{"customer_id": "c", "brand_id": null, "type": "PAGE_VIEW", "metadata": {"blob": "',
            ),
        ]
        for label, url, headers, sized, prefix in series:
            results = [post(url, headers, Body(args.megabytes, prefix), sized) for _ in range(args.repeat)]
            rss, peak = memory_mb(server.pid)
            statuses = "/".join(sorted({str(status) for status, _, _ in results}))
            seconds = max(result[1] for result in results)
            sent = max(result[2] for result in results)
            print(f"{label:<48} {statuses:>6} {seconds:>9.2f} {sent:>15.1f} {rss:>7.1f} {peak:>8.1f}")


if __name__ == "__main__":
    main()
