"""A workspace as the affiliate face shows it: its routes render workspaces here."""

from __future__ import annotations

from perks.affiliate.workspaces.schemas import WorkspaceOut
from perks.tenancy.models import Workspace


def workspace_out(workspace: Workspace) -> WorkspaceOut:
    return WorkspaceOut.model_validate(workspace, from_attributes=True)
