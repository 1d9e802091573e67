"""Customers: search (by id, email or name, with tag and tier filters, through the API's own search and its
indexes), a customer's page (tier, wallet totals, open lines, transactions, events), and a manual points
adjustment that goes through the ledger like every other movement (a deduction is confirmed first)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import Query, Request
from fastapi.responses import Response

from perks.audit import service as audit
from perks.console import nav
from perks.console.auth import Manager, Staff, Viewer
from perks.console.pages import FACE, Session, pages, router
from perks.kit.keyset import KeysetPage
from perks.kit.pagination import Slice
from perks.ledger import service as ledger
from perks.ledger.models import LedgerTransaction
from perks.loyalty.customers import adjustments
from perks.loyalty.customers import service as customers
from perks.loyalty.customers.adjustments import AdjustmentIn
from perks.loyalty.customers.models import Customer
from perks.loyalty.events import service as events
from perks.loyalty.events.models import BehaviorEvent
from perks.loyalty.paging import MAX_RECORDS
from perks.loyalty.rewards import service as rewards
from perks.loyalty.tiers import service as tiers
from perks.loyalty.transactions import service as transactions
from perks.sql import runner_of
from perks.ui.forms import FormErrors, FormValues, attempt, form_values, parse
from perks.ui.listing import Listing

LIST = FACE.path("/customers")
SECTION = nav.Section("customers", "Customers", LIST)
customers_pages = router()
PAGE_SIZE = 25
MAX_PLACES = 4  # the ledger keeps 1/10,000ths
SEARCH_FIELDS = [("auto", "Name, email or id"), ("name", "Name"), ("email", "Email"), ("id", "Id")]
SearchField = Annotated[Literal["auto", "name", "email", "id"], Query()]
Filter = Annotated[str, Query(max_length=255)]
Tab = Annotated[Literal["transactions", "events"], Query()]
DIRECTIONS = [("grant", "Grant: add to the balance"), ("deduct", "Deduct: take from the balance")]


@dataclass(frozen=True)
class Searched:
    """What the search box asked for, once `auto` has chosen a field."""

    by: str
    page: KeysetPage[Customer]


def places(values: Iterable[Decimal | int | float | None]) -> int:
    """The decimal places a reward's amounts need on a page: none for whole points, up to the ledger's 4
    (12.5 reads 12.5, a balance of 1,250 reads 1,250)."""
    needed = 0
    for value in values:
        if value is None:
            continue
        exponent = Decimal(str(value)).normalize().as_tuple().exponent
        if isinstance(exponent, int) and exponent < 0:
            needed = max(needed, -exponent)
    return min(needed, MAX_PLACES)


def _wanted(by: str, q: str, tag: str, tier: str, listing: Listing) -> customers.CustomerSearch:
    return customers.CustomerSearch(
        id=q if by == "id" else None,
        email=q if by == "email" else None,
        name=q if by == "name" else None,
        tag=tag or None,
        tier_id=tier or None,
        cursor=listing.after,
        before=listing.before if listing.after is None else None,
        limit=PAGE_SIZE,
    )


async def _search(session: Session, staff: Staff, listing: Listing, by: str, tag: str, tier: str) -> Searched:
    """`auto`: an email when the text has an @; else names, and ids when no name starts with it."""
    q = listing.q
    if by == "auto":
        by = "email" if "@" in q else "name" if q else "id"
        if by == "name" and listing.after is None and listing.before is None:
            page = await customers.search_page(session, staff.ctx, _wanted(by, q, tag, tier, listing))
            if page.items:
                return Searched(by, page)
            by = "id"
    return Searched(by, await customers.search_page(session, staff.ctx, _wanted(by, q, tag, tier, listing)))


@customers_pages.get("/customers")
async def list_customers(
    request: Request,
    session: Session,
    staff: Viewer,
    listing: Listing,
    by: SearchField = "auto",
    tag: Filter = "",
    tier: Annotated[str, Query(max_length=36)] = "",
) -> Response:
    searched = await _search(session, staff, listing, by, tag.strip(), tier)
    levels = await tiers.list_tiers(session, staff.ctx)
    context = {
        "page": searched.page,
        "params": listing.params(by=searched.by if listing.q else "", tag=tag, tier=tier),
        "fields": SEARCH_FIELDS,
        "tiers": levels,
        "tier_names": _tier_names(levels),
    }
    return pages.render(request, "console/customers/list.html", context)


def _tier_names(levels: Sequence[Any]) -> dict[str | None, str]:
    names: dict[str | None, str] = {tier.id: tier.name for tier in levels}
    base = next((tier.name for tier in levels if tier.is_base), "Base")
    names[None] = base  # a customer never moved is in the Base tier
    return names


@customers_pages.get("/customers/{customer_id}")
async def show_customer(
    request: Request,
    session: Session,
    staff: Viewer,
    listing: Listing,
    customer_id: str,
    tab: Tab = "transactions",
) -> Response:
    customer = await customers.get_by_id(session, staff.ctx, customer_id)
    wallet = await ledger.wallet_of(session, staff.ctx, customer.id)
    # As the API's GET /customers/{id} shows it: exact now, without settling (a page writes nothing).
    view = await ledger.read_view(await runner_of(session), staff.ctx, wallet.id)
    keyset = listing.keyset()
    history: KeysetPage[BehaviorEvent] | KeysetPage[LedgerTransaction]
    moved: list[LedgerTransaction] = []
    if tab == "events":
        history = await events.page_of_customer(session, staff.ctx, customer.id, keyset)
    else:
        history = moved_page = await transactions.page_of_wallet(session, staff.ctx, wallet.id, keyset)
        moved = list(moved_page.items)
    amounts: dict[str, list[Decimal]] = defaultdict(list)
    for line in view.lines:
        amounts[line.reward_id] += [line.remaining, line.amount]
    for total in view.totals:
        amounts[total.reward_id].append(total.total)
    for item in moved:
        amounts[item.reward_id].append(item.amount)
    reward_objects = await rewards.reward_objects(session, staff.ctx, set(amounts))
    context = {
        "customer": customer,
        "tier": await _tier_name(session, staff, customer),
        "view": view,
        "rewards": reward_objects,
        "places": {reward_id: places(values) for reward_id, values in amounts.items()},
        "tab": tab,
        "page": history,
        "params": listing.params({"tab": tab}),
        "source": adjustments.SOURCE,
    }
    return pages.render(request, "console/customers/show.html", context)


async def _tier_name(session: Session, staff: Staff, customer: Customer) -> str:
    if customer.tier_id is None:
        return _tier_names(await tiers.list_tiers(session, staff.ctx))[None]
    return (await tiers.get_tier(session, staff.ctx, customer.tier_id)).name


# The manual adjustment.


def _adjust_url(customer: Customer) -> str:
    return FACE.path(f"/customers/{customer.id}/adjust")


async def _form(
    request: Request,
    session: Session,
    staff: Staff,
    customer: Customer,
    values: FormValues,
    errors: FormErrors,
    status: int = 200,
) -> Response:
    wallet = await ledger.wallet_of(session, staff.ctx, customer.id)
    view = await ledger.view(session, staff.ctx, wallet)
    choices = await rewards.list_rewards(session, staff.ctx, Slice(offset=0, size=MAX_RECORDS), None, None)
    balances = {total.reward_id: total.total for total in view.totals}
    context = {
        "customer": customer,
        "values": values,
        "errors": errors,
        "directions": DIRECTIONS,
        "reward_options": [
            (
                reward.id,
                f"{reward.name} ({reward.type.lower()}; balance {_amount(balances.get(reward.id))})",
            )
            for reward in choices
        ],
        "has_rewards": bool(choices),
    }
    return pages.render(request, "console/customers/adjust.html", context, status=status)


def _amount(value: Decimal | None) -> str:
    number = value or Decimal(0)
    return f"{number:,.{places([number])}f}"


@customers_pages.get("/customers/{customer_id}/adjust")
async def adjust_form(request: Request, session: Session, staff: Manager, customer_id: str) -> Response:
    customer = await customers.get_by_id(session, staff.ctx, customer_id)
    return await _form(request, session, staff, customer, {"direction": "grant"}, FormErrors())


@customers_pages.post("/customers/{customer_id}/adjust")
async def adjust_points(request: Request, session: Session, staff: Manager, customer_id: str) -> Response:
    customer = await customers.get_by_id(session, staff.ctx, customer_id)
    values = await form_values(request)
    confirmed = values.pop("confirmed", "") == "yes"
    body = await attempt(lambda: _parsed(values))
    if isinstance(body, FormErrors):
        return await _form(request, session, staff, customer, values, body, status=body.status)
    if body.direction == "deduct" and not confirmed:
        available = await attempt(lambda: adjustments.check(session, staff.ctx, customer, body))
        if isinstance(available, FormErrors):
            return await _form(request, session, staff, customer, values, available, status=available.status)
        reward = await rewards.get_reward(session, staff.ctx, body.reward_id)
        context = {
            "customer": customer,
            "body": body,
            "reward": reward,
            "available": _amount(available),
            "amount": _amount(body.amount),
            "left": _amount(available - body.amount),
            "fields": {**values, "confirmed": "yes"},
        }
        return pages.render(request, "console/customers/deduct.html", context)
    adjusted = await attempt(lambda: adjustments.adjust(session, staff.ctx, customer, body, by=staff.email))
    if isinstance(adjusted, FormErrors):
        return await _form(request, session, staff, customer, values, adjusted, status=adjusted.status)
    audit.record(
        session,
        staff,
        "adjust",
        audit.Target("customer", customer.id, f"{customer.name} ({customer.external_id})"),
        before=_snapshot(adjusted, adjusted.before),
        after={
            **_snapshot(adjusted, adjusted.after),
            "change": _exact(body.signed),
            "reason": body.reason,
            "transactions": [transaction.id for transaction in adjusted.transactions],
        },
    )
    verb = "granted to" if body.direction == "grant" else "deducted from"
    notice = (
        f"{_amount(body.amount)} {adjusted.reward.name} {verb} {customer.name}: "
        f"balance {_amount(adjusted.before)} → {_amount(adjusted.after)}."
    )
    return pages.redirect(request, FACE.path(f"/customers/{customer.id}"), notice=notice)


async def _parsed(values: FormValues) -> AdjustmentIn:
    return parse(AdjustmentIn, values)


def _snapshot(adjusted: adjustments.Adjusted, balance: Decimal) -> Mapping[str, Any]:
    return {"reward_id": adjusted.reward.id, "reward": adjusted.reward.name, "balance": _exact(balance)}


def _exact(value: Decimal) -> str:
    return f"{value:.{places([value])}f}"
