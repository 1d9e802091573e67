"""Self sign-up: a campaign's public page `/portal/{workspaceId}/{campaignId}/join`, when the campaign
allows it. The new partner is active at once (and signed in, with a first link to share) or waits for
approval in the console, as the campaign says."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Request
from fastapi.responses import Response

from perks.affiliate.affiliates import service as affiliates
from perks.affiliate.affiliates.models import AffiliateStatus
from perks.affiliate.affiliates.rendering import affiliate_out
from perks.affiliate.affiliates.schemas import JoinRequest
from perks.affiliate.campaigns import service as campaigns
from perks.affiliate.campaigns.models import AffiliateCampaign
from perks.affiliate.campaigns.terms import terms_in_words
from perks.affiliate.links import service as links
from perks.affiliate.links.schemas import LinkCreate
from perks.affiliate.workspaces import service as workspaces
from perks.audit import service as audit
from perks.errors import NotFound
from perks.portal.auth import Newcomer
from perks.portal.pages import FACE, Session, frame, pages, router
from perks.portal.sign_in import start_session
from perks.tenancy.context import AuthContext
from perks.tenancy.models import Workspace
from perks.ui.forms import FormErrors, FormValues, attempt, form_values, parse

join_router = router()
Id = Annotated[str, Path(max_length=36)]


async def _open_campaign(
    request: Request, session: Session, workspace_id: str, campaign_id: str
) -> tuple[AuthContext, Workspace, AffiliateCampaign]:
    found = await workspaces.public_workspace(session, workspace_id)
    if found is None:
        raise NotFound(affiliates.CLOSED_TO_SIGN_UPS, title="No sign-ups here")
    ctx, workspace = found
    frame(request, workspace.portal_frame_origins)
    campaign = await campaigns.find_campaign(session, ctx, campaign_id)
    if campaign is None or campaign.workspace_id != workspace.id or not campaign.allows_self_signup:
        raise NotFound(affiliates.CLOSED_TO_SIGN_UPS, title="No sign-ups here")
    return ctx, workspace, campaign


def _form(
    request: Request,
    workspace: Workspace,
    campaign: AffiliateCampaign,
    values: FormValues,
    errors: FormErrors,
    status: int = 200,
) -> Response:
    context = {
        "workspace": workspace,
        "campaign": campaign,
        "terms": terms_in_words(campaign, workspace.currency),
        "values": values,
        "errors": errors,
    }
    return pages.render(request, "portal/join.html", context, status=status)


@join_router.get("/{workspace_id}/{campaign_id}/join")
async def join_form(request: Request, session: Session, workspace_id: Id, campaign_id: Id) -> Response:
    _ctx, workspace, campaign = await _open_campaign(request, session, workspace_id, campaign_id)
    return _form(request, workspace, campaign, {}, FormErrors())


@join_router.post("/{workspace_id}/{campaign_id}/join")
async def join(request: Request, session: Session, workspace_id: Id, campaign_id: Id) -> Response:
    ctx, workspace, campaign = await _open_campaign(request, session, workspace_id, campaign_id)
    values = await form_values(request)
    joined = await attempt(
        lambda: affiliates.join(session, ctx, workspace.id, campaign.id, parse(JoinRequest, values))
    )
    if isinstance(joined, FormErrors):
        return _form(request, workspace, campaign, values, joined, status=joined.status)
    await links.create_link(session, ctx, LinkCreate(affiliate_id=joined.id))
    newcomer = Newcomer(ctx.account_id, joined.id, joined.email)
    target = audit.Target("affiliate", joined.id, joined.email)
    audit.record(session, newcomer, "sign_up", target, after=affiliate_out(joined))
    if joined.status != AffiliateStatus.ACTIVE:
        context = {"workspace": workspace, "campaign": campaign, "affiliate": joined}
        return pages.render(request, "portal/joined.html", context)
    response = await start_session(request, session, joined, f"Welcome, {joined.first_name}!")
    response.delete_cookie(FACE.csrf_cookie, path=FACE.prefix)
    return response
