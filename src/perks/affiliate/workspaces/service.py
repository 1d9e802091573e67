"""Workspaces: an account's separate affiliate programs. Exactly one is the default."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from perks.affiliate.workspaces.schemas import WorkspaceCreate, WorkspaceUpdate
from perks.errors import Unprocessable
from perks.kit.pagination import PageRequest, PageResult, paginate
from perks.tenancy import repository
from perks.tenancy import service as tenancy
from perks.tenancy.context import AuthContext
from perks.tenancy.models import Workspace

SORTABLE = {"createdAt": Workspace.created_at, "updatedAt": Workspace.updated_at, "name": Workspace.name}


async def list_workspaces(session: AsyncSession, ctx: AuthContext, page: PageRequest) -> PageResult:
    return await paginate(session, repository.workspaces(ctx), page, SORTABLE, Workspace.id)


async def create_workspace(session: AsyncSession, ctx: AuthContext, body: WorkspaceCreate) -> Workspace:
    workspace = Workspace(account_id=ctx.account_id, name=body.name, is_default=False)
    await repository.add(session, workspace)
    if body.is_default:
        await _make_default(session, ctx, workspace)
    return workspace


async def update_workspace(
    session: AsyncSession, ctx: AuthContext, workspace_id: str, body: WorkspaceUpdate
) -> Workspace:
    workspace = await tenancy.resolve_workspace(session, ctx, workspace_id)
    if body.name is not None:
        workspace.name = body.name
    if body.is_default is True:
        await _make_default(session, ctx, workspace)
    elif body.is_default is False and workspace.is_default:
        raise Unprocessable("An account always has a default workspace; make another one the default instead")
    await session.flush()
    return workspace


async def _make_default(session: AsyncSession, ctx: AuthContext, workspace: Workspace) -> None:
    # Clear the old default, then set the new one; the partial unique index keeps it to one.
    await session.execute(
        update(Workspace)
        .where(
            Workspace.account_id == ctx.account_id,
            Workspace.is_default.is_(True),
            Workspace.id != workspace.id,
        )
        .values(is_default=False)
    )
    workspace.is_default = True
    await session.flush()
