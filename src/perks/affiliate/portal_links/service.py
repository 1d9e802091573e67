"""Single-use sign-in links to the affiliate portal: what a shop puts behind its "Partner dashboard"
button (through the API), what the console hands a partner, what the portal emails on request.

A link is 256 random bits in the URL, valid LIFETIME and spent once: the database keeps its SHA-256, so
a stolen database opens no portal, and spending it is one conditional UPDATE, so two tabs opening the
same link get one session between them."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from perks.affiliate.affiliates import service as affiliates
from perks.affiliate.affiliates.models import Affiliate, AffiliateStatus
from perks.affiliate.portal_links import repository
from perks.affiliate.portal_links.models import PortalLink
from perks.errors import Unprocessable
from perks.kit import clock
from perks.tenancy.context import AuthContext, KeyKind
from perks.ui.sessions.service import hash_token

LIFETIME = timedelta(minutes=15)
PATH = "/portal/sign-in/"


@dataclass(frozen=True)
class IssuedLink:
    url: str
    expires_at: datetime
    affiliate: Affiliate


class Refusal(StrEnum):
    """Why a link opens no session (the page says it plainly)."""

    USED = "used"
    EXPIRED = "expired"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Spent:
    ctx: AuthContext  # the partner's account
    affiliate_id: str


def url_of(base_url: str, token: str) -> str:
    return base_url.rstrip("/") + PATH + token


async def issue(session: AsyncSession, ctx: AuthContext, affiliate_id: str, base_url: str) -> IssuedLink:
    """A new sign-in link for an active affiliate of the caller's account."""
    affiliate = await affiliates.get_affiliate(session, ctx, affiliate_id)
    if affiliate.status != AffiliateStatus.ACTIVE:
        raise Unprocessable(
            f"The affiliate is {affiliate.status}: only an active affiliate can sign in to the portal"
        )
    token = secrets.token_urlsafe(32)
    now = clock.now()
    link = PortalLink(
        account_id=ctx.account_id,
        affiliate_id=affiliate.id,
        token_hash=hash_token(token),
        created_at=now,
        expires_at=now + LIFETIME,
    )
    await repository.add(session, link)
    return IssuedLink(url_of(base_url, token), link.expires_at, affiliate)


async def spend(session: AsyncSession, token: str) -> Spent | Refusal:
    """Use a link: the partner it signs in, or why it cannot be used."""
    token_hash = hash_token(token)
    spent = await repository.spend(session, token_hash, clock.now())
    if spent is not None:
        account_id, affiliate_id = spent
        return Spent(partner_context(account_id), affiliate_id)
    link = await repository.find(session, token_hash)
    if link is None:
        return Refusal.UNKNOWN
    return Refusal.USED if link.used_at is not None else Refusal.EXPIRED


async def link_of(session: AsyncSession, token: str) -> PortalLink | None:
    """The link a token names, used or not (its partner's workspace frames the page that refuses it)."""
    return await repository.find(session, hash_token(token))


def partner_context(account_id: str) -> AuthContext:
    """The tenant scope of a partner's own pages: their account, reached through the portal."""
    return AuthContext(account_id=account_id, key_id="portal", kind=KeyKind.SERVER)
