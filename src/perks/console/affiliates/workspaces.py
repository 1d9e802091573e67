"""Which workspace an affiliate page shows: the one in the URL (`?workspace=`), else the one chosen last
with the top bar's switcher (a cookie), else the account's default. A detail page shows its object's
workspace."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.responses import RedirectResponse

from perks.affiliate.workspaces import service as workspaces
from perks.console.auth import Staff, Viewer
from perks.console.pages import FACE, Session, router
from perks.kit.ids import is_uuid
from perks.tenancy import service as tenancy
from perks.tenancy.models import Workspace
from perks.ui.templating import set_cookie

COOKIE = "perks_console_workspace"
# The pages the switcher can lead to (the list of a section, in the newly chosen workspace).
SECTIONS = {
    "affiliates": FACE.path("/affiliates"),
    "campaigns": FACE.path("/affiliates/campaigns"),
    "settings": FACE.path("/affiliates/settings"),
    "commissions": FACE.path("/commissions"),
    "payouts": FACE.path("/payouts"),
}
switcher = router()


@dataclass(frozen=True)
class Scope:
    """The workspace a page shows, and the others the switcher offers."""

    workspace: Workspace
    choices: Sequence[Workspace]

    @property
    def id(self) -> str:
        return self.workspace.id

    @property
    def currency(self) -> str:
        return self.workspace.currency


async def scope_for(session: Session, staff: Staff, workspace_id: str | None) -> Scope:
    """The named workspace of the user's account (another account's is a 404), or the default."""
    workspace = await tenancy.resolve_workspace(session, staff.ctx, workspace_id)
    return Scope(workspace, await workspaces.workspaces_by_name(session, staff.ctx))


async def chosen_scope(
    request: Request,
    session: Session,
    staff: Viewer,
    workspace: Annotated[str, Query(max_length=36)] = "",
) -> Scope:
    if workspace:
        return await scope_for(session, staff, workspace)
    remembered = request.cookies.get(COOKIE, "")
    if is_uuid(remembered):
        found = await workspaces.workspaces_by_name(session, staff.ctx)
        for choice in found:
            if choice.id == remembered:
                return Scope(choice, found)
    return await scope_for(session, staff, None)


Chosen = Annotated[Scope, Depends(chosen_scope)]


@switcher.get("/affiliates/switch")
async def switch_workspace(
    request: Request,
    session: Session,
    staff: Viewer,
    workspace: Annotated[str, Query(max_length=36)],
    to: Annotated[str, Query(max_length=20)] = "affiliates",
) -> RedirectResponse:
    """The top bar's switcher: remember the workspace and show the same section in it."""
    scope = await scope_for(session, staff, workspace)
    response = RedirectResponse(f"{SECTIONS.get(to, SECTIONS['affiliates'])}?workspace={scope.id}", 303)
    set_cookie(request, response, FACE, COOKIE, scope.id, max_age=365 * 86400)
    return response
