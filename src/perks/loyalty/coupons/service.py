"""Coupon codes of COUPONS campaigns: issue generated or custom codes, resize, replace, summarise."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from perks.db.database import Database
from perks.errors import Conflict, invalid
from perks.jobs import service as jobs
from perks.jobs.models import Job
from perks.kit import cursors
from perks.kit.clock import as_utc, iso_millis
from perks.kit.csv_stream import csv_text
from perks.loyalty.coupons import repository
from perks.loyalty.coupons.generator import CodeFormat, unique_codes
from perks.loyalty.coupons.repository import Position
from perks.tenancy.context import AuthContext

# Generation rounds before giving up: each round only tops up codes another campaign already holds.
MAX_ROUNDS = 8
SUMMARY_LIMIT = 100
CODES_JOB = "codes.generate"
# Above this many codes at once, a job generates them (perks.loyalty.coupons.jobs); the API's setting is
# PERKS_CODES_JOB_THRESHOLD.
CODES_JOB_THRESHOLD = 100_000
DEFAULT_CODES_PAGE = 100
MAX_CODES_PAGE = 1000
# Codes per read transaction of an export: a few hundred kilobytes of CSV, whatever the campaign's size.
EXPORT_CHUNK = 10_000
CSV_COLUMNS = ("code", "status", "redeemed_at", "customer_id")


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


async def issue_later(
    session: AsyncSession, ctx: AuthContext, campaign_id: str, code_format: CodeFormat, quantity: int
) -> Job:
    """A job that adds `quantity` new random codes to the campaign, a chunk per transaction."""
    return await jobs.enqueue(
        session,
        ctx,
        CODES_JOB,
        params={"campaign_id": campaign_id, "code_config": code_format.as_config(), "quantity": quantity},
        total=quantity,
        subject=campaign_id,
    )


async def pending_job(session: AsyncSession, ctx: AuthContext, campaign_id: str) -> Job | None:
    """The unfinished job still generating the campaign's codes, if any."""
    return await jobs.unfinished(session, ctx, subject=campaign_id)


async def stop_jobs(session: AsyncSession, ctx: AuthContext, campaign_id: str) -> None:
    await jobs.cancel(session, ctx, campaign_id, "The campaign was deleted")


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


class CodeStatus(StrEnum):
    AVAILABLE = "AVAILABLE"
    REDEEMED = "REDEEMED"


@dataclass(frozen=True)
class CodeRow:
    code: str
    status: CodeStatus
    redeemed_at: datetime | None
    customer_id: str | None  # the customer's id when they redeemed it

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "status": self.status.value,
            "redeemed_at": iso_millis(self.redeemed_at),
            "customer_id": self.customer_id,
        }


@dataclass(frozen=True)
class CodePage:
    codes: list[CodeRow]
    cursor: str | None  # where the next page starts; None after the last one


async def page_of_codes(
    session: AsyncSession,
    ctx: AuthContext,
    campaign_id: str,
    status: CodeStatus | None,
    cursor: str | None,
    limit: int = DEFAULT_CODES_PAGE,
) -> CodePage:
    """A page of the campaign's codes: the available ones in code order, then the redeemed ones in the
    order they were redeemed (`status` keeps one of the two). A code redeemed while a client pages may
    show up twice, once in each part; none is skipped."""
    if not 1 <= limit <= MAX_CODES_PAGE:
        raise invalid("limit", f"must be from 1 to {MAX_CODES_PAGE}")
    return await _page(session, ctx, campaign_id, status, cursor, limit)


async def _page(
    session: AsyncSession,
    ctx: AuthContext,
    campaign_id: str,
    status: CodeStatus | None,
    cursor: str | None,
    limit: int,
) -> CodePage:
    after = _decode(cursor) if cursor else None
    parts = [redeemed for redeemed in (False, True) if status is None or status == _status(redeemed)]
    if after is not None and (after.redeemed_at is not None) not in parts:
        raise invalid("cursor", "belongs to another status; start again without a cursor")
    rows: list[CodeRow] = []
    for redeemed in parts:
        if after is not None and after.redeemed_at is not None and not redeemed:
            continue  # the cursor is already past the available codes
        start = after if after is not None and (after.redeemed_at is not None) == redeemed else None
        found = await repository.code_page(
            session, ctx, campaign_id, redeemed=redeemed, after=start, limit=limit + 1 - len(rows)
        )
        rows += [CodeRow(code, _status(when is not None), when, by) for code, when, by in found]
        if len(rows) > limit:
            break
    more = len(rows) > limit
    shown = rows[:limit]
    return CodePage(shown, _encode(shown[-1]) if more else None)


async def iterate_codes(
    database: Database, ctx: AuthContext, campaign_id: str, status: CodeStatus | None
) -> AsyncIterator[list[CodeRow]]:
    """Every code of the campaign, EXPORT_CHUNK at a time, each chunk read in a short transaction of its
    own: memory stays flat and no transaction stays open for the length of a download."""
    cursor: str | None = None
    while True:
        async with database.transaction(read_only=True) as session:
            page = await _page(session, ctx, campaign_id, status, cursor, EXPORT_CHUNK)
        if page.codes:
            yield page.codes
        if page.cursor is None:
            return
        cursor = page.cursor


def codes_csv(
    database: Database, ctx: AuthContext, campaign_id: str, status: CodeStatus | None
) -> AsyncIterator[str]:
    """The campaign's codes as CSV text with a header line (`CSV_COLUMNS`), a chunk at a time."""
    return csv_text(
        CSV_COLUMNS,
        iterate_codes(database, ctx, campaign_id, status),
        lambda row: (row.code, row.status.value, iso_millis(row.redeemed_at) or "", row.customer_id or ""),
    )


def _status(redeemed: bool) -> CodeStatus:
    return CodeStatus.REDEEMED if redeemed else CodeStatus.AVAILABLE


def _encode(row: CodeRow) -> str:
    """The last row's place: its redemption time to the microsecond (redeemed codes), and its code."""
    return cursors.encode([row.redeemed_at.isoformat(), row.code] if row.redeemed_at else [row.code])


def _decode(cursor: str) -> Position:
    parts = cursors.decode(cursor)
    if len(parts) == 1:
        return Position(None, parts[0])
    try:
        if len(parts) == 2:
            return Position(as_utc(datetime.fromisoformat(parts[0])), parts[1])
    except ValueError:
        pass
    raise invalid("cursor", "is not a cursor this list handed out")
