"""Payouts: a workspace's payouts, generating them from due commissions, one payout's page with what it
takes to pay it, marking it paid after a confirmation that says what will happen, and a CSV export with
the partners' payout details. All through the payouts service."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Literal

from fastapi import Query, Request
from fastapi.responses import Response, StreamingResponse

from perks.affiliate.affiliates import service as affiliates
from perks.affiliate.commissions import service as commissions
from perks.affiliate.commissions.repository import CommissionFilter
from perks.affiliate.payouts import service
from perks.affiliate.payouts.models import Payout
from perks.affiliate.payouts.rendering import payout_out
from perks.affiliate.payouts.repository import PayoutFilter
from perks.audit import service as audit
from perks.console import nav
from perks.console.affiliates.workspaces import Chosen, scope_for
from perks.console.auth import Manager, Viewer
from perks.console.pages import FACE, Session, pages, router
from perks.db.database import Database
from perks.kit import clock
from perks.ui.listing import Listing

LIST = FACE.path("/payouts")
SECTION = nav.Section("payouts", "Payouts", LIST)
payouts = router()
VIEWS = [("pending", "To pay"), ("paid", "Paid"), ("all", "All")]
View = Annotated[Literal["pending", "paid", "all"], Query()]
TONES = {"paid": "success", "pending": "warning"}


def _target(payout: Payout) -> audit.Target:
    return audit.Target("payout", payout.id, f"{payout_out(payout).amount} {payout.currency}")


@payouts.get("/payouts")
async def list_payouts(
    request: Request,
    session: Session,
    staff: Viewer,
    listing: Listing,
    scope: Chosen,
    status: View = "pending",
    affiliate: Annotated[str, Query(max_length=36)] = "",
) -> Response:
    where = PayoutFilter(scope.id, affiliate or None, None if status == "all" else status)
    page = await service.page_payouts(session, staff.ctx, where, listing.keyset())
    people = await affiliates.affiliates_by_id(session, staff.ctx, {item.affiliate_id for item in page.items})
    context = {
        "scope": scope,
        "section": "payouts",
        "page": page,
        "params": listing.params({"workspace": scope.id, "status": status}, affiliate=affiliate),
        "status": status,
        "views": VIEWS,
        "people": people,
        "tones": TONES,
        "method_of": service.payout_method_of,
    }
    return pages.render(request, "console/payouts/list.html", context)


@payouts.get("/payouts/generate")
async def confirm_generate(request: Request, session: Session, staff: Manager, scope: Chosen) -> Response:
    summary = await service.due_summary(session, staff.ctx, scope.id)
    context = {"scope": scope, "section": "payouts", "summary": summary}
    return pages.render(request, "console/payouts/generate.html", context)


@payouts.post("/payouts/generate")
async def generate_payouts(request: Request, session: Session, staff: Manager, scope: Chosen) -> Response:
    created = await service.generate(session, staff.ctx, scope.id)
    for payout in created:
        audit.record(session, staff, "create", _target(payout), after=payout_out(payout))
    count = len(created)
    notice = (
        f"{count} payout{'s' if count != 1 else ''} generated."
        if count
        else "No payout generated: no partner has due commissions reaching their minimum payout."
    )
    return pages.redirect(request, f"{LIST}?workspace={scope.id}", notice=notice)


@payouts.get("/payouts/export.csv")
async def export_payouts(
    request: Request, staff: Viewer, scope: Chosen, status: View = "pending"
) -> StreamingResponse:
    """Payouts with the partners' payout details (method, email or bank reference), a batch at a time.
    The page's own transaction ends when the handler returns; the rows are read in one of their own
    while the download streams."""
    database: Database = request.app.state.db
    where = PayoutFilter(scope.id, None, None if status == "all" else status)

    async def lines() -> AsyncIterator[str]:
        async with database.transaction(read_only=True) as session:
            async for line in service.export_details(session, staff.ctx, where):
                yield line

    filename = f"payouts-{status}-{clock.now().date().isoformat()}.csv"
    return StreamingResponse(
        lines(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@payouts.get("/payouts/{payout_id}")
async def show_payout(
    request: Request, session: Session, staff: Viewer, listing: Listing, payout_id: str
) -> Response:
    payout = await service.get_payout(session, staff.ctx, payout_id)
    scope = await scope_for(session, staff, payout.workspace_id)
    where = CommissionFilter(payout_id=payout.id)
    context = {
        "scope": scope,
        "section": "payouts",
        "payout": payout,
        "person": await affiliates.get_affiliate(session, staff.ctx, payout.affiliate_id),
        "page": await commissions.page_commissions(session, staff.ctx, where, listing.keyset()),
        "params": listing.params(),
        "tones": TONES,
        "method_of": service.payout_method_of,
    }
    return pages.render(request, "console/payouts/show.html", context)


@payouts.get("/payouts/{payout_id}/pay")
async def confirm_pay(request: Request, session: Session, staff: Manager, payout_id: str) -> Response:
    payout = await service.get_payout(session, staff.ctx, payout_id)
    context = {
        "scope": await scope_for(session, staff, payout.workspace_id),
        "section": "payouts",
        "payout": payout,
        "person": await affiliates.get_affiliate(session, staff.ctx, payout.affiliate_id),
        "method_of": service.payout_method_of,
    }
    return pages.render(request, "console/payouts/pay.html", context)


@payouts.post("/payouts/{payout_id}/pay")
async def pay_payout(request: Request, session: Session, staff: Manager, payout_id: str) -> Response:
    before = payout_out(await service.get_payout(session, staff.ctx, payout_id))
    paid = await service.mark_paid(session, staff.ctx, payout_id)
    if before.status != paid.status:
        audit.record(session, staff, "pay", _target(paid), before=before, after=payout_out(paid))
    amount = f"{payout_out(paid).amount} {paid.currency}"
    return pages.redirect(
        request, FACE.path(f"/payouts/{paid.id}"), notice=f"Payout of {amount} marked paid."
    )
