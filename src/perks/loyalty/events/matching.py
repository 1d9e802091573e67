"""Which BEHAVIOR campaigns an event runs: trigger (`attributes.trigger` = the event type), RUNNING at the
event's `issued_at` (ACTIVE, started, not ended), brand (a global campaign applies to every brand),
platform (a campaign with platforms applies to events from one of them; an event that names no platform
is not filtered by platform). Tiers and conditions are checked per effect and rule by effects.grant.

The ACTIVE BEHAVIOR campaigns of an account are cached in-process, grouped by trigger, with its ACTIVE
tiers. Every event (or batch of events) reads the account's fingerprint (count, latest update, greatest id
of its BEHAVIOR campaigns and of its tiers) in its own transaction, one round trip: any create, update or
delete changes it, so a stale list is never used, also when another process changed the campaigns. Cached
campaigns and tiers are detached snapshots, read-only; a campaign's conditions are compiled once, with it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from perks.loyalty.campaigns.models import Campaign
from perks.loyalty.conditions import Compiled, compile_conditions
from perks.loyalty.events import repository
from perks.loyalty.tiers import service as tier_service
from perks.loyalty.tiers.models import Tier
from perks.sql import runner_of
from perks.tenancy.context import AuthContext

MAX_CACHED_ACCOUNTS = 10_000


@dataclass(frozen=True, slots=True)
class Cached:
    """A cached campaign and what every event reads of it, taken out of the ORM object once: its dates,
    brand and platforms, and its rules with their conditions compiled."""

    campaign: Campaign
    start: datetime
    end: datetime | None
    brand_id: str | None
    platforms: frozenset[str]  # empty: every platform
    rules: list[dict[str, Any]]
    conditions: tuple[Compiled, ...]  # each rule's, in order

    def matches(self, facts: Mapping[str, Any]) -> bool:
        """Whether any rule's conditions hold for these facts (effects.plan then checks each rule)."""
        for compiled in self.conditions:  # noqa: SIM110 (any() over a generator costs more, per campaign)
            if compiled.holds(facts):
                return True
        return False

    def applies(self, brand_id: str | None, platform: str | None, at: datetime) -> bool:
        if self.start > at or (self.end is not None and self.end <= at):
            return False
        if self.brand_id is not None and self.brand_id != brand_id:
            return False
        return platform is None or not self.platforms or platform in self.platforms


@dataclass(frozen=True)
class Snapshot:
    fingerprint: tuple[Any, ...]
    by_trigger: dict[str, list[Cached]]
    tiers: Sequence[Tier]  # ACTIVE tiers by level, for upgrades


_snapshots: dict[str, Snapshot] = {}


def running_campaigns(
    catalog: Snapshot, *, trigger: str, brand_id: str | None, platform: str | None, at: datetime
) -> list[Cached]:
    campaigns = catalog.by_trigger.get(trigger, [])
    return [cached for cached in campaigns if cached.applies(brand_id, platform, at)]


def _cached(campaign: Campaign) -> Cached:
    rules = [
        {**rule, "conditions": compile_conditions(rule.get("conditions") or [])} for rule in campaign.rules
    ]
    platforms = frozenset(_platform_values(campaign.platforms or []))
    conditions = tuple(rule["conditions"] for rule in rules)
    return Cached(
        campaign, campaign.start_date, campaign.end_date, campaign.brand_id, platforms, rules, conditions
    )


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
    fingerprint = await repository.read_fingerprint(await runner_of(session), ctx)
    cached = _snapshots.get(ctx.account_id)
    if cached is not None and cached.fingerprint == fingerprint:
        return cached
    campaigns = await repository.active_behavior_campaigns(session, ctx)
    by_trigger: dict[str, list[Cached]] = defaultdict(list)
    for campaign in campaigns:
        session.expunge(campaign)  # a detached snapshot: never expired or refreshed by a commit
        by_trigger[str(campaign.attributes.get("trigger"))].append(_cached(campaign))
    active = list(await tier_service.active_tiers(session, ctx))
    for tier in active:
        session.expunge(tier)
    if len(_snapshots) >= MAX_CACHED_ACCOUNTS:
        _snapshots.clear()
    fresh = Snapshot(fingerprint, dict(by_trigger), active)
    _snapshots[ctx.account_id] = fresh
    return fresh
