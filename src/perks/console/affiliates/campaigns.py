"""Affiliate campaigns: list, create and edit through the campaigns service (the API's rules and
schemas), with their commission terms in plain words."""

from __future__ import annotations

import re
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from perks.affiliate.campaigns import service
from perks.affiliate.campaigns.models import AffiliateCampaign
from perks.affiliate.campaigns.rendering import campaign_out
from perks.affiliate.campaigns.schemas import CampaignCreate, CampaignOut, CampaignUpdate
from perks.affiliate.campaigns.terms import commission_in_words, payout_in_words
from perks.audit import service as audit
from perks.console.affiliates.workspaces import Chosen, Scope, scope_for
from perks.console.auth import Manager, Viewer
from perks.console.pages import FACE, Session, pages, router
from perks.ui.forms import FormErrors, FormValues, attempt, form_values, parse
from perks.ui.listing import Listing

campaigns = router()
FLAGS = [
    ("allowsSelfSignup", "Partners can join from the portal's sign-up page"),
    ("requiresApprovalToJoin", "New partners wait for approval"),
    ("collectAdditionalInfo", "Ask new partners how they will promote it"),
    ("hideCustomerEmail", "Hide referred customers' emails from partners"),
    ("isDefault", "Default campaign of the workspace (new affiliates join it)"),
]
TYPES = [("percentage", "A percentage of each sale"), ("fixed", "A fixed amount for each sale")]
WORDS = {"commission": commission_in_words, "payout": payout_in_words}


def _target(campaign: AffiliateCampaign) -> audit.Target:
    return audit.Target("affiliate_campaign", campaign.id, campaign.campaign_name)


def _values_of(campaign: AffiliateCampaign) -> FormValues:
    wire = campaign_out(campaign).model_dump(mode="json", by_alias=True)
    values: FormValues = {
        name: str(value) for name, value in wire.items() if not isinstance(value, bool | list)
    }
    values["flags"] = [name for name, _label in FLAGS if wire.get(name)]
    values["allowedUrlParameters"] = ", ".join(campaign.allowed_url_parameters)
    return values


def _payload(values: FormValues, *, every_flag: bool) -> FormValues:
    """The form as the API's body: the checked flags as true (an edit sends the others as false), URL
    parameters from a comma-separated line."""
    body = {name: value for name, value in values.items() if name != "flags"}
    for name, _label in FLAGS:
        if name in values["flags"] or every_flag:
            body[name] = "true" if name in values["flags"] else "false"
    parameters = values.get("allowedUrlParameters", "")
    if parameters.strip():
        body["allowedUrlParameters"] = [part for part in re.split(r"[\s,]+", parameters) if part]
    return body


def _form(
    request: Request,
    scope: Scope,
    values: FormValues,
    errors: FormErrors,
    campaign: CampaignOut | None,
    status: int = 200,
) -> Response:
    context: dict[str, Any] = {
        "scope": scope,
        "section": "campaigns",
        "values": values,
        "errors": errors,
        "campaign": campaign,
        "flags": FLAGS,
        "types": TYPES,
        "words": WORDS,
    }
    return pages.render(request, "console/affiliates/campaign_form.html", context, status=status)


@campaigns.get("/affiliates/campaigns")
async def list_campaigns(
    request: Request, session: Session, staff: Viewer, listing: Listing, scope: Chosen
) -> Response:
    page = await service.page_campaigns(session, staff.ctx, scope.id, listing.q, listing.keyset())
    context = {
        "scope": scope,
        "section": "campaigns",
        "tab": "campaigns",
        "pending_count": None,
        "page": page,
        "params": listing.params({"workspace": scope.id}),
        "words": WORDS,
    }
    return pages.render(request, "console/affiliates/campaigns.html", context)


@campaigns.get("/affiliates/campaigns/new")
async def new_campaign(request: Request, staff: Manager, scope: Chosen) -> Response:
    defaults: FormValues = {
        "commissionType": "percentage",
        "payoutTerm": "30",
        "minimumPayoutAmount": "0",
        "cookieDurationDays": "60",
        "allowedUrlParameters": "ref, via, aff",
        "flags": [],
    }
    return _form(request, scope, defaults, FormErrors(), None)


@campaigns.post("/affiliates/campaigns/new")
async def create_campaign(request: Request, session: Session, staff: Manager, scope: Chosen) -> Response:
    values = await form_values(request, lists=["flags"])
    body = _payload(values, every_flag=False) | {"workspaceId": scope.id}
    created = await attempt(lambda: service.create_campaign(session, staff.ctx, parse(CampaignCreate, body)))
    if isinstance(created, FormErrors):
        return _form(request, scope, values, created, None, status=created.status)
    audit.record(session, staff, "create", _target(created), after=campaign_out(created))
    return pages.redirect(
        request,
        FACE.path(f"/affiliates/campaigns?workspace={scope.id}"),
        notice=f"Campaign “{created.campaign_name}” created.",
    )


@campaigns.get("/affiliates/campaigns/{campaign_id}")
async def edit_campaign(request: Request, session: Session, staff: Viewer, campaign_id: str) -> Response:
    campaign = await service.get_campaign(session, staff.ctx, campaign_id)
    scope = await scope_for(session, staff, campaign.workspace_id)
    return _form(request, scope, _values_of(campaign), FormErrors(), campaign_out(campaign))


@campaigns.post("/affiliates/campaigns/{campaign_id}")
async def update_campaign(request: Request, session: Session, staff: Manager, campaign_id: str) -> Response:
    campaign = await service.get_campaign(session, staff.ctx, campaign_id)
    before = campaign_out(campaign)
    scope = await scope_for(session, staff, campaign.workspace_id)
    values = await form_values(request, lists=["flags"])
    body = _payload(values, every_flag=True)
    updated = await attempt(
        lambda: service.update_campaign(session, staff.ctx, campaign_id, parse(CampaignUpdate, body))
    )
    if isinstance(updated, FormErrors):
        return _form(request, scope, values, updated, before, status=updated.status)
    audit.record(session, staff, "update", _target(updated), before=before, after=campaign_out(updated))
    return pages.redirect(
        request,
        FACE.path(f"/affiliates/campaigns?workspace={scope.id}"),
        notice=f"Campaign “{updated.campaign_name}” saved.",
    )
