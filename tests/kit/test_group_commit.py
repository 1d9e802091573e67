"""GroupCommit (perks.kit.group_commit) on a real event loop, with an in-memory `write`: batching, the
batch size, per-item and per-batch errors, and how many batches are written side by side."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from perks.kit.group_commit import GroupCommit


class Recorder:
    """A `write` that doubles each item and remembers the batches it was given."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []

    async def write(self, items: list[int]) -> Sequence[int | BaseException]:
        self.batches.append(list(items))
        await asyncio.sleep(0)  # a write awaits, as a database's does
        return [item * 2 for item in items]


class Boom(Exception):
    pass


async def test_concurrent_submits_share_batches_and_each_gets_its_own_outcome() -> None:
    recorder = Recorder()
    commit: GroupCommit[int, int] = GroupCommit(recorder.write, max_batch=100)
    outcomes = await asyncio.gather(*(commit.submit(item) for item in range(20)))
    assert outcomes == [item * 2 for item in range(20)]
    assert len(recorder.batches) < 20
    assert sorted(item for batch in recorder.batches for item in batch) == list(range(20))


async def test_no_batch_is_larger_than_max_batch() -> None:
    recorder = Recorder()
    commit: GroupCommit[int, int] = GroupCommit(recorder.write, max_batch=3)
    outcomes = await asyncio.gather(*(commit.submit(item) for item in range(10)))
    assert outcomes == [item * 2 for item in range(10)]
    assert [len(batch) for batch in recorder.batches] == [3, 3, 3, 1]
    assert [item for batch in recorder.batches for item in batch] == list(range(10))  # in order


async def test_an_error_returned_for_one_item_is_raised_to_its_submitter_only() -> None:
    async def write(items: list[int]) -> Sequence[int | BaseException]:
        return [Boom(f"item {item}") if item == 3 else item for item in items]

    commit: GroupCommit[int, int] = GroupCommit(write, max_batch=100)
    outcomes = await asyncio.gather(*(commit.submit(item) for item in range(6)), return_exceptions=True)
    failed = outcomes[3]
    assert isinstance(failed, Boom)
    assert str(failed) == "item 3"
    assert outcomes[:3] + outcomes[4:] == [0, 1, 2, 4, 5]


async def test_a_failed_write_fails_its_whole_batch_and_the_next_batch_still_works() -> None:
    written: list[list[int]] = []

    async def write(items: list[int]) -> Sequence[int | BaseException]:
        written.append(list(items))
        if 0 in items:
            raise Boom("the batch failed")
        return items

    commit: GroupCommit[int, int] = GroupCommit(write, max_batch=2)
    outcomes = await asyncio.gather(*(commit.submit(item) for item in range(4)), return_exceptions=True)
    assert written == [[0, 1], [2, 3]]
    first, second = outcomes[0], outcomes[1]
    assert isinstance(first, Boom) and first is second  # the batch's one error, raised to each
    assert outcomes[2:] == [2, 3]
    assert await commit.submit(7) == 7  # a later submit finds a writer again


@pytest.mark.parametrize("writers", [1, 2])
async def test_max_writers_bounds_the_batches_written_at_once(writers: int) -> None:
    release = asyncio.Event()
    in_flight: list[int] = []
    peak = 0

    async def write(items: list[int]) -> Sequence[int | BaseException]:
        nonlocal peak
        in_flight.extend(items)
        peak = max(peak, len(in_flight))
        await release.wait()
        for item in items:
            in_flight.remove(item)
        return items

    commit: GroupCommit[int, int] = GroupCommit(write, max_batch=1, max_writers=writers)
    submitted = asyncio.gather(*(commit.submit(item) for item in range(4)))
    await asyncio.sleep(0.05)  # every writer that may start has started and is waiting
    assert len(in_flight) == writers
    release.set()
    assert await submitted == [0, 1, 2, 3]
    assert peak == writers


async def late_pair(commit: GroupCommit[int, int]) -> list[int]:
    """Submit one item, then a second 5 ms later; both outcomes."""

    async def second() -> int:
        await asyncio.sleep(0.005)
        return await commit.submit(2)

    return list(await asyncio.gather(commit.submit(1), second()))


@pytest.mark.parametrize(("linger", "batches"), [(0.0, [[1], [2]]), (0.05, [[1, 2]])])
async def test_a_lingering_writer_waits_for_a_fuller_batch(linger: float, batches: list[list[int]]) -> None:
    recorder = Recorder()
    commit: GroupCommit[int, int] = GroupCommit(recorder.write, max_batch=10, linger=linger)
    assert await late_pair(commit) == [2, 4]
    assert recorder.batches == batches
