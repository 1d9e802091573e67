"""Who is signed in to the portal: one active affiliate, in their own account and workspace. Every page
takes `partner: Partner` and shows that partner's data only; a partner disabled or declined is refused at
once (the session lookup joins the affiliate's status)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from perks.affiliate.affiliates import service as affiliates
from perks.affiliate.affiliates.repository import Partner as SignedIn
from perks.affiliate.campaigns.terms import terms_in_words
from perks.affiliate.portal_links.service import partner_context
from perks.audit.guard import require_audit
from perks.portal.pages import FACE, Session, frame
from perks.tenancy.context import AuthContext
from perks.ui import csrf
from perks.ui.routing import SignInRequired
from perks.ui.sessions.service import hash_token


@dataclass(frozen=True)
class Newcomer:
    """An affiliate as the audit log's actor: the changes a partner makes are theirs (also while signing
    in or joining, before a session exists)."""

    account_id: str
    affiliate_id: str
    email: str

    @property
    def ctx(self) -> AuthContext:
        """The tenant scope of every service call: the partner's account."""
        return partner_context(self.account_id)

    @property
    def actor_kind(self) -> str:
        return "affiliate"

    @property
    def actor_id(self) -> str:
        return self.affiliate_id

    @property
    def actor_label(self) -> str:
        return self.email


@dataclass(frozen=True)
class PartnerView(Newcomer):
    """The signed-in partner as pages and templates see them (plain values: still readable after the
    request's transaction is rolled back)."""

    first_name: str
    last_name: str
    workspace_id: str
    program: str  # the workspace's name
    currency: str
    campaign_id: str
    campaign_name: str
    welcome: str
    dashboard_text: str
    terms: str
    hide_customer_email: bool
    frame_origins: tuple[str, ...]

    @classmethod
    def of(cls, found: SignedIn) -> PartnerView:
        affiliate, workspace, campaign = found.affiliate, found.workspace, found.campaign
        return cls(
            account_id=affiliate.account_id,
            affiliate_id=affiliate.id,
            email=affiliate.email,
            first_name=affiliate.first_name,
            last_name=affiliate.last_name,
            workspace_id=workspace.id,
            program=workspace.name,
            currency=workspace.currency,
            campaign_id=campaign.id,
            campaign_name=campaign.campaign_name,
            welcome=campaign.affiliate_portal_welcome_message,
            dashboard_text=campaign.affiliate_dashboard_text,
            terms=terms_in_words(campaign, workspace.currency),
            hide_customer_email=campaign.hide_customer_email,
            frame_origins=tuple(workspace.portal_frame_origins),
        )

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def _return_to(request: Request) -> str:
    path = request.url.path
    return f"{path}?{request.url.query}" if request.url.query and request.method == "GET" else path


async def signed_in(request: Request, session: Session) -> PartnerView:
    token = request.cookies.get(FACE.session_cookie)
    found = await affiliates.signed_in(session, hash_token(token)) if token else None
    if found is None:
        raise SignInRequired(_return_to(request))
    partner = PartnerView.of(found)
    request.state.viewer = partner
    frame(request, partner.frame_origins)
    if request.method not in csrf.SAFE_METHODS:
        require_audit(session)
    return partner


Partner = Annotated[PartnerView, Depends(signed_in)]
