"""WAL checkpoints on a thread of their own. SQLite copies the write-ahead log back into the database file
on the connection that commits, once the log passes 1,000 pages; Perks commits on the event loop's thread
(perks.sqlite_inline), so that copy and its fsync stalled every request in flight for milliseconds (the
open-loop redemption bench's p99 fell from 29 to 18 ms without it). The writers run with auto-checkpoint
off, and this thread runs a PASSIVE checkpoint (which never waits for, nor blocks, readers and writers)
every WRITES_PER_CHECKPOINT write transactions. sqlite3 releases the GIL while it works."""

from __future__ import annotations

import sqlite3
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import suppress

# About as often as SQLite's own 1,000-page trigger under the hot paths' group commits (an event batch
# writes ~30-60 pages), so the log stays small for readers.
WRITES_PER_CHECKPOINT = 24


class Checkpointer:
    """Runs the checkpoints of one SQLite database file for this process."""

    def __init__(self, path: str, writes_per_checkpoint: int = WRITES_PER_CHECKPOINT) -> None:
        self._path = path
        self._every = writes_per_checkpoint
        self._writes = 0
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="perks-wal-checkpoint")
        self._running: Future[None] | None = None
        self._connection: sqlite3.Connection | None = None

    def after_write(self) -> None:
        """Count a committed write transaction; every so many, start a checkpoint unless one is running."""
        self._writes += 1
        if self._writes < self._every or (self._running is not None and not self._running.done()):
            return
        self._writes = 0
        self._running = self._executor.submit(self.checkpoint)

    def checkpoint(self) -> None:
        """Copy what the log holds back into the database file, as far as readers allow (PASSIVE)."""
        if self._connection is None:
            self._connection = sqlite3.connect(
                self._path, timeout=0, isolation_level=None, check_same_thread=False
            )
        # Another process checkpointing, or the file gone at shutdown: the next checkpoint catches up.
        with suppress(sqlite3.Error):
            self._connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    def close(self) -> None:
        self._executor.shutdown(wait=True)
        if self._connection is not None:
            self._connection.close()
            self._connection = None
