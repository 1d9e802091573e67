"""Tiers: the account's levels (at most 10, so one page, by level), and forms with their entry and exit
conditions, through the tiers service (the API's TierWrite and rules)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from perks.audit import service as audit
from perks.console import nav
from perks.console.auth import Manager, Viewer
from perks.console.catalog import rules as editor
from perks.console.catalog.forms import condition_choices, read_conditions_form, with_conditions
from perks.console.pages import FACE, Session, pages, router
from perks.kit.keyset import KeysetPage
from perks.loyalty.tiers import service
from perks.loyalty.tiers.models import Tier
from perks.loyalty.tiers.rendering import tier_out
from perks.loyalty.tiers.schemas import TierOut, TierWrite
from perks.ui.forms import FormErrors, FormValues, attempt
from perks.ui.listing import Params

SECTION = nav.Section("tiers", "Tiers", FACE.path("/tiers"))
tiers = router()
SETS = ("entry_conditions", "exit_conditions")
STATUSES = [("ACTIVE", "Active"), ("INACTIVE", "Inactive")]


def _target(tier: Tier) -> audit.Target:
    return audit.Target("tier", tier.id, tier.name)


@tiers.get("/tiers")
async def list_tiers(request: Request, session: Session, staff: Viewer) -> Response:
    every = await service.list_tiers(session, staff.ctx)
    context = {
        "page": KeysetPage(items=every, next_cursor=None, previous_cursor=None),
        "params": Params({}),
        "conditions": editor.conditions_in_words,
    }
    return pages.render(request, "console/tiers/list.html", context)


def _form(
    request: Request,
    values: FormValues,
    sets: dict[str, editor.Conditions],
    errors: FormErrors,
    tier: TierOut | None,
    status: int = 200,
) -> Response:
    context: dict[str, Any] = {
        "values": values,
        "sets": sets,
        "errors": errors,
        "tier": tier,
        "choices": condition_choices() | {"statuses": STATUSES},
        "words": {"conditions": editor.conditions_in_words},
    }
    return pages.render(request, "console/tiers/form.html", context, status=status)


def _body(values: FormValues, sets: dict[str, editor.Conditions]) -> TierWrite:
    return TierWrite.model_validate(
        {
            "name": values.get("name", ""),
            "description": str(values.get("description", "")).strip() or None,
            "status": values.get("status") or "ACTIVE",
            "level": str(values.get("level", "")).strip() or None,
        }
        | {name: editor.conditions_payload(groups) for name, groups in sets.items()}
    )


@tiers.get("/tiers/new")
async def new_tier(request: Request, staff: Manager) -> Response:
    return _form(request, {"status": "ACTIVE"}, {name: [] for name in SETS}, FormErrors(), None)


@tiers.post("/tiers/new")
async def create_tier(request: Request, session: Session, staff: Manager) -> Response:
    form = await read_conditions_form(request, SETS)
    if form.action:
        return _form(request, form.values, form.sets, FormErrors(), None)
    created = await attempt(lambda: service.create_tier(session, staff.ctx, _body(form.values, form.sets)))
    if isinstance(created, FormErrors):
        return _form(request, form.values, form.sets, created, None, status=created.status)
    audit.record(session, staff, "create", _target(created), after=tier_out(created))
    return pages.redirect(request, FACE.path("/tiers"), notice=f"Tier “{created.name}” created.")


@tiers.get("/tiers/{tier_id}")
async def edit_tier(request: Request, session: Session, staff: Viewer, tier_id: str) -> Response:
    tier = await service.get_tier(session, staff.ctx, tier_id)
    sets = {name: editor.conditions_rows(getattr(tier, name)) for name in SETS}
    values: FormValues = {
        "name": tier.name,
        "description": tier.description or "",
        "status": tier.status,
        "level": str(tier.level),
    }
    return _form(request, with_conditions(values, sets), sets, FormErrors(), tier_out(tier))


@tiers.post("/tiers/{tier_id}")
async def update_tier(request: Request, session: Session, staff: Manager, tier_id: str) -> Response:
    tier = await service.get_tier(session, staff.ctx, tier_id)
    before = tier_out(tier)
    form = await read_conditions_form(request, SETS)
    if form.action:
        return _form(request, form.values, form.sets, FormErrors(), before)
    updated = await attempt(
        lambda: service.update_tier(session, staff.ctx, tier_id, _body(form.values, form.sets))
    )
    if isinstance(updated, FormErrors):
        return _form(request, form.values, form.sets, updated, before, status=updated.status)
    audit.record(session, staff, "update", _target(updated), before=before, after=tier_out(updated))
    return pages.redirect(request, FACE.path("/tiers"), notice=f"Tier “{updated.name}” saved.")
