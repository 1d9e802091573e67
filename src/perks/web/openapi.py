"""Finishing touches to the OpenAPI description: links (what a create operation returns feeds the
operations that take that id, so a client generator or a stateful fuzzer follows real rows instead of
guessing ids), and each face's error envelope on every error answer a route documents by description
only."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

# (method, path of the create operation) -> {parameter name: JSON pointer into its success body}
CREATED: dict[tuple[str, str], dict[str, str]] = {
    ("post", "/api/storefront/v1/brands"): {"brand_id": "/data/id"},
    ("post", "/api/storefront/v1/rewards"): {"reward_id": "/data/id"},
    ("post", "/api/storefront/v1/tiers"): {"tier_id": "/data/id"},
    ("post", "/api/storefront/v1/campaigns"): {"campaign_id": "/data/id"},
    ("post", "/api/storefront/v1/customers"): {"customer_id": "/data/customer/id"},
    ("post", "/api/storefront/v1/behavior/events"): {"event_id": "/data/id"},
    ("post", "/api/storefront/v1/webhooks"): {"endpoint_id": "/data/id"},
    ("post", "/api/v1/workspaces"): {"workspaceId": "/data/id", "workspace_id": "/data/id"},
    ("post", "/api/v1/campaigns"): {"campaignId": "/data/id"},
    ("post", "/api/v1/affiliates"): {"affiliateId": "/data/id"},
    ("post", "/api/v1/links"): {"affiliateLinkId": "/data/id", "referral_code": "/data/referralCode"},
    ("post", "/api/v1/referred-users"): {"referredUser": "/data/referredTo"},
    ("post", "/api/v1/commissions"): {"commissionId": "/data/id"},
    ("post", "/api/v1/webhooks"): {"endpointId": "/data/id"},
}


def add_links(spec: dict[str, Any]) -> None:
    """Link each create operation's success answer to every operation taking one of the ids it returns."""
    operations = [
        (method, path, operation)
        for path, methods in spec["paths"].items()
        for method, operation in methods.items()
    ]
    for (method, path), returned in CREATED.items():
        source = spec["paths"].get(path, {}).get(method)
        if source is None:
            continue
        status = next(code for code in source["responses"] if code.startswith("2"))
        links = source["responses"][status].setdefault("links", {})
        for _method, _path, target in operations:
            parameters = {
                f"{parameter['in']}.{parameter['name']}": f"$response.body#{returned[parameter['name']]}"
                for parameter in target.get("parameters", [])
                if parameter["name"] in returned and parameter["in"] in ("path", "query")
            }
            if parameters and target is not source:
                links[target["operationId"]] = {
                    "operationId": target["operationId"],
                    "parameters": parameters,
                }


def add_error_envelopes(spec: dict[str, Any], envelopes: dict[str, str]) -> None:
    """Error answers (4xx) documented without a body get the envelope of the operation's face
    (`envelopes`: path prefix -> component schema name)."""
    for path, methods in spec["paths"].items():
        envelope = next((name for prefix, name in envelopes.items() if path.startswith(prefix + "/")), None)
        if envelope is None:
            continue
        for operation in methods.values():
            for status, response in operation["responses"].items():
                if status.startswith("4") and "content" not in response:
                    schema = {"$ref": f"#/components/schemas/{envelope}"}
                    response["content"] = {"application/json": {"schema": schema}}


def install(app: FastAPI, envelopes: dict[str, str]) -> None:
    """Serve the app's OpenAPI description finished (built once, like FastAPI's own)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = build()
            add_links(spec)
            add_error_envelopes(spec, envelopes)
        return app.openapi_schema or build()

    app.openapi = openapi  # type: ignore[method-assign]
