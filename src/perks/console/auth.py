"""Who is signed in to the console, what their role lets them do, and the sign-in and sign-out pages.

Page handlers declare what they need with one parameter:
    staff: Viewer   any signed-in user (reads)
    staff: Manager  a manager or an owner (changes to campaigns, customers, affiliates, payouts)
    staff: Owner    an owner (API keys, users, webhooks)
A visitor without a live session is sent to the sign-in form; a user without the role gets 403. The
user's role and status are read on every request, so a change takes effect at once."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response

from perks.audit import service as audit
from perks.audit.guard import require_audit
from perks.config import Settings
from perks.console.pages import FACE, Session, pages, router
from perks.console.users import service as users
from perks.console.users.models import ConsoleUser, Role
from perks.db.database import Database
from perks.errors import Forbidden, TooManyRequests
from perks.tenancy.context import AuthContext, KeyKind
from perks.ui import csrf
from perks.ui.forms import FormErrors, form_values
from perks.ui.routing import SignInRequired, own_transactions
from perks.ui.sessions import service as sessions
from perks.ui.sign_in_limits import count_attempt
from perks.ui.templating import set_cookie

SIGN_IN_FAILED = "That email and password do not match an active user. Check both and try again."


@dataclass(frozen=True)
class Staff:
    """The signed-in console user, as pages and templates see them (plain values: still readable after
    the request's transaction is rolled back)."""

    user_id: str
    email: str
    role: Role
    time_zone: str
    account_id: str
    account_name: str

    @classmethod
    def of(cls, user: ConsoleUser, account_name: str) -> Staff:
        return cls(user.id, user.email, Role(user.role), user.time_zone, user.account_id, account_name)

    @property
    def ctx(self) -> AuthContext:
        """The tenant scope every service and repository call takes: this user's account."""
        return AuthContext(account_id=self.account_id, key_id=f"user:{self.user_id}", kind=KeyKind.SERVER)

    def can(self, role: Role) -> bool:
        return self.role.includes(role)

    @property
    def can_change(self) -> bool:
        """Whether pages show change buttons (a viewer sees none)."""
        return self.can(Role.MANAGER)

    @property
    def is_owner(self) -> bool:
        return self.role is Role.OWNER

    # The audit log's Actor
    @property
    def actor_kind(self) -> str:
        return "user"

    @property
    def actor_id(self) -> str:
        return self.user_id

    @property
    def actor_label(self) -> str:
        return self.email


def _return_to(request: Request) -> str:
    path = request.url.path
    return f"{path}?{request.url.query}" if request.url.query and request.method == "GET" else path


async def signed_in(request: Request, session: Session) -> Staff:
    token = request.cookies.get(FACE.session_cookie)
    found = await users.signed_in(session, token) if token else None
    if found is None:
        raise SignInRequired(_return_to(request))
    staff = Staff.of(*found)
    request.state.viewer = staff
    if request.method not in csrf.SAFE_METHODS:
        require_audit(session)
    return staff


def requires(role: Role) -> Callable[[Request, Staff], Awaitable[Staff]]:
    async def dependency(request: Request, staff: Annotated[Staff, Depends(signed_in)]) -> Staff:
        if not staff.can(role):
            raise Forbidden(
                f"Your role ({staff.role.value}) cannot do this: it needs {role.value}. "
                f"An owner of {staff.account_name} can change your role.",
                title="Not allowed for your role",
            )
        return staff

    return dependency


Viewer = Annotated[Staff, Depends(signed_in)]
Manager = Annotated[Staff, Depends(requires(Role.MANAGER))]
Owner = Annotated[Staff, Depends(requires(Role.OWNER))]


# Sign-in and sign-out

sign_in_router = router()


def safe_next(target: str | None) -> str:
    """Only a console path is a place to return to after sign-in (never another site)."""
    if target and target.startswith(FACE.prefix + "/") and not target.startswith("//") and "\\" not in target:
        return target
    return FACE.path("/")


def _login_page(
    request: Request,
    email: str,
    next_: str,
    errors: FormErrors,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    context = {"values": {"email": email, "next": next_}, "errors": errors}
    return pages.render(request, "console/login.html", context, status=status, headers=headers)


@sign_in_router.get("/login")
async def login_form(request: Request, next: str | None = None) -> Response:
    return _login_page(request, "", safe_next(next), FormErrors())


@sign_in_router.post("/login")
@own_transactions
async def sign_in(request: Request) -> Response:
    values = await form_values(request)
    email, password, next_ = (
        values.get("email", ""),
        values.get("password", ""),
        safe_next(values.get("next")),
    )
    try:
        await count_attempt(request, email, "sign-in")
    except TooManyRequests as error:
        return _login_page(request, email, next_, FormErrors(summary=error.details), 429, error.headers)
    database: Database = request.app.state.db
    async with database.transaction(read_only=True) as session:
        user = await users.find_for_sign_in(session, email)
    if user is None or not await users.password_matches(user, password):
        errors = FormErrors({"password": SIGN_IN_FAILED}, "The sign-in did not work.")
        return _login_page(request, email, next_, errors, 400)
    settings: Settings = request.app.state.settings
    new_hash = await users.rehash_if_needed(user, password)
    async with database.transaction() as session:
        started = await sessions.start(
            session,
            face=FACE.name,
            account_id=user.account_id,
            subject_id=user.id,
            lifetime=timedelta(hours=settings.console_session_hours),
        )
        if new_hash is not None:
            await users.store_password_hash(session, user, new_hash)
        staff = Staff.of(user, "")
        audit.record(session, staff, "sign_in", audit.Target("console_user", user.id, user.email))
    response = RedirectResponse(next_, status_code=303)
    set_cookie(
        request,
        response,
        FACE,
        FACE.session_cookie,
        started.token,
        max_age=settings.console_session_hours * 3600,
    )
    response.delete_cookie(FACE.csrf_cookie, path=FACE.prefix)
    return response


@sign_in_router.post("/logout")
async def sign_out(request: Request, session: Session, staff: Viewer) -> Response:
    token = request.cookies.get(FACE.session_cookie, "")
    await sessions.end(session, FACE.name, token)
    audit.record(session, staff, "sign_out", audit.Target("console_user", staff.user_id, staff.email))
    response = pages.redirect(request, FACE.path("/login"), notice="You are signed out.")
    response.delete_cookie(FACE.session_cookie, path=FACE.prefix)
    return response
