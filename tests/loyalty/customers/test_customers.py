from __future__ import annotations

import httpx
from sqlalchemy import select

from perks.db.database import Database
from perks.outbox.models import OutboxEvent
from tests.support.outbox import outbox_types
from tests.support.tenants import LOYALTY, Tenant

ALL_PURPOSES = {
    "behavioral_campaigns": True,
    "coupon_campaigns": True,
    "punchcard_campaigns": True,
    "email_marketing": True,
    "push_notifications": True,
    "link_tracking": True,
}


def assert_names_field(response: httpx.Response, field: str) -> None:
    assert response.status_code == 400, response.text
    assert set(response.json()) == {"error", "details"}
    assert response.json()["details"].startswith(f"{field}:"), response.json()


async def register(client: httpx.AsyncClient, tenant: Tenant, **body: object) -> httpx.Response:
    return await client.post(f"{LOYALTY}/customers", headers=await tenant.loyalty(client), json=body)


async def test_register_a_regular_customer_returns_customer_and_empty_wallet(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    response = await register(
        client,
        tenant,
        id="cust-1",
        name="Ana",
        email="Ana@Example.com",
        gender="FEMALE",
        dob="1990-04-01",
        document_type="CC",
        document_number="123",
        country="CO",
        tags={"vip": True},
        metadata={"source": "pos"},
        referral_code="ZMQQJTAZ",
        registration_date="2024-01-02T03:04:05Z",
        platforms=["web"],
        devices=[{"device_token": "tok", "device_info": {"platform": "ios", "model": "15"}}],
        consent={"purposes": {"email_marketing": False}},
    )
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    customer, wallet = data["customer"], data["wallet"]
    assert customer["id"] == "cust-1"
    assert customer["email"] == "ana@example.com"
    assert customer["status"] == "ACTIVE"
    assert customer["is_anonymous"] is False
    assert customer["dob"] == "1990-04-01"
    assert customer["tags"] == {"vip": True}
    assert customer["referral_code"] == "ZMQQJTAZ"
    assert customer["registration_date"].startswith("2024-01-02T03:04:05")
    assert customer["platforms"] == ["web"]
    assert customer["devices"][0]["device_token"] == "tok"
    assert customer["devices"][0]["device_info"]["platform"] == "ios"
    assert customer["consent"]["purposes"] == {**ALL_PURPOSES, "email_marketing": False}
    assert wallet["owner_id"] == "cust-1"
    assert wallet["lines"] == [] and wallet["totals"] == []
    fetched = await client.get(f"{LOYALTY}/customers/cust-1", headers=await tenant.loyalty(client))
    assert fetched.status_code == 200
    assert fetched.json()["data"]["wallet"]["id"] == wallet["id"]


async def test_registration_emits_the_webhook_event(
    client: httpx.AsyncClient, tenant: Tenant, database: Database
) -> None:
    await register(client, tenant, id="hooked", name="Bo", email="bo@example.com")
    async with database.transaction(read_only=True) as session:
        events = (
            await session.scalars(select(OutboxEvent).where(OutboxEvent.account_id == tenant.account_id))
        ).all()
    assert [event.event_type for event in events] == ["CUSTOMER_REGISTRATION"]
    assert events[0].payload["customer"]["id"] == "hooked"


async def test_anonymous_needs_only_id(client: httpx.AsyncClient, tenant: Tenant) -> None:
    response = await register(client, tenant, id="anon-1", is_anonymous=True)
    assert response.status_code == 201, response.text
    customer = response.json()["data"]["customer"]
    assert customer["registration_date"]
    assert customer["consent"]["purposes"] == ALL_PURPOSES
    assert customer["is_anonymous"] is True
    assert customer["name"] == "Anonymous"
    assert customer["email"].endswith("@anonymous.invalid")


async def test_anonymous_placeholder_emails_never_collide_and_give_way_on_identify(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    emails = set()
    for n in range(3):
        response = await register(client, tenant, id=f"anon-{n}", is_anonymous=True)
        assert response.status_code == 201, response.text
        emails.add(response.json()["data"]["customer"]["email"])
    assert len(emails) == 3
    taken = await register(client, tenant, id="imitator", name="I", email=next(iter(emails)))
    assert taken.status_code == 400 and taken.json()["details"].startswith("email:"), taken.text
    identified = await client.patch(
        f"{LOYALTY}/customers/anon-0/identify/anonymous",
        headers=await tenant.loyalty(client),
        json={"name": "Ana", "email": "ana@example.com"},
    )
    assert identified.json()["data"]["customer"]["email"] == "ana@example.com", identified.text
    own = await register(client, tenant, id="anon-own", is_anonymous=True, email="own@example.com")
    assert own.json()["data"]["customer"]["email"] == "own@example.com"


async def test_regular_customer_needs_name_and_email(client: httpx.AsyncClient, tenant: Tenant) -> None:
    cases = [
        ({"id": "x"}, "name"),
        ({"id": "x", "name": "X"}, "email"),
        ({"id": "x", "name": "X", "email": "not-an-email"}, "email"),
        ({"name": "X", "email": "x@example.com"}, "id"),
        ({"id": "x", "name": "X", "email": "x@example.com", "document_type": "CC"}, "document_number"),
        ({"id": "x", "name": "X", "email": "x@example.com", "document_number": "1"}, "document_type"),
        ({"id": "x", "name": "X", "email": "x@example.com", "gender": "OTHER"}, "gender"),
        ({"id": "x", "name": "X", "email": "x@example.com", "document_number": "1" * 51}, "document_number"),
    ]
    for body, field in cases:
        assert_names_field(await register(client, tenant, **body), field)
    missing = await client.get(f"{LOYALTY}/customers/x", headers=await tenant.loyalty(client))
    assert missing.status_code == 404


async def test_id_and_email_are_unique_per_account(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    assert (await register(client, tenant, id="dup", name="A", email="a@example.com")).status_code == 201
    same_id = await register(client, tenant, id="dup", name="B", email="b@example.com")
    assert same_id.status_code == 409
    assert same_id.json()["details"].startswith("id:")
    same_email = await register(client, tenant, id="dup2", name="B", email="A@EXAMPLE.com")
    assert same_email.status_code == 409
    assert same_email.json()["details"].startswith("email:")
    elsewhere = await register(client, other_tenant, id="dup", name="A", email="a@example.com")
    assert elsewhere.status_code == 201


async def test_another_accounts_customer_is_not_found(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    await register(client, tenant, id="mine", name="A", email="a@example.com")
    theirs = await other_tenant.loyalty(client)
    for method, path, body in [
        ("GET", "/customers/mine", None),
        ("PATCH", "/customers/mine", {"name": "stolen"}),
        ("GET", "/customers/mine/consent", None),
        ("GET", "/customers/mine/transactions", None),
        ("DELETE", "/customers/mine/tags", {"tags": ["a"]}),
    ]:
        response = await client.request(method, f"{LOYALTY}{path}", headers=theirs, json=body)
        assert response.status_code == 404, (method, path)
        assert response.json()["error"] == "Customer not found"
    mine = await client.get(f"{LOYALTY}/customers/mine", headers=await tenant.loyalty(client))
    assert mine.json()["data"]["customer"]["name"] == "A"


async def test_patch_merges_tags_and_metadata_and_delete_removes_tags(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    headers = await tenant.loyalty(client)
    await register(client, tenant, id="p", name="A", email="p@example.com", tags={"a": 1, "b": 2})
    patched = await client.patch(
        f"{LOYALTY}/customers/p",
        headers=headers,
        json={"name": "Alice", "gender": "FEMALE", "tags": {"c": 3}, "metadata": {"k": "v"}},
    )
    assert patched.status_code == 200, patched.text
    customer = patched.json()["data"]["customer"]
    assert (customer["name"], customer["gender"]) == ("Alice", "FEMALE")
    assert customer["tags"] == {"a": 1, "b": 2, "c": 3}
    assert customer["metadata"] == {"k": "v"}
    deleted = await client.request(
        "DELETE", f"{LOYALTY}/customers/p/tags", headers=headers, json={"tags": ["a", "c", "zzz"]}
    )
    assert deleted.status_code == 200, deleted.text
    assert deleted.json()["data"]["customer"]["tags"] == {"b": 2}
    assert "wallet" in deleted.json()["data"]
    bad = await client.patch(f"{LOYALTY}/customers/p", headers=headers, json={"dob": "yesterday"})
    assert_names_field(bad, "dob")


async def test_identify_anonymous_with_a_new_id(
    client: httpx.AsyncClient, tenant: Tenant, database: Database
) -> None:
    headers = await tenant.loyalty(client)
    await register(client, tenant, id="anon", is_anonymous=True)
    response = await client.patch(
        f"{LOYALTY}/customers/anon/identify/anonymous",
        headers=headers,
        json={"name": "Carla", "email": "carla@example.com", "new_id": "carla"},
    )
    assert response.status_code == 200, response.text
    customer = response.json()["data"]["customer"]
    assert (customer["id"], customer["is_anonymous"], customer["name"]) == ("carla", False, "Carla")
    assert response.json()["data"]["wallet"]["owner_id"] == "carla"
    assert (await client.get(f"{LOYALTY}/customers/anon", headers=headers)).status_code == 404
    assert (await client.get(f"{LOYALTY}/customers/carla", headers=headers)).status_code == 200
    again = await client.patch(
        f"{LOYALTY}/customers/carla/identify/anonymous",
        headers=headers,
        json={"name": "Carla", "email": "carla@example.com"},
    )
    assert again.status_code == 409
    assert await outbox_types(database, tenant) == [
        "CUSTOMER_REGISTRATION",
        "CUSTOMER_ANONYMOUS_TO_REGISTERED",
    ]


async def test_identify_errors(client: httpx.AsyncClient, tenant: Tenant) -> None:
    headers = await tenant.loyalty(client)
    missing = await client.patch(
        f"{LOYALTY}/customers/ghost/identify/anonymous",
        headers=headers,
        json={"name": "G", "email": "g@example.com"},
    )
    assert missing.status_code == 404
    assert missing.json()["error"] == "Customer not found"
    await register(client, tenant, id="anon2", is_anonymous=True)
    await register(client, tenant, id="taken", name="T", email="t@example.com")
    no_email = await client.patch(
        f"{LOYALTY}/customers/anon2/identify/anonymous", headers=headers, json={"name": "N"}
    )
    assert_names_field(no_email, "email")
    clash = await client.patch(
        f"{LOYALTY}/customers/anon2/identify/anonymous",
        headers=headers,
        json={"name": "N", "email": "n@example.com", "new_id": "taken"},
    )
    assert clash.status_code == 409
    assert clash.json()["details"].startswith("new_id:")
    still = await client.get(f"{LOYALTY}/customers/anon2", headers=headers)
    assert still.json()["data"]["customer"]["is_anonymous"] is True


async def test_consent_defaults_to_all_true_and_records_false(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    headers = await tenant.loyalty(client)
    await register(client, tenant, id="c", name="C", email="c@example.com")
    default = await client.get(f"{LOYALTY}/customers/c/consent", headers=headers)
    assert default.status_code == 200
    consent = default.json()["data"]["consent"]
    assert consent["purposes"] == ALL_PURPOSES
    assert (consent["customer_id"], consent["version"]) == ("c", "2.0")
    updated = await client.patch(
        f"{LOYALTY}/customers/c/consent",
        headers=headers,
        json={"consent": {"consent_string": "CPXxRfAPXxRfA", "purposes": {"coupon_campaigns": False}}},
    )
    assert updated.status_code == 200, updated.text
    purposes = updated.json()["data"]["consent"]["purposes"]
    assert purposes == {**ALL_PURPOSES, "coupon_campaigns": False}
    again = await client.get(f"{LOYALTY}/customers/c/consent", headers=headers)
    assert again.json()["data"]["consent"]["purposes"]["coupon_campaigns"] is False
    assert again.json()["data"]["consent"]["consent_string"] == "CPXxRfAPXxRfA"
    bad = await client.patch(
        f"{LOYALTY}/customers/c/consent", headers=headers, json={"consent": {"purposes": {"x": "maybe"}}}
    )
    assert_names_field(bad, "consent.purposes.x")


async def test_consent_blocks_through_the_service(
    client: httpx.AsyncClient, tenant: Tenant, database: Database
) -> None:
    from perks.ledger.service import system_context
    from perks.loyalty.customers import service as customers

    headers = await tenant.loyalty(client)
    await register(
        client,
        tenant,
        id="d",
        name="D",
        email="d@example.com",
        consent={"purposes": {"behavioral_campaigns": False}},
    )
    async with database.transaction(read_only=True) as session:
        customer = await customers.get(session, system_context(tenant.account_id), "d")
        assert customers.allows(customer, "behavioral_campaigns") is False
        assert customers.allows(customer, "coupon_campaigns") is True
    response = await client.get(f"{LOYALTY}/customers/d/consent", headers=headers)
    assert response.json()["data"]["consent"]["purposes"]["behavioral_campaigns"] is False


async def test_customer_routes_need_a_server_token(client: httpx.AsyncClient, tenant: Tenant) -> None:
    public = await tenant.loyalty(client, public=True)
    response = await client.post(
        f"{LOYALTY}/customers", headers=public, json={"id": "p", "is_anonymous": True}
    )
    assert response.status_code == 403
    anonymous = await client.get(f"{LOYALTY}/customers/p")
    assert anonymous.status_code == 401
