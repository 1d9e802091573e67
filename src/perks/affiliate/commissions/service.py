"""Commissions: what an affiliate earned for a referred customer. Status moves pending → processing →
paid, or to refunded from pending or processing; a paid commission's amount is final."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal, TypedDict

from sqlalchemy import ColumnElement, or_
from sqlalchemy.ext.asyncio import AsyncSession

from perks.affiliate.affiliates import service as affiliates
from perks.affiliate.affiliates.models import Affiliate
from perks.affiliate.campaigns import service as campaigns
from perks.affiliate.campaigns.models import AffiliateCampaign
from perks.affiliate.commissions import repository
from perks.affiliate.commissions.models import UNPAID, Commission, CommissionStatus
from perks.affiliate.commissions.rendering import commission_out
from perks.affiliate.commissions.repository import CommissionFilter
from perks.affiliate.commissions.schemas import (
    NULLABLE_ON_UPDATE,
    CommissionCreate,
    CommissionUpdate,
)
from perks.affiliate.listing import ListFilters, filtered_page
from perks.affiliate.sales.currency import DEFAULT_CURRENCY, money_in
from perks.affiliate.wire import changes_of, email_key, payload
from perks.errors import NotFound, Unprocessable
from perks.kit import clock
from perks.kit.csv_stream import csv_line, inert
from perks.kit.keyset import Keyset, KeysetPage
from perks.kit.pagination import PageResult
from perks.outbox import service as outbox
from perks.outbox.service import Payload
from perks.sql import Runner
from perks.tenancy.context import AuthContext

SORTABLE = {
    "createdAt": Commission.created_at,
    "updatedAt": Commission.updated_at,
    "amount": Commission.amount,
    "status": Commission.status,
    "commissionDate": Commission.commission_date,
}
NEXT_STATUSES: dict[str, frozenset[str]] = {
    CommissionStatus.PENDING: frozenset({CommissionStatus.PROCESSING, CommissionStatus.REFUNDED}),
    CommissionStatus.PROCESSING: frozenset({CommissionStatus.PAID, CommissionStatus.REFUNDED}),
    CommissionStatus.PAID: frozenset(),
    CommissionStatus.REFUNDED: frozenset(),
}
NOT_FOUND = "Commission not found"
PAID_AMOUNT_IS_FINAL = "The amount of a paid commission cannot change"
REVIEW_MAX = 100  # commissions reviewed in one bulk action
Decision = Literal["approve", "decline"]
Event = tuple[str, Payload]  # a webhook to emit: its type and payload


class CommissionWebhook(TypedDict):
    """commission.created, commission.updated, commission.refunded: the commission as the API shows it
    (CommissionOut's JSON)."""

    id: str
    campaignId: str
    affiliateId: str
    workspaceId: str
    referredUser: str
    amount: str
    adminEarnedAmount: str
    status: str
    commissionDate: str | None
    payoutDate: str | None
    remarks: str | None
    invoiceId: str | None
    saleId: str | None
    currency: str | None
    dueAt: str | None
    payoutId: str | None
    approvedAt: str | None
    createdAt: str
    updatedAt: str


@dataclass(frozen=True)
class Earnings:
    """One affiliate's commissions by currency: not paid yet (pending or in a payout) and paid."""

    unpaid: dict[str, Decimal]
    paid: dict[str, Decimal]


@dataclass
class Reviewed:
    """What a bulk review did: the commissions changed, and why others were not."""

    done: list[Commission] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)


def sources_of(target: str) -> list[str]:
    """The statuses a commission may move to `target` from."""
    return [status for status, targets in NEXT_STATUSES.items() if target in targets]


async def campaign_of(
    session: AsyncSession, ctx: AuthContext, affiliate: Affiliate, campaign_id: str | None
) -> AffiliateCampaign:
    """The campaign named for a record of `affiliate`, else the affiliate's own; it must be in the
    affiliate's workspace. Also used by referred users."""
    campaign = await campaigns.get_campaign(session, ctx, campaign_id or affiliate.campaign_id)
    if campaign.workspace_id != affiliate.workspace_id:
        raise Unprocessable("The campaign does not belong to the affiliate's workspace")
    return campaign


async def list_commissions(session: AsyncSession, ctx: AuthContext, filters: ListFilters) -> PageResult:
    return await filtered_page(session, ctx, repository.commissions(ctx), Commission, filters, SORTABLE)


async def get_commission(session: AsyncSession, ctx: AuthContext, commission_id: str) -> Commission:
    commission = await repository.get(session, ctx, commission_id)
    if commission is None:
        raise NotFound(NOT_FOUND)
    return commission


async def create_commission(session: AsyncSession, ctx: AuthContext, body: CommissionCreate) -> Commission:
    affiliate = await affiliates.get_affiliate(session, ctx, body.affiliate_id)
    campaign = await campaign_of(session, ctx, affiliate, body.campaign_id)
    fields = body.model_dump(exclude={"campaign_id", "affiliate_id"}, by_alias=False)
    fields["commission_date"] = body.commission_date or clock.now()
    commission = Commission(
        account_id=ctx.account_id,
        workspace_id=affiliate.workspace_id,
        campaign_id=campaign.id,
        affiliate_id=affiliate.id,
        referred_key=email_key(body.referred_user),
        **fields,
    )
    await repository.add(session, commission)
    outbox.emit(session, ctx, "commission.created", payload(commission_out(commission), CommissionWebhook))
    return commission


async def find_commission(session: AsyncSession, ctx: AuthContext, commission_id: str) -> Commission | None:
    return await repository.get(session, ctx, commission_id)


# The sale and refund path (perks.affiliate.sales) runs on its runner (perks.sql); the webhooks these
# name are emitted by the caller, with its own, in one write.


async def read_commission(runner: Runner, ctx: AuthContext, commission_id: str) -> Commission | None:
    return await repository.read(runner, ctx, commission_id)


async def write_commission(runner: Runner, values: dict[str, Any]) -> tuple[Commission, Event]:
    """Write a commission built by another domain (tracked sales, clawbacks: every column given), and the
    event that announces it."""
    commission = await repository.insert(runner, values)
    return commission, ("commission.created", payload(commission_out(commission), CommissionWebhook))


async def reduce_for_refund(
    runner: Runner, ctx: AuthContext, commission_id: str, values: dict[str, Any], now: datetime
) -> tuple[Commission | None, list[Event]]:
    """Apply a refund to a commission that is not paid yet (pending or processing), in one conditional
    UPDATE: the commission as it is now and the events that announce the change, or None when it was paid
    or refunded meanwhile."""
    commission = await repository.reduce_unpaid(runner, ctx, commission_id, values, now)
    if commission is None:
        return None, []
    return commission, update_events(commission, values.get("status"))


async def update_commission(
    session: AsyncSession, ctx: AuthContext, commission_id: str, body: CommissionUpdate
) -> Commission:
    commission = await get_commission(session, ctx, commission_id)
    requested = changes_of(body, NULLABLE_ON_UPDATE)
    if "referred_user" in requested:
        requested["referred_key"] = email_key(requested["referred_user"])
    # A second pass only when a concurrent request moved the status to the one asked for.
    for _pass in range(2):
        changes = _without_unchanged_status(requested, commission)
        if not changes:
            return commission
        if await repository.update_if(session, ctx, commission.id, _conditions(changes), changes):
            await session.refresh(commission)
            _emit_update(session, ctx, commission, changes.get("status"))
            return commission
        await session.refresh(commission)
        if changes.get("status") != commission.status:
            break
    raise _refusal(commission, requested.get("status"))


def _without_unchanged_status(requested: dict[str, Any], commission: Commission) -> dict[str, Any]:
    """Asking for the status a commission already has is no move at all."""
    if requested.get("status") == commission.status:
        return {key: value for key, value in requested.items() if key != "status"}
    return requested


def update_events(commission: Commission, moved_to: str | None) -> list[Event]:
    """commission.updated, and commission.refunded when it moved there."""
    data = payload(commission_out(commission), CommissionWebhook)
    if moved_to == CommissionStatus.REFUNDED:
        return [("commission.updated", data), ("commission.refunded", data)]
    return [("commission.updated", data)]


def _emit_update(
    session: AsyncSession, ctx: AuthContext, commission: Commission, moved_to: str | None
) -> None:
    for kind, data in update_events(commission, moved_to):
        outbox.emit(session, ctx, kind, data)


def _conditions(changes: dict[str, Any]) -> list[ColumnElement[bool]]:
    """What the row must still be for the update to apply, checked in the UPDATE itself."""
    conditions: list[ColumnElement[bool]] = []
    target = changes.get("status")
    if target is not None:
        conditions.append(Commission.status.in_(sources_of(target)))
    if "amount" in changes:
        unchanged = Commission.amount == changes["amount"]
        conditions.append(
            unchanged
            if target == CommissionStatus.PAID
            else or_(unchanged, Commission.status != CommissionStatus.PAID)
        )
    return conditions


def _refusal(commission: Commission, target: str | None) -> Unprocessable:
    if target is not None and target not in NEXT_STATUSES[commission.status]:
        return Unprocessable(f"Commission status cannot change from {commission.status} to {target}")
    return Unprocessable(PAID_AMOUNT_IS_FINAL)


async def delete_commission(session: AsyncSession, ctx: AuthContext, commission_id: str) -> None:
    if not await repository.delete_commission(session, ctx, commission_id):
        raise NotFound(NOT_FOUND)


async def delete_for_referred_user(session: AsyncSession, ctx: AuthContext, email: str) -> None:
    await repository.delete_for_referred(session, ctx, email_key(email))


async def page_commissions(
    session: AsyncSession, ctx: AuthContext, where: CommissionFilter, keyset: Keyset
) -> KeysetPage[Commission]:
    """Newest first; `where.status` may be REVIEW: pending, not yet approved, in no payout."""
    return await repository.page(session, ctx, where, keyset)


async def approve_commission(session: AsyncSession, ctx: AuthContext, commission_id: str) -> Commission:
    """A manager's approval of a pending commission (approving it again is no move). It is paid, as
    every pending commission, when it falls due."""
    commission = await get_commission(session, ctx, commission_id)
    if commission.approved_at is not None and commission.status == CommissionStatus.PENDING:
        return commission
    if await repository.approve(session, ctx, commission.id, clock.now()):
        await session.refresh(commission)
        _emit_update(session, ctx, commission, None)
        return commission
    await session.refresh(commission)
    if commission.status != CommissionStatus.PENDING:
        raise Unprocessable(f"Only a pending commission can be approved; this one is {commission.status}")
    return commission


async def decline_commission(
    session: AsyncSession, ctx: AuthContext, commission_id: str, reason: str = ""
) -> Commission:
    """A manager's refusal of a pending commission in no payout: it becomes refunded (the API's
    reversal), with the reason in its remarks."""
    commission = await get_commission(session, ctx, commission_id)
    if commission.status != CommissionStatus.PENDING or commission.payout_id is not None:
        raise Unprocessable(
            f"Only a pending commission in no payout can be declined; this one is {commission.status}"
        )
    remarks = "Declined in review" + (f": {reason.strip()}" if reason.strip() else "")
    return await update_commission(
        session, ctx, commission.id, CommissionUpdate(status="refunded", remarks=remarks)
    )


async def review(
    session: AsyncSession, ctx: AuthContext, commission_ids: list[str], decision: Decision, reason: str = ""
) -> Reviewed:
    """Approve or decline several commissions; one that cannot be (paid meanwhile, unknown) is reported
    and the others still are."""
    outcome = Reviewed()
    for commission_id in list(dict.fromkeys(commission_ids))[:REVIEW_MAX]:
        try:
            if decision == "approve":
                outcome.done.append(await approve_commission(session, ctx, commission_id))
            else:
                outcome.done.append(await decline_commission(session, ctx, commission_id, reason))
        except (NotFound, Unprocessable) as error:
            outcome.refused.append((commission_id, error.details))
    return outcome


async def earnings(session: AsyncSession, ctx: AuthContext, affiliate_id: str) -> Earnings:
    unpaid: dict[str, Decimal] = defaultdict(Decimal)
    paid: dict[str, Decimal] = defaultdict(Decimal)
    for (status, currency), total in (await repository.totals_by_status(session, ctx, affiliate_id)).items():
        if status in UNPAID:
            unpaid[currency or DEFAULT_CURRENCY] += total
        elif status == CommissionStatus.PAID:
            paid[currency or DEFAULT_CURRENCY] += total
    return Earnings(dict(unpaid), dict(paid))


CSV_HEADER = [
    "commission_id",
    "created_at",
    "referred_user",
    "amount",
    "currency",
    "status",
    "due_at",
    "paid_at",
    "invoice_id",
]


async def export_csv(
    session: AsyncSession, ctx: AuthContext, where: CommissionFilter, *, mask_email: Callable[[str], str]
) -> AsyncIterator[str]:
    """Commissions as CSV lines, newest first, read a batch at a time (`mask_email` shows the referred
    customer as the reader may see them)."""
    yield csv_line(CSV_HEADER)
    async for batch in repository.batches(session, ctx, where):
        for commission in batch:
            currency = commission.currency or DEFAULT_CURRENCY
            yield csv_line(
                [
                    commission.id,
                    commission.created_at.isoformat(),
                    inert(mask_email(commission.referred_user)),
                    money_in(commission.amount, currency),
                    currency,
                    commission.status,
                    commission.due_at.isoformat() if commission.due_at else "",
                    commission.payout_date.isoformat() if commission.payout_date else "",
                    inert(commission.invoice_id or ""),
                ]
            )
