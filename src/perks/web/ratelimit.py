"""Per-key rate limits with the `limits` library: in memory, or shared through Redis when configured."""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import SlidingWindowCounterRateLimiter

from perks.errors import TooManyRequests


class RateLimiter:
    def __init__(self, limit: str, redis_url: str | None = None, enabled: bool = True) -> None:
        self.enabled = enabled
        self.item: RateLimitItem = parse(limit)
        storage: Storage
        if redis_url:
            uri = redis_url if redis_url.startswith("async+") else f"async+{redis_url}"
            storage = RedisStorage(uri, implementation="redispy", key_prefix="perks")
        else:
            storage = MemoryStorage()
        self.strategy = SlidingWindowCounterRateLimiter(storage)

    async def hit(self, key: str) -> None:
        """Count one request for `key`; raise 429 with Retry-After when it is over the limit."""
        if not self.enabled:
            return
        if await self.strategy.hit(self.item, key):
            return
        stats = await self.strategy.get_window_stats(self.item, key)
        raise TooManyRequests(max(1, math.ceil(stats.reset_time - time.time())))
