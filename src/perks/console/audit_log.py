"""The audit log: every change made in the console, newest first, filterable by user and by object, with
the changes per day as a chart (and its CSV)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import Response

from perks.audit import service as audit
from perks.audit.repository import AuditFilter
from perks.console import nav
from perks.console.auth import Viewer
from perks.console.pages import FACE, Session, pages, router
from perks.console.users import service as users
from perks.ui.charts import Chart, Series, csv_response
from perks.ui.listing import Listing

SECTION = nav.Section("audit", "Audit log", FACE.path("/audit"))
audit_log = router()
CHART_DAYS = 30
Filter = Annotated[str, Query(max_length=64)]


@audit_log.get("/audit")
async def show_audit_log(
    request: Request,
    session: Session,
    staff: Viewer,
    listing: Listing,
    user: Filter = "",
    object_type: Filter = "",
    object_id: Filter = "",
    format: Annotated[str, Query(pattern="^(html|csv)$")] = "html",
) -> Response:
    where = AuditFilter(
        actor_id=user or None, object_type=object_type or None, object_id=object_id.strip() or None
    )
    daily = await audit.daily_counts(session, staff.ctx, where, CHART_DAYS)
    chart = Chart(
        title="Changes per day",
        description=f"last {CHART_DAYS} days, UTC",
        labels=[day[5:] for day, _count in daily],
        series=[Series("Changes", [count for _day, count in daily])],
    )
    if format == "csv":
        return csv_response(chart, "audit-changes-per-day.csv")
    page = await audit.page(session, staff.ctx, where, listing.keyset())
    context = {
        "page": page,
        "params": listing.params(user=user, object_type=object_type, object_id=object_id),
        "chart": chart,
        "users": await users.list_users(session, staff.account_id),
        "object_types": await audit.object_types(session, staff.ctx),
        "changes": audit.changes,
    }
    return pages.render(request, "console/audit.html", context)
