"""Tracking rules: clicks recorded through the API (the redirect uses perks.affiliate.tracking.clicks
directly), and sign-ups bound to the affiliate who sent them.

Attribution: the first bind wins (an email already referred keeps its record); a click binds only inside
its campaign's window (`cookieDurationDays`); a sign-up with the affiliate's own email (or payout email),
or through a click from the affiliate's known IP address, is a self-referral. Affiliates who are not
active still get the referral recorded, but earn nothing from it (see the sales service)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from perks.affiliate.affiliates import service as affiliates
from perks.affiliate.affiliates.models import Affiliate
from perks.affiliate.campaigns import service as campaigns
from perks.affiliate.referred_users import service as referred_users
from perks.affiliate.referred_users.models import ReferredUser
from perks.affiliate.referred_users.schemas import ReferredUserCreate
from perks.affiliate.tracking import repository
from perks.affiliate.tracking.clicks import click_row
from perks.affiliate.tracking.models import Click
from perks.affiliate.tracking.repository import Target
from perks.affiliate.tracking.schemas import ClickIn, SignupIn
from perks.affiliate.wire import email_key
from perks.errors import NotFound, Unprocessable, invalid
from perks.kit import clock
from perks.kit.ids import is_uuid
from perks.kit.keyset import Keyset, KeysetPage
from perks.tenancy.context import AuthContext

LINK_NOT_FOUND = "Affiliate link not found"
CLICK_NOT_FOUND = "Click not found"


@dataclass(frozen=True)
class Signup:
    """The outcome of a sign-up: the referred user (new or the one bound first), or None when the
    click is past its attribution window."""

    referred: ReferredUser | None
    created: bool


async def track_click(
    session: AsyncSession, ctx: AuthContext, body: ClickIn, ip: str, user_agent: str
) -> tuple[str, int]:
    """Record a click reported by a site (or perks.js); its id and the campaign's cookie days."""
    target = await repository.target_in_account(session, ctx, body.referral_code)
    if target is None:
        raise NotFound(LINK_NOT_FOUND)
    row = click_row(target, ip, body.user_agent or user_agent, body.referrer, body.url)
    await repository.add_click(session, row)
    return str(row["id"]), target.cookie_days


async def sign_up(session: AsyncSession, ctx: AuthContext, body: SignupIn) -> Signup:
    existing = await referred_users.find_referred_user(session, ctx, body.email)
    if existing is not None:
        return Signup(existing, created=False)
    click, target = await _source(session, ctx, body)
    if click is not None and clock.now() > click.created_at + timedelta(days=target.cookie_days):
        return Signup(None, created=False)
    affiliate = await affiliates.get_affiliate(session, ctx, target.affiliate_id)
    campaign = await campaigns.get_campaign(session, ctx, click.campaign_id if click else target.campaign_id)
    create = ReferredUserCreate(
        referred_to=body.email,
        affiliate_id=affiliate.id,
        campaign_id=campaign.id,
        name=body.name,
        is_self_referral=_is_self_referral(affiliate, body.email, click),
    )
    extra = {"external_id": body.external_id, "click_id": click.id if click else None}
    try:
        referred = await referred_users.create_referred_user(session, ctx, create, extra)
    except Unprocessable as lost:
        # A concurrent sign-up of the same email bound first: its record stands.
        winner = await referred_users.find_referred_user(session, ctx, body.email)
        if winner is None:
            raise lost from None
        return Signup(winner, created=False)
    return Signup(referred, created=True)


async def _source(session: AsyncSession, ctx: AuthContext, body: SignupIn) -> tuple[Click | None, Target]:
    """The click named by clickId (with its link), else the link of referralCode."""
    if body.click_id:
        if not is_uuid(body.click_id):
            raise invalid("clickId", "must be a UUID")
        click = await repository.get_click(session, ctx, body.click_id)
        target = None if click is None else await repository.target_of_link(session, ctx, click.link_id)
        if click is None or target is None:
            raise NotFound(CLICK_NOT_FOUND)
        return click, target
    if not body.referral_code:
        raise invalid("clickId", "clickId or referralCode is required")
    found = await repository.target_in_account(session, ctx, body.referral_code)
    if found is None:
        raise NotFound(LINK_NOT_FOUND)
    return None, found


def _is_self_referral(affiliate: Affiliate, email: str, click: Click | None) -> bool:
    own = {affiliate.email_key, email_key(affiliate.payout_email or "")}
    if email_key(email) in own:
        return True
    return bool(click and affiliate.ip_address and click.ip == affiliate.ip_address)


async def page_clicks(
    session: AsyncSession, ctx: AuthContext, affiliate_id: str, keyset: Keyset
) -> KeysetPage[Click]:
    return await repository.page_of_affiliate(session, ctx, affiliate_id, keyset)


async def clicks_per_link(session: AsyncSession, ctx: AuthContext, affiliate_id: str) -> dict[str, int]:
    return await repository.counts_per_link(session, ctx, affiliate_id)
