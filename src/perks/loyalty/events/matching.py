"""Which BEHAVIOR campaigns an event runs: trigger (`attributes.trigger` = the event type), RUNNING at the
event's `issued_at` (ACTIVE, started, not ended), brand (a global campaign applies to every brand),
platform (a campaign with platforms applies to events from one of them; an event that names no platform
is not filtered by platform). Tiers and conditions are checked per effect and rule by effects.grant.

The ACTIVE BEHAVIOR campaigns of an account are cached in-process, grouped by trigger, with its ACTIVE
tiers. Every event reads the account's fingerprint (count, latest update, greatest id of its BEHAVIOR
campaigns and of its tiers) in its own transaction, one round trip: any create, update or delete
changes it, so a stale list is never used, also when another process changed the campaigns. Cached
campaigns and tiers are detached snapshots, read-only."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from perks.loyalty.campaigns.models import Campaign
from perks.loyalty.engine import tiers
from perks.loyalty.events import repository
from perks.loyalty.tiers.models import Tier
from perks.tenancy.context import AuthContext

MAX_CACHED_ACCOUNTS = 10_000


@dataclass(frozen=True)
class Snapshot:
    fingerprint: tuple[Any, ...]
    by_trigger: dict[str, list[Campaign]]
    tiers: Sequence[Tier]  # ACTIVE tiers by level, for upgrades


_snapshots: dict[str, Snapshot] = {}


def running_campaigns(
    catalog: Snapshot, *, trigger: str, brand_id: str | None, platform: str | None, at: datetime
) -> list[Campaign]:
    campaigns = catalog.by_trigger.get(trigger, [])
    return [campaign for campaign in campaigns if applies(campaign, brand_id, platform, at)]


def applies(campaign: Campaign, brand_id: str | None, platform: str | None, at: datetime) -> bool:
    if campaign.start_date > at or (campaign.end_date is not None and campaign.end_date <= at):
        return False
    if campaign.brand_id is not None and campaign.brand_id != brand_id:
        return False
    return platform is None or not campaign.platforms or platform in _platform_values(campaign.platforms)


def _platform_values(platforms: Sequence[Any]) -> set[str]:
    values: set[str] = set()
    for item in platforms:
        if isinstance(item, dict):
            values.update(str(item[key]) for key in ("value", "label") if item.get(key) is not None)
        else:
            values.add(str(item))
    return values


async def snapshot(session: AsyncSession, ctx: AuthContext) -> Snapshot:
    """The account's running-campaign and tier snapshot, reloaded when its fingerprint changed."""
    fingerprint = await repository.catalog_fingerprint(session, ctx)
    cached = _snapshots.get(ctx.account_id)
    if cached is not None and cached.fingerprint == fingerprint:
        return cached
    campaigns = await repository.active_behavior_campaigns(session, ctx)
    by_trigger: dict[str, list[Campaign]] = defaultdict(list)
    for campaign in campaigns:
        session.expunge(campaign)  # a detached snapshot: never expired or refreshed by a commit
        by_trigger[str(campaign.attributes.get("trigger"))].append(campaign)
    active = list(await tiers.active_tiers(session, ctx))
    for tier in active:
        session.expunge(tier)
    if len(_snapshots) >= MAX_CACHED_ACCOUNTS:
        _snapshots.clear()
    fresh = Snapshot(fingerprint, dict(by_trigger), active)
    _snapshots[ctx.account_id] = fresh
    return fresh
