"""Payouts: due commissions gathered into one payout per affiliate and currency, then paid.

A commission falls due `payoutTerm` days after it was created (a tracked sale's commission carries its
due date; a hand-written one is due `payoutTerm` days after its commissionDate; a clawback at once).
Generation moves an affiliate's due commissions to `processing` in a new `pending` payout, but only when
their total (clawbacks deducted) is positive and reaches the affiliate's campaign `minimumPayoutAmount`.
Marking the payout paid marks its commissions paid in the same transaction."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TypedDict

from sqlalchemy.ext.asyncio import AsyncSession

from perks.affiliate.affiliates import service as affiliates
from perks.affiliate.affiliates.models import Affiliate
from perks.affiliate.campaigns import service as campaigns
from perks.affiliate.commissions.models import Commission
from perks.affiliate.payouts import repository
from perks.affiliate.payouts.models import Payout, PayoutStatus
from perks.affiliate.payouts.rendering import payout_out
from perks.affiliate.payouts.repository import PayoutFilter
from perks.affiliate.payouts.schemas import PayoutFilters
from perks.affiliate.sales.currency import DEFAULT_CURRENCY, money_in
from perks.affiliate.wire import payload
from perks.db.database import Database
from perks.errors import NotFound
from perks.kit import clock
from perks.kit.csv_stream import csv_line, inert
from perks.kit.ids import new_id
from perks.kit.keyset import Keyset, KeysetPage
from perks.kit.pagination import PageRequest, PageResult, paginate
from perks.outbox import service as outbox
from perks.sql import Runner
from perks.tenancy import service as tenancy
from perks.tenancy.context import AuthContext, KeyKind

NOT_FOUND = "Payout not found"
SORTABLE = {
    "createdAt": Payout.created_at,
    "updatedAt": Payout.updated_at,
    "amount": Payout.amount,
    "status": Payout.status,
}


class PayoutWebhook(TypedDict):
    """payout.created, payout.paid: the payout as the API shows it (PayoutOut's JSON)."""

    id: str
    workspaceId: str
    affiliateId: str
    campaignId: str
    amount: str
    currency: str
    status: str
    commissionCount: int
    paidAt: str | None
    createdAt: str
    updatedAt: str


async def get_payout(session: AsyncSession, ctx: AuthContext, payout_id: str) -> Payout:
    payout = await repository.get(session, ctx, payout_id)
    if payout is None:
        raise NotFound(NOT_FOUND)
    return payout


async def payout_of_affiliate(
    session: AsyncSession, ctx: AuthContext, affiliate_id: str, payout_id: str
) -> Payout:
    """One of this affiliate's payouts; another affiliate's is not found."""
    payout = await repository.get_of_affiliate(session, ctx, affiliate_id, payout_id)
    if payout is None:
        raise NotFound(NOT_FOUND)
    return payout


async def list_payouts(
    session: AsyncSession, ctx: AuthContext, filters: PayoutFilters, page: PageRequest
) -> PageResult:
    statement = repository.payouts(ctx)
    if filters.workspaceId:
        workspace = await tenancy.resolve_workspace(session, ctx, filters.workspaceId)
        statement = statement.where(Payout.workspace_id == workspace.id)
    if filters.affiliateId:
        statement = statement.where(Payout.affiliate_id == filters.affiliateId)
    if filters.status:
        statement = statement.where(Payout.status == filters.status)
    return await paginate(session, statement, page, SORTABLE, Payout.id)


async def generate(session: AsyncSession, ctx: AuthContext, workspace_id: str | None = None) -> list[Payout]:
    """Payouts of the due commissions of the account (or of one of its workspaces)."""
    now = clock.now()
    candidates = await repository.due_commissions(session, ctx, now, workspace_id)
    due = await _due(session, ctx, candidates, now)
    groups: dict[tuple[str, str], list[Commission]] = defaultdict(list)
    for commission in due:
        groups[(commission.affiliate_id, commission.currency or DEFAULT_CURRENCY)].append(commission)
    created = []
    for (affiliate_id, currency), items in groups.items():
        payout = await _pay_out(
            session, ctx, await affiliates.get_affiliate(session, ctx, affiliate_id), currency, items
        )
        if payout is not None:
            created.append(payout)
    return created


async def waiting_note(session: AsyncSession, ctx: AuthContext) -> str | None:
    """Why a generation found nothing to pay although commissions are pending: their payout term."""
    count, soonest = await repository.not_yet_due(session, ctx, clock.now())
    if not count or soonest is None:
        return None
    return (
        f"No payouts generated: {count} pending commission{'s' if count > 1 else ''} not due yet, the next "
        f"on {clock.as_utc(soonest).date().isoformat()}. A commission is due its campaign's payoutTerm days "
        "after its date (30 unless the campaign sets it; payoutTerm: 0 pays at once)"
    )


@dataclass(frozen=True)
class DueSummary:
    commissions: int
    affiliates: int


async def due_summary(session: AsyncSession, ctx: AuthContext, workspace_id: str | None = None) -> DueSummary:
    """What generating payouts now would gather: due commissions and the affiliates they belong to."""
    now = clock.now()
    due = await _due(session, ctx, await repository.due_commissions(session, ctx, now, workspace_id), now)
    return DueSummary(len(due), len({commission.affiliate_id for commission in due}))


async def _due(
    session: AsyncSession, ctx: AuthContext, candidates: Iterable[Commission], now: datetime
) -> list[Commission]:
    """Those whose due date has passed; a hand-written commission's comes from its campaign's term."""
    terms: dict[str, int] = {}
    due = []
    for commission in candidates:
        if commission.due_at is None:
            if commission.campaign_id not in terms:
                campaign = await campaigns.get_campaign(session, ctx, commission.campaign_id)
                terms[campaign.id] = campaign.payout_term
            start = commission.commission_date or commission.created_at
            if start + timedelta(days=terms[commission.campaign_id]) > now:
                continue
        due.append(commission)
    return due


async def _pay_out(
    session: AsyncSession, ctx: AuthContext, affiliate: Affiliate, currency: str, items: list[Commission]
) -> Payout | None:
    campaign = await campaigns.get_campaign(session, ctx, affiliate.campaign_id)
    minimum = max(campaign.minimum_payout_amount, Decimal("0.0001"))
    if sum((item.amount for item in items), Decimal(0)) < minimum:
        return None
    payout_id = new_id()
    savepoint = await session.begin_nested()
    moved = await repository.claim(session, ctx, [item.id for item in items], payout_id)
    total = sum(moved, Decimal(0))
    if total < minimum:  # another request took some of them meanwhile
        await savepoint.rollback()
        return None
    payout = Payout(
        id=payout_id,
        account_id=ctx.account_id,
        workspace_id=affiliate.workspace_id,
        affiliate_id=affiliate.id,
        campaign_id=campaign.id,
        amount=total,
        currency=currency,
        status=PayoutStatus.PENDING,
        commission_count=len(moved),
    )
    await repository.add(session, payout)
    await savepoint.commit()
    outbox.emit(session, ctx, "payout.created", payload(payout_out(payout), PayoutWebhook))
    return payout


async def adjust_pending(
    runner: Runner, ctx: AuthContext, payout_id: str | None, delta: Decimal, now: datetime
) -> None:
    """A refund changed a commission of a pending payout by `delta` (through the refund's runner)."""
    if payout_id is not None and delta:
        await repository.adjust_pending(runner, ctx, payout_id, delta, now)


async def mark_paid(session: AsyncSession, ctx: AuthContext, payout_id: str) -> Payout:
    """pending → paid with all its commissions, in this one transaction; paying a paid payout is no move."""
    payout = await get_payout(session, ctx, payout_id)
    if payout.status == PayoutStatus.PAID:
        return payout
    now = clock.now()
    await repository.pay_commissions(session, ctx, payout.id, now)
    if await repository.mark_paid(session, ctx, payout.id, now):
        payout = await get_payout(session, ctx, payout_id)
        outbox.emit(session, ctx, "payout.paid", payload(payout_out(payout), PayoutWebhook))
        return payout
    return await get_payout(session, ctx, payout_id)


async def export_csv(session: AsyncSession, ctx: AuthContext, method: str) -> str:
    """Pending payouts of affiliates paid by `method`, as that service's mass-payment file."""
    rows = [
        (payout, affiliate)
        for payout, affiliate in await repository.pending_with_affiliates(session, ctx)
        if (affiliate.payout_method or "") == method and payout.amount > 0
    ]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if method == "PAYPAL":
        # PayPal Payouts bulk file: email, amount, currency, reference id, note (no header row).
        for payout, affiliate in rows:
            writer.writerow(
                [
                    _pay_to(affiliate),
                    money_in(payout.amount, payout.currency),
                    payout.currency,
                    payout.id,
                    "Affiliate payout",
                ]
            )
    else:
        # Wise batch payment file (email recipients).
        writer.writerow(
            [
                "name",
                "recipientEmail",
                "paymentReference",
                "receiverType",
                "amountCurrency",
                "amount",
                "sourceCurrency",
                "targetCurrency",
            ]
        )
        for payout, affiliate in rows:
            writer.writerow(
                [
                    f"{affiliate.first_name} {affiliate.last_name}",
                    _pay_to(affiliate),
                    f"Payout {payout.id[:8]}",
                    "PRIVATE",
                    "target",
                    money_in(payout.amount, payout.currency),
                    payout.currency,
                    payout.currency,
                ]
            )
    return buffer.getvalue()


async def page_payouts(
    session: AsyncSession, ctx: AuthContext, where: PayoutFilter, keyset: Keyset
) -> KeysetPage[Payout]:
    return await repository.page(session, ctx, where, keyset)


DETAILS_HEADER = [
    "payout_id",
    "status",
    "amount",
    "currency",
    "commissions",
    "created_at",
    "paid_at",
    "affiliate_id",
    "first_name",
    "last_name",
    "email",
    "payout_method",
    "payout_email",
    "payout_reference",
]


async def export_details(session: AsyncSession, ctx: AuthContext, where: PayoutFilter) -> AsyncIterator[str]:
    """Payouts with what it takes to pay each (the partner's method, email or bank reference), as CSV
    lines, newest first, read a batch at a time."""
    yield csv_line(DETAILS_HEADER)
    async for batch in repository.batches(session, ctx, where):
        people = await affiliates.affiliates_by_id(session, ctx, {payout.affiliate_id for payout in batch})
        for payout in batch:
            person = people.get(payout.affiliate_id)
            yield csv_line(
                [
                    payout.id,
                    payout.status,
                    money_in(payout.amount, payout.currency),
                    payout.currency,
                    str(payout.commission_count),
                    payout.created_at.isoformat(),
                    payout.paid_at.isoformat() if payout.paid_at else "",
                    payout.affiliate_id,
                    *_payee(person),
                ]
            )


def _payee(person: Affiliate | None) -> list[str]:
    """The partner's name and payout details; what they wrote never starts a spreadsheet formula."""
    if person is None:
        return [""] * 6
    cells = [
        person.first_name,
        person.last_name,
        person.email,
        payout_method_of(person),
        _pay_to(person),
        person.payout_reference or "",
    ]
    return [inert(cell) for cell in cells]


def payout_method_of(affiliate: Affiliate) -> str:
    """PAYPAL, WISE, BANK (a bank reference without a method), or "" when the partner said nothing."""
    return affiliate.payout_method or ("BANK" if affiliate.payout_reference else "")


def _pay_to(affiliate: Affiliate) -> str:
    return affiliate.payout_email or affiliate.email


def system_context(account_id: str) -> AuthContext:
    return AuthContext(account_id=account_id, key_id="system", kind=KeyKind.SERVER)


async def generate_due(database: Database) -> int:
    """The worker job: generate payouts in every account with due commissions, one short transaction
    per account. Returns how many payouts it created."""
    async with database.transaction(read_only=True) as session:
        accounts = await repository.accounts_with_due(session, clock.now())
    created = 0
    for account_id in accounts:
        async with database.transaction() as session:
            created += len(await generate(session, system_context(account_id)))
    return created
