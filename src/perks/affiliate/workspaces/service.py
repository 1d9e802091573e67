"""Workspaces: an account's separate affiliate programs. Exactly one is the default."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from perks.affiliate.workspaces.portal import PortalSettings
from perks.affiliate.workspaces.schemas import WorkspaceCreate, WorkspaceUpdate
from perks.errors import Unprocessable
from perks.kit.ids import is_uuid
from perks.kit.pagination import PageRequest, PageResult, paginate
from perks.tenancy import repository
from perks.tenancy import service as tenancy
from perks.tenancy.context import AuthContext, KeyKind
from perks.tenancy.models import Workspace

SORTABLE = {"createdAt": Workspace.created_at, "updatedAt": Workspace.updated_at, "name": Workspace.name}


async def list_workspaces(session: AsyncSession, ctx: AuthContext, page: PageRequest) -> PageResult:
    return await paginate(session, repository.workspaces(ctx), page, SORTABLE, Workspace.id)


async def create_workspace(session: AsyncSession, ctx: AuthContext, body: WorkspaceCreate) -> Workspace:
    workspace = Workspace(account_id=ctx.account_id, name=body.name, is_default=False)
    await repository.add(session, workspace)
    if body.is_default:
        await tenancy.make_default_workspace(session, ctx, workspace)
    return workspace


async def update_workspace(
    session: AsyncSession, ctx: AuthContext, workspace_id: str, body: WorkspaceUpdate
) -> Workspace:
    workspace = await tenancy.resolve_workspace(session, ctx, workspace_id)
    if body.name is not None:
        workspace.name = body.name
    if body.is_default is True:
        await tenancy.make_default_workspace(session, ctx, workspace)
    elif body.is_default is False and workspace.is_default:
        raise Unprocessable("An account always has a default workspace; make another one the default instead")
    await session.flush()
    return workspace


SWITCHER_MAX = 200  # workspaces offered by the console's switcher


async def workspaces_by_name(session: AsyncSession, ctx: AuthContext) -> Sequence[Workspace]:
    return await repository.workspaces_by_name(session, ctx, SWITCHER_MAX)


async def update_portal_settings(
    session: AsyncSession, ctx: AuthContext, workspace_id: str, settings: PortalSettings
) -> Workspace:
    workspace = await tenancy.resolve_workspace(session, ctx, workspace_id)
    workspace.portal_frame_origins = list(settings.frame_origins)
    workspace.currency = settings.currency
    await session.flush()
    return workspace


async def public_workspace(session: AsyncSession, workspace_id: str) -> tuple[AuthContext, Workspace] | None:
    """A workspace named in a public URL (the portal's sign-up page), with its account's scope."""
    if not is_uuid(workspace_id):
        return None
    workspace = await repository.any_workspace(session, workspace_id)
    if workspace is None:
        return None
    return AuthContext(account_id=workspace.account_id, key_id="portal", kind=KeyKind.SERVER), workspace


async def frame_origins_of(session: AsyncSession, ctx: AuthContext, workspace_id: str) -> list[str]:
    """The sites that may frame the portal pages of a workspace's partners."""
    workspace = await tenancy.resolve_workspace(session, ctx, workspace_id)
    return list(workspace.portal_frame_origins)
