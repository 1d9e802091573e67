"""The cycle collector of a serving process, tuned for request handling.

A request allocates thousands of short-lived objects, so CPython's collector runs its young generation
every 700 net allocations and, every so often, a full collection over every object the process holds:
SQLAlchemy's mappers, pydantic's validators, FastAPI's routes and the caches, hundreds of thousands of
objects that live as long as the process. Measured on the event bench, those full collections were the
slow tail (p99 250 ms against a p50 of 30 ms) and a sixth of the CPU.

So once the app is built, `tune` collects once and freezes what is alive (it moves to a generation the
collector never scans; it is still freed by reference counting), and lets the young generation grow
larger before it is collected. Cycles made while serving are still collected. Only `perks serve`'s
processes do this (`Settings.gc_tuning`): a test process builds many apps, and freezing each would keep
its predecessors' cyclic garbage for good."""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 50_000  # net allocations between young collections (CPython's default: 700)


def tune() -> None:
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
