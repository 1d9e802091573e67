"""Affiliate links: a referral code on the affiliate's campaign URL. Codes are unique across all accounts,
case-insensitively, so that no account can capture or shadow the redirect traffic of another's code."""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from perks.affiliate.affiliates import service as affiliates
from perks.affiliate.affiliates.models import Affiliate
from perks.affiliate.campaigns import service as campaigns
from perks.affiliate.campaigns.models import AffiliateCampaign
from perks.affiliate.links import repository
from perks.affiliate.links.models import AffiliateLink
from perks.affiliate.links.schemas import LinkCreate
from perks.errors import Conflict, NotFound, Unprocessable
from perks.kit.pagination import PageRequest, PageResult, paginate
from perks.tenancy.context import AuthContext

SORTABLE = {
    "createdAt": AffiliateLink.created_at,
    "updatedAt": AffiliateLink.updated_at,
    "referralCode": AffiliateLink.code_key,
}
CODE_ALPHABET = string.ascii_lowercase + string.digits
CODE_LENGTH = 8
CODE_ATTEMPTS = 5
LINKS_SHOWN = 100
CODE_TAKEN = "referralCode: this referral code is already taken"
# Taken by a link of another account; which one is nobody else's business.
CODE_IN_USE = "referralCode: this referral code is already in use; choose another"


@dataclass(frozen=True)
class TrackedLink:
    link: AffiliateLink
    campaign: AffiliateCampaign

    @property
    def url(self) -> str:
        return tracking_url(self.campaign.url, self.link.url_parameter, self.link.referral_code)


def tracking_url(base: str, parameter: str, code: str) -> str:
    """The campaign URL with `parameter=code` added (an existing value of that parameter is replaced)."""
    parts = urlsplit(base)
    query = [
        (key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True) if key != parameter
    ]
    return urlunsplit(parts._replace(query=urlencode([*query, (parameter, code)])))


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


async def list_links(
    session: AsyncSession, ctx: AuthContext, affiliate_id: str, page: PageRequest
) -> tuple[PageResult, list[TrackedLink]]:
    affiliate = await affiliates.get_affiliate(session, ctx, affiliate_id)
    campaign = await campaigns.get_campaign(session, ctx, affiliate.campaign_id)
    result = await paginate(session, repository.links_of(ctx, affiliate.id), page, SORTABLE, AffiliateLink.id)
    return result, [TrackedLink(link, campaign) for link in result.items]


async def links_of(
    session: AsyncSession, ctx: AuthContext, affiliate: Affiliate, campaign: AffiliateCampaign
) -> list[TrackedLink]:
    """An affiliate's links (the first LINKS_SHOWN), oldest first, with their tracking URLs."""
    return [
        TrackedLink(link, campaign)
        for link in await repository.all_of(session, ctx, affiliate.id, LINKS_SHOWN)
    ]


async def create_link(session: AsyncSession, ctx: AuthContext, body: LinkCreate) -> TrackedLink:
    affiliate = await affiliates.get_affiliate(session, ctx, body.affiliate_id)
    campaign = await campaigns.get_campaign(session, ctx, affiliate.campaign_id)
    parameter = body.url_parameter or campaign.allowed_url_parameters[0]
    if parameter not in campaign.allowed_url_parameters:
        allowed = ", ".join(campaign.allowed_url_parameters)
        raise Unprocessable(f"urlParameter: must be one of the campaign's allowedUrlParameters ({allowed})")
    link = AffiliateLink(account_id=ctx.account_id, affiliate_id=affiliate.id, url_parameter=parameter)
    if body.referral_code is not None:
        await _claim(session, ctx, link, body.referral_code)
    else:
        await _claim_generated(session, link)
    return TrackedLink(link, campaign)


async def get_link(session: AsyncSession, ctx: AuthContext, link_id: str) -> AffiliateLink:
    link = await repository.get(session, ctx, link_id)
    if link is None:
        raise NotFound("Affiliate link not found")
    return link


async def delete_link(session: AsyncSession, ctx: AuthContext, link_id: str) -> None:
    await repository.delete_link(session, ctx, await get_link(session, ctx, link_id))


async def _claim(session: AsyncSession, ctx: AuthContext, link: AffiliateLink, code: str) -> None:
    """The unique index on the lower-case code decides who gets a code, also under races. Taken in the
    caller's own account: 422, as always; taken by another account: 409, naming nobody."""
    link.referral_code, link.code_key = code, code.lower()
    try:
        async with session.begin_nested():
            await repository.add(session, link)
    except IntegrityError as error:
        if await repository.has_code(session, ctx, link.code_key):
            raise Unprocessable(CODE_TAKEN) from error
        raise Conflict(CODE_IN_USE, title="Referral code in use") from error


async def _claim_generated(session: AsyncSession, link: AffiliateLink) -> None:
    for _attempt in range(CODE_ATTEMPTS):
        code = new_code()
        link.referral_code, link.code_key = code, code
        try:
            async with session.begin_nested():
                await repository.add(session, link)
        except IntegrityError:
            continue  # the savepoint's rollback took the link back out of the session
        return
    raise Conflict("Could not generate a free referral code; retry")
