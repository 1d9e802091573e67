"""The partner's own pages: home (welcome, links with a copy button, terms in words, earnings), stats
over a chosen range with a chart by day, referred customers (emails masked), commissions (and their CSV),
payouts, and the payout details the partner fills in. Every query takes the signed-in partner's own id:
no page reads an id of someone else's from the URL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Annotated, Literal

from fastapi import Query, Request
from fastapi.responses import Response, StreamingResponse

from perks.affiliate.affiliates import service as affiliates
from perks.affiliate.affiliates.rendering import affiliate_out
from perks.affiliate.affiliates.schemas import PayoutDetails
from perks.affiliate.campaigns import service as campaigns
from perks.affiliate.commissions import service as commissions
from perks.affiliate.commissions.repository import CommissionFilter
from perks.affiliate.links import service as links
from perks.affiliate.payouts import service as payouts
from perks.affiliate.payouts.repository import PayoutFilter
from perks.affiliate.referred_users import service as referred_users
from perks.affiliate.stats import service as stats
from perks.affiliate.tracking import service as tracking
from perks.audit import service as audit
from perks.db.database import Database
from perks.errors import invalid
from perks.kit import clock
from perks.portal.auth import Partner, PartnerView
from perks.portal.pages import FACE, Session, pages, router
from perks.ui.charts import Chart, Series, csv_response
from perks.ui.forms import FormErrors, FormValues, attempt, form_values, parse
from perks.ui.listing import Listing

partner_pages = router()
DEFAULT_DAYS = 30
MAX_DAYS = 366
TONES = {"paid": "success", "refunded": "danger", "processing": "warning", "pending": None}
METHODS = [("PAYPAL", "PayPal"), ("WISE", "Wise"), ("BANK", "Bank transfer")]


def mask_email(email: str, hidden: bool = False) -> str:
    """ "ja•••@example.com": enough for a partner to recognise a customer, not to contact them. Hidden
    altogether when the campaign hides customers' emails."""
    if hidden:
        return "hidden by the program"
    name, at, domain = email.partition("@")
    return f"{name[:2]}•••{at}{domain}" if at else f"{email[:2]}•••"


@partner_pages.get("/")
async def home(request: Request, session: Session, partner: Partner) -> Response:
    affiliate = await affiliates.get_affiliate(session, partner.ctx, partner.affiliate_id)
    campaign = await campaigns.get_campaign(session, partner.ctx, partner.campaign_id)
    context = {
        "partner": partner,
        "links": await links.links_of(session, partner.ctx, affiliate, campaign),
        "clicks_per_link": await tracking.clicks_per_link(session, partner.ctx, partner.affiliate_id),
        "earnings": await commissions.earnings(session, partner.ctx, partner.affiliate_id),
    }
    return pages.render(request, "portal/home.html", context)


def _range(first: date | None, last: date | None) -> tuple[date, date]:
    today = clock.now().date()
    last = last or today
    first = first or last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise invalid("from", "must be on or before the end of the range")
    if (last - first).days + 1 > MAX_DAYS:
        raise invalid("from", f"a range is at most {MAX_DAYS} days")
    return first, last


@partner_pages.get("/stats")
async def show_stats(
    request: Request,
    session: Session,
    partner: Partner,
    first: Annotated[date | None, Query(alias="from")] = None,
    last: Annotated[date | None, Query(alias="to")] = None,
    format: Annotated[Literal["html", "csv"], Query()] = "html",
) -> Response:
    start, end = _range(first, last)
    daily = await stats.affiliate_daily(
        session, partner.ctx, partner.affiliate_id, start, end, partner.currency
    )
    labels = [day[5:] for day in daily.days]
    every = Chart(
        title="Per day",
        labels=daily.days,
        series=[
            Series("Clicks", daily.clicks),
            Series("Sign-ups", daily.sign_ups),
            Series("Sales", daily.sales),
            Series(f"Earnings ({daily.currency})", daily.earnings),
        ],
    )
    if format == "csv":
        return csv_response(every, f"stats-{start.isoformat()}-{end.isoformat()}.csv")
    activity = Chart(
        title="Clicks, sign-ups and sales",
        description="per day, UTC",
        labels=labels,
        series=[
            Series("Clicks", daily.clicks),
            Series("Sign-ups", daily.sign_ups),
            Series("Sales", daily.sales),
        ],
    )
    earned = Chart(
        title=f"Earnings ({daily.currency})",
        description="per day, UTC; refunded commissions apart",
        labels=labels,
        series=[Series("Earnings", daily.earnings)],
        kind="line",
    )
    context = {
        "partner": partner,
        "activity": activity,
        "earned": earned,
        "totals": {
            "clicks": sum(daily.clicks),
            "sign_ups": sum(daily.sign_ups),
            "sales": sum(daily.sales),
            "earnings": sum(daily.earnings),
        },
        "first": start,
        "last": end,
    }
    return pages.render(request, "portal/stats.html", context)


@partner_pages.get("/referrals")
async def show_referrals(request: Request, session: Session, partner: Partner, listing: Listing) -> Response:
    page = await referred_users.page_of_affiliate(
        session, partner.ctx, partner.affiliate_id, listing.keyset()
    )
    context = {"partner": partner, "page": page, "params": listing.params(), "mask": mask_email}
    return pages.render(request, "portal/referrals.html", context)


@partner_pages.get("/commissions")
async def show_commissions(
    request: Request, session: Session, partner: Partner, listing: Listing
) -> Response:
    where = CommissionFilter(affiliate_id=partner.affiliate_id)
    page = await commissions.page_commissions(session, partner.ctx, where, listing.keyset())
    context = {
        "partner": partner,
        "page": page,
        "params": listing.params(),
        "mask": mask_email,
        "tones": TONES,
    }
    return pages.render(request, "portal/commissions.html", context)


@partner_pages.get("/commissions.csv")
async def export_commissions(request: Request, partner: Partner) -> StreamingResponse:
    """The partner's own commissions, a batch at a time (read in a transaction of the download's own:
    the page's ends when this returns)."""
    database: Database = request.app.state.db
    where = CommissionFilter(affiliate_id=partner.affiliate_id)

    def masked(email: str) -> str:
        return mask_email(email, partner.hide_customer_email)

    async def lines() -> AsyncIterator[str]:
        async with database.transaction(read_only=True) as session:
            async for line in commissions.export_csv(session, partner.ctx, where, mask_email=masked):
                yield line

    return StreamingResponse(
        lines(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="commissions.csv"'},
    )


@partner_pages.get("/payouts")
async def show_payouts(request: Request, session: Session, partner: Partner, listing: Listing) -> Response:
    where = PayoutFilter(affiliate_id=partner.affiliate_id)
    page = await payouts.page_payouts(session, partner.ctx, where, listing.keyset())
    context = {"partner": partner, "page": page, "params": listing.params(), "tones": TONES}
    return pages.render(request, "portal/payouts.html", context)


@partner_pages.get("/payouts/{payout_id}")
async def show_payout(
    request: Request, session: Session, partner: Partner, listing: Listing, payout_id: str
) -> Response:
    payout = await payouts.payout_of_affiliate(session, partner.ctx, partner.affiliate_id, payout_id)
    where = CommissionFilter(affiliate_id=partner.affiliate_id, payout_id=payout.id)
    context = {
        "partner": partner,
        "payout": payout,
        "page": await commissions.page_commissions(session, partner.ctx, where, listing.keyset()),
        "params": listing.params(),
        "mask": mask_email,
        "tones": TONES,
    }
    return pages.render(request, "portal/payout.html", context)


def _details_values(method: str | None, email: str | None, reference: str | None) -> FormValues:
    return {
        "payoutMethod": method or ("BANK" if reference else ""),
        "payoutEmail": email or "",
        "payoutReference": reference or "",
    }


def _details_page(
    request: Request, partner: PartnerView, values: FormValues, errors: FormErrors, status: int = 200
) -> Response:
    context = {"partner": partner, "values": values, "errors": errors, "methods": METHODS}
    return pages.render(request, "portal/payout_details.html", context, status=status)


@partner_pages.get("/payout-details")
async def edit_payout_details(request: Request, session: Session, partner: Partner) -> Response:
    affiliate = await affiliates.get_affiliate(session, partner.ctx, partner.affiliate_id)
    values = _details_values(affiliate.payout_method, affiliate.payout_email, affiliate.payout_reference)
    return _details_page(request, partner, values, FormErrors())


@partner_pages.post("/payout-details")
async def save_payout_details(request: Request, session: Session, partner: Partner) -> Response:
    values = await form_values(request)
    before = affiliate_out(await affiliates.get_affiliate(session, partner.ctx, partner.affiliate_id))
    saved = await attempt(
        lambda: affiliates.update_payout_details(
            session, partner.ctx, partner.affiliate_id, parse(PayoutDetails, values)
        )
    )
    if isinstance(saved, FormErrors):
        return _details_page(request, partner, values, saved, status=saved.status)
    target = audit.Target("affiliate", saved.id, saved.email)
    audit.record(session, partner, "update", target, before=before, after=affiliate_out(saved))
    return pages.redirect(request, FACE.path("/payout-details"), notice="Payout details saved.")
