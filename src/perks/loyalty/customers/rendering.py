"""A customer as the API shows it, in one module below the services: the customers service, the event
engine (tier moves, event results) and the coupon redemptions render customers here, so the engine does
not import the customers service (which imports the engine through referrals)."""

from __future__ import annotations

from typing import Any

from perks.loyalty.customers.models import Customer
from perks.loyalty.customers.schemas import PURPOSES, ConsentOut, CustomerOut

CONSENT_VERSION = "2.0"


def customer_out(customer: Customer) -> CustomerOut:
    return CustomerOut.model_validate(customer_document(customer))


def consent_of(customer: Customer) -> ConsentOut:
    return ConsentOut(**consent_document(customer))


def customer_document(customer: Customer) -> dict[str, Any]:
    """`customer_out` as plain values for `kit.encoding.wire_bytes` (the hot reads: no model to validate
    and dump). Same fields, same order; a test holds the two byte for byte."""
    return {
        "id": customer.external_id,
        "name": customer.name,
        "email": customer.email,
        "email_status": customer.email_status,
        "registration_date": customer.registration_date,
        "status": customer.status,
        "is_anonymous": customer.is_anonymous,
        "gender": customer.gender,
        "dob": customer.dob,
        "document_type": customer.document_type,
        "document_number": customer.document_number,
        "country": customer.country,
        "tier_id": customer.tier_id,
        "referral_code": customer.referral_code,
        "platforms": customer.platforms,
        "devices": customer.devices,
        "tags": customer.tags,
        "consent": consent_document(customer),
        "metrics": customer.metrics,
        "metadata": customer.metadata_,
        "created_at": customer.created_at,
        "updated_at": customer.updated_at,
    }


def consent_document(customer: Customer) -> dict[str, Any]:
    recorded = customer.consent or {}
    return {
        "consent_string": recorded.get("consent_string"),
        "version": recorded.get("version") or CONSENT_VERSION,
        "consent_timestamp": recorded.get("consent_timestamp"),
        "customer_id": customer.external_id,
        "purposes": recorded.get("purposes", {}) if recorded else default_purposes(),
        "vendors": recorded.get("vendors", {}),
    }


def default_purposes() -> dict[str, bool]:
    return dict.fromkeys(PURPOSES, True)
