"""Brands of the loyalty face: GET/POST /brands, GET/PUT/DELETE /brands/{id}."""

from __future__ import annotations

from perks.loyalty.brands import service
from perks.loyalty.brands.rendering import brand_out
from perks.loyalty.brands.schemas import BrandOut, BrandWrite
from perks.loyalty.face import Data, ServerAuth, Session, router

brands_router = router(tags=["loyalty: brands"])


@brands_router.get("/brands", response_model=Data[list[BrandOut]], summary="Get brands")
async def list_brands(session: Session, ctx: ServerAuth) -> Data[list[BrandOut]]:
    return Data(data=[brand_out(brand) for brand in await service.list_brands(session, ctx)])


@brands_router.get("/brands/{brand_id}", response_model=Data[BrandOut], summary="Get a brand")
async def get_brand(session: Session, ctx: ServerAuth, brand_id: str) -> Data[BrandOut]:
    return Data(data=brand_out(await service.get_brand(session, ctx, brand_id)))


@brands_router.post("/brands", status_code=201, response_model=Data[BrandOut], summary="Create a brand")
async def create_brand(session: Session, ctx: ServerAuth, body: BrandWrite) -> Data[BrandOut]:
    return Data(data=brand_out(await service.create_brand(session, ctx, body)))


@brands_router.put("/brands/{brand_id}", response_model=Data[BrandOut], summary="Update a brand")
async def update_brand(session: Session, ctx: ServerAuth, brand_id: str, body: BrandWrite) -> Data[BrandOut]:
    return Data(data=brand_out(await service.update_brand(session, ctx, brand_id, body)))


@brands_router.delete("/brands/{brand_id}", response_model=Data[BrandOut], summary="Delete a brand")
async def delete_brand(session: Session, ctx: ServerAuth, brand_id: str) -> Data[BrandOut]:
    brand = brand_out(await service.get_brand(session, ctx, brand_id))
    await service.delete_brand(session, ctx, brand_id)
    return Data(data=brand)
