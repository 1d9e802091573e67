"""Coupon codes of COUPONS campaigns: issue generated or custom codes, resize, replace, summarise."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from perks.errors import Conflict, invalid
from perks.kit.clock import iso_millis
from perks.loyalty.coupons import repository
from perks.loyalty.coupons.generator import CodeFormat, unique_codes
from perks.tenancy.context import AuthContext

# Generation rounds before giving up: each round only tops up codes another campaign already holds.
MAX_ROUNDS = 8
SUMMARY_LIMIT = 100


async def issue_generated(
    session: AsyncSession, ctx: AuthContext, campaign_id: str, code_format: CodeFormat, quantity: int
) -> None:
    """Add `quantity` new random codes to the campaign."""
    missing = quantity
    for _ in range(MAX_ROUNDS):
        if missing == 0:
            return
        codes = unique_codes(code_format, missing)
        missing -= await repository.insert_codes(session, ctx.account_id, campaign_id, codes)
    if missing:
        raise invalid("quantity", "the code format has no room left for this many codes in your account")


async def issue_custom(
    session: AsyncSession, ctx: AuthContext, campaign_id: str, codes: Sequence[str]
) -> None:
    """Add the caller's own codes; a code any campaign of the account already has is refused."""
    clashes = await repository.taken(session, ctx, codes)
    if clashes:
        shown = ", ".join(sorted(clashes)[:10])
        raise invalid("customCodes", f"codes already used in your account: {shown}")
    inserted = await repository.insert_codes(session, ctx.account_id, campaign_id, codes)
    if inserted != len(codes):  # another request took one of them since the check above
        raise Conflict(
            "Some of the custom codes were just taken by another campaign; retry", title="Conflict"
        )


async def redeemed_codes(session: AsyncSession, ctx: AuthContext, campaign_id: str) -> set[str]:
    return {row.code for row in await repository.usage(session, ctx, campaign_id, None, limit=None)}


async def codes_of(session: AsyncSession, ctx: AuthContext, campaign_id: str) -> set[str]:
    """Every code of the campaign (used for custom-code campaigns, whose lists are short)."""
    return await repository.codes_of(session, ctx, campaign_id)


async def counts(session: AsyncSession, ctx: AuthContext, campaign_id: str) -> tuple[int, int]:
    """(total codes, redeemed codes) of one campaign."""
    return (await repository.counts(session, ctx, [campaign_id])).get(campaign_id, (0, 0))


async def drop_unredeemed(
    session: AsyncSession, ctx: AuthContext, campaign_id: str, how_many: int | None = None
) -> None:
    await repository.delete_unredeemed(session, ctx, campaign_id, how_many)


async def delete_codes(session: AsyncSession, ctx: AuthContext, campaign_id: str) -> None:
    """Every code of the campaign, redeemed or not (the campaign itself is being deleted)."""
    await repository.delete_codes(session, ctx, campaign_id)


async def summaries(
    session: AsyncSession, ctx: AuthContext, campaign_ids: Sequence[str], customer_id: str | None
) -> dict[str, dict[str, Any]]:
    """`attributes.codes_summary` for each campaign: used, total, left, codes (up to 100 available codes)
    and codes_usage (up to 100 latest redemptions). With a customer, `used` and `codes_usage` are theirs."""
    totals = await repository.counts(session, ctx, campaign_ids) if campaign_ids else {}
    result: dict[str, dict[str, Any]] = {}
    for campaign_id in campaign_ids:
        total, used = totals.get(campaign_id, (0, 0))
        redemptions = await repository.usage(session, ctx, campaign_id, customer_id, SUMMARY_LIMIT)
        result[campaign_id] = {
            "used": used
            if customer_id is None
            else await repository.redeemed_by(session, ctx, campaign_id, customer_id),
            "total": total,
            "left": total - used,
            "codes": await repository.available(session, ctx, campaign_id, SUMMARY_LIMIT),
            "codes_usage": [
                {"code": row.code, "customer_id": row.redeemed_by, "redeemed_at": iso_millis(row.redeemed_at)}
                for row in redemptions
            ],
        }
    return result
