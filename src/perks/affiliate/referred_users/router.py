"""Referred users on the affiliate face, keyed by email (`?referredUser=`). The list reads its filters
from the query string or, as the ReferralStack docs show, from a form body sent with the GET."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from perks.affiliate.face import Envelope, Message, Page, ServerAuth, Session, done, ok, page_of, router
from perks.affiliate.listing import LIST_FILTERS_OPENAPI, ListFilters, list_filters
from perks.affiliate.referred_users import service
from perks.affiliate.referred_users.rendering import referred_user_out
from perks.affiliate.referred_users.schemas import ReferredUserCreate, ReferredUserOut, ReferredUserUpdate
from perks.errors import invalid

referred_users_router = router(tags=["affiliate: referred users"])
Filters = Annotated[ListFilters, Depends(list_filters)]


def referred_email(
    value: Annotated[str | None, Query(alias="referredUser", description="Email")] = None,
) -> str:
    if not value or not value.strip():
        raise invalid("referredUser", "Field required")
    return value.strip()


ReferredEmail = Annotated[str, Depends(referred_email)]


@referred_users_router.get(
    "/referred-users/list", response_model=Envelope[Page[ReferredUserOut]], openapi_extra=LIST_FILTERS_OPENAPI
)
async def list_referred_users(
    session: Session, ctx: ServerAuth, filters: Filters
) -> Envelope[Page[ReferredUserOut]]:
    """Parameters (query string, multipart/form-data or urlencoded body): page, limit, orderType,
    orderValue, workspaceId, campaignId, affiliateId, status."""
    result = await service.list_referred_users(session, ctx, filters)
    items = [referred_user_out(row) for row in result.items]
    return ok(page_of(result, items), "Referred users fetched successfully")


@referred_users_router.get("/referred-users", response_model=Envelope[ReferredUserOut])
async def get_referred_user(
    session: Session, ctx: ServerAuth, email: ReferredEmail
) -> Envelope[ReferredUserOut]:
    referred = await service.get_referred_user(session, ctx, email)
    return ok(referred_user_out(referred), "Referred user fetched successfully")


@referred_users_router.post("/referred-users", status_code=201, response_model=Envelope[ReferredUserOut])
async def create_referred_user(
    session: Session, ctx: ServerAuth, body: ReferredUserCreate
) -> Envelope[ReferredUserOut]:
    referred = await service.create_referred_user(session, ctx, body)
    return ok(referred_user_out(referred), "Referred user created successfully", 201)


@referred_users_router.put("/referred-users", response_model=Envelope[ReferredUserOut])
async def update_referred_user(
    session: Session, ctx: ServerAuth, email: ReferredEmail, body: ReferredUserUpdate
) -> Envelope[ReferredUserOut]:
    referred = await service.update_referred_user(session, ctx, email, body)
    return ok(referred_user_out(referred), "Referred user updated successfully")


@referred_users_router.delete("/referred-users", response_model=Message)
async def delete_referred_user(session: Session, ctx: ServerAuth, email: ReferredEmail) -> Message:
    await service.delete_referred_user(session, ctx, email)
    return done("Referred user deleted successfully")
