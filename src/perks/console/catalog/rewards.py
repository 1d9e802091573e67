"""Rewards: a list with a type filter, and forms of the four types with their conditions, through the
rewards service (the API's RewardWrite and rules). A reward's type is chosen when it is created."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import Response

from perks.audit import service as audit
from perks.console import nav
from perks.console.auth import Manager, Staff, Viewer
from perks.console.catalog import rules as editor
from perks.console.catalog.forms import (
    attributes_of,
    condition_choices,
    read_conditions_form,
    with_conditions,
)
from perks.console.pages import FACE, Session, pages, router
from perks.errors import invalid
from perks.loyalty.brands import service as brands
from perks.loyalty.rewards import service
from perks.loyalty.rewards.attributes import DISCOUNT_TARGETS, DISCOUNT_TYPES, PRODUCT_ACTIONS
from perks.loyalty.rewards.models import Reward
from perks.loyalty.rewards.rendering import reward_out
from perks.loyalty.rewards.schemas import RewardOut, RewardWrite
from perks.ui.forms import FormErrors, FormValues, attempt
from perks.ui.listing import Listing

SECTION = nav.Section("rewards", "Rewards", FACE.path("/rewards"))
rewards = router()

TYPES: dict[str, tuple[str, str]] = {
    "POINTS": ("Points", "Points customers collect in their wallet; each is worth an amount of money."),
    "DISCOUNT": ("Discount", "A percentage or a fixed amount off the order, a product or the shipping."),
    "GIFT_CARD": ("Gift card", "A gift card with a code, worth an amount."),
    "PRODUCT": ("Product", "A product added to the order, or one that replaces another."),
}
# The attributes each type's form shows (the service checks them: perks.loyalty.rewards.attributes).
ATTRIBUTES = {
    "POINTS": ("conversion_factor",),
    "DISCOUNT": ("discount_type", "value", "apply_to", "sku"),
    "GIFT_CARD": ("value",),
    "PRODUCT": ("sku", "action", "replaced_sku"),
}
CONDITIONS = "conditions"
WORDS = {
    "PERCENTAGE": "% off",
    "FIXED_AMOUNT": " off",
    "ORDER_VALUE": "the order",
    "PRODUCT": "the product",
    "SHIPPING": "the shipping",
}


def _type(raw: str) -> str:
    if raw not in TYPES:
        raise invalid("type", f"must be one of: {', '.join(TYPES)}")
    return raw


def _target(reward: Reward) -> audit.Target:
    return audit.Target("reward", reward.id, reward.name)


def in_words(reward: Reward | RewardOut) -> str:
    """What the reward gives, in a few words."""
    attributes = reward.attributes
    if reward.type == "POINTS":
        return f"Each point is worth {attributes.get('conversion_factor')}"
    if reward.type == "DISCOUNT":
        target = WORDS.get(str(attributes.get("apply_to")), "the order")
        if attributes.get("apply_to") == "PRODUCT":
            target += f" {attributes.get('sku')}"
        return f"{attributes.get('value')}{WORDS.get(str(attributes.get('discount_type')), '')} {target}"
    if reward.type == "GIFT_CARD":
        return f"A gift card worth {attributes['value']}" if attributes.get("value") else "A gift card"
    if attributes.get("action") == "REPLACE":
        return f"Replaces {attributes.get('replaced_sku')} with {attributes.get('sku')}"
    return f"Adds {attributes.get('sku')} to the order"


@rewards.get("/rewards")
async def list_rewards(
    request: Request,
    session: Session,
    staff: Viewer,
    listing: Listing,
    type: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    page = await service.page_rewards(
        session, staff.ctx, listing.q, _type(type) if type else None, listing.keyset()
    )
    context = {
        "page": page,
        "params": listing.params(type=type),
        "types": TYPES,
        "type_options": [(value, label) for value, (label, _text) in TYPES.items()],
        "in_words": in_words,
    }
    return pages.render(request, "console/rewards/list.html", context)


async def _form(
    request: Request,
    session: Session,
    staff: Staff,
    reward_type: str,
    values: FormValues,
    groups: editor.Conditions,
    errors: FormErrors,
    reward: RewardOut | None,
    status: int = 200,
) -> Response:
    context: dict[str, Any] = {
        "type": reward_type,
        "type_name": TYPES[reward_type][0],
        "values": values,
        "groups": groups,
        "errors": errors,
        "reward": reward,
        "in_words": in_words,
        "words": {"conditions": editor.conditions_in_words},
        "choices": condition_choices()
        | {
            "brands": [(brand.id, brand.name) for brand in await brands.list_brands(session, staff.ctx)],
            "discount_types": [
                (value, "A percentage" if value == "PERCENTAGE" else "A fixed amount")
                for value in DISCOUNT_TYPES
            ],
            "discount_targets": [(value, WORDS[value].capitalize()) for value in DISCOUNT_TARGETS],
            "product_actions": [
                (value, "Add a product" if value == "ADD" else "Replace a product")
                for value in PRODUCT_ACTIONS
            ],
        },
    }
    return pages.render(request, "console/rewards/form.html", context, status=status)


def _values_of(reward: Reward) -> tuple[FormValues, editor.Conditions]:
    groups = editor.conditions_rows(reward.conditions)
    values: FormValues = {
        "name": reward.name,
        "description": reward.description or "",
        "brand_id": reward.brand_id or "",
        "platforms": ", ".join(reward.platforms or []),
    }
    values |= {
        f"attributes.{name}": editor.text_of(reward.attributes.get(name)) for name in ATTRIBUTES[reward.type]
    }
    return with_conditions(values, {CONDITIONS: groups}), groups


def _body(
    reward_type: str, values: FormValues, groups: editor.Conditions, stored: Reward | None
) -> RewardWrite:
    platforms = [part.strip() for part in str(values.get("platforms", "")).split(",") if part.strip()]
    return RewardWrite.model_validate(
        {
            "name": values.get("name", ""),
            "description": str(values.get("description", "")).strip() or None,
            "brand_id": values.get("brand_id") or None,
            "platforms": platforms or None,
            "type": reward_type,
            "conditions": editor.conditions_payload(groups),
            "attributes": attributes_of(values, ATTRIBUTES[reward_type], stored.attributes if stored else {}),
        }
    )


@rewards.get("/rewards/new")
async def new_reward(
    request: Request, session: Session, staff: Manager, type: Annotated[str, Query(max_length=20)] = ""
) -> Response:
    if not type:
        return pages.render(
            request, "console/catalog/choose.html", {"types": TYPES, "noun": "reward", "section": "rewards"}
        )
    defaults: FormValues = {"attributes.discount_type": "PERCENTAGE", "attributes.apply_to": "ORDER_VALUE"}
    return await _form(request, session, staff, _type(type), defaults, [], FormErrors(), None)


@rewards.post("/rewards/new")
async def create_reward(
    request: Request, session: Session, staff: Manager, type: Annotated[str, Query(max_length=20)] = ""
) -> Response:
    reward_type = _type(type)
    form = await read_conditions_form(request, [CONDITIONS])
    groups = form.sets[CONDITIONS]
    if form.action:
        return await _form(request, session, staff, reward_type, form.values, groups, FormErrors(), None)
    created = await attempt(
        lambda: service.create_reward(session, staff.ctx, _body(reward_type, form.values, groups, None))
    )
    if isinstance(created, FormErrors):
        return await _form(
            request, session, staff, reward_type, form.values, groups, created, None, status=created.status
        )
    audit.record(session, staff, "create", _target(created), after=reward_out(created))
    return pages.redirect(request, FACE.path("/rewards"), notice=f"Reward “{created.name}” created.")


@rewards.get("/rewards/{reward_id}")
async def edit_reward(request: Request, session: Session, staff: Viewer, reward_id: str) -> Response:
    reward = await service.get_reward(session, staff.ctx, reward_id)
    values, groups = _values_of(reward)
    return await _form(request, session, staff, reward.type, values, groups, FormErrors(), reward_out(reward))


@rewards.post("/rewards/{reward_id}")
async def update_reward(request: Request, session: Session, staff: Manager, reward_id: str) -> Response:
    reward = await service.get_reward(session, staff.ctx, reward_id)
    before = reward_out(reward)
    form = await read_conditions_form(request, [CONDITIONS])
    groups = form.sets[CONDITIONS]
    if form.action:
        return await _form(request, session, staff, reward.type, form.values, groups, FormErrors(), before)
    updated = await attempt(
        lambda: service.update_reward(
            session, staff.ctx, reward_id, _body(reward.type, form.values, groups, reward)
        )
    )
    if isinstance(updated, FormErrors):
        return await _form(
            request, session, staff, before.type, form.values, groups, updated, before, status=updated.status
        )
    audit.record(session, staff, "update", _target(updated), before=before, after=reward_out(updated))
    return pages.redirect(request, FACE.path("/rewards"), notice=f"Reward “{updated.name}” saved.")
