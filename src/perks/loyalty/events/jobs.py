"""The reservation expiry job, for `perks worker`: an unfulfilled event whose reservation lapsed is
stored as EXPIRED (expired_at = the lapse) and what it reserved goes back to the wallet.

Reads are right without it: the event reads as EXPIRED once lapsed (events.models.effective_status)
and the ledger gives lapsed reservations back whenever it touches the wallet. The job makes the stored
status match, so SQL over loyalty_events (reports, exports) sees it, and returns the rewards of wallets
nobody touches. Safe in several worker processes at once: events are claimed with one conditional UPDATE
(skipping rows another worker holds), and a second run finds nothing."""

from __future__ import annotations

from contextlib import suppress

from perks.db.database import Database
from perks.kit import clock
from perks.ledger import service as ledger
from perks.loyalty.events import repository
from perks.tenancy import repository as tenancy_repository
from perks.tenancy.context import AuthContext


async def expire_once(database: Database, *, batch: int = 500) -> int:
    """One pass over every account, `batch` events per transaction. Returns the events expired."""
    async with database.transaction(read_only=True) as session:
        accounts = await tenancy_repository.account_ids(session)
    expired = 0
    for account_id in accounts:
        expired += await _expire_account(database, ledger.system_context(account_id), batch)
    return expired


async def _expire_account(database: Database, ctx: AuthContext, batch: int) -> int:
    expired = 0
    while True:
        async with database.transaction() as session:
            lapsed = await repository.expire_lapsed(session, ctx, clock.now(), batch)
            # Wallets are locked in customer order, so two workers' batches never wait on each other
            # in a cycle (each holds only its own events, claimed with SKIP LOCKED).
            for event_id, _customer_id in sorted(lapsed, key=lambda item: item[1]):
                # The event id is its reservation id. Releasing locks and settles the wallet, which
                # already gives lapsed reservations back; then there is nothing left to release, or a
                # read settled it earlier: both are ReservationNotActive, and both mean it is done.
                with suppress(ledger.ReservationNotActive):
                    await ledger.release(session, ctx, event_id)
        expired += len(lapsed)
        if len(lapsed) < batch:
            return expired
