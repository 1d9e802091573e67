"""Group commit: concurrent requests hand their work to a writer that does whatever has queued up in one
transaction, and each request waits for its own outcome. A request still answers only after its work is
committed, but a busy process pays for one transaction (and its round trips) per batch, not per request.

Writers are tasks started on demand, never a standing loop: the first submit of a quiet process starts
one, and a writer leaves once nothing waits. SQLite admits one writer at a time anyway; on PostgreSQL a
few batches are written side by side (each commit waits on its WAL flush)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

Item = TypeVar("Item")
Outcome = TypeVar("Outcome")

# What a batch returns for each of its items, in order: the item's outcome, or the error to raise to it.
BatchWriter = Callable[[list[Item]], Awaitable[Sequence[Outcome | BaseException]]]


@dataclass
class GroupCommit(Generic[Item, Outcome]):
    write: BatchWriter[Item, Outcome]
    max_batch: int
    max_writers: int = 1
    # How long a writer waits for more items before writing a batch that is not full: the batch's fixed
    # cost (its transaction and statements) is then shared by more requests, for this much more latency.
    linger: float = 0.0
    _waiting: list[tuple[Item, asyncio.Future[Outcome]]] = field(default_factory=list)
    _writers: set[asyncio.Task[None]] = field(default_factory=set)
    _active: int = 0

    async def submit(self, item: Item) -> Outcome:
        """Return `item`'s outcome once its batch is committed (or raise its error)."""
        done: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, done))
        if self._active < self.max_writers:
            self._active += 1
            writer = asyncio.create_task(self._write_all())
            self._writers.add(writer)  # a strong reference until it ends
            writer.add_done_callback(self._writers.discard)
        return await done

    async def _write_all(self) -> None:
        """Write batches until none is waiting. The last look at the queue and leaving `_active` happen
        with no await between them, so an item queued meanwhile always finds a writer."""
        try:
            # One turn of the loop first: requests whose bytes arrived together queue up together.
            await asyncio.sleep(0)
            while self._waiting:
                if self.linger and len(self._waiting) < self.max_batch:
                    await asyncio.sleep(self.linger)
                batch, self._waiting = self._waiting[: self.max_batch], self._waiting[self.max_batch :]
                await self._write_one(batch)
        finally:
            self._active -= 1

    async def _write_one(self, batch: list[tuple[Item, asyncio.Future[Outcome]]]) -> None:
        try:
            outcomes = await self.write([item for item, _done in batch])
        except Exception as error:  # the whole batch failed: every waiting request answers with it
            outcomes = [error] * len(batch)
        for (_item, done), outcome in zip(batch, outcomes, strict=True):
            _settle(done, outcome)


def _settle(done: asyncio.Future[Outcome], outcome: Outcome | BaseException) -> None:
    """Wake a waiting request (unless it went away: its work is committed all the same)."""
    if done.done():
        return
    if isinstance(outcome, BaseException):
        done.set_exception(outcome)
    else:
        done.set_result(outcome)
