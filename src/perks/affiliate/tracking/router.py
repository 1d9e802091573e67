"""Tracking on the wire: the public redirect `/r/{referralCode}`, the `/perks.js` script, and
`POST /api/v1/track/click` and `/track/signup`."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from perks.affiliate.face import Envelope, PublicAuth, ServerAuth, Session, ok, router
from perks.affiliate.referred_users.rendering import referred_user_out
from perks.affiliate.referred_users.schemas import ReferredUserOut
from perks.affiliate.tracking import service
from perks.affiliate.tracking.redirect import follow
from perks.affiliate.tracking.schemas import ClickIn, ClickOut, SignupIn

SCRIPT = (Path(__file__).parent / "perks.js").read_text()
CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "POST, OPTIONS",
    "Access-Control-Allow-Headers": "content-type, x-auth-referralstack",
    "Access-Control-Max-Age": "86400",
}

redirect_router = APIRouter(tags=["affiliate: tracking"])
tracking_router = router(tags=["affiliate: tracking"])


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


@redirect_router.get(
    "/r/{referral_code}",
    status_code=302,
    response_class=RedirectResponse,
    responses={302: {"description": "To the campaign URL"}, 404: {"description": "Unknown code"}},
)
async def follow_link(referral_code: str, request: Request) -> Response:
    """Public: record a click, set the `perks_ref` cookie (the click id) for the campaign's
    attribution window, and redirect to the campaign URL with `urlParameter=referralCode`. (Served by
    RedirectMiddleware ahead of the framework; this route answers the same and documents it.)"""
    headers = request.headers
    answer = await follow(
        request.app.state,
        referral_code,
        client_ip(request),
        headers.get("user-agent", ""),
        headers.get("referer"),
    )
    response = Response(answer.body, status_code=answer.status)
    response.raw_headers = answer.headers
    return response


@redirect_router.get(
    "/r/{workspace_id}/{referral_code}",
    status_code=302,
    response_class=RedirectResponse,
    responses={302: {"description": "To the campaign URL"}, 404: {"description": "Unknown code"}},
)
async def follow_workspace_link(workspace_id: str, referral_code: str, request: Request) -> Response:
    """The same, for a code that several accounts use: the link of the workspace's account."""
    return await follow_link(f"{workspace_id}/{referral_code}", request)


@redirect_router.get(
    "/perks.js", response_class=Response, responses={200: {"content": {"text/javascript": {}}}}
)
async def tracking_script() -> Response:
    """The tracking script a site adds with one `<script data-key=PUBLIC_KEY>` tag."""
    return Response(
        SCRIPT,
        media_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": "public, max-age=3600", "Access-Control-Allow-Origin": "*"},
    )


@tracking_router.options("/track/click", status_code=204, include_in_schema=False)
async def click_preflight() -> Response:
    return Response(status_code=204, headers=CORS)


@tracking_router.post("/track/click", status_code=201, response_model=Envelope[ClickOut])
async def track_click(
    session: Session, ctx: PublicAuth, body: ClickIn, request: Request, response: Response
) -> Envelope[ClickOut]:
    """A click on a site that receives `?via=CODE` itself (public key allowed, CORS open)."""
    response.headers.update(CORS)
    user_agent = request.headers.get("user-agent", "")
    click_id, days = await service.track_click(session, ctx, body, client_ip(request), user_agent)
    return ok(ClickOut(click_id=click_id, cookie_duration_days=days), "Click tracked successfully", 201)


@tracking_router.post("/track/signup", status_code=201, response_model=Envelope[ReferredUserOut | None])
async def track_signup(
    session: Session, ctx: ServerAuth, body: SignupIn, response: Response
) -> Envelope[ReferredUserOut | None]:
    """Bind a sign-up to the affiliate of its click (or referral code). First bind wins."""
    signup = await service.sign_up(session, ctx, body)
    if signup.referred is None:
        response.status_code = 200
        return ok(None, "Sign-up not attributed: the click is past its attribution window")
    if not signup.created:
        response.status_code = 200
        return ok(referred_user_out(signup.referred), "Referred user already exists")
    return ok(referred_user_out(signup.referred), "Referred user created successfully", 201)
