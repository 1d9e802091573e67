"""The overview's job, for `perks worker`: every closed hour of every account is counted and kept as it
closes, so a view (even an account's first) counts only the open hour. Pages work without it: a view
counts what is missing itself."""

from __future__ import annotations

from perks.db.database import Database
from perks.ledger.service import system_context
from perks.loyalty.overview import service
from perks.tenancy import repository as tenancy_repository


async def count_once(database: Database) -> int:
    """One pass, account by account: count the hours not kept yet (a read), keep them and forget those older
    than the window (a short write). Returns the hours kept."""
    async with database.transaction(read_only=True) as session:
        accounts = await tenancy_repository.account_ids(session)
    kept = 0
    for account_id in accounts:
        ctx = system_context(account_id)
        async with database.transaction(read_only=True) as session:
            hours = await service.closed_hours_to_save(session, ctx)
        if hours:
            async with database.transaction() as session:
                await service.save_hours(session, ctx, hours)
            kept += len(hours)
    return kept
