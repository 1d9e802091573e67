"""Recording clicks: what a click row holds (visitor key, bot flag), a short-lived in-process cache of
referral code → target for the public redirect, and a group-commit writer.

The redirect answers only after its click is committed (a click that was answered is never lost), but
concurrent redirects share one transaction: each waits on one small write, the batch INSERT of
whatever clicks arrived while the previous batch was being written."""

from __future__ import annotations

import asyncio
import functools
import hashlib
import re
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError

from perks.affiliate.tracking import repository
from perks.affiliate.tracking.repository import Target
from perks.db import Database
from perks.kit import clock
from perks.kit.ids import new_id

# Crawlers, link previewers, monitors and HTTP libraries: recorded, flagged, never counted.
BOT_AGENTS = re.compile(
    r"bot|crawl|spider|slurp|archiver|facebookexternalhit|embedly|preview|headless|lighthouse|pingdom"
    r"|monitor|curl/|wget/|python-requests|python-urllib|httpx|aiohttp|go-http-client|okhttp|java/"
    r"|libwww|scrapy|phantomjs|^$",
    re.IGNORECASE,
)
CACHE_SECONDS = 10.0
# Rows per INSERT at most (13 parameters each, well under either database's limit).
BATCH_MAX = 500
POSTGRES_WRITERS = 4
USER_AGENT_MAX = 512
URL_MAX = 2048


class LinkGone(Exception):
    """The link was deleted after it was looked up."""


@functools.lru_cache(maxsize=4096)
def is_bot(user_agent: str) -> bool:
    """Browsers repeat a handful of user agents, so the answer is cached."""
    return BOT_AGENTS.search(user_agent.strip()) is not None


def visitor_key(link_id: str, ip: str, user_agent: str, moment: datetime) -> str:
    """The same for one visitor (IP + user agent) on one link within one clock hour."""
    hour = int(moment.timestamp()) // 3600
    return hashlib.sha256(f"{link_id}\n{ip}\n{user_agent}\n{hour}".encode()).hexdigest()[:32]


def click_row(
    target: Target, ip: str, user_agent: str, referrer: str | None, landing_url: str | None
) -> dict[str, Any]:
    now = clock.now()
    agent = user_agent[:USER_AGENT_MAX]
    return {
        "id": new_id(),
        "account_id": target.account_id,
        "workspace_id": target.workspace_id,
        "campaign_id": target.campaign_id,
        "affiliate_id": target.affiliate_id,
        "link_id": target.link_id,
        "visitor_key": visitor_key(target.link_id, ip, agent, now),
        "ip": ip[:64],
        "user_agent": agent,
        "referrer": referrer[:URL_MAX] if referrer else None,
        "landing_url": landing_url[:URL_MAX] if landing_url else None,
        "is_bot": is_bot(agent),
        "created_at": now,
    }


@dataclass
class ClickRecorder:
    """One per process (kept on app.state): the code cache and the group-commit writer."""

    database: Database
    _cache: dict[str, tuple[float, Target]] = field(default_factory=dict)
    _waiting: list[tuple[dict[str, Any], asyncio.Future[None]]] = field(default_factory=list)
    _writers: set[asyncio.Task[None]] = field(default_factory=set)
    _active: int = 0

    @property
    def max_writers(self) -> int:
        """SQLite admits one writer at a time anyway; PostgreSQL commits overlap (each waits on its
        WAL flush), so a few batches are written side by side."""
        return 1 if self.database.is_sqlite else POSTGRES_WRITERS

    async def target(self, code: str, workspace_id: str | None = None) -> Target | None:
        """The link of `code`: the oldest in any account, or the one in `workspace_id`'s account."""
        key = code.lower() if workspace_id is None else f"{workspace_id}/{code.lower()}"
        cached = self._cache.get(key)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        async with self.database.transaction(read_only=True) as session:
            if workspace_id is None:
                found = await repository.target_by_code(session, code)
            else:
                found = await repository.target_in_workspace(session, workspace_id, code)
        if found is not None:
            self._cache[key] = (time.monotonic() + CACHE_SECONDS, found)
        return found

    def forget(self, code: str, workspace_id: str | None = None) -> None:
        self._cache.pop(code.lower() if workspace_id is None else f"{workspace_id}/{code.lower()}", None)

    async def record(self, row: dict[str, Any]) -> None:
        """Return once `row` is committed; LinkGone if its link no longer exists."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((row, done))
        if self._active < self.max_writers:
            self._active += 1
            writer = asyncio.create_task(self._write_all())
            self._writers.add(writer)  # a strong reference until it ends
            writer.add_done_callback(self._writers.discard)
        await done

    async def _write_all(self) -> None:
        """Write batches until none is waiting. The last look at the queue and leaving `_active` happen
        with no await between them, so a click queued meanwhile always finds a writer."""
        try:
            await self._write_batches()
        finally:
            self._active -= 1

    async def _write_batches(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting[:BATCH_MAX], self._waiting[BATCH_MAX:]
            try:
                await self._write(batch)
            except Exception as error:  # handed to every waiting request, which answers 5xx
                for _row, done in batch:
                    _settle(done, error)

    async def _write(self, batch: list[tuple[dict[str, Any], asyncio.Future[None]]]) -> None:
        try:
            await repository.insert_clicks(self.database, [row for row, _done in batch])
        except IntegrityError:
            await self._write_one_by_one(batch)
            return
        for _row, done in batch:
            _settle(done, None)

    async def _write_one_by_one(self, batch: list[tuple[dict[str, Any], asyncio.Future[None]]]) -> None:
        """A link was deleted under a batch: write the others, fail only its clicks."""
        for row, done in batch:
            try:
                await repository.insert_clicks(self.database, [row])
            except IntegrityError:
                _settle(done, LinkGone())
                continue
            _settle(done, None)


def _settle(done: asyncio.Future[None], error: BaseException | None) -> None:
    """Wake a waiting request (unless it went away: its click is written all the same)."""
    if done.done():
        return
    if error is None:
        done.set_result(None)
    else:
        done.set_exception(error)
