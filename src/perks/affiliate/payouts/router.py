"""Payouts on the affiliate face: generate, list, get, mark paid, export for mass payment."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Response

from perks.affiliate.face import Envelope, Page, PageQuery, ServerAuth, Session, ok, page_of, router
from perks.affiliate.listing import query_model
from perks.affiliate.payouts import service
from perks.affiliate.payouts.models import PayoutStatus
from perks.affiliate.payouts.rendering import payout_out
from perks.affiliate.payouts.schemas import ExportQuery, PayoutFilters, PayoutOut, PayoutUpdate
from perks.affiliate.wire import id_query
from perks.kit import clock

payouts_router = router(tags=["affiliate: payouts"])
PayoutId = Annotated[str, Depends(id_query("payoutId"))]


async def payout_filters(request: Request) -> PayoutFilters:
    values = {key: value for key, value in request.query_params.items() if value != ""}
    return query_model(PayoutFilters, values)


async def export_query(request: Request) -> ExportQuery:
    values = dict(request.query_params)
    if "method" in values:
        values["method"] = values["method"].upper()
    return query_model(ExportQuery, values)


@payouts_router.post("/payouts/generate", status_code=201, response_model=Envelope[list[PayoutOut]])
async def generate_payouts(session: Session, ctx: ServerAuth) -> Envelope[list[PayoutOut]]:
    """Gather due commissions into payouts now (the worker also does it periodically)."""
    created = await service.generate(session, ctx)
    note = None if created else await service.waiting_note(session, ctx)
    return ok([payout_out(payout) for payout in created], note or "Payouts generated successfully", 201)


@payouts_router.get(
    "/payouts/list",
    response_model=Envelope[Page[PayoutOut]],
    openapi_extra={
        "parameters": [
            {"name": "affiliateId", "in": "query", "required": False, "schema": {"type": "string"}},
            {"name": "workspaceId", "in": "query", "required": False, "schema": {"type": "string"}},
            {
                "name": "status",
                "in": "query",
                "required": False,
                "schema": {"type": "string", "enum": [status.value for status in PayoutStatus]},
            },
        ]
    },
)
async def list_payouts(
    session: Session,
    ctx: ServerAuth,
    page: PageQuery,
    filters: Annotated[PayoutFilters, Depends(payout_filters)],
) -> Envelope[Page[PayoutOut]]:
    result = await service.list_payouts(session, ctx, filters, page)
    return ok(page_of(result, [payout_out(row) for row in result.items]), "Payouts fetched successfully")


# The export's parameters are read by hand (`method` in any case), so they are declared here.
EXPORT_PARAMETERS = [
    {
        "name": "method",
        "in": "query",
        "required": True,
        "schema": {"type": "string", "enum": ["PAYPAL", "WISE", "paypal", "wise"]},
        "description": "The payout method to export: PAYPAL or WISE (any case)",
    },
    {
        "name": "format",
        "in": "query",
        "required": False,
        "schema": {"type": "string", "enum": ["csv"], "default": "csv"},
        "description": "The file format (csv)",
    },
]


@payouts_router.get(
    "/payouts/export",
    response_class=Response,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
    openapi_extra={"parameters": EXPORT_PARAMETERS},
)
async def export_payouts(
    session: Session, ctx: ServerAuth, query: Annotated[ExportQuery, Depends(export_query)]
) -> Response:
    """Pending payouts as a mass-payment CSV for `method` (PAYPAL or WISE)."""
    body = await service.export_csv(session, ctx, query.method)
    filename = f"payouts-{query.method.lower()}-{clock.now().date().isoformat()}.csv"
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@payouts_router.get("/payouts", response_model=Envelope[PayoutOut])
async def get_payout(session: Session, ctx: ServerAuth, payout_id: PayoutId) -> Envelope[PayoutOut]:
    return ok(payout_out(await service.get_payout(session, ctx, payout_id)), "Payout fetched successfully")


@payouts_router.put("/payouts", response_model=Envelope[PayoutOut])
async def update_payout(
    session: Session, ctx: ServerAuth, payout_id: PayoutId, body: PayoutUpdate
) -> Envelope[PayoutOut]:
    """`{"status": "paid"}` marks the payout and its commissions paid, atomically."""
    payout = await service.mark_paid(session, ctx, payout_id)
    return ok(payout_out(payout), "Payout updated successfully")
