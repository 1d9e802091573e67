"""Customer rules: who must give what, uniqueness per account, consent, and the wallet each one owns."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypedDict

from sqlalchemy.ext.asyncio import AsyncSession

from perks.errors import AppError, Conflict, NotFound, invalid
from perks.kit import clock, cursors
from perks.kit.ids import new_id
from perks.kit.keyset import KeysetPage
from perks.kit.money import plain_number
from perks.ledger import service as ledger
from perks.loyalty.customers import rendering, repository
from perks.loyalty.customers.models import Customer, CustomerStatus
from perks.loyalty.customers.schemas import (
    ConsentIn,
    ConsentOut,
    CustomerCreate,
    CustomerIdentify,
    CustomerPage,
    CustomerUpdate,
    CustomerWithWallet,
    IdentityFields,
    LineOut,
    ProfileFields,
    TotalOut,
    WalletOut,
)
from perks.loyalty.referrals import service as referrals
from perks.loyalty.rewards import service as reward_service
from perks.loyalty.tiers import service as tiers
from perks.outbox import service as outbox
from perks.sql import Runner
from perks.tenancy.context import AuthContext

ANONYMOUS_NAME = "Anonymous"
# An anonymous customer's placeholder email is our id on a domain reserved by RFC 2606: unique by
# construction, and mail sent to it by a webhook consumer can never reach anyone.
ANONYMOUS_EMAIL_DOMAIN = "anonymous.invalid"
DEFAULT_PAGE = 100
MAX_PAGE = 1000
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class CustomerNotFound(NotFound):
    def __init__(self, external_id: str) -> None:
        super().__init__(f"No customer with id {external_id!r} in this account", title="Customer not found")


async def register(session: AsyncSession, ctx: AuthContext, body: CustomerCreate) -> Customer:
    """The customer and their wallet, the webhook and the referral code's rewards. The REGISTRATION event
    is the caller's to run (perks.loyalty.events.registration): events sit above customers."""
    values = _registration_values(body)
    customer = await repository.insert(session, ctx, values)
    if customer is None:
        raise await _taken(session, ctx, body.id, values["email"])
    wallet = await ledger.open_wallet(session, ctx, customer.id)
    outbox.emit(session, ctx, "CUSTOMER_REGISTRATION", RegistrationWebhook(customer=_json(customer)))
    if body.referral_code is not None:  # the referee's reward
        await referrals.on_registration(session, ctx, customer, wallet.id, body.referral_code)
    return customer


IMPORTED, SKIPPED = "imported", "skipped"


async def register_many(
    session: AsyncSession, ctx: AuthContext, bodies: Sequence[CustomerCreate]
) -> list[str | AppError]:
    """Customers registered elsewhere (an import, a migration), in one INSERT, each with its wallet. For
    each body: IMPORTED, SKIPPED (a customer with this id exists: imported before, or registered here) or
    the error that refuses it. History, not sign-ups: no webhook, no referral, no registration event."""
    outcomes: list[str | AppError] = []
    rows: list[dict[str, Any]] = []
    for body in bodies:
        try:
            rows.append(_registration_values(body))
            outcomes.append(IMPORTED)
        except AppError as refused:
            outcomes.append(refused)
    inserted = await repository.insert_many(session, ctx, rows)
    await ledger.open_wallets(session, ctx, [customer.id for customer in inserted])
    fresh = {(customer.external_id, customer.email) for customer in inserted}
    left = [row for row in rows if (row["external_id"], row["email"]) not in fresh]
    by_id = await repository.find_many(session, ctx, [row["external_id"] for row in left])
    by_email = await repository.find_many_by_email(
        session, ctx, [row["email"] for row in left if row["email"]]
    )
    written = iter(rows)
    for index, outcome in enumerate(outcomes):
        if outcome != IMPORTED:
            continue
        row = next(written)
        external_id, email = row["external_id"], row["email"]
        owner = by_email.get(email) if email else None
        if (external_id, email) in fresh:
            fresh.discard((external_id, email))  # a repeat later in the batch is a skip
        elif owner is not None and owner.external_id != external_id:
            outcomes[index] = await _taken(session, ctx, None, email)
        elif external_id in by_id:
            outcomes[index] = SKIPPED  # there already: imported before, registered here, or earlier above
        else:
            outcomes[index] = Conflict(
                "The customer conflicts with an existing one", title="Customer already exists"
            )
    return outcomes


async def find_many(
    session: AsyncSession, ctx: AuthContext, external_ids: Sequence[str], *, for_update: bool = False
) -> dict[str, Customer]:
    """{id: customer} of the ids that are customers of the account; `for_update` locks their rows (in a
    fixed order) before a change to them and their wallets."""
    return await repository.find_many(session, ctx, external_ids, for_update=for_update)


async def get(
    session: AsyncSession, ctx: AuthContext, external_id: str, *, for_update: bool = False
) -> Customer:
    """`for_update` before a change to the customer row: a writer that also changes the wallet locks the
    customer first, then the wallet (the order of the event path), so no two writers deadlock."""
    customer = await repository.find(session, ctx, external_id, for_update=for_update)
    if customer is None:
        raise CustomerNotFound(external_id)
    return customer


async def get_by_id(session: AsyncSession, ctx: AuthContext, customer_id: str) -> Customer:
    customer = await repository.find_by_id(session, ctx, customer_id)
    if customer is None:
        raise NotFound("The customer no longer exists", title="Customer not found")
    return customer


async def update(
    session: AsyncSession, ctx: AuthContext, external_id: str, body: CustomerUpdate
) -> CustomerWithWallet:
    customer = await get(session, ctx, external_id)
    await _change(session, ctx, customer, _profile_values(customer, body))
    return await with_wallet(session, ctx, customer)


async def identify(
    session: AsyncSession, ctx: AuthContext, external_id: str, body: CustomerIdentify
) -> Customer:
    """Turn an anonymous customer into a regular one, optionally under a new id (a registration: the
    caller runs its REGISTRATION event, as for register)."""
    customer = await get(session, ctx, external_id)
    if not customer.is_anonymous:
        raise Conflict("The customer is not anonymous", title="Customer is not anonymous")
    if body.name is None:
        raise invalid("name", "is required to identify an anonymous customer")
    if body.email is None:
        raise invalid("email", "is required to identify an anonymous customer")
    values = {**_profile_values(customer, body), **_identity_values(customer, body), "is_anonymous": False}
    if body.new_id is not None:
        values["external_id"] = body.new_id
    if body.email_status is not None:
        values["email_status"] = body.email_status
    await _change(session, ctx, customer, values)
    outbox.emit(
        session,
        ctx,
        "CUSTOMER_ANONYMOUS_TO_REGISTERED",
        IdentifiedWebhook(previous_id=external_id, customer=_json(customer)),
    )
    return customer


async def delete_tags(
    session: AsyncSession, ctx: AuthContext, external_id: str, tags: list[str]
) -> CustomerWithWallet:
    customer = await get(session, ctx, external_id)
    remaining = {key: value for key, value in customer.tags.items() if key not in set(tags)}
    await _change(session, ctx, customer, {"tags": remaining})
    return await with_wallet(session, ctx, customer)


async def get_consent(session: AsyncSession, ctx: AuthContext, external_id: str) -> ConsentOut:
    return rendering.consent_of(await get(session, ctx, external_id))


async def record_consent(
    session: AsyncSession, ctx: AuthContext, external_id: str, consent: ConsentIn
) -> ConsentOut:
    customer = await get(session, ctx, external_id)
    await _change(session, ctx, customer, {"consent": _merged_consent(customer.consent, consent)})
    return rendering.consent_of(customer)


@dataclass(frozen=True)
class CustomerSearch:
    """What GET /customers (and the console) may ask for: prefixes of the id, email and name (the name
    case-insensitively), a tag (`key` or `key:value`), a tier; `cursor` as the previous page handed it
    out. Empty strings mean "no filter", as an empty search box does."""

    id: str | None = None
    email: str | None = None
    name: str | None = None
    tag: str | None = None
    tier_id: str | None = None
    cursor: str | None = None
    limit: int = DEFAULT_PAGE
    # The console's "Previous": the page just before the customer this cursor names (as `search_page`
    # hands it out).
    before: str | None = None


async def search(session: AsyncSession, ctx: AuthContext, wanted: CustomerSearch) -> CustomerPage:
    """One page of the account's customers; every filter given must hold. Sorted by what is searched, so a
    page is one walk of one index: by name (then id) when a name is searched, else by email when an email
    is, else by id."""
    order, rows = await _search_rows(session, ctx, wanted)
    page = rows[: wanted.limit]
    cursor = _encode_cursor(order, page[-1][1]) if len(rows) > wanted.limit else None
    return CustomerPage(data=[rendering.customer_out(customer) for customer, _key in page], cursor=cursor)


async def search_page(
    session: AsyncSession, ctx: AuthContext, wanted: CustomerSearch
) -> KeysetPage[Customer]:
    """`search` for the console: the customers themselves (their ids are ours, for links), with a cursor
    for the next page (`cursor`) and one for the previous page (`before`)."""
    order, rows = await _search_rows(session, ctx, wanted)
    backwards = wanted.before is not None
    more = len(rows) > wanted.limit
    page = rows[-wanted.limit :] if backwards else rows[: wanted.limit]
    has_next = (more and not backwards) or backwards
    has_previous = (more and backwards) or (not backwards and wanted.cursor is not None)
    return KeysetPage(
        items=[customer for customer, _key in page],
        next_cursor=_encode_cursor(order, page[-1][1]) if has_next and page else None,
        previous_cursor=_encode_cursor(order, page[0][1]) if has_previous and page else None,
    )


async def _search_rows(
    session: AsyncSession, ctx: AuthContext, wanted: CustomerSearch
) -> tuple[repository.Order, Sequence[tuple[Customer, tuple[str, ...]]]]:
    """The order the search walks, and up to `limit + 1` customers with their sort keys, in that order."""
    if not 1 <= wanted.limit <= MAX_PAGE:
        raise invalid("limit", f"must be from 1 to {MAX_PAGE}")
    email, name, tag, tier_id = (
        _given(value) for value in (wanted.email, wanted.name, wanted.tag, wanted.tier_id)
    )
    order = (
        repository.Order.NAME
        if name
        else repository.Order.EMAIL
        if email
        else repository.Order.TAG
        if tag
        else repository.Order.ID
    )
    rows = await repository.search(
        session,
        ctx,
        repository.Search(
            limit=wanted.limit + 1,
            order=order,
            after=_decode_cursor(wanted.cursor, order) if wanted.cursor else None,
            before=_decode_cursor(wanted.before, order, "before") if wanted.before else None,
            id_prefix=_given(wanted.id),
            email_prefix=email.strip().lower() if email is not None else None,
            name_prefix=name,
            tag=tag,
            tier_id=tier_id,
            tier_is_base=tier_id is not None and await _is_base_tier(session, ctx, tier_id),
        ),
    )
    return order, rows


def _given(value: str | None) -> str | None:
    return value if value else None


def _encode_cursor(order: repository.Order, key: tuple[str, ...]) -> str:
    return cursors.encode([order.value, *key])


def _decode_cursor(cursor: str, order: repository.Order, name: str = "cursor") -> tuple[str, ...]:
    decoded = cursors.decode(cursor)
    if decoded[0] != order.value or len(decoded) != (3 if order is repository.Order.NAME else 2):
        raise invalid(name, "belongs to a search with other filters; start again without a cursor")
    return tuple(decoded[1:])


async def _is_base_tier(session: AsyncSession, ctx: AuthContext, tier_id: str) -> bool:
    try:
        tier = await tiers.get_tier(session, ctx, tier_id)
    except NotFound:
        raise invalid("tier_id", "no tier with this id in your account") from None
    return tier.is_base


def allows(customer: Customer, purpose: str) -> bool:
    """Whether recorded consent allows `purpose` (no record: everything is allowed; a record must say
    true explicitly)."""
    if not customer.consent:
        return True
    return customer.consent.get("purposes", {}).get(purpose) is True


async def with_wallet(session: AsyncSession, ctx: AuthContext, customer: Customer) -> CustomerWithWallet:
    """The customer and their wallet, settled to the clock first (lazy expiry)."""
    wallet = await ledger.wallet_of(session, ctx, customer.id)
    view = await ledger.settled_view(session, ctx, wallet)
    return CustomerWithWallet(
        customer=rendering.customer_out(customer), wallet=await wallet_out(session, ctx, customer, view)
    )


async def read(runner: Runner, ctx: AuthContext, external_id: str) -> dict[str, Any]:
    """GET /customers/{id}: the customer and their wallet, exact at read time, in a read transaction that
    never waits for the writer (the wallet is shown as settling it would leave it, without settling). The
    answer's `data` as plain values (`rendering.customer_document`), for `kit.encoding.wire_bytes`."""
    customer, wallet_id = await find_with_wallet(runner, ctx, external_id)
    view = await ledger.read_view(runner, ctx, wallet_id)
    rewards = await reward_service.read_reward_objects(
        runner, ctx, {total.reward_id for total in view.totals}
    )
    return {
        "customer": rendering.customer_document(customer),
        "wallet": wallet_document(customer, view, rewards),
    }


async def find_with_wallet(runner: Runner, ctx: AuthContext, external_id: str) -> tuple[Customer, str]:
    """The customer, loaded outside any session (read-only), and their wallet id, through a runner."""
    found = await repository.read_with_wallet(runner, ctx, external_id)
    if found is None:
        raise CustomerNotFound(external_id)
    return found


class RegistrationWebhook(TypedDict):
    """CUSTOMER_REGISTRATION."""

    customer: dict[str, Any]  # CustomerOut, JSON-ready


class IdentifiedWebhook(TypedDict):
    """CUSTOMER_ANONYMOUS_TO_REGISTERED."""

    previous_id: str
    customer: dict[str, Any]  # CustomerOut, JSON-ready


def _json(customer: Customer) -> dict[str, Any]:
    """The customer as a webhook payload (JSON-ready)."""
    return rendering.customer_out(customer).model_dump(mode="json")


async def wallet_out(
    session: AsyncSession, ctx: AuthContext, customer: Customer, view: ledger.WalletView
) -> WalletOut:
    """The wallet as the API shows it: remaining lines, and per-reward totals with their reward."""
    rewards = await reward_service.reward_objects(session, ctx, {total.reward_id for total in view.totals})
    return wallet_shown(customer, view, rewards)


def wallet_shown(
    customer: Customer, view: ledger.WalletView, rewards: Mapping[str, dict[str, Any]]
) -> WalletOut:
    """wallet_out with the reward objects at hand (a batch loads them once for all its wallets)."""
    lines = [
        LineOut(
            id=line.id,
            amount=line.remaining,
            reward_id=line.reward_id,
            campaign_id=line.campaign_id,
            brand_id=line.brand_id,
            issued_at=line.issued_at,
            expiration_date=line.expiration_date,
            reservation_expires_at=line.reservation_expires_at,
        )
        for line in view.lines
    ]
    totals = [
        TotalOut(
            total=total.total,
            reward_id=total.reward_id,
            expiration_date=total.expiration_date,
            reward=rewards.get(total.reward_id),
        )
        for total in view.totals
    ]
    return WalletOut(id=view.wallet_id, owner_id=customer.external_id, lines=lines, totals=totals)


def wallet_document(
    customer: Customer, view: ledger.WalletView, rewards: Mapping[str, dict[str, Any]]
) -> dict[str, Any]:
    """`wallet_shown` as plain values for `kit.encoding.wire_bytes` (a test holds the two byte for byte)."""
    return {
        "id": view.wallet_id,
        "owner_id": customer.external_id,
        "lines": [
            {
                "id": line.id,
                "amount": plain_number(line.remaining),
                "reward_id": line.reward_id,
                "campaign_id": line.campaign_id,
                "brand_id": line.brand_id,
                "issued_at": line.issued_at,
                "expiration_date": line.expiration_date,
                "reservation_expires_at": line.reservation_expires_at,
            }
            for line in view.lines
        ],
        "totals": [
            {
                "total": plain_number(total.total),
                "reward_id": total.reward_id,
                "expiration_date": total.expiration_date,
                "reward": rewards.get(total.reward_id),
            }
            for total in view.totals
        ],
    }


# Internals.


def _registration_values(body: CustomerCreate) -> dict[str, Any]:
    if not body.is_anonymous:
        if body.name is None:
            raise invalid("name", "is required unless is_anonymous is true")
        if body.email is None:
            raise invalid("email", "is required unless is_anonymous is true")
    now = clock.now()
    customer_id = new_id()
    values: dict[str, Any] = {
        "id": customer_id,
        "external_id": body.id,
        "name": body.name or ANONYMOUS_NAME,
        "email": f"{customer_id}@{ANONYMOUS_EMAIL_DOMAIN}" if body.is_anonymous else None,
        "email_status": None,
        "registration_date": body.registration_date or now,
        "status": CustomerStatus.ACTIVE,
        "is_anonymous": body.is_anonymous,
        "gender": body.gender,
        "dob": body.dob,
        "document_type": None,
        "document_number": None,
        "country": None,
        "tier_id": None,
        "referral_code": body.referral_code,
        "platforms": body.platforms or [],
        "devices": [],
        "tags": body.tags or {},
        "consent": None,
        "metrics": {},
        "metadata_": body.metadata or {},
        "created_at": now,
        "updated_at": now,
    }
    values.update(_identity_values(None, body))
    return values


def _profile_values(customer: Customer, body: ProfileFields) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if body.name is not None:
        values["name"] = body.name
    if body.gender is not None:
        values["gender"] = body.gender
    if body.dob is not None:
        values["dob"] = body.dob
    if body.tags is not None:
        values["tags"] = {**customer.tags, **body.tags}
    if body.metadata is not None:
        values["metadata_"] = {**customer.metadata_, **body.metadata}
    return values


def _identity_values(customer: Customer | None, body: IdentityFields) -> dict[str, Any]:
    document_type = body.document_type or (customer.document_type if customer else None)
    document_number = body.document_number or (customer.document_number if customer else None)
    if document_type is not None and document_number is None:
        raise invalid("document_number", "is required when document_type is provided")
    if document_number is not None and document_type is None:
        raise invalid("document_type", "is required when document_number is provided")
    values: dict[str, Any] = {"document_type": document_type, "document_number": document_number}
    if body.email is not None:
        values["email"] = _email(body.email)
    if body.country is not None:
        values["country"] = body.country
    if body.devices is not None:
        values["devices"] = [device.model_dump(mode="json") for device in body.devices]
    if body.consent is not None:
        values["consent"] = _merged_consent(customer.consent if customer else None, body.consent)
    return values


def _email(email: str) -> str:
    normalized = email.strip().lower()
    if not _EMAIL.match(normalized):
        raise invalid("email", "is not a valid email address")
    if normalized.endswith(f"@{ANONYMOUS_EMAIL_DOMAIN}"):
        raise invalid("email", f"the domain {ANONYMOUS_EMAIL_DOMAIN} is kept for anonymous customers")
    return normalized


def _merged_consent(recorded: dict[str, Any] | None, given: ConsentIn) -> dict[str, Any]:
    """Record consent: the given purposes over the current ones (all true when nothing was recorded)."""
    current = recorded or {"purposes": rendering.default_purposes(), "vendors": {}}
    patch = given.model_dump(mode="json", exclude_unset=True)
    return {
        **current,
        **{key: value for key, value in patch.items() if key not in ("purposes", "vendors")},
        "purposes": {**current.get("purposes", {}), **(given.purposes or {})},
        "vendors": {**current.get("vendors", {}), **(given.vendors or {})},
        "version": patch.get("version") or current.get("version") or rendering.CONSENT_VERSION,
        "consent_timestamp": patch.get("consent_timestamp") or clock.now().isoformat(),
    }


async def _change(
    session: AsyncSession, ctx: AuthContext, customer: Customer, values: dict[str, Any]
) -> None:
    if not values:
        return
    if not await repository.change(session, ctx, customer, values):
        taken = await _taken(session, ctx, values.get("external_id"), values.get("email"), but=customer.id)
        if taken.field == "id":  # only identify changes the id, through `new_id`
            taken = Conflict(f"new_id{taken.details[2:]}", title=taken.title, field="new_id")
        raise taken


async def _taken(
    session: AsyncSession,
    ctx: AuthContext,
    external_id: str | None,
    email: str | None,
    *,
    but: str | None = None,
) -> Conflict:
    if external_id is not None and await repository.external_id_taken(session, ctx, external_id):
        return Conflict(
            f"id: a customer with id {external_id!r} already exists in this account",
            title="Customer already exists",
            field="id",
        )
    if email is not None and await repository.email_taken(session, ctx, email, but=but):
        return Conflict(
            f"email: a customer with email {email!r} already exists in this account",
            title="Customer already exists",
            field="email",
        )
    return Conflict("The customer conflicts with an existing one", title="Customer already exists")
