"""new_id: UUIDv7 strings that sort by creation time, unique, and never shared with a forked child."""

from __future__ import annotations

import os
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

from perks.kit.ids import new_id


def test_ids_are_version_7_uuids_in_their_canonical_form() -> None:
    for _ in range(2000):  # more than one block of random bytes
        text = new_id()
        parsed = uuid.UUID(text)
        assert str(parsed) == text
        assert parsed.version == 7
        assert parsed.variant == uuid.RFC_4122


def test_ids_carry_the_time_they_were_made_and_are_unique() -> None:
    before = time.time_ns() // 1_000_000
    made = [new_id() for _ in range(5000)]
    after = time.time_ns() // 1_000_000
    assert len(set(made)) == len(made)
    for text in made:
        assert before <= uuid.UUID(text).int >> 80 <= after
    later = new_id()
    time.sleep(0.002)
    assert new_id() > later  # a later millisecond sorts after


def test_a_forked_child_does_not_repeat_its_parents_next_ids() -> None:
    new_id()  # the parent holds a block of random bytes
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        os.close(read)
        os.write(write, "\n".join(new_id() for _ in range(50)).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        in_child = pipe.read().split("\n")
    os.waitpid(child, 0)
    in_parent = [new_id() for _ in range(50)]
    random_part = {text[15:] for text in in_parent}
    assert not random_part & {text[15:] for text in in_child}


def test_threads_making_ids_at_once_never_share_random_bytes() -> None:
    """Threads (asyncio.to_thread work) take ids from the same block: each id gets bytes of its own. The
    interpreter switches threads every microsecond here, so an unguarded take would be caught."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            batches = list(pool.map(lambda _: [new_id()[15:] for _ in range(20_000)], range(8)))
    finally:
        sys.setswitchinterval(previous)
    random_parts = [part for batch in batches for part in batch]
    assert len(set(random_parts)) == len(random_parts)
