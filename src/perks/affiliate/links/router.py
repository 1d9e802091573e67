"""Affiliate links on the affiliate face: list by `affiliateId`, create, delete by `affiliateLinkId`."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from perks.affiliate.face import (
    Envelope,
    Message,
    Page,
    PageQuery,
    ServerAuth,
    Session,
    done,
    ok,
    page_of,
    router,
)
from perks.affiliate.links import service
from perks.affiliate.links.rendering import link_out
from perks.affiliate.links.schemas import LinkCreate, LinkOut
from perks.affiliate.wire import id_query

links_router = router(tags=["affiliate: links"])
AffiliateId = Annotated[str, Depends(id_query("affiliateId"))]
LinkId = Annotated[str, Depends(id_query("affiliateLinkId"))]


@links_router.get("/links", response_model=Envelope[Page[LinkOut]])
async def list_links(
    session: Session, ctx: ServerAuth, affiliate_id: AffiliateId, page: PageQuery
) -> Envelope[Page[LinkOut]]:
    result, links = await service.list_links(session, ctx, affiliate_id, page)
    return ok(page_of(result, [link_out(link) for link in links]), "Links fetched successfully")


@links_router.post("/links", status_code=201, response_model=Envelope[LinkOut])
async def create_link(session: Session, ctx: ServerAuth, body: LinkCreate) -> Envelope[LinkOut]:
    link = await service.create_link(session, ctx, body)
    return ok(link_out(link), "Affiliate link created successfully", 201)


@links_router.delete("/links", response_model=Message)
async def delete_link(session: Session, ctx: ServerAuth, link_id: LinkId) -> Message:
    await service.delete_link(session, ctx, link_id)
    return done("Affiliate link deleted successfully")
