"""Customers on the storefront face: every customer response is {"data": {"customer", "wallet"}}."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request, Response

from perks.kit import encoding
from perks.loyalty.customers import service
from perks.loyalty.customers.schemas import (
    ConsentBody,
    ConsentData,
    CustomerCreate,
    CustomerIdentify,
    CustomerPage,
    CustomerUpdate,
    CustomerWithWallet,
    TagsDelete,
)
from perks.loyalty.events import registration
from perks.loyalty.face import Data, ServerAuth, Session, TokenClaim, admitted, reading, router
from perks.web.unit_of_work import own_transaction

customers_router = router(tags=["loyalty: customers"])
CustomerData = Data[CustomerWithWallet]


@customers_router.post(
    "/customers", status_code=201, response_model=CustomerData, summary="Register a customer"
)
async def register_customer(session: Session, ctx: ServerAuth, body: CustomerCreate) -> CustomerData:
    return Data(data=await registration.register(session, ctx, body))


class SearchQuery:
    def __init__(
        self,
        id: Annotated[str | None, Query(description="Customers whose id starts with this")] = None,
        email: Annotated[str | None, Query(description="Customers whose email starts with this")] = None,
        name: Annotated[
            str | None, Query(description="Customers whose name starts with this (any case)")
        ] = None,
        tag: Annotated[str | None, Query(description="A tag key, or key:value")] = None,
        tier_id: Annotated[str | None, Query(description="Customers in this tier")] = None,
        cursor: Annotated[
            str | None, Query(description="The `cursor` of the previous page (its last customer's id)")
        ] = None,
        limit: Annotated[
            int,
            Query(
                description=f"Customers per page, at most {service.MAX_PAGE}",
                json_schema_extra={"minimum": 1, "maximum": service.MAX_PAGE},
            ),
        ] = service.DEFAULT_PAGE,
    ) -> None:
        self.search = service.CustomerSearch(
            id=id, email=email, name=name, tag=tag, tier_id=tier_id, cursor=cursor, limit=limit
        )


@customers_router.get(
    "/customers",
    response_model=CustomerPage,
    summary="List and search customers",
    description="Customers in the order of their ids, a page at a time: pass the answer's `cursor` to get "
    "the next page (null on the last one). Filters combine (every one must hold). Wallets are not "
    "included: GET /customers/{id} has the wallet.",
)
async def list_customers(
    session: Session, ctx: ServerAuth, query: Annotated[SearchQuery, Depends()]
) -> CustomerPage:
    return await service.search(session, ctx, query.search)


@customers_router.get("/customers/{customer_id}", response_model=CustomerData, summary="Get a customer")
@own_transaction  # a read transaction beside the writer; the wallet is shown as settled, not settled
async def get_customer(request: Request, claimed: TokenClaim, customer_id: str) -> Response:
    async with reading(request) as runner:
        ctx = await admitted(request, runner, claimed, allow_public=False)
        shown = await service.read(runner, ctx, customer_id)
    return Response(encoding.wire_bytes({"data": shown}), media_type="application/json")


@customers_router.patch("/customers/{customer_id}", response_model=CustomerData, summary="Update a customer")
async def update_customer(
    session: Session, ctx: ServerAuth, customer_id: str, body: CustomerUpdate
) -> CustomerData:
    return Data(data=await service.update(session, ctx, customer_id, body))


@customers_router.patch(
    "/customers/{customer_id}/identify/anonymous",
    response_model=CustomerData,
    summary="Identify an anonymous customer",
)
async def identify_customer(
    session: Session, ctx: ServerAuth, customer_id: str, body: CustomerIdentify
) -> CustomerData:
    return Data(data=await registration.identify(session, ctx, customer_id, body))


@customers_router.delete("/customers/{customer_id}/tags", response_model=CustomerData, summary="Delete tags")
async def delete_tags(session: Session, ctx: ServerAuth, customer_id: str, body: TagsDelete) -> CustomerData:
    return Data(data=await service.delete_tags(session, ctx, customer_id, body.tags))


@customers_router.get(
    "/customers/{customer_id}/consent", response_model=Data[ConsentData], summary="Get customer consent"
)
async def get_consent(session: Session, ctx: ServerAuth, customer_id: str) -> Data[ConsentData]:
    return Data(data=ConsentData(consent=await service.get_consent(session, ctx, customer_id)))


@customers_router.patch(
    "/customers/{customer_id}/consent", response_model=Data[ConsentData], summary="Update customer consent"
)
async def update_consent(
    session: Session, ctx: ServerAuth, customer_id: str, body: ConsentBody
) -> Data[ConsentData]:
    consent = await service.record_consent(session, ctx, customer_id, body.consent)
    return Data(data=ConsentData(consent=consent))
