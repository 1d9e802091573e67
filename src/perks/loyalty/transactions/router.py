"""GET /transactions (one day of the account) and GET /customers/{id}/transactions."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from perks.kit import clock
from perks.loyalty.face import Data, ServerAuth, Session, router
from perks.loyalty.transactions import service
from perks.loyalty.transactions.repository import Filters
from perks.loyalty.transactions.schemas import TransactionOut
from perks.web.unit_of_work import writes

transactions_router = router(tags=["loyalty: transactions"])
Transactions = Data[list[TransactionOut]]


class FilterQuery:
    """The filters both lists share, straight from the query string."""

    def __init__(
        self,
        cursor: Annotated[str | None, Query(description="Last transaction id of the previous page")] = None,
        brand_id: str | None = None,
        reward_id: str | None = None,
        campaign_id: str | None = None,
        event_id: str | None = None,
        type: Annotated[str | None, Query(description="ACCUMULATION, REDEMPTION, EXPIRATION, ...")] = None,
        funded_by: str | None = None,
    ) -> None:
        self.values = {
            "cursor": cursor,
            "brand_id": brand_id,
            "reward_id": reward_id,
            "campaign_id": campaign_id,
            "event_id": event_id,
            "type": type,
            "funded_by": funded_by,
        }


FilterParams = Annotated[FilterQuery, Depends()]


@transactions_router.get("/transactions", response_model=Transactions, summary="Account transactions by date")
async def account_transactions(
    session: Session,
    ctx: ServerAuth,
    query: FilterParams,
    date: Annotated[str, Query(description="DD-MM-YYYY", examples=["31-07-2024"])],
) -> Transactions:
    start, end = service.day_range(date)
    filters = Filters(start=start, end=end, **query.values)
    return Data(data=await service.of_account(session, ctx, filters))


@transactions_router.get(
    "/customers/{customer_id}/transactions", response_model=Transactions, summary="Customer transactions"
)
@writes  # settles the wallet first, so due expirations are listed
async def customer_transactions(
    session: Session,
    ctx: ServerAuth,
    customer_id: str,
    query: FilterParams,
    year: Annotated[
        int | None,
        Query(
            description="x >= 2020; default: the last 3 months",
            json_schema_extra={"minimum": service.FIRST_YEAR, "maximum": service.LAST_YEAR},
        ),
    ] = None,
) -> Transactions:
    start, end = service.year_range(year) if year is not None else service.recent_range(clock.now())
    filters = Filters(start=start, end=end, **query.values)
    return Data(data=await service.of_customer(session, ctx, customer_id, filters))
