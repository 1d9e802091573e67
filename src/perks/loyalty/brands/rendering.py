"""A brand as the API shows it: the storefront routes and the console's pages and audit trail render
brands here."""

from __future__ import annotations

from perks.loyalty.brands.models import Brand
from perks.loyalty.brands.schemas import BrandOut


def brand_out(brand: Brand) -> BrandOut:
    return BrandOut.model_validate(brand, from_attributes=True)
