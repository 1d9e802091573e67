"""Campaigns of the four types, with every documented write rule, and their derived status."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from perks.errors import Conflict, invalid, or_not_found
from perks.kit import clock
from perks.kit.keyset import Keyset, KeysetPage
from perks.kit.pagination import Slice
from perks.loyalty.brands import service as brands
from perks.loyalty.campaigns import repository
from perks.loyalty.campaigns.attributes import normalise
from perks.loyalty.campaigns.dates import check_end, check_schedule, exact
from perks.loyalty.campaigns.models import Campaign, CampaignStatus
from perks.loyalty.campaigns.rules import parse_json_string, parse_rules, references
from perks.loyalty.campaigns.schemas import CampaignType, CampaignWrite, Include, StatusFilter
from perks.loyalty.coupons import service as coupons
from perks.loyalty.coupons.generator import CodeFormat, check_quantity, parse_custom_codes, parse_format
from perks.loyalty.rewards import service as rewards
from perks.loyalty.tiers import service as tiers
from perks.sql import Runner
from perks.tenancy.context import AuthContext

NOT_FOUND = "Campaign not found"
BODY_FORBIDDEN = {
    "account_id": "must not be sent; the account comes from the access token",
    "type": "must not be sent in the body; use the type query parameter",
}
COUPON_ONLY = ("quantity", "useCustomCodes", "customCodes")


@dataclass
class Draft:
    """A validated write payload, ready to be stored."""

    type: CampaignType
    brand_id: str | None
    name: str
    description: str | None
    platforms: list[dict[str, Any]]
    labels: list[dict[str, Any]]
    rules: list[dict[str, Any]]
    referee_rules: list[dict[str, Any]] | None
    attributes: dict[str, Any]
    status: str
    start_date: datetime
    end_date: datetime | None
    funded_by: str | None
    budget: Decimal | None
    divide_budget_in: str | None
    meta: dict[str, Any]
    quantity: int | None = None
    use_custom_codes: bool = False
    custom_codes: list[str] = field(default_factory=list)
    code_format: CodeFormat | None = None


def derived_status(campaign: Campaign, now: datetime) -> StatusFilter:
    if campaign.end_date is not None and campaign.end_date <= now:
        return StatusFilter.FINISHED
    if campaign.status == CampaignStatus.INACTIVE:
        return StatusFilter.PAUSED
    return StatusFilter.SCHEDULED if campaign.start_date > now else StatusFilter.RUNNING


async def get_campaign(
    session: AsyncSession, ctx: AuthContext, campaign_id: str, *, for_update: bool = False
) -> Campaign:
    return or_not_found(await repository.get(session, ctx, campaign_id, for_update=for_update), NOT_FOUND)


async def read_campaign(runner: Runner, ctx: AuthContext, campaign_id: str) -> Campaign:
    """get_campaign through a runner (perks.sql): read-only, outside any session."""
    return or_not_found(await repository.read(runner, ctx, campaign_id), NOT_FOUND)


async def list_campaigns(
    session: AsyncSession, ctx: AuthContext, filters: repository.Filters, window: Slice
) -> tuple[Sequence[Campaign], int]:
    return await repository.list_campaigns(session, ctx, filters, window, clock.now())


async def page_campaigns(
    session: AsyncSession, ctx: AuthContext, search: str, filters: repository.Filters, keyset: Keyset
) -> KeysetPage[Campaign]:
    """The console's list: keyset pages, newest first, narrowed by a name search and the API's filters."""
    return await repository.page_campaigns(session, ctx, search.strip(), filters, keyset, clock.now())


async def codes_summaries(
    session: AsyncSession,
    ctx: AuthContext,
    listed: Sequence[Campaign],
    includes: set[Include],
    customer_id: str | None,
) -> dict[str, dict[str, Any]]:
    if Include.CODES_SUMMARY not in includes:
        return {}
    ids = [campaign.id for campaign in listed if campaign.type == CampaignType.COUPONS]
    return await coupons.summaries(session, ctx, ids, customer_id)


async def create_campaign(
    session: AsyncSession,
    ctx: AuthContext,
    campaign_type: CampaignType,
    body: CampaignWrite,
    *,
    codes_job_threshold: int = coupons.CODES_JOB_THRESHOLD,
) -> Campaign:
    """A new campaign. A COUPONS campaign's codes come with it, or from a job when they are more than
    `codes_job_threshold` (coupons.pending_job finds it)."""
    draft = await _draft(session, ctx, campaign_type, body)
    check_schedule(draft.start_date, clock.now())
    check_end(draft.start_date, draft.end_date)
    campaign = Campaign(account_id=ctx.account_id, type=campaign_type.value)
    _apply(campaign, draft)
    await repository.add(session, campaign)
    await repository.link_effects(
        session, ctx, campaign.id, references(draft.rules, draft.referee_rules).links
    )
    if campaign_type is CampaignType.COUPONS:
        await _issue_codes(session, ctx, campaign.id, draft, set(), codes_job_threshold)
    return campaign


async def update_campaign(
    session: AsyncSession,
    ctx: AuthContext,
    campaign_id: str,
    campaign_type: CampaignType,
    body: CampaignWrite,
    *,
    codes_job_threshold: int = coupons.CODES_JOB_THRESHOLD,
) -> Campaign:
    campaign = await get_campaign(session, ctx, campaign_id, for_update=True)
    if campaign.type != campaign_type.value:
        raise invalid("type", f"must match the campaign's type ({campaign.type})")
    draft = await _draft(session, ctx, campaign_type, body)
    now = clock.now()
    if campaign.end_date is not None and campaign.end_date <= now:
        raise Conflict("Ended campaigns cannot be updated", title="Campaign has ended")
    if campaign.start_date <= now:
        _check_started_change(campaign, draft, now)
    else:
        check_schedule(draft.start_date, now)
    check_end(draft.start_date, draft.end_date)
    if campaign_type is CampaignType.COUPONS:
        await _update_codes(
            session, ctx, campaign, draft, confirmed=body.confirm_changes, threshold=codes_job_threshold
        )
    if (draft.rules, draft.referee_rules) != (campaign.rules, campaign.referee_rules):
        await repository.link_effects(
            session, ctx, campaign.id, references(draft.rules, draft.referee_rules).links
        )
    _apply(campaign, draft)
    await session.flush()
    return campaign


async def delete_campaign(session: AsyncSession, ctx: AuthContext, campaign_id: str) -> Campaign:
    campaign = await get_campaign(session, ctx, campaign_id, for_update=True)
    _total, used = await coupons.counts(session, ctx, campaign.id)
    if used:
        raise Conflict(
            f"{used} coupon codes of this campaign were redeemed; set its status to INACTIVE instead",
            title="Campaign in use",
        )
    await coupons.stop_jobs(session, ctx, campaign_id)
    await coupons.delete_codes(session, ctx, campaign_id)
    await repository.delete_campaign(session, ctx, campaign_id)
    return campaign


# ---- validation of the write payload -----------------------------------------------------------------


async def _draft(
    session: AsyncSession, ctx: AuthContext, campaign_type: CampaignType, body: CampaignWrite
) -> Draft:
    _refuse_foreign_fields(campaign_type, body)
    rules = parse_rules(body.rules, "rules", required=True)
    referee_rules = (
        parse_rules(body.referee_rules_json, "referee_rules_json", required=False)
        if body.referee_rules_json is not None
        else None
    )
    await brands.require_brand(session, ctx, body.brand_id)
    await _check_references(session, ctx, {"rules": rules, "referee_rules_json": referee_rules or []})
    draft = Draft(
        type=campaign_type,
        brand_id=body.brand_id,
        name=body.name,
        description=body.description,
        platforms=[value.model_dump() for value in body.platforms],
        labels=[value.model_dump() for value in body.labels],
        rules=rules,
        referee_rules=referee_rules,
        attributes=normalise(campaign_type, body.attributes, custom_codes=body.useCustomCodes),
        status=body.status,
        start_date=exact(body.start_date),
        end_date=_end_date(body),
        funded_by=body.funded_by,
        budget=body.budget,
        divide_budget_in=body.divide_budget_in,
        meta=parse_json_string(body.metadata, "metadata", dict) if body.metadata is not None else {},
    )
    if campaign_type is CampaignType.COUPONS:
        _coupon_fields(draft, body)
    return draft


def _refuse_foreign_fields(campaign_type: CampaignType, body: CampaignWrite) -> None:
    for name, problem in BODY_FORBIDDEN.items():
        if name in (body.model_extra or {}):
            raise invalid(name, problem)
    if campaign_type is not CampaignType.COUPONS:
        for name in COUPON_ONLY:
            if getattr(body, name) not in (None, False):
                raise invalid(name, "applies to COUPONS campaigns only")
    if campaign_type is not CampaignType.REFERRALS and body.referee_rules_json is not None:
        raise invalid("referee_rules_json", "applies to REFERRALS campaigns only")


def _end_date(body: CampaignWrite) -> datetime | None:
    if body.withoutEndDate:
        if body.end_date is not None:
            raise invalid("end_date", "must be omitted when withoutEndDate is true")
        return None
    if body.end_date is None:
        raise invalid("end_date", "is required unless withoutEndDate is true")
    return exact(body.end_date)


def _coupon_fields(draft: Draft, body: CampaignWrite) -> None:
    draft.use_custom_codes = body.useCustomCodes
    if body.useCustomCodes:
        draft.custom_codes = parse_custom_codes(body.customCodes)
        draft.quantity = len(draft.custom_codes)
    else:
        draft.code_format = parse_format(draft.attributes.get("code_config"))
        draft.quantity = check_quantity(draft.code_format, body.quantity)


async def _check_references(
    session: AsyncSession, ctx: AuthContext, rule_sets: dict[str, list[dict[str, Any]]]
) -> None:
    """Every effect names a reward of this account (its type is filled in) and, if any, a tier of it."""
    named = references(*rule_sets.values())
    reward_types = await rewards.reward_types(session, ctx, named.reward_ids)
    unknown_tiers = await tiers.unknown_tiers(session, ctx, named.tier_ids)
    for field_name, rules in rule_sets.items():
        for i, rule in enumerate(rules):
            for j, effect in enumerate(rule["effects"]):
                where = f"{field_name}[{i}].effects[{j}]"
                reward_type = reward_types.get(effect["reward_id"])
                if reward_type is None:
                    raise invalid(f"{where}.reward_id", "no reward with this id in your account")
                if effect.get("type", reward_type) != reward_type:
                    raise invalid(f"{where}.type", f"must be the reward's type ({reward_type})")
                effect["type"] = reward_type
                if effect["tier_id"] in unknown_tiers:
                    raise invalid(f"{where}.tier_id", "no tier with this id in your account")


def _check_started_change(campaign: Campaign, draft: Draft, now: datetime) -> None:
    frozen = {
        "start_date": (campaign.start_date, draft.start_date),
        "attributes": (campaign.attributes, draft.attributes),
        "rules": ((campaign.rules, campaign.referee_rules), (draft.rules, draft.referee_rules)),
        "brand_id": (campaign.brand_id, draft.brand_id),
    }
    for name, (stored, sent) in frozen.items():
        if stored != sent:
            raise Conflict(f"Started campaigns cannot change {name}", title="Campaign has started")
    if draft.end_date is not None and draft.end_date != campaign.end_date and draft.end_date <= now:
        raise Conflict("end_date cannot be moved into the past", title="Campaign has started")


def _apply(campaign: Campaign, draft: Draft) -> None:
    campaign.brand_id = draft.brand_id
    campaign.name = draft.name
    campaign.description = draft.description
    campaign.platforms = draft.platforms
    campaign.labels = draft.labels
    campaign.label_index = "," + "".join(f"{label['value']}," for label in draft.labels)
    campaign.rules = draft.rules
    campaign.referee_rules = draft.referee_rules
    campaign.attributes = draft.attributes
    campaign.status = draft.status
    campaign.start_date = draft.start_date
    campaign.end_date = draft.end_date
    campaign.funded_by = draft.funded_by
    campaign.budget = draft.budget
    campaign.divide_budget_in = draft.divide_budget_in
    campaign.meta = draft.meta
    campaign.quantity = draft.quantity
    campaign.use_custom_codes = draft.use_custom_codes


# ---- coupon codes ------------------------------------------------------------------------------------


async def _issue_codes(
    session: AsyncSession,
    ctx: AuthContext,
    campaign_id: str,
    draft: Draft,
    already_redeemed: set[str],
    threshold: int,
) -> None:
    if draft.use_custom_codes:
        fresh = [code for code in draft.custom_codes if code not in already_redeemed]
        await coupons.issue_custom(session, ctx, campaign_id, fresh)
    elif draft.code_format is not None and draft.quantity is not None:
        await _generate(
            session, ctx, campaign_id, draft.code_format, draft.quantity - len(already_redeemed), threshold
        )


async def _generate(
    session: AsyncSession,
    ctx: AuthContext,
    campaign_id: str,
    code_format: CodeFormat,
    quantity: int,
    threshold: int,
) -> None:
    if quantity > threshold:
        await coupons.issue_later(session, ctx, campaign_id, code_format, quantity)
    else:
        await coupons.issue_generated(session, ctx, campaign_id, code_format, quantity)


async def _update_codes(
    session: AsyncSession,
    ctx: AuthContext,
    campaign: Campaign,
    draft: Draft,
    *,
    confirmed: bool,
    threshold: int,
) -> None:
    """Apply a change of code format or quantity (with confirm_changes: true); redeemed codes always stay."""
    redeemed: set[str] | None = None
    format_changed = draft.use_custom_codes != campaign.use_custom_codes or (
        draft.attributes.get("code_config") != campaign.attributes.get("code_config")
    )
    if draft.use_custom_codes:
        # A custom campaign holds its list plus any redeemed code a former list or format left behind.
        redeemed = await coupons.redeemed_codes(session, ctx, campaign.id)
        wanted = set(draft.custom_codes) | redeemed
        draft.quantity = len(wanted)
        format_changed = format_changed or wanted != await coupons.codes_of(session, ctx, campaign.id)
    if not format_changed and draft.quantity == campaign.quantity:
        return
    if not confirmed:
        raise invalid("confirm_changes", "must be true to change the code format or the quantity")
    pending = await coupons.pending_job(session, ctx, campaign.id)
    if pending is not None:
        raise Conflict(
            f"The campaign's codes are still being generated (job {pending.id}, {pending.done} of "
            f"{pending.total} done; GET /jobs/{pending.id}); change them once it has finished",
            title="Codes are being generated",
        )
    total, used = await coupons.counts(session, ctx, campaign.id)
    if not draft.use_custom_codes and (draft.quantity or 0) < used:
        raise invalid("quantity", f"cannot be lower than the {used} codes already redeemed")
    if format_changed:
        if redeemed is None:
            redeemed = await coupons.redeemed_codes(session, ctx, campaign.id)
        await coupons.drop_unredeemed(session, ctx, campaign.id)
        await _issue_codes(session, ctx, campaign.id, draft, redeemed, threshold)
    elif draft.quantity is not None and draft.quantity > total:
        assert draft.code_format is not None
        await _generate(session, ctx, campaign.id, draft.code_format, draft.quantity - total, threshold)
    elif draft.quantity is not None:
        await coupons.drop_unredeemed(session, ctx, campaign.id, total - draft.quantity)


async def require_coupons(session: AsyncSession, ctx: AuthContext, campaign_id: str) -> Campaign:
    """The campaign, which must be a COUPONS campaign: only those have codes (a 422 naming campaign_id)."""
    campaign = await get_campaign(session, ctx, campaign_id)
    if campaign.type != CampaignType.COUPONS.value:
        raise invalid("campaign_id", f"is a {campaign.type} campaign; only COUPONS campaigns have codes")
    return campaign
