"""Settings: Users (owners): add a user (the generated password is shown once), change a role, disable
a user after a confirmation. The account always keeps an active owner."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from perks.audit import service as audit
from perks.console.auth import Owner
from perks.console.pages import FACE, Session, pages, router
from perks.console.users import service as users
from perks.console.users.models import ConsoleUser, Role
from perks.ui.forms import FormErrors, FormValues, attempt, form_values
from perks.ui.listing import Listing, ListQuery

people = router()
ROLES = [
    (Role.OWNER.value, "Owner (everything, with keys, users, webhooks)"),
    (Role.MANAGER.value, "Manager (programs, customers, payouts)"),
    (Role.VIEWER.value, "Viewer (reads only)"),
]
LIST = FACE.path("/settings/users")


def _snapshot(user: ConsoleUser) -> dict[str, Any]:
    return {
        "id": user.id,
        "email": user.email,
        "role": user.role,
        "time_zone": user.time_zone,
        "disabled_at": user.disabled_at,
    }


def _target(user: ConsoleUser) -> audit.Target:
    return audit.Target("console_user", user.id, user.email)


async def _list(
    request: Request,
    session: Session,
    staff: Owner,
    listing: ListQuery,
    values: FormValues,
    errors: FormErrors,
    status: int = 200,
) -> Response:
    page = await users.page_users(session, staff.ctx, listing.q, listing.keyset())
    context = {"page": page, "params": listing.params(), "roles": ROLES, "values": values, "errors": errors}
    return pages.render(request, "console/settings/users.html", context, status=status)


@people.get("/settings/users")
async def list_users(request: Request, session: Session, staff: Owner, listing: Listing) -> Response:
    return await _list(request, session, staff, listing, {"role": Role.VIEWER.value}, FormErrors())


@people.post("/settings/users")
async def create_user(request: Request, session: Session, staff: Owner, listing: Listing) -> Response:
    values = await form_values(request)
    created = await attempt(
        lambda: users.create_user(session, staff.account_id, values.get("email", ""), values.get("role", ""))
    )
    if isinstance(created, FormErrors):
        return await _list(request, session, staff, listing, values, created, status=created.status)
    audit.record(session, staff, "create", _target(created.user), after=_snapshot(created.user))
    return pages.render(
        request, "console/settings/user_created.html", {"user": created.user, "password": created.password}
    )


@people.get("/settings/users/{user_id}")
async def show_user(request: Request, session: Session, staff: Owner, user_id: str) -> Response:
    user = await users.get_user(session, staff.ctx, user_id)
    context = {"user": user, "roles": ROLES, "values": {"role": user.role}, "errors": FormErrors()}
    return pages.render(request, "console/settings/user.html", context)


@people.post("/settings/users/{user_id}/role")
async def change_role(request: Request, session: Session, staff: Owner, user_id: str) -> Response:
    user = await users.get_user(session, staff.ctx, user_id)
    before = _snapshot(user)
    values = await form_values(request)
    changed = await attempt(lambda: users.change_role(session, staff.ctx, user_id, values.get("role", "")))
    if isinstance(changed, FormErrors):
        context = {"user": user, "roles": ROLES, "values": values, "errors": changed}
        return pages.render(request, "console/settings/user.html", context, status=changed.status)
    audit.record(session, staff, "change_role", _target(changed), before=before, after=_snapshot(changed))
    return pages.redirect(
        request, FACE.path(f"/settings/users/{user_id}"), notice=f"{changed.email} is now {changed.role}."
    )


@people.get("/settings/users/{user_id}/disable")
async def confirm_disable(request: Request, session: Session, staff: Owner, user_id: str) -> Response:
    user = await users.get_user(session, staff.ctx, user_id)
    return pages.render(request, "console/settings/user_disable.html", {"user": user})


@people.post("/settings/users/{user_id}/disable")
async def disable_user(request: Request, session: Session, staff: Owner, user_id: str) -> Response:
    before = _snapshot(await users.get_user(session, staff.ctx, user_id))
    user = await users.disable_user(session, staff.ctx, user_id)
    audit.record(session, staff, "disable", _target(user), before=before, after=_snapshot(user))
    return pages.redirect(request, LIST, notice=f"{user.email} is disabled and signed out everywhere.")
