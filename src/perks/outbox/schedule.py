"""When to try a failed delivery again: exponential backoff with jitter over about a day.

Before retry n (n = 1, 2, ...) the worker waits base * min(2^(n-1), 480), ±20% jitter. With the default
base of 60 s: 1, 2, 4, 8, 16, 32 min, 1 h 4, 2 h 8, 4 h 16, 8 h, 8 h, i.e. 12 attempts over about 24.5 h;
after the 12th failure the delivery is marked failed. PERKS_WEBHOOK_RETRY_BASE_SECONDS scales it all.
"""

from __future__ import annotations

import random
from datetime import timedelta

MAX_ATTEMPTS = 12
CAP_MULTIPLIER = 480
JITTER = 0.2


def retry_delay(failed_attempts: int, base_seconds: float, rng: random.Random | None = None) -> timedelta:
    """The wait after the `failed_attempts`-th failure (1 = after the first attempt failed)."""
    multiplier = min(2 ** (failed_attempts - 1), CAP_MULTIPLIER)
    jitter = 1 + (rng or random).uniform(-JITTER, JITTER)
    return timedelta(seconds=base_seconds * multiplier * jitter)


def gives_up_after(failed_attempts: int) -> bool:
    return failed_attempts >= MAX_ATTEMPTS
