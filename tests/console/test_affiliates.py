"""The console's affiliate pages: campaigns, partners, a partner's page, approvals, commissions to review,
payouts and the workspace's portal settings, through the affiliate services (the API sees every change),
per workspace, role-checked, tenant-scoped, audited, escaped, with no N+1."""

from __future__ import annotations

import html
import re
from typing import Any

import httpx
from sqlalchemy import select

from perks.audit.models import AuditEntry
from perks.db.database import Database
from tests.support.affiliate import affiliate, campaign, create
from tests.support.console import ConsoleClient, statements_per_page, unlabelled_controls
from tests.support.tenants import AFFILIATE, Tenant
from tests.support.tracking import Program, click, commission, data_of, program, referred_sale

XSS = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def field_error(html: str, field: str) -> str:
    found = re.search(rf'<p class="field-error" id="f-{re.escape(field)}-error">([^<]*)</p>', html)
    return found.group(1) if found else ""


def names_in(html: str) -> list[str]:
    return re.findall(r'<a href="/console/affiliates/[0-9a-f-]{36}">([^<]+)</a>', html)


async def api_affiliate(client: httpx.AsyncClient, tenant: Tenant, affiliate_id: str) -> dict[str, Any]:
    data: dict[str, Any] = await data_of(client, tenant, "GET", f"/affiliates?affiliateId={affiliate_id}")
    return data


async def audit_actions(database: Database, object_id: str) -> list[str]:
    async with database.transaction(read_only=True) as session:
        rows = await session.scalars(
            select(AuditEntry.action).where(AuditEntry.object_id == object_id).order_by(AuditEntry.created_at)
        )
        return list(rows.all())


async def sold(client: httpx.AsyncClient, tenant: Tenant, **campaign_fields: Any) -> tuple[Program, str]:
    """A program whose partner referred a customer who bought for $100, its commission due at once (no
    moving the clock: the console's sessions would expire): the sale's commission id."""
    plan = await program(client, tenant, **({"payoutTerm": 0} | campaign_fields))
    data = await referred_sale(client, tenant, plan, "buyer@example.com", "inv-1", "100.00")
    return plan, str(data["commission"]["id"])


async def test_empty_lists_say_what_to_do_next(owner: ConsoleClient, viewer: ConsoleClient) -> None:
    expected = {
        "/console/affiliates": ("No affiliates yet", "/console/affiliates/new?workspace="),
        "/console/affiliates?status=pending": ("Nobody is waiting", None),
        "/console/affiliates/campaigns": ("No campaigns yet", "/console/affiliates/campaigns/new?workspace="),
        "/console/commissions": ("Nothing to review", None),
        "/console/payouts": ("Nothing to pay", "/console/payouts/generate?workspace="),
    }
    for path, (title, action) in expected.items():
        page = await owner.get(path)
        assert page.status_code == 200, path
        assert f"<h2>{title}</h2>" in page.text, path
        if action:
            assert action in page.text, path
        assert unlabelled_controls(page.text) == [], path
        assert (await viewer.get(path)).status_code == 200
    assert "Create a campaign first" in (await owner.get("/console/affiliates/new")).text


async def test_a_campaign_made_and_edited_in_the_console_is_the_apis(
    client: httpx.AsyncClient, tenant: Tenant, owner: ConsoleClient
) -> None:
    form = await owner.get("/console/affiliates/campaigns/new")
    assert unlabelled_controls(form.text) == []
    wrong = await owner.post(
        "/console/affiliates/campaigns/new",
        {"campaignName": "", "commissionType": "percentage", "amount": "120", "url": "shop"},
    )
    assert wrong.status_code == 400
    assert field_error(wrong.text, "campaignName") == "This field is required."
    assert field_error(wrong.text, "url") == "Must be an http(s) URL."
    too_much = await owner.post(
        "/console/affiliates/campaigns/new",
        {
            "campaignName": "Launch",
            "commissionType": "percentage",
            "amount": "120",
            "url": "https://a.example",
        },
    )
    assert field_error(too_much.text, "amount").startswith("A percentage must be greater than 0")
    assert 'value="Launch"' in too_much.text  # what was typed is kept
    assert (await data_of(client, tenant, "GET", "/campaigns/list"))["items"] == []

    created = await owner.post(
        "/console/affiliates/campaigns/new",
        {
            "campaignName": "Launch",
            "commissionType": "percentage",
            "amount": "20",
            "minimumPayoutAmount": "50",
            "payoutTerm": "30",
            "url": "https://shop.example",
            "allowedUrlParameters": "via, ref",
            "flags": ["allowsSelfSignup", "requiresApprovalToJoin"],
        },
    )
    assert created.status_code == 303
    [made] = (await data_of(client, tenant, "GET", "/campaigns/list"))["items"]
    assert made["amount"] == 20 and made["minimumPayoutAmount"] == 50
    assert made["allowsSelfSignup"] and made["requiresApprovalToJoin"] and not made["hideCustomerEmail"]
    assert made["allowedUrlParameters"] == ["via", "ref"] and made["workspaceId"] == tenant.workspace_id
    listing = await owner.get("/console/affiliates/campaigns")
    assert (
        "20% of every sale" in listing.text
        and "paid 30 days after the sale, minimum payout $50.00" in listing.text
    )

    page = await owner.get(f"/console/affiliates/campaigns/{made['id']}")
    assert f"/portal/{tenant.workspace_id}/{made['id']}/join" in page.text  # its sign-up page to share
    saved = await owner.post(
        f"/console/affiliates/campaigns/{made['id']}",
        {
            "campaignName": "Launch 2",
            "amount": "25",
            "url": "https://shop.example",
            "flags": ["allowsSelfSignup"],
        },
    )
    assert saved.status_code == 303
    changed = await data_of(client, tenant, "GET", f"/campaigns?campaignId={made['id']}")
    assert changed["campaignName"] == "Launch 2" and changed["amount"] == 25
    assert changed["allowsSelfSignup"] and not changed["requiresApprovalToJoin"]  # unticked: false
    assert changed["commissionType"] == "percentage"


async def test_affiliates_are_searched_filtered_and_paged_in_the_url(
    client: httpx.AsyncClient, tenant: Tenant, owner: ConsoleClient
) -> None:
    first = await campaign(client, tenant)
    other = await campaign(client, tenant, campaignName="Other")
    for index in range(28):
        await affiliate(client, tenant, f"person-{index:02d}@example.com", firstName=f"P{index:02d}")
    await affiliate(client, tenant, "zed@example.com", firstName="Zed", campaignId=other["id"])
    page_one = await owner.get("/console/affiliates")
    assert len(names_in(page_one.text)) == 25 and names_in(page_one.text)[0] == "Zed Doe"  # newest first
    after = re.search(r'href="(\?[^"]*after=[^"]+)"', page_one.text)
    assert after is not None
    page_two = await owner.get("/console/affiliates" + after.group(1).replace("&amp;", "&"))
    assert len(names_in(page_two.text)) == 4 and "workspace=" in after.group(1)
    searched = await owner.get("/console/affiliates?q=PERSON-0")
    assert names_in(searched.text) == [f"P{index:02d} Doe" for index in range(9, -1, -1)]
    by_campaign = await owner.get(f"/console/affiliates?campaign={other['id']}")
    assert names_in(by_campaign.text) == ["Zed Doe"]
    assert first["id"] != other["id"]
    nothing = await owner.get("/console/affiliates?q=nobody")
    assert "Nothing matches" in nothing.text
    assert (await owner.get("/console/affiliates?status=gone")).status_code == 400


async def test_an_affiliate_made_edited_disabled_and_enabled_in_the_console(
    client: httpx.AsyncClient, tenant: Tenant, database: Database, owner: ConsoleClient
) -> None:
    made = await campaign(client, tenant)
    taken = await affiliate(client, tenant, "taken@example.com")
    form = await owner.get("/console/affiliates/new")
    assert unlabelled_controls(form.text) == [] and "Launch" in form.text
    duplicate = await owner.post(
        "/console/affiliates/new", {"firstName": "Ann", "lastName": "Lee", "email": "TAKEN@example.com"}
    )
    assert duplicate.status_code == 422 and "already exists in this workspace" in duplicate.text
    bad = await owner.post("/console/affiliates/new", {"firstName": "", "lastName": "Lee", "email": "ann"})
    assert field_error(bad.text, "firstName") == "This field is required."
    assert field_error(bad.text, "email") == "Must be an email address."
    created = await owner.post(
        "/console/affiliates/new",
        {"firstName": "Ann", "lastName": "Lee", "email": "ann@example.com", "campaignId": made["id"]},
    )
    assert created.status_code == 303
    ann_id = created.headers["location"].rsplit("/", 1)[1]
    assert (await api_affiliate(client, tenant, ann_id))["status"] == "active"

    edited = await owner.post(
        f"/console/affiliates/{ann_id}/edit",
        {
            "firstName": "Ann",
            "lastName": "Lee-Smith",
            "email": "ann@example.com",
            "campaignId": made["id"],
            "payoutMethod": "WISE",
            "payoutEmail": "pay@example.com",
            "payoutReference": "",
            "notes": "met at a fair",
        },
    )
    assert edited.status_code == 303
    stored = await api_affiliate(client, tenant, ann_id)
    assert stored["lastName"] == "Lee-Smith" and stored["payoutMethod"] == "WISE"
    assert stored["payoutEmail"] == "pay@example.com" and stored["payoutReference"] is None
    cleared = await owner.post(
        f"/console/affiliates/{ann_id}/edit",
        {
            "firstName": "Ann",
            "lastName": "Lee-Smith",
            "email": "ann@example.com",
            "payoutMethod": "",
            "payoutEmail": "",
        },
    )
    assert cleared.status_code == 303
    assert (await api_affiliate(client, tenant, ann_id))["payoutMethod"] is None
    clash = await owner.post(
        f"/console/affiliates/{ann_id}/edit", {"firstName": "Ann", "lastName": "L", "email": taken["email"]}
    )
    assert (
        clash.status_code == 422
        and (await api_affiliate(client, tenant, ann_id))["email"] == "ann@example.com"
    )

    confirm = await owner.get(f"/console/affiliates/{ann_id}/disable")
    assert "portal sessions stop working at once" in confirm.text
    assert (await api_affiliate(client, tenant, ann_id))["status"] == "active"  # asking changed nothing
    assert (await owner.post(f"/console/affiliates/{ann_id}/disable")).status_code == 303
    assert (await api_affiliate(client, tenant, ann_id))["status"] == "inactive"
    assert (await owner.post(f"/console/affiliates/{ann_id}/enable")).status_code == 303
    assert (await api_affiliate(client, tenant, ann_id))["status"] == "active"
    assert await audit_actions(database, ann_id) == ["create", "update", "update", "disable", "enable"]


async def test_the_partners_page_leads_with_unpaid_earnings_then_its_history(
    client: httpx.AsyncClient, tenant: Tenant, owner: ConsoleClient
) -> None:
    plan, _commission_id = await sold(client, tenant)
    await click(client, plan.code)
    page = await owner.get(f"/console/affiliates/{plan.affiliate['id']}")
    assert page.status_code == 200
    stats = page.text.split('class="stats"')[1]
    assert stats.index("Unpaid earnings") < stats.index("$15.00")  # 15% of $100, with its currency
    text = page.text
    assert text.index("Unpaid earnings") < text.index(">Links</h2>") < text.index(">History</h2>")
    assert html.escape(plan.link["url"]) in page.text and 'data-copy="#link-' in page.text
    assert "buyer@example.com" in page.text  # the commissions tab
    assert "Portal sign-in link" in page.text
    referred = await owner.get(f"/console/affiliates/{plan.affiliate['id']}?tab=referred")
    assert "buyer@example.com" in referred.text
    clicks = await owner.get(f"/console/affiliates/{plan.affiliate['id']}?tab=clicks")
    assert clicks.text.count("<time datetime") >= 1 and "No clicks yet" not in clicks.text
    payouts = await owner.get(f"/console/affiliates/{plan.affiliate['id']}?tab=payouts")
    assert "No payouts yet" in payouts.text
    assert (await owner.get(f"/console/affiliates/{plan.affiliate['id']}?tab=other")).status_code == 400

    new_link = await owner.post(
        f"/console/affiliates/{plan.affiliate['id']}/links", {"referralCode": "bad code"}
    )
    assert new_link.status_code == 400 and field_error(new_link.text, "referralCode").startswith(
        "String should match"
    )
    made = await owner.post(f"/console/affiliates/{plan.affiliate['id']}/links", {"referralCode": ""})
    assert made.status_code == 303
    links = await data_of(client, tenant, "GET", f"/links?affiliateId={plan.affiliate['id']}")
    assert len(links["items"]) == 2


async def test_the_console_hands_out_a_single_use_portal_link(
    client: httpx.AsyncClient, tenant: Tenant, database: Database, owner: ConsoleClient
) -> None:
    await campaign(client, tenant)
    person = await affiliate(client, tenant)
    shown = await owner.post(f"/console/affiliates/{person['id']}/portal-link")
    assert shown.status_code == 200
    found = re.search(r'<code id="portal-link">(http://perks\.test/portal/sign-in/[^<]+)</code>', shown.text)
    assert found is not None and "15 minutes" in shown.text
    path = found.group(1).removeprefix("http://perks.test")
    assert (await client.get(path)).status_code == 303
    assert (await client.get(path)).status_code == 410  # once
    assert await audit_actions(database, person["id"]) == ["create", "sign_in"]


async def test_pending_partners_are_approved_or_declined_inline(
    client: httpx.AsyncClient, tenant: Tenant, owner: ConsoleClient
) -> None:
    await campaign(client, tenant, requiresApprovalToJoin=True)
    waiting = [
        await affiliate(client, tenant, f"wait-{index}@example.com", notes="My blog") for index in range(2)
    ]
    listing = await owner.get("/console/affiliates?status=pending")
    assert 'class="badge badge-warning">2<' in listing.text and "My blog" in listing.text
    assert unlabelled_controls(listing.text) == []
    approved = await owner.post(
        f"/console/affiliates/{waiting[0]['id']}/approve", headers={"hx-request": "true"}
    )
    assert approved.status_code == 200 and approved.text.lstrip().startswith("<tr")
    assert "approved." in approved.text
    declined = await owner.post(f"/console/affiliates/{waiting[1]['id']}/decline")
    assert declined.status_code == 303
    assert (await api_affiliate(client, tenant, waiting[0]["id"]))["status"] == "active"
    assert (await api_affiliate(client, tenant, waiting[1]["id"]))["status"] == "inactive"
    assert "Nobody is waiting" in (await owner.get("/console/affiliates?status=pending")).text


async def test_commissions_are_approved_and_declined_one_by_one_and_in_bulk(
    client: httpx.AsyncClient, tenant: Tenant, database: Database, owner: ConsoleClient
) -> None:
    plan = await program(client, tenant, payoutTerm=0)
    ids = []
    for index in range(4):
        sale = await referred_sale(client, tenant, plan, f"c{index}@example.com", f"inv-{index}", "10.00")
        ids.append(sale["commission"]["id"])
    review = await owner.get("/console/commissions")
    assert review.text.count('name="ids"') == 4 and "$1.50" in review.text
    assert unlabelled_controls(review.text) == []

    one = await owner.post(f"/console/commissions/{ids[0]}/approve", headers={"hx-request": "true"})
    assert one.status_code == 200 and 'role="status">Approved' in one.text
    assert (await commission(client, tenant, ids[0]))["approvedAt"] is not None
    again = await owner.post(f"/console/commissions/{ids[0]}/approve")
    assert again.status_code == 303  # approving twice is no move

    bulk = await owner.post("/console/commissions/review", {"ids": [ids[1], ids[2]], "decision": "approve"})
    assert bulk.status_code == 303
    assert "2 commissions approved." in (await owner.get("/console/commissions")).text
    asked = await owner.post("/console/commissions/review", {"ids": [ids[2], ids[3]], "decision": "decline"})
    assert asked.status_code == 200 and "Decline 2 commissions?" in asked.text and "never paid" in asked.text
    assert (await commission(client, tenant, ids[3]))["status"] == "pending"  # asking changed nothing
    done = await owner.post(
        "/console/commissions/review",
        {"ids": [ids[2], ids[3]], "decision": "decline", "confirmed": "yes", "reason": "order cancelled"},
    )
    assert done.status_code == 303
    for commission_id in ids[2:]:
        declined = await commission(client, tenant, commission_id)
        assert (
            declined["status"] == "refunded" and declined["remarks"] == "Declined in review: order cancelled"
        )
    assert "Nothing to review" in (await owner.get("/console/commissions")).text
    assert await audit_actions(database, ids[0]) == ["approve"]
    assert await audit_actions(database, ids[2]) == ["approve", "decline"]

    confirm = await owner.get(f"/console/commissions/{ids[0]}/decline")
    assert "Decline 1 commission?" in confirm.text
    [payout] = await data_of(client, tenant, "POST", "/payouts/generate", 201)
    assert payout["commissionCount"] == 2  # the approved ones still pending; declined ones are out
    in_payout = await owner.post(f"/console/commissions/{ids[0]}/decline", {"reason": ""})
    assert in_payout.status_code == 422 and "in no payout" in in_payout.text
    assert (await commission(client, tenant, ids[0]))["status"] == "processing"


async def test_payouts_are_generated_marked_paid_after_a_confirmation_and_exported(
    client: httpx.AsyncClient, tenant: Tenant, database: Database, owner: ConsoleClient
) -> None:
    plan, commission_id = await sold(client, tenant)
    await client.put(
        f"{AFFILIATE}/affiliates?affiliateId={plan.affiliate['id']}",
        headers=tenant.affiliate,
        json={"payoutReference": "=HYPERLINK(1) DE89 3704", "firstName": "Ja,ne"},
    )
    ready = await owner.get("/console/payouts/generate")
    assert "1 due commission of 1 partner are gathered" in ready.text
    assert (await owner.post("/console/payouts/generate")).status_code == 303
    listing = await owner.get("/console/payouts")
    assert "$15.00" in listing.text and "1 payout generated." in listing.text
    payout_id = re.findall(r"/console/payouts/([0-9a-f-]{36})/pay", listing.text)[0]

    export = await owner.get("/console/payouts/export.csv")
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    header, row = export.text.strip().splitlines()
    assert header.endswith("payout_method,payout_email,payout_reference")
    assert row.startswith(f"{payout_id},pending,15.00,USD,1,") and row.endswith(
        ",BANK,jane@example.com,'=HYPERLINK(1) DE89 3704"
    )
    assert '"Ja,ne"' in row

    confirm = await owner.get(f"/console/payouts/{payout_id}/pay")
    text = confirm.text
    assert "Mark $15.00 to Ja,ne Doe as paid?" in text and "Perks moves no money" in text
    assert "bank transfer to =HYPERLINK(1) DE89 3704" in text and "cannot be undone" in text
    assert (await data_of(client, tenant, "GET", f"/payouts?payoutId={payout_id}"))["status"] == "pending"
    assert (await owner.post(f"/console/payouts/{payout_id}/pay")).status_code == 303
    assert (await data_of(client, tenant, "GET", f"/payouts?payoutId={payout_id}"))["status"] == "paid"
    assert (await commission(client, tenant, commission_id))["status"] == "paid"
    assert "Marked" not in (await owner.get(f"/console/payouts/{payout_id}")).text
    assert "Nothing to pay" in (await owner.get("/console/payouts")).text
    assert "$15.00" in (await owner.get("/console/payouts?status=paid")).text
    assert await audit_actions(database, payout_id) == ["create", "pay"]


async def test_pages_are_per_workspace_and_the_switcher_remembers(
    client: httpx.AsyncClient, tenant: Tenant, owner: ConsoleClient, other_owner: ConsoleClient
) -> None:
    await campaign(client, tenant)
    await affiliate(client, tenant, "home@example.com", firstName="Home")
    second = await create(client, tenant, "workspaces", {"name": "Second brand"})
    await campaign(client, tenant, workspaceId=second["id"])
    await affiliate(client, tenant, "away@example.com", firstName="Away", workspaceId=second["id"])
    default = await owner.get("/console/affiliates")
    assert names_in(default.text) == ["Home Doe"] and "Second brand" in default.text  # the switcher
    switched = await owner.get(f"/console/affiliates/switch?workspace={second['id']}&to=commissions")
    assert switched.status_code == 303
    assert switched.headers["location"] == f"/console/commissions?workspace={second['id']}"
    assert names_in((await owner.get("/console/affiliates")).text) == ["Away Doe"]  # remembered
    assert names_in((await owner.get(f"/console/affiliates?workspace={tenant.workspace_id}")).text) == [
        "Home Doe"
    ]
    assert (await other_owner.get(f"/console/affiliates?workspace={second['id']}")).status_code == 404
    assert (await other_owner.get(f"/console/affiliates/switch?workspace={second['id']}")).status_code == 404
    settings = await owner.post(
        f"/console/affiliates/settings?workspace={second['id']}",
        {"frameOrigins": "https://shop.example\nhttps://shop.example/path", "currency": "EUR"},
    )
    assert settings.status_code == 400
    assert field_error(settings.text, "frameOrigins").startswith(
        "&#39;https://shop.example/path&#39;: an origin"
    )
    saved = await owner.post(
        f"/console/affiliates/settings?workspace={second['id']}",
        {"frameOrigins": "https://shop.example\nhttps://*.shop.example", "currency": "eur"},
    )
    assert saved.status_code == 303
    page = await owner.get(f"/console/affiliates/settings?workspace={second['id']}")
    assert (
        "https://shop.example\nhttps://*.shop.example</textarea>" in page.text and 'value="EUR"' in page.text
    )
    assert (
        "https://shop.example"
        not in (await owner.get("/console/affiliates/settings?workspace=" + tenant.workspace_id))
        .text.split("<textarea")[1]
        .split("</textarea>")[0]
    )


async def test_list_pages_run_the_same_statements_for_one_row_or_many(
    client: httpx.AsyncClient, tenant: Tenant, database: Database, owner: ConsoleClient
) -> None:
    plan = await program(client, tenant, payoutTerm=0)
    await referred_sale(client, tenant, plan, "one@example.com", "inv-one", "10.00")
    partner_page = f"/console/affiliates/{plan.affiliate['id']}"
    paths = [
        "/console/affiliates",
        "/console/commissions?status=all",
        partner_page,
        "/console/affiliates/campaigns",
    ]
    await data_of(client, tenant, "POST", "/payouts/generate", 201)
    paths.append("/console/payouts")
    with_one = {path: await statements_per_page(owner, database, path) for path in paths}
    for index in range(6):
        other = await affiliate(client, tenant, f"more-{index}@example.com", campaignId=plan.campaign["id"])
        link = await create(client, tenant, "links", {"affiliateId": other["id"]})
        person = Program(plan.campaign, other, link)
        await referred_sale(client, tenant, person, f"b{index}@example.com", f"inv-m{index}", "10.00")
        await referred_sale(client, tenant, plan, f"a{index}@example.com", f"inv-a{index}", "10.00")
        await campaign(client, tenant, campaignName=f"Campaign {index}")
    await data_of(client, tenant, "POST", "/payouts/generate", 201)
    with_many = {path: await statements_per_page(owner, database, path) for path in paths}
    assert with_many == with_one
    assert with_one["/console/commissions?status=all"] <= 6  # user, workspace, switcher, page, affiliates


async def test_a_viewer_reads_every_affiliate_page_and_sees_no_change_button(
    client: httpx.AsyncClient, tenant: Tenant, viewer: ConsoleClient
) -> None:
    plan, commission_id = await sold(client, tenant)
    pages = [
        "/console/affiliates",
        f"/console/affiliates/{plan.affiliate['id']}",
        f"/console/affiliates/campaigns/{plan.campaign['id']}",
        "/console/affiliates/settings",
        "/console/commissions",
    ]
    for path in pages:
        page = await viewer.get(path)
        assert page.status_code == 200, path
        main = page.text.split('<main id="main"', 1)[1].replace('action="/console/logout"', "")
        assert 'method="post"' not in main, path
        buttons = re.findall(r"<button[^>]*>([^<]*)</button>", main)
        assert set(buttons) <= {"Search", "Copy"}, (path, buttons)
        assert "New affiliate" not in main and "Portal sign-in link" not in main, path
    for path in [
        "/console/affiliates/new",
        f"/console/commissions/{commission_id}/decline",
        "/console/payouts/generate",
    ]:
        assert (await viewer.get(path)).status_code == 403, path


async def test_another_accounts_user_gets_404_on_this_accounts_ids(
    client: httpx.AsyncClient, tenant: Tenant, owner: ConsoleClient, other_owner: ConsoleClient
) -> None:
    plan, commission_id = await sold(client, tenant)
    [payout] = await data_of(client, tenant, "POST", "/payouts/generate", 201)
    affiliate_id, campaign_id = plan.affiliate["id"], plan.campaign["id"]
    reads = [
        f"/console/affiliates/{affiliate_id}",
        f"/console/affiliates/{affiliate_id}/edit",
        f"/console/affiliates/{affiliate_id}/disable",
        f"/console/affiliates/campaigns/{campaign_id}",
        f"/console/commissions/{commission_id}/decline",
        f"/console/payouts/{payout['id']}",
        f"/console/payouts/{payout['id']}/pay",
        f"/console/commissions?workspace={tenant.workspace_id}",
    ]
    for path in reads:
        assert (await owner.get(path)).status_code == 200, path
        assert (await other_owner.get(path)).status_code == 404, path
    changes = [
        (
            f"/console/affiliates/{affiliate_id}/edit",
            {"firstName": "X", "lastName": "Y", "email": "x@example.com"},
        ),
        (f"/console/affiliates/{affiliate_id}/disable", {}),
        (f"/console/affiliates/{affiliate_id}/links", {"referralCode": "stolen"}),
        (f"/console/affiliates/{affiliate_id}/portal-link", {}),
        (
            f"/console/affiliates/campaigns/{campaign_id}",
            {"campaignName": "Taken", "amount": "1", "url": "https://x.example"},
        ),
        (f"/console/commissions/{commission_id}/approve", {}),
        (f"/console/payouts/{payout['id']}/pay", {}),
    ]
    for path, form in changes:
        assert (await other_owner.post(path, form)).status_code == 404, path
    bulk = await other_owner.post(
        "/console/commissions/review", {"ids": [commission_id], "decision": "approve"}
    )
    assert bulk.status_code == 303
    assert (await commission(client, tenant, commission_id))["approvedAt"] is None
    assert (await api_affiliate(client, tenant, affiliate_id))["status"] == "active"
    assert (await data_of(client, tenant, "GET", f"/payouts?payoutId={payout['id']}"))["status"] == "pending"


async def test_what_partners_and_clients_wrote_is_shown_as_text(
    client: httpx.AsyncClient, tenant: Tenant, owner: ConsoleClient
) -> None:
    plan = await program(client, tenant, campaignName=XSS)
    await client.put(
        f"{AFFILIATE}/affiliates?affiliateId={plan.affiliate['id']}",
        headers=tenant.affiliate,
        json={"firstName": XSS, "notes": XSS},
    )
    await referred_sale(client, tenant, plan, "buyer@example.com", XSS, "10.00")
    for path in [
        "/console/affiliates",
        f"/console/affiliates/{plan.affiliate['id']}",
        "/console/affiliates/campaigns",
        "/console/commissions",
    ]:
        page = await owner.get(path)
        assert XSS not in page.text, path
        assert ESCAPED in page.text, path
