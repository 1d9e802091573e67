"""The OpenAPI description is complete enough for clients and fuzzers: every parameter a route reads is
declared, numbers carry their bounds, error answers are documented in each face's envelope, and create
operations link to the operations that take the ids they return."""

from __future__ import annotations

from typing import Any

import pytest

from perks.app import create_app
from perks.config import Settings
from tests.support.server import TEST_SECRET

SPEC: dict[str, Any] = create_app(
    Settings(database_url="sqlite+aiosqlite://", secret_key=TEST_SECRET)
).openapi()
OPERATIONS = [
    (method.upper(), path, operation)
    for path, methods in SPEC["paths"].items()
    for method, operation in methods.items()
]


LIST_FILTERS = {
    "page",
    "limit",
    "orderType",
    "orderValue",
    "workspaceId",
    "campaignId",
    "affiliateId",
    "status",
}


def parameters(path: str, method: str = "get") -> dict[str, dict[str, Any]]:
    return {parameter["name"]: parameter for parameter in SPEC["paths"][path][method].get("parameters", [])}


def test_the_payout_export_declares_its_parameters() -> None:
    declared = parameters("/api/v1/payouts/export")
    assert declared["method"]["required"] is True
    assert {"PAYPAL", "WISE"} <= set(declared["method"]["schema"]["enum"])
    assert declared["format"]["schema"]["enum"] == ["csv"]


@pytest.mark.parametrize(
    ("path", "names"),
    [
        ("/api/v1/referred-users/list", LIST_FILTERS),
        ("/api/v1/commissions/list", LIST_FILTERS),
        ("/api/v1/payouts/list", {"page", "limit", "affiliateId", "workspaceId", "status"}),
        ("/api/storefront/v1/webhooks/deliveries", {"from", "to", "endpoint_id"}),
    ],
)
def test_parameters_read_by_hand_are_declared(path: str, names: set[str]) -> None:
    assert names <= set(parameters(path))


@pytest.mark.parametrize(("method", "path", "operation"), OPERATIONS, ids=lambda value: str(value)[:60])
def test_every_numeric_parameter_declares_its_bounds(
    method: str, path: str, operation: dict[str, Any]
) -> None:
    for parameter in operation.get("parameters", []):
        schema = parameter.get("schema", {})
        kinds = {schema.get("type")} | {option.get("type") for option in schema.get("anyOf", [])}
        if kinds & {"integer", "number"}:
            bounds = {
                **schema,
                **next((o for o in schema.get("anyOf", []) if o.get("type") in ("integer", "number")), {}),
            }
            assert "minimum" in bounds or "exclusiveMinimum" in bounds, (method, path, parameter["name"])
            assert "maximum" in bounds or "exclusiveMaximum" in bounds, (method, path, parameter["name"])


@pytest.mark.parametrize(("method", "path", "operation"), OPERATIONS, ids=lambda value: str(value)[:60])
def test_face_operations_document_their_errors_in_the_envelope(
    method: str, path: str, operation: dict[str, Any]
) -> None:
    if not path.startswith("/api/"):
        return
    envelope = "ErrorBody" if path.startswith("/api/storefront/v1") else "Message"
    for status in ("400", "401", "404", "413", "422", "429"):
        schema = operation["responses"][status]["content"]["application/json"]["schema"]
        assert schema["$ref"].endswith(f"/{envelope}"), (method, path, status)


def test_create_operations_link_to_what_takes_their_ids() -> None:
    links = SPEC["paths"]["/api/v1/affiliates"]["post"]["responses"]["201"]["links"]
    targets = {link["operationId"]: link["parameters"] for link in links.values()}
    assert targets["get_affiliate_api_v1_affiliates_get"] == {"query.affiliateId": "$response.body#/data/id"}
    customer = SPEC["paths"]["/api/storefront/v1/customers"]["post"]["responses"]["201"]["links"]
    assert any(
        link["parameters"] == {"path.customer_id": "$response.body#/data/customer/id"}
        for link in customer.values()
    )
