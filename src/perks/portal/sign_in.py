"""Signing in to the portal without a password: a single-use link (from the shop's site through the API,
from the console, or by email from the sign-in page) starts a session for its partner only; a used or
expired link shows a page that says so, and no session. Signing out ends the session."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated

from fastapi import Path, Request
from fastapi.responses import Response
from starlette.background import BackgroundTask

from perks.affiliate.affiliates import service as affiliates
from perks.affiliate.affiliates.models import Affiliate, AffiliateStatus
from perks.affiliate.portal_links import service as portal_links
from perks.affiliate.workspaces import service as workspaces
from perks.audit import service as audit
from perks.config import Settings
from perks.db.database import Database
from perks.errors import TooManyRequests
from perks.portal.auth import Newcomer, Partner
from perks.portal.mail import SignInLink, send, sign_in_message
from perks.portal.pages import FACE, Session, frame, pages, router, set_portal_cookie
from perks.tenancy import service as tenancy
from perks.ui.forms import FormErrors, form_values
from perks.ui.routing import own_transactions
from perks.ui.sessions import service as sessions
from perks.ui.sign_in_limits import count_attempt
from perks.web.addresses import public_base_url
from perks.web.unit_of_work import writes

sign_in_router = router()
Token = Annotated[str, Path(min_length=20, max_length=100, pattern=r"^[A-Za-z0-9_-]+$")]
INACTIVE = "The program has paused it; its manager can tell you more."
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
REFUSALS = {
    portal_links.Refusal.USED: (410, "This sign-in link was used already", "A link works once."),
    portal_links.Refusal.EXPIRED: (410, "This sign-in link has expired", "A link works for 15 minutes."),
    portal_links.Refusal.UNKNOWN: (404, "This sign-in link does not work", "It may have been copied wrong."),
}


def safe_next(target: str | None) -> str:
    """Only a portal path is a place to return to after sign-in."""
    if target and target.startswith(FACE.prefix + "/") and not target.startswith("//") and "\\" not in target:
        return target
    return FACE.path("/")


def _smtp(request: Request) -> str | None:
    settings: Settings = request.app.state.settings
    return settings.smtp_url


@sign_in_router.get("/sign-in/{token}")
@writes
async def use_sign_in_link(request: Request, session: Session, token: Token) -> Response:
    spent = await portal_links.spend(session, token)
    if isinstance(spent, portal_links.Refusal):
        return await _refused(request, session, token, spent)
    affiliate = await affiliates.get_affiliate(session, spent.ctx, spent.affiliate_id)
    frame(request, await workspaces.frame_origins_of(session, spent.ctx, affiliate.workspace_id))
    if affiliate.status != AffiliateStatus.ACTIVE:  # disabled since the link was made
        context = {"title": "This partner account is not active", "reason": INACTIVE, "smtp": False}
        return pages.render(request, "portal/link_refused.html", context, status=403)
    newcomer = Newcomer(affiliate.account_id, affiliate.id, affiliate.email)
    audit.record(session, newcomer, "sign_in", audit.Target("affiliate", affiliate.id, affiliate.email))
    return await start_session(request, session, affiliate, None)


async def start_session(
    request: Request, session: Session, affiliate: Affiliate, notice: str | None
) -> Response:
    """A portal session for `affiliate`, and the answer that leads to their home page with its cookie."""
    settings: Settings = request.app.state.settings
    started = await sessions.start(
        session,
        face=FACE.name,
        account_id=affiliate.account_id,
        subject_id=affiliate.id,
        lifetime=timedelta(hours=settings.portal_session_hours),
    )
    response = pages.redirect(request, FACE.path("/"), notice=notice)
    set_portal_cookie(
        request, response, FACE.session_cookie, started.token, settings.portal_session_hours * 3600
    )
    return response


async def _refused(request: Request, session: Session, token: str, why: portal_links.Refusal) -> Response:
    link = await portal_links.link_of(session, token)
    if link is not None:  # the page shows where the link would have: in its workspace's iframe too
        ctx = portal_links.partner_context(link.account_id)
        affiliate = await affiliates.get_affiliate(session, ctx, link.affiliate_id)
        frame(request, await workspaces.frame_origins_of(session, ctx, affiliate.workspace_id))
    status, title, reason = REFUSALS[why]
    context = {"title": title, "reason": reason, "smtp": _smtp(request) is not None}
    return pages.render(request, "portal/link_refused.html", context, status=status)


@sign_in_router.get("/login")
async def login_page(request: Request, next: str | None = None) -> Response:
    return _login(request, "", safe_next(next), FormErrors())


def _login(
    request: Request,
    email: str,
    next_: str,
    errors: FormErrors,
    status: int = 200,
    *,
    sent_to: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    context = {
        "values": {"email": email, "next": next_},
        "errors": errors,
        "smtp": _smtp(request) is not None,
        "sent_to": sent_to,
    }
    return pages.render(request, "portal/login.html", context, status=status, headers=headers)


@sign_in_router.post("/login")
@own_transactions
async def ask_for_a_link(request: Request) -> Response:
    """Email a sign-in link to the partner with this email, if there is one: the answer is the same
    either way, and the email is sent after it (its time tells nothing either)."""
    values = await form_values(request)
    email, next_ = values.get("email", "").strip(), safe_next(values.get("next"))
    smtp_url = _smtp(request)
    if smtp_url is None:
        return _login(request, email, next_, FormErrors(), 404)
    if not EMAIL.match(email) or len(email) > 320:
        problem = FormErrors({"email": "Enter the email you use with the program, such as ada@example.com."})
        return _login(request, email, next_, problem, 400)
    try:
        await count_attempt(request, email, "portal-link")
    except TooManyRequests as error:
        return _login(request, email, next_, FormErrors(summary=error.details), 429, headers=error.headers)
    links = await _issue_links(request, email)
    response = _login(request, "", next_, FormErrors(), sent_to=email)
    if links:
        settings: Settings = request.app.state.settings
        response.background = BackgroundTask(
            send, smtp_url, sign_in_message(settings.smtp_from, email, links)
        )
    return response


async def _issue_links(request: Request, email: str) -> list[SignInLink]:
    database: Database = request.app.state.db
    links = []
    async with database.transaction() as session:
        for affiliate in await affiliates.active_with_email(session, email):
            ctx = portal_links.partner_context(affiliate.account_id)
            issued = await portal_links.issue(session, ctx, affiliate.id, public_base_url(request))
            workspace = await tenancy.resolve_workspace(session, ctx, affiliate.workspace_id)
            links.append(SignInLink(workspace.name, issued.url))
            target = audit.Target("portal_link", affiliate.id, f"for {affiliate.email}")
            audit.record(session, Newcomer(ctx.account_id, affiliate.id, affiliate.email), "create", target)
    return links


@sign_in_router.post("/logout")
async def sign_out(request: Request, session: Session, partner: Partner) -> Response:
    await sessions.end(session, FACE.name, request.cookies.get(FACE.session_cookie, ""))
    audit.record(session, partner, "sign_out", audit.Target("affiliate", partner.affiliate_id, partner.email))
    response = pages.redirect(request, FACE.path("/login"), notice="You are signed out.")
    set_portal_cookie(request, response, FACE.session_cookie, "", max_age=0)
    return response
