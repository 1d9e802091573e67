"""Workspaces on the affiliate face (beyond the ReferralStack docs): list, create, update."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from perks.affiliate.face import Envelope, Page, PageQuery, ServerAuth, Session, ok, page_of, router
from perks.affiliate.workspaces import service
from perks.affiliate.workspaces.rendering import workspace_out
from perks.affiliate.workspaces.schemas import WorkspaceCreate, WorkspaceOut, WorkspaceUpdate

workspaces_router = router(tags=["affiliate: workspaces"])


@workspaces_router.get("/workspaces/list", response_model=Envelope[Page[WorkspaceOut]])
async def list_workspaces(session: Session, ctx: ServerAuth, page: PageQuery) -> Envelope[Page[WorkspaceOut]]:
    result = await service.list_workspaces(session, ctx, page)
    items = [workspace_out(row) for row in result.items]
    return ok(page_of(result, items), "Workspaces fetched successfully")


@workspaces_router.post("/workspaces", status_code=201, response_model=Envelope[WorkspaceOut])
async def create_workspace(
    session: Session, ctx: ServerAuth, body: WorkspaceCreate
) -> Envelope[WorkspaceOut]:
    workspace = await service.create_workspace(session, ctx, body)
    return ok(workspace_out(workspace), "Workspace created successfully", 201)


@workspaces_router.put("/workspaces", response_model=Envelope[WorkspaceOut])
async def update_workspace(
    session: Session,
    ctx: ServerAuth,
    body: WorkspaceUpdate,
    workspace_id: Annotated[str, Query(alias="workspaceId")],
) -> Envelope[WorkspaceOut]:
    workspace = await service.update_workspace(session, ctx, workspace_id, body)
    return ok(workspace_out(workspace), "Workspace updated successfully")
