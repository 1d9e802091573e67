"""Recording clicks: what a click row holds (visitor key, bot flag), a short-lived in-process cache of
referral code → target for the public redirect, and a group-commit writer.

The redirect answers only after its click is committed (a click that was answered is never lost), but
concurrent redirects share one transaction: each waits on one small write, the batch INSERT of
whatever clicks arrived while the previous batch was being written."""

from __future__ import annotations

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
from perks.db.database import Database
from perks.kit import clock
from perks.kit.group_commit import GroupCommit
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
POSTGRES_WRITERS = 4  # batches written side by side (see perks.kit.group_commit)
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
    _clicks: GroupCommit[dict[str, Any], None] = field(init=False)

    def __post_init__(self) -> None:
        writers = 1 if self.database.is_sqlite else POSTGRES_WRITERS
        self._clicks = GroupCommit(self._write, max_batch=BATCH_MAX, max_writers=writers)

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
        await self._clicks.submit(row)

    async def _write(self, rows: list[dict[str, Any]]) -> list[BaseException | None]:
        try:
            await repository.insert_clicks(self.database, rows)
        except IntegrityError:
            return await self._write_one_by_one(rows)
        return [None] * len(rows)

    async def _write_one_by_one(self, rows: list[dict[str, Any]]) -> list[BaseException | None]:
        """A link was deleted under a batch: write the others, fail only its clicks."""
        outcomes: list[BaseException | None] = []
        for row in rows:
            try:
                await repository.insert_clicks(self.database, [row])
            except IntegrityError:
                outcomes.append(LinkGone())
                continue
            outcomes.append(None)
        return outcomes
