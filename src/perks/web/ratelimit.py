"""Rate limits with the `limits` library: in memory, or shared through Redis when configured."""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import SlidingWindowCounterRateLimiter

from perks.errors import TooManyRequests


def _storage(redis_url: str | None) -> Storage:
    if redis_url:
        uri = redis_url if redis_url.startswith("async+") else f"async+{redis_url}"
        return RedisStorage(uri, implementation="redispy", key_prefix="perks")
    return MemoryStorage()


class RateLimiter:
    """Per API key: how many requests a caller may make."""

    def __init__(self, limit: str, redis_url: str | None = None, enabled: bool = True) -> None:
        self.enabled = enabled
        self.item: RateLimitItem = parse(limit)
        self.strategy = SlidingWindowCounterRateLimiter(_storage(redis_url))

    async def hit(self, key: str) -> None:
        """Count one request for `key`; raise 429 with Retry-After when it is over the limit."""
        if not self.enabled:
            return
        if await self.strategy.hit(self.item, key):
            return
        raise await _too_many(self.strategy, self.item, key)


class AttemptGuard:
    """Failed attempts at guessing a secret (a one-time code), per key. Always on, unlike RateLimiter:
    it protects a small secret space, not the server's capacity."""

    def __init__(self, limit: str, redis_url: str | None = None) -> None:
        self.item: RateLimitItem = parse(limit)
        self.strategy = SlidingWindowCounterRateLimiter(_storage(redis_url))

    async def check(self, key: str) -> None:
        """Raise 429 with Retry-After while `key` has used up its failures."""
        if not await self.strategy.test(self.item, key):
            raise await _too_many(self.strategy, self.item, key)

    async def fail(self, key: str) -> None:
        await self.strategy.hit(self.item, key)


async def _too_many(
    strategy: SlidingWindowCounterRateLimiter, item: RateLimitItem, key: str
) -> TooManyRequests:
    stats = await strategy.get_window_stats(item, key)
    return TooManyRequests(max(1, math.ceil(stats.reset_time - time.time())))
