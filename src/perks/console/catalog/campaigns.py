"""Loyalty campaigns of the four types: a list with type and status filters, a page that says what a
campaign does in plain words (with a COUPONS campaign's codes), create and edit forms with rules as
OR-of-AND conditions and effects, pausing and resuming. Every write goes through the campaigns service
with the API's schema (CampaignWrite), so a form obeys every rule of POST/PUT /campaigns."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse

from perks.audit import service as audit
from perks.config import Settings
from perks.console import nav
from perks.console.auth import Manager, Staff, Viewer
from perks.console.catalog import rules as editor
from perks.console.catalog.forms import (
    condition_choices,
    local,
    moment_of,
    selections,
    selections_text,
)
from perks.console.pages import FACE, Session, pages, router
from perks.errors import invalid
from perks.kit import clock
from perks.loyalty.brands import service as brands
from perks.loyalty.campaigns import service
from perks.loyalty.campaigns.models import Campaign, CampaignStatus
from perks.loyalty.campaigns.rendering import campaign_out
from perks.loyalty.campaigns.repository import Filters
from perks.loyalty.campaigns.schemas import CampaignOut, CampaignType, CampaignWrite, StatusFilter
from perks.loyalty.coupons import service as coupons
from perks.loyalty.rewards import service as rewards
from perks.loyalty.tiers import service as tiers
from perks.ui.forms import FormErrors, FormValues, attempt, form_values
from perks.ui.listing import Listing

SECTION = nav.Section("campaigns", "Campaigns", FACE.path("/campaigns"))
campaigns = router()

TYPES: dict[str, tuple[str, str]] = {
    "BEHAVIOR": ("Behavior", "Rewards customers when an event happens: a purchase, a sign-up, a review."),
    "COUPONS": ("Coupons", "Rewards customers who redeem one of its codes."),
    "PUNCH_CARDS": ("Punch card", "Gives a punch per matching event; a full card earns the rewards."),
    "REFERRALS": (
        "Referrals",
        "Rewards customers who bring others with their referral code, and those others.",
    ),
}
STATUSES = [
    ("RUNNING", "Running"),
    ("SCHEDULED", "Scheduled"),
    ("PAUSED", "Paused"),
    ("FINISHED", "Finished"),
    ("NOT FINISHED", "Not finished"),
]
TONES = {"RUNNING": "success", "SCHEDULED": "warning", "PAUSED": None, "FINISHED": None}
BUDGET_PERIODS = [("daily", "Daily"), ("weekly", "Weekly"), ("monthly", "Monthly"), ("total", "In total")]
PERSISTED = [("ACTIVE", "Active"), ("INACTIVE", "Paused")]
RULES, REFEREE = "rules", "referee_rules_json"
CODES_SHOWN = 25


@dataclass
class Editor:
    """The campaign form as typed: its plain fields, and its rule sets as rows."""

    values: FormValues
    rules: list[editor.RuleRows]
    referee: list[editor.RuleRows]

    def shown(self) -> FormValues:
        plain = {k: v for k, v in self.values.items() if not k.startswith((f"{RULES}[", f"{REFEREE}["))}
        return plain | editor.rules_values(self.rules, RULES) | editor.rules_values(self.referee, REFEREE)


def _type(raw: str) -> CampaignType:
    try:
        return CampaignType(raw)
    except ValueError:
        raise invalid("type", f"must be one of: {', '.join(CampaignType)}") from None


def _target(campaign: Campaign) -> audit.Target:
    return audit.Target("campaign", campaign.id, campaign.name)


def _threshold(request: Request) -> int:
    settings: Settings = request.app.state.settings
    return settings.codes_job_threshold


def _started(campaign: Campaign | None) -> bool:
    return campaign is not None and campaign.start_date <= clock.now()


# ---- the list ---------------------------------------------------------------------------------------


@campaigns.get("/campaigns")
async def list_campaigns(
    request: Request,
    session: Session,
    staff: Viewer,
    listing: Listing,
    type: Annotated[str, Query(max_length=20)] = "",
    status: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    chosen = _type(type) if type else None
    if status and status not in StatusFilter.__members__.values():
        raise invalid("status", f"must be one of: {', '.join(StatusFilter)}")
    filters = Filters(type=chosen.value if chosen else None, status=StatusFilter(status) if status else None)
    page = await service.page_campaigns(session, staff.ctx, listing.q, filters, listing.keyset())
    now = clock.now()
    context = {
        "page": page,
        "params": listing.params(type=type, status=status),
        "types": TYPES,
        "type_options": [(value, label) for value, (label, _text) in TYPES.items()],
        "statuses": STATUSES,
        "status_of": lambda campaign: service.derived_status(campaign, now),
        "tones": TONES,
    }
    return pages.render(request, "console/campaigns/list.html", context)


# ---- the form ---------------------------------------------------------------------------------------


async def _form(
    request: Request,
    session: Session,
    staff: Staff,
    campaign_type: CampaignType,
    form: Editor,
    errors: FormErrors,
    campaign: Campaign | None,
    status: int = 200,
) -> Response:
    context: dict[str, Any] = {
        "type": campaign_type.value,
        "type_name": TYPES[campaign_type.value][0],
        "values": form.shown(),
        "rules": form.rules,
        "referee": form.referee,
        "errors": errors,
        "campaign": campaign,
        "started": _started(campaign),
        "choices": condition_choices()
        | {
            "rewards": [
                (reward_id, f"{name} ({kind})")
                for reward_id, name, kind in await rewards.reward_choices(session, staff.ctx)
            ],
            "tiers": [(tier.id, tier.name) for tier in await tiers.list_tiers(session, staff.ctx)],
            "brands": [(brand.id, brand.name) for brand in await brands.list_brands(session, staff.ctx)],
            "budget_periods": BUDGET_PERIODS,
            "persisted": PERSISTED,
        },
        "words": await _words(session, staff, [campaign] if campaign else []),
    }
    return pages.render(request, "console/campaigns/form.html", context, status=status)


def _defaults(campaign_type: CampaignType, staff: Staff) -> Editor:
    values: FormValues = {
        "status": "ACTIVE",
        "start_date": local(clock.now(), staff.time_zone),
        "withoutEndDate": "true",
    }
    if campaign_type in (CampaignType.BEHAVIOR, CampaignType.PUNCH_CARDS):
        values["attributes.trigger"] = "PURCHASE"
    if campaign_type is CampaignType.PUNCH_CARDS:
        values["attributes.punches"] = "10"
    if campaign_type is CampaignType.COUPONS:
        values["quantity"] = "1000"
    return Editor(values, [editor.blank_rule()], [])


async def _values_of(session: Session, staff: Staff, campaign: Campaign) -> Editor:
    attributes = campaign.attributes
    code_config = attributes.get("code_config") or {}
    values: FormValues = {
        "name": campaign.name,
        "description": campaign.description or "",
        "brand_id": campaign.brand_id or "",
        "status": campaign.status,
        "start_date": local(campaign.start_date, staff.time_zone),
        "end_date": local(campaign.end_date, staff.time_zone),
        "withoutEndDate": "true" if campaign.end_date is None else "",
        "funded_by": campaign.funded_by or "",
        "budget": str(campaign.budget.normalize()) if campaign.budget is not None else "",
        "divide_budget_in": campaign.divide_budget_in or "",
        "labels": selections_text(campaign.labels),
        "platforms": selections_text(campaign.platforms),
        "metadata": json.dumps(campaign.meta, indent=2) if campaign.meta else "",
        "attributes.trigger": str(attributes.get("trigger") or ""),
        "attributes.punches": str(attributes.get("punches") or ""),
        "attributes.max_uses": str(attributes.get("max_uses") or ""),
        "attributes.code_config.prefix": str(code_config.get("prefix") or ""),
        "attributes.code_config.pattern": str(code_config.get("pattern") or ""),
        "attributes.code_config.postfix": str(code_config.get("postfix") or ""),
        "quantity": str(campaign.quantity or ""),
        "useCustomCodes": "true" if campaign.use_custom_codes else "",
    }
    if campaign.use_custom_codes:
        values["customCodes"] = ", ".join(sorted(await coupons.codes_of(session, staff.ctx, campaign.id)))
    return Editor(values, editor.rules_rows(campaign.rules), editor.rules_rows(campaign.referee_rules))


async def _read(request: Request) -> tuple[Editor, str]:
    """The posted form, and the add/remove button pressed (if any)."""
    values = await form_values(request)
    action = str(values.pop(editor.ACTION, ""))
    form = Editor(values, editor.read_rules(values, RULES), editor.read_rules(values, REFEREE))
    if action:
        editor.change_rules(form.rules, RULES, action) or editor.change_rules(form.referee, REFEREE, action)
    else:
        form.rules = editor.compact_rules(form.rules)
        form.referee = editor.compact_rules(form.referee)
    return form, action


def _attributes(campaign_type: CampaignType, values: FormValues, stored: dict[str, Any]) -> dict[str, Any]:
    """The form's attributes over the stored ones (keys the form does not show are kept)."""
    attributes = {key: value for key, value in stored.items() if key != "codes_summary"}

    def typed(key: str, text: str) -> None:
        if text.strip():
            attributes[key] = editor.number_or_text(text) if key != "trigger" else text.strip()
        else:
            attributes.pop(key, None)

    if campaign_type in (CampaignType.BEHAVIOR, CampaignType.PUNCH_CARDS):
        typed("trigger", values.get("attributes.trigger", ""))
    if campaign_type is CampaignType.PUNCH_CARDS:
        typed("punches", values.get("attributes.punches", ""))
    if campaign_type is CampaignType.REFERRALS:
        typed("max_uses", values.get("attributes.max_uses", ""))
    if campaign_type is CampaignType.COUPONS and not values.get("useCustomCodes"):
        config = {
            part: values.get(f"attributes.code_config.{part}", "").strip()
            for part in ("prefix", "pattern", "postfix")
        }
        config = {part: text for part, text in config.items() if text}
        if config:
            attributes["code_config"] = config
        else:
            attributes.pop("code_config", None)
    return attributes


def _payload(
    campaign_type: CampaignType, form: Editor, staff: Staff, stored: Campaign | None
) -> dict[str, Any]:
    """The form as the API's write body. A started campaign's frozen parts (start, rules, attributes,
    brand) are not on its form: they are sent as stored."""
    values = form.values
    without_end = bool(values.get("withoutEndDate"))
    body: dict[str, Any] = {
        "name": values.get("name", ""),
        "description": values.get("description", "").strip() or None,
        "status": values.get("status") or "ACTIVE",
        "withoutEndDate": without_end,
        "end_date": None
        if without_end
        else moment_of(values.get("end_date", ""), staff.time_zone, stored.end_date if stored else None),
        "funded_by": values.get("funded_by", "").strip() or None,
        "budget": values.get("budget", "").strip() or None,
        "divide_budget_in": values.get("divide_budget_in") or None,
        "labels": selections(values.get("labels", "")),
        "platforms": selections(values.get("platforms", "")),
        "metadata": values.get("metadata", "").strip() or None,
    }
    if stored is not None and _started(stored):
        body |= {
            "brand_id": stored.brand_id,
            "start_date": stored.start_date.isoformat(),
            "rules": json.dumps(stored.rules),
            "attributes": stored.attributes,
        }
        if stored.referee_rules is not None:
            body[REFEREE] = json.dumps(stored.referee_rules)
    else:
        body |= {
            "brand_id": values.get("brand_id") or None,
            "start_date": moment_of(
                values.get("start_date", ""), staff.time_zone, stored.start_date if stored else None
            ),
            "rules": json.dumps(editor.rules_payload(form.rules)),
            "attributes": _attributes(campaign_type, values, stored.attributes if stored else {}),
        }
        if campaign_type is CampaignType.REFERRALS and form.referee:
            body[REFEREE] = json.dumps(editor.rules_payload(form.referee))
    if campaign_type is CampaignType.COUPONS:
        custom = bool(values.get("useCustomCodes"))
        body |= {
            "useCustomCodes": custom,
            "customCodes": values.get("customCodes") if custom else None,
            "quantity": None if custom else values.get("quantity", "").strip() or None,
            "confirm_changes": bool(values.get("confirm_changes")),
        }
    return {key: value for key, value in body.items() if value is not None or key == "brand_id"}


@campaigns.get("/campaigns/new")
async def new_campaign(
    request: Request, session: Session, staff: Manager, type: Annotated[str, Query(max_length=20)] = ""
) -> Response:
    if not type:
        return pages.render(
            request,
            "console/catalog/choose.html",
            {"types": TYPES, "noun": "campaign", "section": "campaigns"},
        )
    campaign_type = _type(type)
    return await _form(
        request, session, staff, campaign_type, _defaults(campaign_type, staff), FormErrors(), None
    )


@campaigns.post("/campaigns/new")
async def create_campaign(
    request: Request, session: Session, staff: Manager, type: Annotated[str, Query(max_length=20)] = ""
) -> Response:
    campaign_type = _type(type)
    form, action = await _read(request)
    if action:
        return await _form(request, session, staff, campaign_type, form, FormErrors(), None)
    threshold = _threshold(request)
    created = await attempt(
        lambda: service.create_campaign(
            session,
            staff.ctx,
            campaign_type,
            CampaignWrite.model_validate(_payload(campaign_type, form, staff, None)),
            codes_job_threshold=threshold,
        )
    )
    if isinstance(created, FormErrors):
        return await _form(request, session, staff, campaign_type, form, created, None, status=created.status)
    audit.record(session, staff, "create", _target(created), after=campaign_out(created, clock.now()))
    job = await coupons.pending_job(session, staff.ctx, created.id)
    notice = f"Campaign “{created.name}” created."
    if job is not None:
        notice += f" Its {job.total:,} codes are being generated."
    return pages.redirect(request, FACE.path(f"/campaigns/{created.id}"), notice=notice)


@campaigns.get("/campaigns/{campaign_id}/edit")
async def edit_campaign(request: Request, session: Session, staff: Manager, campaign_id: str) -> Response:
    campaign = await service.get_campaign(session, staff.ctx, campaign_id)
    form = await _values_of(session, staff, campaign)
    return await _form(request, session, staff, CampaignType(campaign.type), form, FormErrors(), campaign)


@campaigns.post("/campaigns/{campaign_id}/edit")
async def update_campaign(request: Request, session: Session, staff: Manager, campaign_id: str) -> Response:
    campaign = await service.get_campaign(session, staff.ctx, campaign_id)
    campaign_type = CampaignType(campaign.type)
    before = campaign_out(campaign, clock.now())
    form, action = await _read(request)
    if action:
        return await _form(request, session, staff, campaign_type, form, FormErrors(), campaign)
    body = _payload(campaign_type, form, staff, campaign)
    threshold = _threshold(request)
    updated = await attempt(
        lambda: service.update_campaign(
            session,
            staff.ctx,
            campaign_id,
            campaign_type,
            CampaignWrite.model_validate(body),
            codes_job_threshold=threshold,
        )
    )
    if isinstance(updated, FormErrors):
        # The failed write is rolled back with the request; the page shows the campaign as it was read.
        return await _form(
            request, session, staff, campaign_type, form, updated, campaign, status=updated.status
        )
    audit.record(
        session, staff, "update", _target(updated), before=before, after=campaign_out(updated, clock.now())
    )
    return pages.redirect(
        request, FACE.path(f"/campaigns/{updated.id}"), notice=f"Campaign “{updated.name}” saved."
    )


# ---- a campaign's page, pausing and resuming ----------------------------------------------------------


async def _words(session: Session, staff: Staff, shown: list[Campaign]) -> dict[str, Any]:
    """What the templates need to say a campaign's rules in words: its rewards' and tiers' names."""
    named = {
        str(effect.get("reward_id"))
        for campaign in shown
        for rule in [*campaign.rules, *(campaign.referee_rules or [])]
        for effect in rule.get("effects", [])
    }
    reward_names = {
        reward_id: str(reward["name"])
        for reward_id, reward in (await rewards.reward_objects(session, staff.ctx, named)).items()
    }
    tier_names = {tier.id: tier.name for tier in await tiers.list_tiers(session, staff.ctx)} if shown else {}
    return {
        "conditions": editor.conditions_in_words,
        "effect": lambda effect: editor.effect_in_words(effect, reward_names, tier_names),
    }


@campaigns.get("/campaigns/{campaign_id}")
async def show_campaign(request: Request, session: Session, staff: Viewer, campaign_id: str) -> Response:
    campaign = await service.get_campaign(session, staff.ctx, campaign_id)
    out = campaign_out(campaign, clock.now())
    context: dict[str, Any] = {
        "campaign": campaign,
        "out": out,
        "type_name": TYPES[campaign.type][0],
        "tones": TONES,
        "words": await _words(session, staff, [campaign]),
        "codes": None,
        "job": None,
        "brand": await brands.get_brand(session, staff.ctx, campaign.brand_id) if campaign.brand_id else None,
    }
    if campaign.type == CampaignType.COUPONS.value:
        total, used = await coupons.counts(session, staff.ctx, campaign.id)
        page = await coupons.page_of_codes(session, staff.ctx, campaign.id, None, None, CODES_SHOWN)
        context["codes"] = {"total": total, "used": used, "left": total - used, "page": page.codes}
        context["job"] = await coupons.pending_job(session, staff.ctx, campaign.id)
    return pages.render(request, "console/campaigns/show.html", context)


@campaigns.get("/campaigns/{campaign_id}/job")
async def codes_job(request: Request, session: Session, staff: Viewer, campaign_id: str) -> Response:
    """The progress of the job generating the campaign's codes (polled by htmx while it runs); outside
    htmx, the campaign's page, which shows it."""
    campaign = await service.get_campaign(session, staff.ctx, campaign_id)
    if not request.headers.get("hx-request"):
        return RedirectResponse(FACE.path(f"/campaigns/{campaign.id}"), status_code=303)
    job = await coupons.pending_job(session, staff.ctx, campaign.id)
    return pages.render(request, "console/campaigns/job.html", {"campaign": campaign, "job": job})


@campaigns.get("/campaigns/{campaign_id}/codes.csv")
async def download_codes(request: Request, session: Session, staff: Viewer, campaign_id: str) -> Response:
    """Every code, streamed by the API's own export (a short read transaction per chunk of codes)."""
    await service.require_coupons(session, staff.ctx, campaign_id)
    filename = f"codes-{campaign_id}-{clock.now().date().isoformat()}.csv"
    return StreamingResponse(
        coupons.codes_csv(request.app.state.db, staff.ctx, campaign_id, None),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )


def _toggle(campaign: Campaign) -> tuple[str, str]:
    """(the persisted status a pause or resume sets, the button's verb)."""
    return (
        (CampaignStatus.INACTIVE, "Pause")
        if campaign.status == CampaignStatus.ACTIVE
        else (CampaignStatus.ACTIVE, "Resume")
    )


@campaigns.get("/campaigns/{campaign_id}/status")
async def confirm_status(request: Request, session: Session, staff: Manager, campaign_id: str) -> Response:
    campaign = await service.get_campaign(session, staff.ctx, campaign_id)
    _status, verb = _toggle(campaign)
    return pages.render(request, "console/campaigns/status.html", {"campaign": campaign, "verb": verb})


@campaigns.post("/campaigns/{campaign_id}/status")
async def change_status(request: Request, session: Session, staff: Manager, campaign_id: str) -> Response:
    campaign = await service.get_campaign(session, staff.ctx, campaign_id)
    before = campaign_out(campaign, clock.now())
    status, verb = _toggle(campaign)
    body = _stored_body(
        campaign,
        await coupons.codes_of(session, staff.ctx, campaign.id) if campaign.use_custom_codes else set(),
    )
    body["status"] = status
    changed = await attempt(
        lambda: service.update_campaign(
            session, staff.ctx, campaign_id, CampaignType(campaign.type), CampaignWrite.model_validate(body)
        )
    )
    if isinstance(changed, FormErrors):
        context = {"campaign": campaign, "verb": verb, "errors": changed}
        return pages.render(request, "console/campaigns/status.html", context, status=changed.status)
    audit.record(
        session, staff, "update", _target(changed), before=before, after=campaign_out(changed, clock.now())
    )
    done = "paused" if status == CampaignStatus.INACTIVE else "resumed"
    return pages.redirect(
        request, FACE.path(f"/campaigns/{campaign_id}"), notice=f"Campaign “{changed.name}” {done}."
    )


def _stored_body(campaign: Campaign, custom_codes: set[str]) -> dict[str, Any]:
    """The campaign as stored, as the API's write body (what a status change sends back unchanged)."""
    out: CampaignOut = campaign_out(campaign, clock.now())
    body: dict[str, Any] = out.model_dump(
        include={"brand_id", "platforms", "name", "description", "attributes", "funded_by", "labels"}
    )
    body |= {
        "rules": json.dumps(campaign.rules),
        "start_date": campaign.start_date.isoformat(),
        "withoutEndDate": campaign.end_date is None,
        "budget": campaign.budget,
        "divide_budget_in": campaign.divide_budget_in,
        "metadata": json.dumps(campaign.meta),
    }
    if campaign.end_date is not None:
        body["end_date"] = campaign.end_date.isoformat()
    if campaign.referee_rules is not None:
        body[REFEREE] = json.dumps(campaign.referee_rules)
    if campaign.type == CampaignType.COUPONS.value:
        body["useCustomCodes"] = campaign.use_custom_codes
        if campaign.use_custom_codes:
            body["customCodes"] = ",".join(sorted(custom_codes))
        else:
            body["quantity"] = campaign.quantity
    return body
