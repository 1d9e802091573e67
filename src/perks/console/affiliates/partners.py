"""Affiliates (partners): a workspace's list with search and filters, those waiting for approval, create
and edit, approve, decline, disable and enable, a partner's page that leads with their unpaid earnings,
new links, and a single-use sign-in link to their portal. All through the affiliate services."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Query, Request
from fastapi.responses import Response

from perks.affiliate.affiliates import service
from perks.affiliate.affiliates.models import Affiliate
from perks.affiliate.affiliates.rendering import affiliate_out
from perks.affiliate.affiliates.repository import AffiliateFilter
from perks.affiliate.affiliates.schemas import AffiliateCreate, AffiliateOut, AffiliateUpdate
from perks.affiliate.campaigns import service as campaigns
from perks.affiliate.campaigns.terms import terms_in_words
from perks.affiliate.commissions import service as commissions
from perks.affiliate.commissions.repository import CommissionFilter
from perks.affiliate.links import service as links
from perks.affiliate.links.schemas import LinkCreate
from perks.affiliate.payouts import service as payouts
from perks.affiliate.payouts.repository import PayoutFilter
from perks.affiliate.portal_links import service as portal_links
from perks.affiliate.referred_users import service as referred_users
from perks.affiliate.stats import service as stats
from perks.affiliate.tracking import service as tracking
from perks.audit import service as audit
from perks.console import nav
from perks.console.affiliates.workspaces import Chosen, Scope, scope_for
from perks.console.auth import Manager, Staff, Viewer
from perks.console.pages import FACE, Session, pages, router
from perks.kit.keyset import KeysetPage
from perks.ui.forms import FormErrors, FormValues, attempt, form_values, parse
from perks.ui.listing import Listing, ListQuery
from perks.web.addresses import public_base_url

SECTION = nav.Section("affiliates", "Affiliates", FACE.path("/affiliates"))
partners = router()
STATUSES = [("active", "Active"), ("pending", "Waiting for approval"), ("inactive", "Disabled")]
STATUS_TONES = {"active": "success", "pending": "warning", "inactive": "danger"}
PAYOUT_METHODS = [("PAYPAL", "PayPal"), ("WISE", "Wise")]
TABS = ("commissions", "payouts", "referred", "clicks")
NULLABLE_FIELDS = ("payoutEmail", "payoutMethod", "payoutReference")
StatusFilter = Annotated[Literal["", "active", "pending", "inactive"], Query()]
Tab = Annotated[Literal["commissions", "payouts", "referred", "clicks"], Query()]


def _target(affiliate: Affiliate) -> audit.Target:
    return audit.Target("affiliate", affiliate.id, f"{affiliate.first_name} {affiliate.last_name}")


def _href(affiliate_id: str, tail: str = "") -> str:
    return FACE.path(f"/affiliates/{affiliate_id}{tail}")


@partners.get("/affiliates")
async def list_affiliates(
    request: Request,
    session: Session,
    staff: Viewer,
    listing: Listing,
    scope: Chosen,
    status: StatusFilter = "",
    campaign: Annotated[str, Query(max_length=36)] = "",
) -> Response:
    where = AffiliateFilter(scope.id, listing.q, status or None, campaign or None)
    page = await service.page_affiliates(session, staff.ctx, where, listing.keyset())
    choices = await campaigns.campaigns_of_workspace(session, staff.ctx, scope.id)
    context = {
        "scope": scope,
        "section": "affiliates",
        "tab": "pending" if status == "pending" else "partners",
        "pending_count": await service.count_pending(session, staff.ctx, scope.id),
        "page": page,
        "params": listing.params(
            # The pending tab is a list of its own; another status narrows the partners.
            {"workspace": scope.id, **({"status": status} if status == "pending" else {})},
            campaign=campaign,
            **({} if status == "pending" else {"status": status}),
        ),
        "statuses": STATUSES,
        "tones": STATUS_TONES,
        "campaigns": {choice.id: choice for choice in choices},
    }
    return pages.render(request, "console/affiliates/list.html", context)


async def _form(
    request: Request,
    session: Session,
    staff: Staff,
    scope: Scope,
    values: FormValues,
    errors: FormErrors,
    affiliate: AffiliateOut | None,
    status: int = 200,
) -> Response:
    choices = await campaigns.campaigns_of_workspace(session, staff.ctx, scope.id)
    context: dict[str, Any] = {
        "scope": scope,
        "section": "affiliates",
        "values": values,
        "errors": errors,
        "affiliate": affiliate,
        "campaigns": [(choice.id, choice.campaign_name) for choice in choices],
        "methods": PAYOUT_METHODS,
    }
    return pages.render(request, "console/affiliates/form.html", context, status=status)


@partners.get("/affiliates/new")
async def new_affiliate(request: Request, session: Session, staff: Manager, scope: Chosen) -> Response:
    return await _form(request, session, staff, scope, {}, FormErrors(), None)


@partners.post("/affiliates/new")
async def create_affiliate(request: Request, session: Session, staff: Manager, scope: Chosen) -> Response:
    values = await form_values(request)
    body = values | {"workspaceId": scope.id}
    created = await attempt(
        lambda: service.create_affiliate(session, staff.ctx, parse(AffiliateCreate, body))
    )
    if isinstance(created, FormErrors):
        return await _form(request, session, staff, scope, values, created, None, status=created.status)
    audit.record(session, staff, "create", _target(created), after=affiliate_out(created))
    name = f"{created.first_name} {created.last_name}"
    return pages.redirect(request, _href(created.id), notice=f"Affiliate “{name}” created.")


async def _tab_page(
    session: Session, staff: Staff, affiliate: Affiliate, tab: str, listing: ListQuery
) -> KeysetPage[Any]:
    keyset = listing.keyset()
    if tab == "payouts":
        where = PayoutFilter(affiliate_id=affiliate.id)
        return await payouts.page_payouts(session, staff.ctx, where, keyset)
    if tab == "referred":
        return await referred_users.page_of_affiliate(session, staff.ctx, affiliate.id, keyset)
    if tab == "clicks":
        return await tracking.page_clicks(session, staff.ctx, affiliate.id, keyset)
    where_commissions = CommissionFilter(affiliate_id=affiliate.id)
    return await commissions.page_commissions(session, staff.ctx, where_commissions, keyset)


@partners.get("/affiliates/{affiliate_id}")
async def show_affiliate(
    request: Request,
    session: Session,
    staff: Viewer,
    listing: Listing,
    affiliate_id: str,
    tab: Tab = "commissions",
) -> Response:
    affiliate = await service.get_affiliate(session, staff.ctx, affiliate_id)
    return await _show(request, session, staff, affiliate, tab, listing, {}, FormErrors())


async def _show(
    request: Request,
    session: Session,
    staff: Staff,
    affiliate: Affiliate,
    tab: str,
    listing: ListQuery,
    link_values: FormValues,
    link_errors: FormErrors,
    status: int = 200,
) -> Response:
    scope = await scope_for(session, staff, affiliate.workspace_id)
    campaign = await campaigns.get_campaign(session, staff.ctx, affiliate.campaign_id)
    context = {
        "scope": scope,
        "section": "affiliates",
        "affiliate": affiliate,
        "campaign": campaign,
        "terms": terms_in_words(campaign, scope.currency),
        "earnings": await commissions.earnings(session, staff.ctx, affiliate.id),
        "stats": await stats.affiliate_stats(session, staff.ctx, affiliate.id),
        "links": await links.links_of(session, staff.ctx, affiliate, campaign),
        "clicks_per_link": await tracking.clicks_per_link(session, staff.ctx, affiliate.id),
        "tab": tab,
        "tabs": TABS,
        "page": await _tab_page(session, staff, affiliate, tab, listing),
        "params": listing.params({"tab": tab}),
        "tones": STATUS_TONES,
        "link_values": link_values,
        "link_errors": link_errors,
    }
    return pages.render(request, "console/affiliates/show.html", context, status=status)


def _values_of(affiliate: Affiliate) -> FormValues:
    wire = affiliate_out(affiliate).model_dump(mode="json", by_alias=True)
    names = ("email", "firstName", "lastName", "notes", "campaignId", *NULLABLE_FIELDS)
    return {name: wire.get(name) or "" for name in names}


def _update_of(values: FormValues) -> AffiliateUpdate:
    """The edit form as the API's update: every field as typed (a blank name is an error), blank payout
    fields cleared, the campaign unchanged when none is chosen."""
    data: dict[str, Any] = {name: value for name, value in values.items() if name != "campaignId" or value}
    data.update({name: None for name in NULLABLE_FIELDS if not values.get(name, "").strip()})
    return AffiliateUpdate.model_validate(data)


@partners.get("/affiliates/{affiliate_id}/edit")
async def edit_affiliate(request: Request, session: Session, staff: Manager, affiliate_id: str) -> Response:
    affiliate = await service.get_affiliate(session, staff.ctx, affiliate_id)
    scope = await scope_for(session, staff, affiliate.workspace_id)
    return await _form(
        request, session, staff, scope, _values_of(affiliate), FormErrors(), affiliate_out(affiliate)
    )


@partners.post("/affiliates/{affiliate_id}/edit")
async def update_affiliate(request: Request, session: Session, staff: Manager, affiliate_id: str) -> Response:
    affiliate = await service.get_affiliate(session, staff.ctx, affiliate_id)
    before = affiliate_out(affiliate)
    scope = await scope_for(session, staff, affiliate.workspace_id)
    values = await form_values(request)
    updated = await attempt(
        lambda: service.update_affiliate(session, staff.ctx, affiliate_id, _update_of(values))
    )
    if isinstance(updated, FormErrors):
        return await _form(request, session, staff, scope, values, updated, before, status=updated.status)
    audit.record(session, staff, "update", _target(updated), before=before, after=affiliate_out(updated))
    return pages.redirect(request, _href(affiliate_id), notice="Affiliate saved.")


async def _set_active(
    request: Request, session: Session, staff: Staff, affiliate_id: str, active: bool, action: str, done: str
) -> Response:
    affiliate = await service.get_affiliate(session, staff.ctx, affiliate_id)
    before = affiliate_out(affiliate)
    changed = await service.set_active(session, staff.ctx, affiliate_id, active)
    audit.record(session, staff, action, _target(changed), before=before, after=affiliate_out(changed))
    name = f"{changed.first_name} {changed.last_name}"
    if request.headers.get("hx-request"):
        context = {"affiliate": changed, "done": f"{name} {done}.", "tones": STATUS_TONES}
        return pages.render(request, "console/affiliates/pending_row.html", context)
    back = request.headers.get("referer") or ""
    to = back if back.startswith(str(request.base_url).rstrip("/") + FACE.prefix) else _href(affiliate_id)
    return pages.redirect(request, to, notice=f"{name} {done}.")


@partners.post("/affiliates/{affiliate_id}/approve")
async def approve_affiliate(
    request: Request, session: Session, staff: Manager, affiliate_id: str
) -> Response:
    return await _set_active(request, session, staff, affiliate_id, True, "approve", "approved")


@partners.post("/affiliates/{affiliate_id}/decline")
async def decline_affiliate(
    request: Request, session: Session, staff: Manager, affiliate_id: str
) -> Response:
    return await _set_active(request, session, staff, affiliate_id, False, "decline", "declined")


@partners.post("/affiliates/{affiliate_id}/enable")
async def enable_affiliate(request: Request, session: Session, staff: Manager, affiliate_id: str) -> Response:
    return await _set_active(request, session, staff, affiliate_id, True, "enable", "enabled")


@partners.get("/affiliates/{affiliate_id}/disable")
async def confirm_disable(request: Request, session: Session, staff: Manager, affiliate_id: str) -> Response:
    affiliate = await service.get_affiliate(session, staff.ctx, affiliate_id)
    scope = await scope_for(session, staff, affiliate.workspace_id)
    context = {"scope": scope, "section": "affiliates", "affiliate": affiliate}
    return pages.render(request, "console/affiliates/disable.html", context)


@partners.post("/affiliates/{affiliate_id}/disable")
async def disable_affiliate(
    request: Request, session: Session, staff: Manager, affiliate_id: str
) -> Response:
    return await _set_active(request, session, staff, affiliate_id, False, "disable", "disabled")


@partners.post("/affiliates/{affiliate_id}/links")
async def create_link(request: Request, session: Session, staff: Manager, affiliate_id: str) -> Response:
    affiliate = await service.get_affiliate(session, staff.ctx, affiliate_id)
    values = await form_values(request)
    body = {"referralCode": values.get("referralCode", ""), "affiliateId": affiliate.id}
    created = await attempt(lambda: links.create_link(session, staff.ctx, parse(LinkCreate, body)))
    if isinstance(created, FormErrors):
        listing = ListQuery("", None, None)
        return await _show(
            request, session, staff, affiliate, "commissions", listing, values, created, created.status
        )
    link = created.link
    target = audit.Target("affiliate_link", link.id, link.referral_code)
    audit.record(session, staff, "create", target, after={"affiliate_id": affiliate.id, "url": created.url})
    return pages.redirect(request, _href(affiliate_id), notice=f"Link {created.url} created.")


@partners.post("/affiliates/{affiliate_id}/portal-link")
async def create_portal_link(
    request: Request, session: Session, staff: Manager, affiliate_id: str
) -> Response:
    """The same single-use link as POST /api/v1/affiliates/portal-link, shown once to hand over."""
    issued = await portal_links.issue(session, staff.ctx, affiliate_id, public_base_url(request))
    target = audit.Target("portal_link", issued.affiliate.id, f"for {issued.affiliate.email}")
    audit.record(session, staff, "create", target, after={"expires_at": issued.expires_at})
    scope = await scope_for(session, staff, issued.affiliate.workspace_id)
    context = {"scope": scope, "section": "affiliates", "issued": issued}
    return pages.render(request, "console/affiliates/portal_link.html", context)
