"""Affiliate campaigns: commission terms and portal settings, one default per workspace."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from perks.affiliate.campaigns import repository
from perks.affiliate.campaigns.models import AffiliateCampaign
from perks.affiliate.campaigns.schemas import CampaignCreate, CampaignUpdate
from perks.affiliate.wire import apply, changes_of
from perks.db.writes import guarded
from perks.errors import Conflict, NotFound, Unprocessable, invalid
from perks.kit.keyset import Keyset, KeysetPage
from perks.kit.pagination import PageRequest, PageResult, paginate
from perks.tenancy import service as tenancy
from perks.tenancy.context import AuthContext

Campaign = AffiliateCampaign
SORTABLE = {
    "createdAt": Campaign.created_at,
    "updatedAt": Campaign.updated_at,
    "campaignName": Campaign.campaign_name,
    "amount": Campaign.amount,
    "payoutTerm": Campaign.payout_term,
}
NOT_FOUND = "Campaign not found"
IN_USE = "Campaign still has affiliates, referred users or commissions; only an empty campaign can be deleted"
DEFAULT_RETRIES = 5


async def list_campaigns(
    session: AsyncSession, ctx: AuthContext, page: PageRequest, workspace_id: str | None
) -> PageResult:
    statement = repository.campaigns(ctx)
    if workspace_id:
        workspace = await tenancy.resolve_workspace(session, ctx, workspace_id)
        statement = statement.where(Campaign.workspace_id == workspace.id)
    return await paginate(session, statement, page, SORTABLE, Campaign.id)


async def page_campaigns(
    session: AsyncSession, ctx: AuthContext, workspace_id: str, search: str, keyset: Keyset
) -> KeysetPage[Campaign]:
    return await repository.page_in_workspace(session, ctx, workspace_id, search.strip(), keyset)


async def campaigns_of_workspace(
    session: AsyncSession, ctx: AuthContext, workspace_id: str
) -> list[Campaign]:
    """A workspace's campaigns by name: the choices of a form."""
    return await repository.all_in_workspace(session, ctx, workspace_id)


async def find_campaign(session: AsyncSession, ctx: AuthContext, campaign_id: str) -> Campaign | None:
    return await repository.get(session, ctx, campaign_id)


async def get_campaign(session: AsyncSession, ctx: AuthContext, campaign_id: str) -> Campaign:
    campaign = await repository.get(session, ctx, campaign_id)
    if campaign is None:
        raise NotFound(NOT_FOUND)
    return campaign


async def campaign_for_new_member(
    session: AsyncSession, ctx: AuthContext, campaign_id: str | None, workspace_id: str | None
) -> Campaign:
    """The campaign a new affiliate joins: the one named, else the workspace's default campaign."""
    if campaign_id:
        campaign = await get_campaign(session, ctx, campaign_id)
        if workspace_id and workspace_id != campaign.workspace_id:
            await tenancy.resolve_workspace(session, ctx, workspace_id)
            raise Unprocessable("The campaign does not belong to this workspace")
        return campaign
    workspace = await tenancy.resolve_workspace(session, ctx, workspace_id)
    default = await repository.default_for(session, ctx, workspace.id)
    if default is None:
        raise Unprocessable("The workspace has no default campaign; pass campaignId")
    return default


async def create_campaign(session: AsyncSession, ctx: AuthContext, body: CampaignCreate) -> Campaign:
    workspace = await tenancy.resolve_workspace(session, ctx, body.workspace_id)
    _check_amount(body.commission_type, body.amount)
    fields = body.model_dump(exclude={"workspace_id", "is_default"}, by_alias=False)
    campaign = Campaign(account_id=ctx.account_id, workspace_id=workspace.id, is_default=False, **fields)
    await repository.add(session, campaign)
    if body.is_default:
        await _make_default(session, ctx, campaign)
    else:
        await _default_if_first(session, ctx, campaign)
    await session.refresh(campaign)
    return campaign


async def update_campaign(
    session: AsyncSession, ctx: AuthContext, campaign_id: str, body: CampaignUpdate
) -> Campaign:
    campaign = await get_campaign(session, ctx, campaign_id)
    changes = changes_of(body)
    if changes.pop("commission_type", campaign.commission_type) != campaign.commission_type:
        raise Unprocessable("commissionType cannot be changed after the campaign is created")
    workspace_id = changes.pop("workspace_id", campaign.workspace_id)
    if workspace_id != campaign.workspace_id:
        await tenancy.resolve_workspace(session, ctx, workspace_id)
        raise Unprocessable("A campaign cannot move to another workspace")
    is_default = changes.pop("is_default", None)
    _check_amount(campaign.commission_type, changes.get("amount", campaign.amount))
    apply(campaign, changes)
    await session.flush()
    if is_default is True:
        await _make_default(session, ctx, campaign)
    elif is_default is False:
        await repository.unset_default(session, ctx, campaign)
    await session.refresh(campaign)
    return campaign


async def delete_campaign(session: AsyncSession, ctx: AuthContext, campaign_id: str) -> None:
    campaign = await get_campaign(session, ctx, campaign_id)
    # Affiliates, referred users and commissions reference the campaign without cascading, so the
    # database itself refuses to delete a campaign that is in use, also against a concurrent insert.
    async with guarded(session, Unprocessable(IN_USE)):
        await repository.delete_campaign(session, ctx, campaign)


def _check_amount(commission_type: str, amount: Decimal) -> None:
    if commission_type == "percentage" and not Decimal(0) < amount <= Decimal(100):
        raise invalid("amount", "a percentage must be greater than 0 and at most 100")


async def _make_default(session: AsyncSession, ctx: AuthContext, campaign: Campaign) -> None:
    """Clear the workspace's other default and mark this one, in two statements. A concurrent request
    doing the same makes the second write hit the partial unique index: clear again and retry."""
    for _attempt in range(DEFAULT_RETRIES):
        await repository.clear_other_defaults(session, ctx, campaign)
        try:
            async with session.begin_nested():
                await repository.set_default(session, ctx, campaign, only_if_none=False)
        except IntegrityError:
            continue
        return
    raise Conflict("The default campaign is being changed by another request; retry")


async def _default_if_first(session: AsyncSession, ctx: AuthContext, campaign: Campaign) -> None:
    """A workspace's first campaign becomes its default; if another request wins, that one is."""
    try:
        async with session.begin_nested():
            await repository.set_default(session, ctx, campaign, only_if_none=True)
    except IntegrityError:
        return
