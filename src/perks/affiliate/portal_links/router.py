"""Portal sign-in links on the affiliate face: `POST /affiliates/portal-link?affiliateId=`."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from perks.affiliate.face import Envelope, ServerAuth, Session, ok, router
from perks.affiliate.portal_links import service
from perks.affiliate.portal_links.schemas import PortalLinkOut
from perks.affiliate.wire import id_query
from perks.web.addresses import public_base_url

portal_links_router = router(tags=["affiliate: portal"])


@portal_links_router.post("/affiliates/portal-link", status_code=201, response_model=Envelope[PortalLinkOut])
async def create_portal_link(
    request: Request,
    session: Session,
    ctx: ServerAuth,
    affiliate_id: Annotated[str, Depends(id_query("affiliateId"))],
) -> Envelope[PortalLinkOut]:
    """A single-use sign-in URL to the affiliate portal for this affiliate, valid 15 minutes: put it behind
    a "Partner dashboard" button (or in an iframe's src) when the partner asks for it."""
    issued = await service.issue(session, ctx, affiliate_id, public_base_url(request))
    return ok(
        PortalLinkOut(url=issued.url, expires_at=issued.expires_at), "Portal link created successfully", 201
    )
