"""Sales and refunds: commissions computed from the campaign, never twice for one invoice, reduced or
clawed back when the merchant refunds.

A sale of a referred customer earns a pending commission: `percentage` of the amount or the `fixed`
amount, rounded half-even to the currency's minor unit, due `payoutTerm` days later; the admin keeps the
rest. Self-referrals and affiliates who are not `active` earn nothing. A refund reduces a commission that
is not paid yet pro rata (a full refund marks it `refunded`); once paid, the difference becomes a negative
commission (a clawback), due at once, which the affiliate's next payout deducts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from perks.affiliate.affiliates import service as affiliates
from perks.affiliate.affiliates.models import AffiliateStatus
from perks.affiliate.campaigns import service as campaigns
from perks.affiliate.commissions import service as commissions
from perks.affiliate.commissions.models import UNPAID, Commission, CommissionStatus
from perks.affiliate.common import payload
from perks.affiliate.payouts import service as payouts
from perks.affiliate.referred_users import service as referred_users
from perks.affiliate.referred_users.models import ReferredUser
from perks.affiliate.sales import repository
from perks.affiliate.sales.currency import fits_currency, money_in, round_to_currency
from perks.affiliate.sales.models import Sale
from perks.affiliate.sales.schemas import RefundIn, SaleIn, SaleOut
from perks.errors import NotFound, Unprocessable, invalid
from perks.kit import clock
from perks.kit.ids import new_id
from perks.outbox import service as outbox
from perks.tenancy.context import AuthContext

SALE_NOT_FOUND = "Sale not found"


@dataclass(frozen=True)
class Recorded:
    sale: Sale
    commission: Commission | None
    created: bool


@dataclass(frozen=True)
class Refunded:
    sale: Sale
    commissions: list[Commission]


def out(sale: Sale) -> SaleOut:
    return SaleOut(
        id=sale.id,
        invoice_id=sale.invoice_id,
        workspace_id=sale.workspace_id,
        affiliate_id=sale.affiliate_id,
        campaign_id=sale.campaign_id,
        referred_user=sale.email,
        external_id=sale.external_id,
        amount=money_in(sale.amount, sale.currency),
        refunded_amount=money_in(sale.refunded_amount, sale.currency),
        currency=sale.currency,
        commission_id=sale.commission_id,
        created_at=sale.created_at,
        updated_at=sale.updated_at,
    )


async def track_sale(session: AsyncSession, ctx: AuthContext, body: SaleIn) -> Recorded:
    _check_amount(body.amount, body.currency)
    existing = await repository.by_invoice(session, ctx, body.invoice_id)
    if existing is not None:
        return await _recorded_before(session, ctx, existing)
    referred = await _customer(session, ctx, body)
    commission = await _commission_for(session, ctx, referred, body) if referred else None
    sale_id = new_id()
    values = _sale_values(ctx, sale_id, body, referred, commission)
    if not await repository.insert_once(session, values):
        # A concurrent request recorded this invoice first: answer with what it recorded.
        winner = await repository.by_invoice(session, ctx, body.invoice_id)
        if winner is None:  # pragma: no cover - the conflicting row is committed when we get here
            raise Unprocessable("The invoice is being recorded by another request; retry")
        return await _recorded_before(session, ctx, winner)
    sale = await repository.by_invoice(session, ctx, body.invoice_id)
    assert sale is not None
    if commission is not None:
        commission.sale_id = sale.id
        await commissions.add_commission(session, ctx, commission)
    if referred is not None:
        outbox.emit(session, ctx, "sale.created", payload(out(sale)))
    return Recorded(sale, commission, created=True)


async def track_refund(session: AsyncSession, ctx: AuthContext, body: RefundIn) -> Refunded:
    sale = await repository.by_invoice(session, ctx, body.invoice_id)
    if sale is None:
        raise NotFound(SALE_NOT_FOUND)
    left = sale.amount - sale.refunded_amount
    amount = body.amount if body.amount is not None else left
    if amount == 0:
        return Refunded(sale, [])  # a full refund of a fully refunded sale: nothing left to do
    _check_amount(amount, sale.currency)
    if not await repository.add_refund(session, ctx, sale.id, amount):
        raise Unprocessable("amount: more than what is left to refund of this sale")
    sale = await repository.by_invoice(session, ctx, body.invoice_id)
    assert sale is not None
    return Refunded(sale, await _claw_back(session, ctx, sale))


def _check_amount(amount: Decimal, currency: str) -> None:
    if not fits_currency(amount, currency):
        raise invalid("amount", f"has more decimal places than {currency} has")


async def _customer(session: AsyncSession, ctx: AuthContext, body: SaleIn) -> ReferredUser | None:
    if body.email:
        return await referred_users.find_referred_user(session, ctx, body.email)
    if body.external_id:
        return await referred_users.find_by_external_id(session, ctx, body.external_id)
    raise invalid("email", "email or externalId is required")


async def _commission_for(
    session: AsyncSession, ctx: AuthContext, referred: ReferredUser, body: SaleIn
) -> Commission | None:
    """The pending commission the sale earns, or None (self-referral, affiliate not active)."""
    affiliate = await affiliates.get_affiliate(session, ctx, referred.affiliate_id)
    if referred.is_self_referral or affiliate.status != AffiliateStatus.ACTIVE:
        return None
    campaign = await campaigns.get_campaign(session, ctx, referred.campaign_id)
    if campaign.commission_type == "percentage":
        earned = round_to_currency(body.amount * campaign.amount / 100, body.currency)
    else:
        earned = round_to_currency(campaign.amount, body.currency)
    if earned <= 0:
        return None
    return _pending(
        ctx,
        Commission(
            workspace_id=referred.workspace_id,
            campaign_id=campaign.id,
            affiliate_id=affiliate.id,
            referred_user=referred.referred_to,
            referred_key=referred.email_key,
            amount=earned,
            admin_earned_amount=max(Decimal(0), body.amount - earned),
            invoice_id=body.invoice_id,
            kind="sale",
            currency=body.currency,
        ),
        due_in=timedelta(days=campaign.payout_term),
    )


def _pending(ctx: AuthContext, commission: Commission, due_in: timedelta) -> Commission:
    """A new pending commission of the caller's account, dated now and due `due_in` later."""
    now = clock.now()
    commission.id, commission.account_id, commission.status = (
        new_id(),
        ctx.account_id,
        CommissionStatus.PENDING,
    )
    commission.commission_date, commission.due_at = now, now + due_in
    return commission


def _sale_values(
    ctx: AuthContext, sale_id: str, body: SaleIn, referred: ReferredUser | None, commission: Commission | None
) -> dict[str, Any]:
    now = clock.now()
    return {
        "id": sale_id,
        "account_id": ctx.account_id,
        "invoice_id": body.invoice_id,
        "workspace_id": referred.workspace_id if referred else None,
        "affiliate_id": referred.affiliate_id if referred else None,
        "campaign_id": referred.campaign_id if referred else None,
        "referred_user_id": referred.id if referred else None,
        "email": referred.referred_to if referred else body.email,
        "external_id": body.external_id or (referred.external_id if referred else None),
        "amount": body.amount,
        "currency": body.currency,
        "refunded_amount": Decimal(0),
        "commission_id": commission.id if commission else None,
        "commission_amount": commission.amount if commission else None,
        "created_at": now,
        "updated_at": now,
    }


async def _recorded_before(session: AsyncSession, ctx: AuthContext, sale: Sale) -> Recorded:
    commission = None
    if sale.commission_id is not None:
        commission = await commissions.find_commission(session, ctx, sale.commission_id)
    return Recorded(sale, commission, created=False)


async def _claw_back(session: AsyncSession, ctx: AuthContext, sale: Sale) -> list[Commission]:
    """Bring what the sale's commissions add up to down to its share of what was not refunded."""
    if sale.commission_id is None or sale.commission_amount is None:
        return []
    original = await commissions.find_commission(session, ctx, sale.commission_id)
    if original is None:
        return []  # deleted by hand
    left = sale.amount - sale.refunded_amount
    target = round_to_currency(sale.commission_amount * left / sale.amount, sale.currency)
    for _pass in range(2):
        if original.status in UNPAID:
            before, payout_id = original.amount, original.payout_id
            values: dict[str, Any] = (
                {"status": CommissionStatus.REFUNDED}
                if target == 0
                else {"amount": target, "admin_earned_amount": max(Decimal(0), left - target)}
            )
            if await commissions.reduce_for_refund(session, ctx, original, values):
                after = Decimal(0) if original.status == CommissionStatus.REFUNDED else original.amount
                await payouts.adjust_pending(session, ctx, original.payout_id or payout_id, after - before)
                return [original]
            continue  # paid (or refunded) meanwhile: look again
        if original.status == CommissionStatus.PAID:
            return await _clawback(session, ctx, sale, original, target)
        return []
    return []


async def _clawback(
    session: AsyncSession, ctx: AuthContext, sale: Sale, original: Commission, target: Decimal
) -> list[Commission]:
    difference = target - await repository.earned_total(session, ctx, sale.id)
    if difference >= 0:
        return []
    clawback = Commission(
        workspace_id=original.workspace_id,
        campaign_id=original.campaign_id,
        affiliate_id=original.affiliate_id,
        referred_user=original.referred_user,
        referred_key=original.referred_key,
        amount=difference,
        admin_earned_amount=Decimal(0),
        remarks=f"Clawback: refund of invoice {sale.invoice_id} after payout",
        invoice_id=sale.invoice_id,
        sale_id=sale.id,
        kind="clawback",
        currency=sale.currency,
    )
    _pending(ctx, clawback, due_in=timedelta(0))
    return [await commissions.add_commission(session, ctx, clawback)]
