"""Exporting a COUPONS campaign's codes: GET /campaigns/{id}/codes.csv of 10,000,000 codes from a real
`perks serve`, with the server's resident memory (RSS, from /proc) sampled every 20 ms during the
download. Baseline in the same run and server: the export of a 100,000-code campaign. Flat memory means
the same peak RSS for both; the ratio of rows/s says whether a long export slows down.

About 3% of the codes are marked redeemed, so the file has both parts (available, then redeemed). The
codes are written straight to the table (their generation is measured by bench.codes and bench.code_job).

    python -m bench.code_export [--codes N] [--baseline N] [--console]

With --console the files come from the console's "Download all codes (CSV)" link
(GET /console/campaigns/{id}/codes.csv, signed in as a viewer) instead of the API.

SQLite always; PERKS_BENCH_POSTGRES_URL (or PERKS_TEST_POSTGRES_URL) adds PostgreSQL, in a fresh database.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import update

from bench.support import fresh_databases, perks_server
from perks.console.pages import FACE
from perks.console.users.models import ConsoleUser, Role
from perks.console.users.service import HASHER
from perks.db.database import Database
from perks.kit import clock
from perks.loyalty.coupons.generator import CodeFormat, unique_codes
from perks.loyalty.coupons.models import CouponCode
from perks.loyalty.coupons.repository import insert_codes
from perks.ui.sessions import service as sessions

LOYALTY = "/api/storefront/v1"
CHUNK = 500_000


@dataclass
class Export:
    codes: int
    seconds: float
    megabytes: float
    rss_before_mib: float
    rss_peak_mib: float

    @property
    def rows_per_second(self) -> float:
        return self.codes / self.seconds

    def line(self, label: str) -> str:
        return (
            f"  {label:9} {self.codes:>11,} codes in {self.seconds:7.1f} s "
            f"({self.rows_per_second:>9,.0f} rows/s, "
            f"{self.megabytes / self.seconds:5.1f} MB/s)  server RSS {self.rss_before_mib:6.1f} MiB before, "
            f"peak {self.rss_peak_mib:6.1f} MiB (+{self.rss_peak_mib - self.rss_before_mib:.1f})"
        )


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def campaign(http: httpx.Client, headers: dict[str, str], name: str) -> str:
    reward = http.post(
        "/rewards",
        headers=headers,
        json={"type": "POINTS", "name": "Points", "attributes": {"conversion_factor": 1}},
    ).json()["data"]["id"]
    body = {
        "name": name,
        "rules": json.dumps([{"conditions": [], "effects": [{"reward_id": reward, "amount": 1}]}]),
        "start_date": clock.now().isoformat(),
        "end_date": (clock.now() + timedelta(days=30)).isoformat(),
        "quantity": 1,
        "attributes": {"code_config": {"prefix": f"{name}-", "length": 10}},
    }
    response = http.post("/campaigns?type=COUPONS", headers=headers, json=body)
    response.raise_for_status()
    return str(response.json()["data"]["id"])


async def fill(url: str, account_id: str, campaign_id: str, prefix: str, quantity: int) -> None:
    """`quantity` more codes for the campaign, in chunks; about 3% of them marked redeemed."""
    database = Database(url)
    code_format = CodeFormat(prefix=f"{prefix}-", pattern="#" * 10)
    written = 0
    while written < quantity:
        batch = unique_codes(code_format, min(CHUNK, quantity - written))
        async with database.transaction() as session:
            written += await insert_codes(session, account_id, campaign_id, batch)
    async with database.transaction() as session:
        await session.execute(
            update(CouponCode)
            .where(CouponCode.account_id == account_id, CouponCode.campaign_id == campaign_id)
            .where(CouponCode.code < f"{prefix}-3")
            .values(redeemed_at=clock.now(), redeemed_by="bench-customer")
        )
    await database.dispose()


async def console_session(url: str, account_id: str) -> str:
    """A viewer of the account, signed in: the console's session cookie."""
    database = Database(url)
    async with database.transaction() as session:
        user = ConsoleUser(
            account_id=account_id,
            email=f"bench-{account_id[-8:]}@example.com",
            role=Role.VIEWER.value,
            password_hash=HASHER.hash(secrets.token_urlsafe()),  # signs in through the session only
            time_zone="UTC",
        )
        session.add(user)
        await session.flush()
        started = await sessions.start(
            session, face=FACE.name, account_id=account_id, subject_id=user.id, lifetime=timedelta(hours=1)
        )
    await database.dispose()
    return f"{FACE.session_cookie}={started.token}"


def export(base_url: str, path: str, headers: dict[str, str], pid: int) -> Export:
    before = rss_mib(pid)
    peak = [before]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], rss_mib(pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    lines = size = 0
    started = time.perf_counter()
    with (
        httpx.Client(base_url=base_url, timeout=600) as http,
        http.stream("GET", path, headers=headers) as response,
    ):
        response.raise_for_status()
        for chunk in response.iter_bytes():
            lines += chunk.count(b"\n")
            size += len(chunk)
    elapsed = time.perf_counter() - started
    done.set()
    sampler.join()
    return Export(lines - 1, elapsed, size / 1e6, before, peak[0])


def run(kind: str, url: str, big: int, small: int, console: bool) -> None:
    with perks_server(url) as server:
        with httpx.Client(base_url=server.base_url + LOYALTY, timeout=120) as http:
            token = http.get("/auth/authorize", headers={"x-api-key": server.api_key}).json()["data"]
            headers = {"Authorization": f"Bearer {token}"}
            ids = {name: campaign(http, headers, name) for name in ("SMALL", "BIG")}
        started = time.perf_counter()
        asyncio.run(fill(url, server.account_id, ids["SMALL"], "SMALL", small - 1))
        asyncio.run(fill(url, server.account_id, ids["BIG"], "BIG", big - 1))
        print(f"{kind}: {big + small:,} codes written in {time.perf_counter() - started:.0f} s")
        if console:
            headers = {"cookie": asyncio.run(console_session(url, server.account_id))}
        paths = {
            name: (
                FACE.path(f"/campaigns/{campaign_id}/codes.csv")
                if console
                else f"{LOYALTY}/campaigns/{campaign_id}/codes.csv"
            )
            for name, campaign_id in ids.items()
        }
        export(server.base_url, paths["SMALL"], headers, server.pid)  # warm-up: first-request allocations
        baseline = export(server.base_url, paths["SMALL"], headers, server.pid)
        large = export(server.base_url, paths["BIG"], headers, server.pid)
    print(baseline.line("baseline"))
    print(large.line("export"))
    print(
        f"  ratios export / baseline: rows/s {large.rows_per_second / baseline.rows_per_second:.2f}x, "
        f"peak RSS {large.rss_peak_mib / baseline.rss_peak_mib:.2f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--codes", type=int, default=10_000_000)
    parser.add_argument("--baseline", type=int, default=100_000)
    parser.add_argument("--console", action="store_true", help="download from the console, not the API")
    args = parser.parse_args()
    for kind, url in fresh_databases():
        run(kind, url, args.codes, args.baseline, args.console)


if __name__ == "__main__":
    main()
