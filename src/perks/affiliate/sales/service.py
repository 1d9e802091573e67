"""Sales and refunds: commissions computed from the campaign, never twice for one invoice, reduced or
clawed back when the merchant refunds.

A sale of a referred customer earns a pending commission: `percentage` of the amount or the `fixed`
amount, rounded half-even to the currency's minor unit, due `payoutTerm` days later; the admin keeps the
rest. Self-referrals and affiliates who are not `active` earn nothing. A refund reduces a commission that
is not paid yet pro rata (a full refund marks it `refunded`); once paid, the difference becomes a negative
commission (a clawback), due at once, which the affiliate's next payout deducts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, TypedDict

from sqlalchemy.ext.asyncio import AsyncSession

from perks.affiliate.affiliates import service as affiliates
from perks.affiliate.affiliates.models import AffiliateStatus
from perks.affiliate.campaigns import service as campaigns
from perks.affiliate.commissions import service as commissions
from perks.affiliate.commissions.models import UNPAID, Commission, CommissionStatus
from perks.affiliate.commissions.service import Event
from perks.affiliate.payouts import service as payouts
from perks.affiliate.referred_users import service as referred_users
from perks.affiliate.referred_users.models import Referral
from perks.affiliate.sales import repository
from perks.affiliate.sales.currency import fits_currency, round_to_currency
from perks.affiliate.sales.models import Sale
from perks.affiliate.sales.rendering import sale_out
from perks.affiliate.sales.schemas import RefundIn, SaleIn
from perks.affiliate.wire import payload
from perks.errors import NotFound, Unprocessable, invalid
from perks.kit import clock
from perks.kit.ids import new_id
from perks.outbox import service as outbox
from perks.sql import Runner, runner_of
from perks.tenancy.context import AuthContext

SALE_NOT_FOUND = "Sale not found"
# What a clawback keeps of the commission it claws back: who earned it, for which customer.
_PARTIES = ("workspace_id", "campaign_id", "affiliate_id", "referred_user", "referred_key")


class SaleWebhook(TypedDict):
    """sale.created: the sale as the API shows it (SaleOut's JSON)."""

    id: str
    invoiceId: str
    workspaceId: str | None
    affiliateId: str | None
    campaignId: str | None
    referredUser: str | None
    externalId: str | None
    amount: str
    refundedAmount: str
    currency: str
    commissionId: str | None
    createdAt: str
    updatedAt: str


@dataclass(frozen=True)
class Recorded:
    sale: Sale
    commission: Commission | None
    created: bool


@dataclass(frozen=True)
class Refunded:
    sale: Sale
    commissions: list[Commission]


async def track_sale(session: AsyncSession, ctx: AuthContext, body: SaleIn) -> Recorded:
    """On the request's transaction through a runner (perks.sql): the invoice, the referral (with its
    affiliate and campaign) in one read, the sale claimed by its invoice (INSERT .. ON CONFLICT DO
    NOTHING), the commission, and both webhooks in one write."""
    _check_amount(body.amount, body.currency)
    runner = await runner_of(session)
    existing = await repository.read_by_invoice(runner, ctx, body.invoice_id)
    if existing is not None:
        return await _recorded_before(runner, ctx, existing)
    referral = await _customer(runner, ctx, body)
    now = clock.now()
    commission = _commission_for(ctx, referral, body, now) if referral else None
    sale = await repository.insert_once(runner, _sale_values(ctx, body, referral, commission, now))
    if sale is None:
        # A concurrent request recorded this invoice first: answer with what it recorded.
        winner = await repository.read_by_invoice(runner, ctx, body.invoice_id)
        if winner is None:  # pragma: no cover - the conflicting row is committed when we get here
            raise Unprocessable("The invoice is being recorded by another request; retry")
        return await _recorded_before(runner, ctx, winner)
    events: list[Event] = []
    written = None
    if commission is not None:
        written, created = await commissions.write_commission(runner, commission | {"sale_id": sale.id})
        events.append(created)
    if referral is not None:
        events.append(("sale.created", payload(sale_out(sale), SaleWebhook)))
    await outbox.emit_many(runner, ctx, events)
    return Recorded(sale, written, created=True)


async def track_refund(session: AsyncSession, ctx: AuthContext, body: RefundIn) -> Refunded:
    """On the request's transaction through a runner (perks.sql)."""
    runner = await runner_of(session)
    sale = await repository.read_by_invoice(runner, ctx, body.invoice_id)
    if sale is None:
        raise NotFound(SALE_NOT_FOUND)
    left = sale.amount - sale.refunded_amount
    amount = body.amount if body.amount is not None else left
    if amount == 0:
        return Refunded(sale, [])  # a full refund of a fully refunded sale: nothing left to do
    _check_amount(amount, sale.currency)
    now = clock.now()
    refunded = await repository.add_refund(runner, ctx, sale.id, amount, now)
    if refunded is None:
        raise Unprocessable("amount: more than what is left to refund of this sale")
    changed, events = await _claw_back(runner, ctx, refunded, now)
    await outbox.emit_many(runner, ctx, events)
    return Refunded(refunded, changed)


def _check_amount(amount: Decimal, currency: str) -> None:
    if not fits_currency(amount, currency):
        raise invalid("amount", f"has more decimal places than {currency} has")


async def _customer(runner: Runner, ctx: AuthContext, body: SaleIn) -> Referral | None:
    if body.email:
        return await referred_users.referral_of(runner, ctx, email=body.email)
    if body.external_id:
        return await referred_users.referral_of(runner, ctx, external_id=body.external_id)
    raise invalid("email", "email or externalId is required")


def _commission_for(
    ctx: AuthContext, referral: Referral, body: SaleIn, now: datetime
) -> dict[str, Any] | None:
    """The pending commission the sale earns (its columns but the sale's id), or None (self-referral,
    affiliate not active)."""
    if referral.affiliate_status is None:
        raise NotFound(affiliates.NOT_FOUND)
    if referral.is_self_referral or referral.affiliate_status != AffiliateStatus.ACTIVE:
        return None
    if not referral.campaign_found:
        raise NotFound(campaigns.NOT_FOUND)
    assert referral.campaign_amount is not None and referral.payout_term is not None
    if referral.commission_type == "percentage":
        earned = round_to_currency(body.amount * referral.campaign_amount / 100, body.currency)
    else:
        earned = round_to_currency(referral.campaign_amount, body.currency)
    if earned <= 0:
        return None
    return _pending(
        ctx,
        now,
        timedelta(days=referral.payout_term),
        workspace_id=referral.workspace_id,
        campaign_id=referral.campaign_id,
        affiliate_id=referral.affiliate_id,
        referred_user=referral.referred_to,
        referred_key=referral.email_key,
        amount=earned,
        admin_earned_amount=max(Decimal(0), body.amount - earned),
        remarks=None,
        invoice_id=body.invoice_id,
        kind="sale",
        currency=body.currency,
    )


def _pending(ctx: AuthContext, now: datetime, due_in: timedelta, **fields: Any) -> dict[str, Any]:
    """The columns of a new pending commission of the caller's account, dated now and due `due_in` later."""
    return {
        "id": new_id(),
        "account_id": ctx.account_id,
        "status": CommissionStatus.PENDING,
        "commission_date": now,
        "due_at": now + due_in,
        "payout_date": None,
        "sale_id": None,
        "payout_id": None,
        "approved_at": None,
        "created_at": now,
        "updated_at": now,
        **fields,
    }


def _sale_values(
    ctx: AuthContext,
    body: SaleIn,
    referral: Referral | None,
    commission: dict[str, Any] | None,
    now: datetime,
) -> dict[str, Any]:
    return {
        "id": new_id(),
        "account_id": ctx.account_id,
        "invoice_id": body.invoice_id,
        "workspace_id": referral.workspace_id if referral else None,
        "affiliate_id": referral.affiliate_id if referral else None,
        "campaign_id": referral.campaign_id if referral else None,
        "referred_user_id": referral.id if referral else None,
        "email": referral.referred_to if referral else body.email,
        "external_id": body.external_id or (referral.external_id if referral else None),
        "amount": body.amount,
        "currency": body.currency,
        "refunded_amount": Decimal(0),
        "commission_id": commission["id"] if commission else None,
        "commission_amount": commission["amount"] if commission else None,
        "created_at": now,
        "updated_at": now,
    }


async def _recorded_before(runner: Runner, ctx: AuthContext, sale: Sale) -> Recorded:
    commission = None
    if sale.commission_id is not None:
        commission = await commissions.read_commission(runner, ctx, sale.commission_id)
    return Recorded(sale, commission, created=False)


async def _claw_back(
    runner: Runner, ctx: AuthContext, sale: Sale, now: datetime
) -> tuple[list[Commission], list[Event]]:
    """Bring what the sale's commissions add up to down to its share of what was not refunded: the
    commissions changed or written, and the events that announce them."""
    if sale.commission_id is None or sale.commission_amount is None:
        return [], []
    original = await commissions.read_commission(runner, ctx, sale.commission_id)
    left = sale.amount - sale.refunded_amount
    target = round_to_currency(sale.commission_amount * left / sale.amount, sale.currency)
    for _pass in range(2):
        if original is None:
            return [], []  # deleted by hand
        if original.status in UNPAID:
            before, payout_id = original.amount, original.payout_id
            values: dict[str, Any] = (
                {"status": CommissionStatus.REFUNDED}
                if target == 0
                else {"amount": target, "admin_earned_amount": max(Decimal(0), left - target)}
            )
            reduced, events = await commissions.reduce_for_refund(runner, ctx, original.id, values, now)
            if reduced is not None:
                after = Decimal(0) if reduced.status == CommissionStatus.REFUNDED else reduced.amount
                await payouts.adjust_pending(runner, ctx, reduced.payout_id or payout_id, after - before, now)
                return [reduced], events
            # paid (or refunded) meanwhile: look again
            original = await commissions.read_commission(runner, ctx, original.id)
            continue
        if original.status == CommissionStatus.PAID:
            return await _clawback(runner, ctx, sale, original, target, now)
        return [], []
    return [], []


async def _clawback(
    runner: Runner, ctx: AuthContext, sale: Sale, original: Commission, target: Decimal, now: datetime
) -> tuple[list[Commission], list[Event]]:
    difference = target - await repository.earned_total(runner, ctx, sale.id)
    if difference >= 0:
        return [], []
    clawback = _pending(
        ctx,
        now,
        timedelta(0),
        **{name: getattr(original, name) for name in _PARTIES},
        amount=difference,
        admin_earned_amount=Decimal(0),
        remarks=f"Clawback: refund of invoice {sale.invoice_id} after payout",
        invoice_id=sale.invoice_id,
        sale_id=sale.id,
        kind="clawback",
        currency=sale.currency,
    )
    written, created = await commissions.write_commission(runner, clawback)
    return [written], [created]
