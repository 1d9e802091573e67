"""Brands through the console: the pattern of every page set (list with search and keyset paging, a
form that shows the schema's errors under their fields, changes through the API's own service)."""

from __future__ import annotations

import re

import httpx

from perks.db.database import Database
from tests.support.console import ConsoleClient, statements_per_page, unlabelled_controls
from tests.support.tenants import LOYALTY, Tenant

XSS = "<script>alert(1)</script>"


async def api_brands(client: httpx.AsyncClient, tenant: Tenant) -> list[dict[str, object]]:
    response = await client.get(f"{LOYALTY}/brands", headers=await tenant.loyalty(client))
    brands: list[dict[str, object]] = response.json()["data"]
    return brands


async def add_brands(client: httpx.AsyncClient, tenant: Tenant, names: list[str]) -> list[str]:
    headers = await tenant.loyalty(client)
    ids = []
    for name in names:
        created = await client.post(f"{LOYALTY}/brands", headers=headers, json={"name": name})
        ids.append(created.json()["data"]["id"])
    return ids


def field_error(html: str, field: str) -> str:
    found = re.search(rf'<p class="field-error" id="f-{field}-error">([^<]*)</p>', html)
    return found.group(1) if found else ""


async def test_an_empty_list_says_what_to_do_next(owner: ConsoleClient) -> None:
    page = await owner.get("/console/brands")
    assert page.status_code == 200
    assert "No brands yet" in page.text
    assert 'href="/console/brands/new">Create your first brand' in page.text
    assert unlabelled_controls(page.text) == []


async def test_a_field_error_shows_under_its_field_keeps_the_input_and_changes_nothing(
    client: httpx.AsyncClient, tenant: Tenant, owner: ConsoleClient
) -> None:
    form = await owner.get("/console/brands/new")
    assert unlabelled_controls(form.text) == []
    missing = await owner.post("/console/brands/new", {"name": "", "description": "Kept as typed"})
    assert missing.status_code == 400
    assert field_error(missing.text, "name") == "This field is required."
    assert 'aria-invalid="true"' in missing.text and ">Kept as typed</textarea>" in missing.text
    too_long = await owner.post("/console/brands/new", {"name": "x" * 201})
    assert field_error(too_long.text, "name") == "String should have at most 200 characters."
    not_json = await owner.post("/console/brands/new", {"name": "Acme", "metadata": "{region: EU"})
    assert not_json.status_code == 400
    assert field_error(not_json.text, "metadata").startswith("This is not valid JSON")
    assert field_error(not_json.text, "name") == ""
    not_object = await owner.post("/console/brands/new", {"name": "Acme", "metadata": "[1, 2]"})
    assert field_error(not_object.text, "metadata") == "Input should be a valid dictionary."
    assert await api_brands(client, tenant) == []
    assert "Nothing matches" in (await owner.get("/console/audit?object_type=brand")).text


async def test_a_brand_created_and_edited_in_the_console_is_the_apis_brand(
    client: httpx.AsyncClient, tenant: Tenant, owner: ConsoleClient
) -> None:
    created = await owner.post(
        "/console/brands/new", {"name": "Acme", "description": "Shoes", "metadata": '{"region": "EU"}'}
    )
    assert created.status_code == 303 and created.headers["location"] == "/console/brands"
    listing = await owner.get("/console/brands")
    assert "Brand “Acme” created." in listing.text
    assert "Brand “Acme” created." not in (await owner.get("/console/brands")).text  # the notice shows once
    [brand] = await api_brands(client, tenant)
    assert brand == {"id": brand["id"], "name": "Acme", "description": "Shoes", "metadata": {"region": "EU"}}

    edit = await owner.get(f"/console/brands/{brand['id']}")
    assert 'value="Acme"' in edit.text and "&#34;region&#34;: &#34;EU&#34;" in edit.text
    saved = await owner.post(
        f"/console/brands/{brand['id']}",
        {"name": "Acme Shoes", "description": "", "metadata": '{"region": "EU"}'},
    )
    assert saved.status_code == 303
    [brand] = await api_brands(client, tenant)
    assert brand["name"] == "Acme Shoes" and brand["description"] is None

    history = await owner.get(f"/console/audit?object_type=brand&object_id={brand['id']}")
    assert history.text.split('id="entries"')[1].count("<tr>") == 3  # the header, update, create
    assert re.search(
        r"<code>name</code>: <span class=\"before\">Acme</span> → <span class=\"after\">Acme Shoes",
        history.text,
    )


async def test_an_invalid_edit_keeps_the_typed_values_and_the_stored_brand(
    client: httpx.AsyncClient, tenant: Tenant, owner: ConsoleClient
) -> None:
    [brand_id] = await add_brands(client, tenant, ["Stored"])
    failed = await owner.post(f"/console/brands/{brand_id}", {"name": "", "description": "typed"})
    assert failed.status_code == 400
    assert "<h1>Stored</h1>" in failed.text and ">typed</textarea>" in failed.text
    assert field_error(failed.text, "name") == "This field is required."
    assert [brand["name"] for brand in await api_brands(client, tenant)] == ["Stored"]


async def test_search_and_keyset_paging_keep_each_other_in_the_url(
    client: httpx.AsyncClient, tenant: Tenant, owner: ConsoleClient
) -> None:
    await add_brands(client, tenant, [f"brand-{index:02d}" for index in range(30)])
    first = await owner.get("/console/brands")
    names = re.findall(r">(brand-\d\d)</a>", first.text)
    assert names == [f"brand-{index:02d}" for index in range(29, 4, -1)]  # newest first, 25 a page
    assert 'aria-disabled="true">← Previous' in first.text
    next_link = re.search(r'href="(\?[^"]*after=[^"]+)" >?', first.text) or re.search(
        r'href="(\?after=[^"]+)"', first.text
    )
    assert next_link is not None
    second = await owner.get("/console/brands" + next_link.group(1).replace("&amp;", "&"))
    assert re.findall(r">(brand-\d\d)</a>", second.text) == [
        f"brand-{index:02d}" for index in range(4, -1, -1)
    ]
    assert 'aria-disabled="true">Next →' in second.text
    previous = re.search(r'href="(\?[^"]*before=[^"]+)"', second.text)
    assert previous is not None
    back = await owner.get("/console/brands" + previous.group(1).replace("&amp;", "&"))
    assert re.findall(r">(brand-\d\d)</a>", back.text) == names

    searched = await owner.get("/console/brands?q=BRAND-1")
    assert re.findall(r">(brand-\d\d)</a>", searched.text) == [f"brand-{index}" for index in range(19, 9, -1)]
    assert 'value="BRAND-1"' in searched.text
    nothing = await owner.get("/console/brands?q=zzz")
    assert "Nothing matches" in nothing.text and "No brands yet" not in nothing.text
    assert (await owner.get("/console/brands?after=not-a-cursor")).status_code == 400


async def test_the_list_runs_the_same_statements_for_1_or_25_brands(
    client: httpx.AsyncClient, tenant: Tenant, database: Database, owner: ConsoleClient
) -> None:
    await add_brands(client, tenant, ["one"])
    with_one = await statements_per_page(owner, database, "/console/brands")
    await add_brands(client, tenant, [f"more-{index}" for index in range(24)])
    with_many = await statements_per_page(owner, database, "/console/brands")
    assert with_one == with_many == 2  # the signed-in user, the page of brands


async def test_what_users_wrote_is_shown_as_text(
    client: httpx.AsyncClient, tenant: Tenant, owner: ConsoleClient
) -> None:
    [brand_id] = await add_brands(client, tenant, [XSS])
    await owner.post(f"/console/brands/{brand_id}", {"name": XSS, "description": XSS})
    for path in ["/console/brands", f"/console/brands/{brand_id}", "/console/audit"]:
        page = await owner.get(path)
        assert XSS not in page.text, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text, path


async def test_an_unknown_brand_is_a_404_page(owner: ConsoleClient) -> None:
    missing = await owner.get("/console/brands/00000000-0000-7000-8000-000000000000")
    assert missing.status_code == 404
    assert "Brand not found" in missing.text and "<!doctype html>" in missing.text
    nowhere = await owner.get("/console/no/such/page")
    assert nowhere.status_code == 404 and "There is no page at this address." in nowhere.text
