"""The programs that ride on behavior events, declared in one place, in the order they run after the
BEHAVIOR campaigns. The events pipeline reads this list, so every caller runs them: the API, a job of
`perks worker`, the console, a test that imports no router. (They used to plug themselves in when their
routers were imported, and a caller that skipped the routers silently skipped them.)"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from perks.loyalty.events.programs import Candidate, Program
from perks.loyalty.punch_cards import service as punch_cards
from perks.loyalty.referrals import service as referrals
from perks.tenancy.context import AuthContext

PROGRAMS: list[Program] = [
    Program(punch_cards.on_event, punch_cards.concerned),
    Program(referrals.on_event, referrals.concerned),
]


async def concerned(session: AsyncSession, ctx: AuthContext, candidates: Sequence[Candidate]) -> set[int]:
    """The candidates of a batch that any program may act on (those are processed one by one)."""
    found: set[int] = set()
    for program in PROGRAMS:
        found |= await program.concerned(session, ctx, candidates)
    return found
