"""Commissions to review: a workspace's commissions (first those waiting for a review), approved or
declined one by one (inline with htmx) or in bulk, through the commissions service. Declining refunds a
commission, after a confirmation that says so."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from fastapi import Query, Request
from fastapi.responses import Response

from perks.affiliate.affiliates import service as affiliates
from perks.affiliate.commissions import service
from perks.affiliate.commissions.models import Commission
from perks.affiliate.commissions.rendering import commission_out
from perks.affiliate.commissions.repository import REVIEW, CommissionFilter
from perks.audit import service as audit
from perks.console import nav
from perks.console.affiliates.workspaces import Chosen, scope_for
from perks.console.auth import Manager, Staff, Viewer
from perks.console.pages import FACE, Session, pages, router
from perks.ui.forms import form_values
from perks.ui.listing import Listing

LIST = FACE.path("/commissions")
SECTION = nav.Section("commissions", "Commissions", LIST)
commissions = router()
VIEWS = [
    (REVIEW, "To review"),
    ("pending", "Pending"),
    ("processing", "In a payout"),
    ("paid", "Paid"),
    ("refunded", "Refunded"),
    ("all", "All"),
]
TONES = {"paid": "success", "refunded": "danger", "processing": "warning"}
View = Annotated[Literal["review", "pending", "processing", "paid", "refunded", "all"], Query()]


def _target(commission: Commission) -> audit.Target:
    return audit.Target("commission", commission.id, f"{commission.amount} {commission.currency_code}")


@commissions.get("/commissions")
async def list_commissions(
    request: Request,
    session: Session,
    staff: Viewer,
    listing: Listing,
    scope: Chosen,
    status: View = "review",
    affiliate: Annotated[str, Query(max_length=36)] = "",
) -> Response:
    where = CommissionFilter(
        workspace_id=scope.id, affiliate_id=affiliate or None, status=None if status == "all" else status
    )
    page = await service.page_commissions(session, staff.ctx, where, listing.keyset())
    people = await affiliates.affiliates_by_id(session, staff.ctx, {item.affiliate_id for item in page.items})
    context = {
        "scope": scope,
        "section": "commissions",
        "page": page,
        "params": listing.params({"workspace": scope.id, "status": status}, affiliate=affiliate),
        "status": status,
        "views": VIEWS,
        "people": people,
        "tones": TONES,
    }
    return pages.render(request, "console/commissions/list.html", context)


async def _reviewed_row(request: Request, session: Session, staff: Staff, commission: Commission) -> Response:
    person = await affiliates.get_affiliate(session, staff.ctx, commission.affiliate_id)
    context = {"commission": commission, "people": {person.id: person}, "tones": TONES, "reviewed": True}
    return pages.render(request, "console/commissions/row.html", context)


@commissions.post("/commissions/{commission_id}/approve")
async def approve_commission(
    request: Request, session: Session, staff: Manager, commission_id: str
) -> Response:
    before = commission_out(await service.get_commission(session, staff.ctx, commission_id))
    approved = await service.approve_commission(session, staff.ctx, commission_id)
    if before.approved_at is None:
        audit.record(
            session, staff, "approve", _target(approved), before=before, after=commission_out(approved)
        )
    if request.headers.get("hx-request"):
        return await _reviewed_row(request, session, staff, approved)
    return pages.redirect(request, _back(request), notice="Commission approved.")


@commissions.get("/commissions/{commission_id}/decline")
async def confirm_decline(request: Request, session: Session, staff: Manager, commission_id: str) -> Response:
    commission = await service.get_commission(session, staff.ctx, commission_id)
    return await _confirm_decline(request, session, staff, [commission])


async def _confirm_decline(
    request: Request, session: Session, staff: Staff, chosen: list[Commission]
) -> Response:
    scope = await scope_for(session, staff, chosen[0].workspace_id if chosen else None)
    people = await affiliates.affiliates_by_id(session, staff.ctx, {item.affiliate_id for item in chosen})
    context: dict[str, Any] = {"scope": scope, "section": "commissions", "chosen": chosen, "people": people}
    return pages.render(request, "console/commissions/decline.html", context)


@commissions.post("/commissions/{commission_id}/decline")
async def decline_commission(
    request: Request, session: Session, staff: Manager, commission_id: str
) -> Response:
    values = await form_values(request)
    before = commission_out(await service.get_commission(session, staff.ctx, commission_id))
    declined = await service.decline_commission(session, staff.ctx, commission_id, values.get("reason", ""))
    audit.record(session, staff, "decline", _target(declined), before=before, after=commission_out(declined))
    to = FACE.path(f"/commissions?workspace={declined.workspace_id}")
    return pages.redirect(request, to, notice="Commission declined: it is refunded and will not be paid.")


@commissions.post("/commissions/review")
async def review_commissions(request: Request, session: Session, staff: Manager) -> Response:
    """The bulk action of the list: approve the chosen ones at once; declining asks first."""
    values = await form_values(request, lists=["ids"])
    ids: list[str] = values["ids"]
    decision = values.get("decision", "")
    if decision not in ("approve", "decline"):
        return pages.redirect(request, _back(request), notice="Choose Approve or Decline.")
    if not ids:
        return pages.redirect(request, _back(request), notice="Tick the commissions to review first.")
    if decision == "decline" and values.get("confirmed") != "yes":
        chosen = [
            await service.get_commission(session, staff.ctx, item) for item in ids[: service.REVIEW_MAX]
        ]
        return await _confirm_decline(request, session, staff, chosen)
    befores = {}
    for item in ids[: service.REVIEW_MAX]:
        found = await service.find_commission(session, staff.ctx, item)
        befores[item] = commission_out(found) if found else None
    outcome = await service.review(session, staff.ctx, ids, decision, values.get("reason", ""))
    for commission in outcome.done:
        after, before = commission_out(commission), befores.get(commission.id)
        if after != before:  # approving an approved one is no move
            audit.record(session, staff, decision, _target(commission), before=before, after=after)
    done = "approved" if decision == "approve" else "declined"
    notice = f"{len(outcome.done)} commission{'s' if len(outcome.done) != 1 else ''} {done}."
    if outcome.refused:
        notice += f" {len(outcome.refused)} could not be: {outcome.refused[0][1]}"
    return pages.redirect(request, _back(request), notice=notice)


def _back(request: Request) -> str:
    """The list the action came from (its filters kept), else the commissions."""
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc == request.url.netloc and referer.path == LIST:
        return f"{LIST}?{referer.query}" if referer.query else LIST
    return LIST
