"""Pruning old clicks (perks worker, after PERKS_PRUNE_CLICKS_AFTER_DAYS)."""

from __future__ import annotations

from datetime import datetime

from perks.affiliate.tracking.models import Click
from perks.db.base import table_of
from perks.db.database import Database
from perks.kit.pruning import delete_in_batches, id_floor


async def prune_clicks(database: Database, before: datetime, batch: int) -> int:
    """Clicks recorded before `before` (their stats go with them; a sign-up can no longer name them)."""
    clicks = table_of(Click)
    conditions = [clicks.c.id < id_floor(before), clicks.c.created_at < before]
    return await delete_in_batches(database, clicks, conditions, batch)
