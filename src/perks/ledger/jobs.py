"""The expiry job, for `perks worker` (or any scheduler): totals are right without it (every read and
write settles its wallet first), but it writes the EXPIRATION transactions of wallets nobody touches."""

from __future__ import annotations

from perks.db.database import Database
from perks.ledger import service


async def expire_once(database: Database, *, batch: int = 500) -> int:
    """One pass: settle each due wallet in its own short transaction. Returns the EXPIRATION rows written."""
    async with database.transaction(read_only=True) as session:
        due = await service.due_wallets(session, batch=batch)
    written = 0
    for account_id, wallet_id in due:
        async with database.transaction() as session:
            written += len(await service.settle(session, service.system_context(account_id), wallet_id))
    return written
