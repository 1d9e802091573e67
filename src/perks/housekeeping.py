"""What `perks worker` prunes, and when (PERKS_PRUNE_*_AFTER_DAYS; 0 keeps the rows forever)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from perks.affiliate.tracking import housekeeping as clicks
from perks.config import Settings
from perks.db.database import Database
from perks.kit import clock
from perks.outbox import housekeeping as outbox


@dataclass(frozen=True)
class Pruned:
    clicks: int
    deliveries: int
    events: int


async def prune_once(database: Database, settings: Settings) -> Pruned:
    now, batch = clock.now(), settings.prune_batch_size

    def before(days: int) -> timedelta | None:
        return timedelta(days=days) if days > 0 else None

    pruned = {"clicks": 0, "deliveries": 0, "events": 0}
    if (age := before(settings.prune_clicks_after_days)) is not None:
        pruned["clicks"] = await clicks.prune_clicks(database, now - age, batch)
    if (age := before(settings.prune_deliveries_after_days)) is not None:
        pruned["deliveries"] = await outbox.prune_deliveries(database, now - age, batch)
    if (age := before(settings.prune_outbox_after_days)) is not None:
        pruned["events"] = await outbox.prune_events(database, now - age, batch)
    return Pruned(**pruned)
