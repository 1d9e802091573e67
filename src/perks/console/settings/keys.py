"""Settings: API keys (owners): create (the key is shown once), revoke after a confirmation."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from perks.audit import service as audit
from perks.console.auth import Owner
from perks.console.pages import FACE, Session, pages, router
from perks.errors import invalid
from perks.tenancy import service as tenancy
from perks.tenancy.context import KeyKind
from perks.tenancy.models import ApiKey
from perks.ui.forms import FormErrors, attempt, form_values

keys = router()
KIND_LABELS = {KeyKind.SERVER.value: "Server (secret)", KeyKind.PUBLIC.value: "Public (publishable)"}


def _snapshot(key: ApiKey) -> dict[str, Any]:
    return {
        "id": key.id,
        "kind": key.kind,
        "prefix": key.prefix,
        "created_at": key.created_at,
        "revoked_at": key.revoked_at,
    }


def _target(key: ApiKey) -> audit.Target:
    return audit.Target("api_key", key.id, f"{key.kind} key {key.prefix}…")


async def _list(
    request: Request, session: Session, staff: Owner, errors: FormErrors, status: int = 200
) -> Response:
    rows = await tenancy.list_keys(session, staff.account_id)
    context = {
        "keys": sorted(rows, key=lambda key: key.created_at, reverse=True),
        "kinds": KIND_LABELS,
        "errors": errors,
    }
    return pages.render(request, "console/settings/keys.html", context, status=status)


@keys.get("/settings/keys")
async def list_keys(request: Request, session: Session, staff: Owner) -> Response:
    return await _list(request, session, staff, FormErrors())


def _kind(value: str) -> KeyKind:
    try:
        return KeyKind(value)
    except ValueError:
        raise invalid("kind", "must be server or public") from None


@keys.post("/settings/keys")
async def create_key(request: Request, session: Session, staff: Owner) -> Response:
    values = await form_values(request)
    secret: str = request.app.state.settings.signing_secret

    async def create() -> tuple[ApiKey, str]:
        return await tenancy.create_key(session, staff.account_id, _kind(values.get("kind", "")), secret)

    created = await attempt(create)
    if isinstance(created, FormErrors):
        return await _list(request, session, staff, created, status=created.status)
    key, plain = created
    audit.record(session, staff, "create", _target(key), after=_snapshot(key))
    return pages.render(
        request, "console/settings/key_created.html", {"key": key, "plain": plain, "kinds": KIND_LABELS}
    )


@keys.get("/settings/keys/{key_id}/revoke")
async def confirm_revoke(request: Request, session: Session, staff: Owner, key_id: str) -> Response:
    key = await tenancy.get_account_key(session, staff.ctx, key_id)
    return pages.render(request, "console/settings/key_revoke.html", {"key": key, "kinds": KIND_LABELS})


@keys.post("/settings/keys/{key_id}/revoke")
async def revoke_key(request: Request, session: Session, staff: Owner, key_id: str) -> Response:
    before = _snapshot(await tenancy.get_account_key(session, staff.ctx, key_id))
    key = await tenancy.revoke_account_key(session, staff.ctx, key_id)
    audit.record(session, staff, "revoke", _target(key), before=before, after=_snapshot(key))
    return pages.redirect(request, FACE.path("/settings/keys"), notice=f"Key {key.prefix}… revoked.")
