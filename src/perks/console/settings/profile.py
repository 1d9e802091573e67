"""Settings: Profile: the signed-in user's own time zone (every role may change their own)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from perks.audit import service as audit
from perks.console.auth import Viewer
from perks.console.pages import FACE, Session, pages, router
from perks.console.users import service as users
from perks.ui.forms import FormErrors, FormValues, attempt, form_values

profile = router()


def _form(request: Request, values: FormValues, errors: FormErrors, status: int = 200) -> Response:
    context = {
        "values": values,
        "errors": errors,
        "zones": [(name, name) for name in users.time_zone_names()],
    }
    return pages.render(request, "console/settings/profile.html", context, status=status)


@profile.get("/settings/profile")
async def show_profile(request: Request, staff: Viewer) -> Response:
    return _form(request, {"time_zone": staff.time_zone}, FormErrors())


@profile.post("/settings/profile")
async def save_profile(request: Request, session: Session, staff: Viewer) -> Response:
    values = await form_values(request)
    saved = await attempt(
        lambda: users.set_time_zone(session, staff.ctx, staff.user_id, values.get("time_zone", ""))
    )
    if isinstance(saved, FormErrors):
        return _form(request, values, saved, status=saved.status)
    target = audit.Target("console_user", staff.user_id, staff.email)
    audit.record(
        session,
        staff,
        "update",
        target,
        before={"time_zone": staff.time_zone},
        after={"time_zone": saved.time_zone},
    )
    return pages.redirect(
        request, FACE.path("/settings/profile"), notice=f"Times now show in {saved.time_zone}."
    )
