"""Identifiers: time-ordered UUIDs (version 7) so that ids sort by creation time."""

from __future__ import annotations

import os
import threading
import time
import uuid

# Random bytes are read from the OS in blocks: a getrandom() call per id cost a third of new_id (an event
# makes several ids: the event, its lines, transactions and webhooks). Taking bytes from the block is
# guarded, since threads (asyncio.to_thread work) make ids too; the block and the lock are dropped in a
# forked child, so two processes never hand out the same bytes.
_BLOCK = 4096
_ID_BYTES = 10
_random = b""
_taken = 0
_taking = threading.Lock()


def _forget_random() -> None:
    global _random, _taken, _taking
    _random, _taken, _taking = b"", 0, threading.Lock()


os.register_at_fork(after_in_child=_forget_random)

_VERSION_AND_VARIANT = (0x7 << 76) | (0x2 << 62)
_CLEARED = ~((0xF << 76) | (0x3 << 62))


def new_id() -> str:
    """A UUIDv7 string: 48 bits of Unix milliseconds, then random bits, with the version (7) and the RFC
    9562 variant set; formatted as uuid.UUID formats it."""
    global _random, _taken
    with _taking:
        if _taken + _ID_BYTES > len(_random):
            _random, _taken = os.urandom(_BLOCK), 0
        start, _taken = _taken, _taken + _ID_BYTES
        block = _random
    random = int.from_bytes(block[start : start + _ID_BYTES], "big")
    millis = (time.time_ns() // 1_000_000) & ((1 << 48) - 1)
    value = ((millis << 80 | random) & _CLEARED) | _VERSION_AND_VARIANT
    digits = f"{value:032x}"
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


def is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except (ValueError, AttributeError, TypeError):
        return False
    return True
