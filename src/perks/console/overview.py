"""Overview, the console's home: the last 30 days of the account's loyalty program in charts (events,
points issued / redeemed / expired, coupon redemptions, new customers, top campaigns), each from one
grouped query over a date index, each with its numbers as a table and a CSV. With nothing yet, it says how
to send a first event."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import Response

from perks.console import nav
from perks.console.auth import Viewer
from perks.console.pages import FACE, Session, pages, router
from perks.db.database import Database
from perks.loyalty.overview import service
from perks.loyalty.overview.service import Overview
from perks.ui.charts import Chart, Series, csv_response

SECTION = nav.Section("overview", "Overview", FACE.path("/overview"))
overview = router()
ChartKey = Annotated[str, Query(pattern="^(events|points|coupons|customers|campaigns)$")]


def charts_of(data: Overview) -> dict[str, Chart]:
    labels = [day[5:] for day in data.days]
    period = f"per day, last {len(data.days)} days, UTC"
    return {
        "events": Chart("Events", labels, [Series("Events", data.events)], description=period),
        "points": Chart(
            "Points",
            labels,
            [
                Series("Issued", data.issued),
                Series("Redeemed", data.redeemed),
                Series("Expired", data.expired),
            ],
            description=period + "; POINTS rewards",
        ),
        "coupons": Chart(
            "Coupon redemptions", labels, [Series("Redemptions", data.coupon_redemptions)], description=period
        ),
        "customers": Chart(
            "New customers", labels, [Series("Customers", data.new_customers)], description=period
        ),
        "campaigns": Chart(
            "Top campaigns",
            [campaign.name for campaign in data.top_campaigns],
            [Series("Rewards granted", [campaign.granted for campaign in data.top_campaigns])],
            description=f"by rewards granted, last {len(data.days)} days",
        ),
    }


@overview.get("/overview")
async def show_overview(
    request: Request,
    session: Session,
    staff: Viewer,
    chart: ChartKey = "events",
    format: Annotated[str, Query(pattern="^(html|csv)$")] = "html",
) -> Response:
    data = await service.overview(session, staff.ctx)
    if data.to_save:
        # Closed hours counted for the first time, kept in a short write transaction of their own: a view of
        # the overview otherwise only reads (and never holds SQLite's single writer).
        database: Database = request.app.state.db
        async with database.transaction() as writing:
            await service.save_hours(writing, staff.ctx, data.to_save)
    charts = charts_of(data)
    if format == "csv":
        return csv_response(charts[chart], f"overview-{chart}.csv")
    context = {
        "data": data,
        "charts": charts,
        "totals": {
            "events": sum(data.events),
            "issued": sum(data.issued),
            "redeemed": sum(data.redeemed),
            "customers": sum(data.new_customers),
        },
        "api_base": f"{request.url.scheme}://{request.url.netloc}/api/storefront/v1",
    }
    return pages.render(request, "console/overview.html", context)
