"""Brands: list, create and edit through the brands service, the API's own rules and schema."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from perks.audit import service as audit
from perks.console import nav
from perks.console.auth import Manager, Viewer
from perks.console.pages import FACE, Session, pages, router
from perks.loyalty.brands import service
from perks.loyalty.brands.models import Brand
from perks.loyalty.brands.rendering import brand_out
from perks.loyalty.brands.schemas import BrandOut, BrandWrite
from perks.ui.forms import FormErrors, FormValues, attempt, form_values, parse
from perks.ui.listing import Listing

SECTION = nav.Section("brands", "Brands", FACE.path("/brands"))
brands = router()
JSON_FIELDS = {"metadata"}


def _target(brand: Brand) -> audit.Target:
    return audit.Target("brand", brand.id, brand.name)


def _values_of(brand: Brand) -> FormValues:
    return {
        "name": brand.name,
        "description": brand.description or "",
        "metadata": json.dumps(brand.meta, indent=2) if brand.meta else "",
    }


def _form(
    request: Request, values: FormValues, errors: FormErrors, brand: BrandOut | None, status: int = 200
) -> Response:
    context: dict[str, Any] = {"values": values, "errors": errors, "brand": brand}
    return pages.render(request, "console/brands/form.html", context, status=status)


@brands.get("/brands")
async def list_brands(request: Request, session: Session, staff: Viewer, listing: Listing) -> Response:
    page = await service.page_brands(session, staff.ctx, listing.q, listing.keyset())
    return pages.render(request, "console/brands/list.html", {"page": page, "params": listing.params()})


@brands.get("/brands/new")
async def new_brand(request: Request, staff: Manager) -> Response:
    return _form(request, {}, FormErrors(), None)


@brands.post("/brands/new")
async def create_brand(request: Request, session: Session, staff: Manager) -> Response:
    values = await form_values(request)
    created = await attempt(
        lambda: service.create_brand(session, staff.ctx, parse(BrandWrite, values, json_fields=JSON_FIELDS))
    )
    if isinstance(created, FormErrors):
        return _form(request, values, created, None, status=created.status)
    audit.record(session, staff, "create", _target(created), after=brand_out(created))
    return pages.redirect(request, FACE.path("/brands"), notice=f"Brand “{created.name}” created.")


@brands.get("/brands/{brand_id}")
async def edit_brand(request: Request, session: Session, staff: Viewer, brand_id: str) -> Response:
    brand = await service.get_brand(session, staff.ctx, brand_id)
    return _form(request, _values_of(brand), FormErrors(), brand_out(brand))


@brands.post("/brands/{brand_id}")
async def update_brand(request: Request, session: Session, staff: Manager, brand_id: str) -> Response:
    brand = await service.get_brand(session, staff.ctx, brand_id)
    before = brand_out(brand)
    values = await form_values(request)
    updated = await attempt(
        lambda: service.update_brand(
            session, staff.ctx, brand_id, parse(BrandWrite, values, json_fields=JSON_FIELDS)
        )
    )
    if isinstance(updated, FormErrors):
        return _form(request, values, updated, before, status=updated.status)
    audit.record(session, staff, "update", _target(updated), before=before, after=brand_out(updated))
    return pages.redirect(request, FACE.path("/brands"), notice=f"Brand “{updated.name}” saved.")
