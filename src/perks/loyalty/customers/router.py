"""Customers on the storefront face: every customer response is {"data": {"customer", "wallet"}}."""

from __future__ import annotations

from fastapi import Request, Response

from perks.loyalty.customers import service
from perks.loyalty.customers.schemas import (
    ConsentBody,
    ConsentData,
    CustomerCreate,
    CustomerIdentify,
    CustomerUpdate,
    CustomerWithWallet,
    TagsDelete,
)
from perks.loyalty.face import Data, ServerAuth, Session, TokenClaim, admitted, reading, router
from perks.web.unit_of_work import own_transaction

customers_router = router(tags=["loyalty: customers"])
CustomerData = Data[CustomerWithWallet]


@customers_router.post(
    "/customers", status_code=201, response_model=CustomerData, summary="Register a customer"
)
async def register_customer(session: Session, ctx: ServerAuth, body: CustomerCreate) -> CustomerData:
    return Data(data=await service.register(session, ctx, body))


@customers_router.get("/customers/{customer_id}", response_model=CustomerData, summary="Get a customer")
@own_transaction  # a read transaction beside the writer; the wallet is shown as settled, not settled
async def get_customer(request: Request, claimed: TokenClaim, customer_id: str) -> Response:
    async with reading(request) as runner:
        ctx = await admitted(request, runner, claimed, allow_public=False)
        shown = await service.read(runner, ctx, customer_id)
    return Response(CustomerData(data=shown).model_dump_json(), media_type="application/json")


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
    return Data(data=await service.identify(session, ctx, customer_id, body))


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
