"""A workspace's portal settings: the sites allowed to show the partners' portal in an iframe, and the
currency its campaigns' amounts are shown in. Managers and owners change them; viewers read them."""

from __future__ import annotations

import re
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from perks.affiliate.workspaces import service as workspaces
from perks.affiliate.workspaces.portal import PortalSettings
from perks.audit import service as audit
from perks.console.affiliates.workspaces import Chosen, Scope
from perks.console.auth import Manager, Viewer
from perks.console.pages import FACE, Session, pages, router
from perks.tenancy.models import Workspace
from perks.ui.forms import FormErrors, FormValues, attempt, form_values, parse

portal_settings = router()


def _snapshot(workspace: Workspace) -> dict[str, Any]:
    return {"frame_origins": list(workspace.portal_frame_origins), "currency": workspace.currency}


def _page(
    request: Request, scope: Scope, values: FormValues, errors: FormErrors, status: int = 200
) -> Response:
    context = {"scope": scope, "section": "settings", "tab": "settings", "pending_count": None}
    context |= {"values": values, "errors": errors}
    return pages.render(request, "console/affiliates/settings.html", context, status=status)


@portal_settings.get("/affiliates/settings")
async def show_settings(request: Request, staff: Viewer, scope: Chosen) -> Response:
    values = {"frameOrigins": "\n".join(scope.workspace.portal_frame_origins), "currency": scope.currency}
    return _page(request, scope, values, FormErrors())


@portal_settings.post("/affiliates/settings")
async def save_settings(request: Request, session: Session, staff: Manager, scope: Chosen) -> Response:
    values = await form_values(request)
    before = _snapshot(scope.workspace)
    origins = [line for line in re.split(r"[\s,]+", values.get("frameOrigins", "")) if line]
    body = {"frameOrigins": origins, "currency": values.get("currency", "")}
    saved = await attempt(
        lambda: workspaces.update_portal_settings(session, staff.ctx, scope.id, parse(PortalSettings, body))
    )
    if isinstance(saved, FormErrors):
        return _page(request, scope, values, _under_the_textarea(saved), status=saved.status)
    target = audit.Target("workspace", saved.id, saved.name)
    audit.record(session, staff, "update", target, before=before, after=_snapshot(saved))
    return pages.redirect(
        request, FACE.path(f"/affiliates/settings?workspace={scope.id}"), notice="Portal settings saved."
    )


def _under_the_textarea(errors: FormErrors) -> FormErrors:
    """An origin's error (frameOrigins.2) is shown under the one field they are typed in."""
    fields: dict[str, str] = {}
    for name, message in errors.fields.items():
        fields.setdefault(name.split(".")[0], message)
    return FormErrors(fields, errors.summary, errors.status)
