"""Behavior events, processed before the answer: redemptions (spent, or reserved while the event is
unfulfilled), the matching BEHAVIOR campaigns, the event programs (punch cards, referrals...), metrics and
tier upgrades, then the result and the webhooks, all in one transaction.

Two entry points share that processing. `create` does one event with the ledger's per-wallet operations.
`create_many` does a group-committed batch of plain events (no redemptions, fulfilled, no program
concerned: see perks.loyalty.events.batch) set-wise: one fingerprint, one customer query, one event INSERT,
one wallet lock and line read, one INSERT of lines and one of transactions, one UPDATE of events, for the
whole batch."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, NotRequired, TypedDict

from sqlalchemy.ext.asyncio import AsyncSession

from perks.db.base import transient
from perks.db.retries import RunAgain
from perks.errors import AppError, Conflict, NotFound, invalid
from perks.kit import clock, encoding
from perks.kit.ids import new_id
from perks.kit.keyset import Keyset, KeysetPage
from perks.kit.money import plain_number
from perks.ledger import service as ledger
from perks.ledger.models import LedgerTransaction, Transaction, TransactionType, Wallet
from perks.loyalty.campaigns import service as campaigns
from perks.loyalty.customers import rendering
from perks.loyalty.customers import service as customers
from perks.loyalty.customers.models import Customer
from perks.loyalty.engine import budgets, effects, tier_moves
from perks.loyalty.engine.effects import Grant
from perks.loyalty.engine.facts import customer_facts, event_facts
from perks.loyalty.events import matching, repository
from perks.loyalty.events.models import COUNTED, BehaviorEvent, EventResult, EventStatus, effective_status
from perks.loyalty.events.programs import EventContext
from perks.loyalty.events.rendering import event_document, event_out
from perks.loyalty.events.schemas import EventCreate, EventOut, Priced, RedeemItem
from perks.loyalty.programs import PROGRAMS
from perks.loyalty.rewards import service as reward_service
from perks.loyalty.tiers.models import Tier
from perks.loyalty.transactions.rendering import transaction_document, transaction_out
from perks.outbox import service as outbox
from perks.sql import runner_of
from perks.tenancy.context import AuthContext

PURCHASE = "PURCHASE"
MAX_AGE = timedelta(hours=72)
CONSENT = "behavioral_campaigns"
NOT_FOUND = "Event not found"


class EventShown(TypedDict):
    id: str
    type: str
    issued_at: str


class RewardsWebhook(TypedDict):
    """CUSTOMER_ACCUMULATION or CUSTOMER_REDEMPTION of an event: the customer as the event's result shows
    them, the event, and its lines (LineJSON with the amount as a string)."""

    customer: dict[str, Any]
    event: EventShown
    accumulations: NotRequired[list[dict[str, Any]]]
    redemptions: NotRequired[list[dict[str, Any]]]


class ReversedWebhook(TypedDict):
    event: dict[str, Any]  # EventOut, JSON-ready


@dataclass(frozen=True)
class Created:
    event: dict[str, Any]  # event_document
    repeated: bool  # a PURCHASE whose purchase_id was seen before: the stored event, nothing rewarded


@dataclass
class Outcome:
    """What processing one event did."""

    grants: list[Grant] = field(default_factory=list)
    redemptions: list[ledger.LineJSON] = field(default_factory=list)
    transactions: list[Transaction] = field(default_factory=list)
    campaign_ids: list[str] = field(default_factory=list)
    counted: bool = False  # a PURCHASE added to the customer's metrics (a reversal takes it back)


async def create(session: AsyncSession, ctx: AuthContext, body: EventCreate) -> Created:
    now = clock.now()
    issued_at = checked_issued_at(body, now)
    found = await repository.customer_and_wallet(session, ctx, body.customer_id)
    if found is None:
        raise customers.CustomerNotFound(body.customer_id)
    customer, wallet_id = found
    if body.brand_id is not None and not await repository.brand_exists(session, ctx, body.brand_id):
        raise unknown_brand()
    event = _new_event(ctx, customer, body, issued_at, now)
    if not await repository.insert_event(session, _columns(event)):
        return await _repeated(session, ctx, event, customer, now)
    outcome = Outcome()
    if customers.allows(customer, CONSENT):
        catalog = await matching.snapshot(session, ctx)
        outcome = await _process(session, ctx, event, customer, wallet_id, body, catalog)
    view = await ledger.view(session, ctx, Wallet(id=wallet_id, account_id=ctx.account_id))
    rewards = await reward_service.reward_objects(session, ctx, _reward_ids([view]))
    _resolve(event, customer, outcome, _result(customer, view, rewards, outcome))
    await repository.finish(session, ctx, event.id, _finished(event))
    _announce(session, ctx, event, customer, outcome)
    return Created(event_document(event, now), repeated=False)


@dataclass(frozen=True)
class Accepted:
    """An event of a group-committed batch, checked: its customer (row-locked) and wallet, its brand."""

    body: EventCreate
    customer: Customer
    wallet_id: str
    issued_at: datetime


async def create_many(
    session: AsyncSession, ctx: AuthContext, accepted: Sequence[Accepted]
) -> list[Created | AppError]:
    """`create` for a batch of plain events of one account (see the module's docstring), in order. A
    repeated purchase_id of another customer is that event's error; the others are done all the same."""
    now = clock.now()
    runner = await runner_of(session)
    events = [_new_event(ctx, item.customer, item.body, item.issued_at, now) for item in accepted]
    fresh = _fresh(events, await repository.read_recorded_purchases(runner, ctx, _purchase_ids(events)))
    catalog = await matching.snapshot(session, ctx)
    wallets = await ledger.lock_wallets(session, ctx, [accepted[index].wallet_id for index in fresh])
    before = {item.customer.id: (item.customer.metrics, item.customer.tier_id) for item in accepted}
    processed: list[tuple[int, Outcome, ledger.WalletView, dict[str, Any]]] = []
    for index in fresh:
        item, event = accepted[index], events[index]
        outcome = Outcome()
        if customers.allows(item.customer, CONSENT):
            outcome = await _process(
                session, ctx, event, item.customer, item.wallet_id, item.body, catalog, wallets=wallets
            )
        view = wallets.view(item.wallet_id)
        processed.append((index, outcome, view, rendering.customer_document(item.customer)))
    await wallets.flush(session)
    runner = await runner_of(session)  # what the ORM wrote meanwhile (a tier's webhook) goes first
    changed = {
        item.customer.id: item.customer
        for item in accepted
        if (item.customer.metrics, item.customer.tier_id) != before[item.customer.id]
    }
    await repository.update_customers(runner, ctx, list(changed.values()), now)
    rewards = await reward_service.read_reward_objects(runner, ctx, _reward_ids([p[2] for p in processed]))
    announced: list[tuple[str, RewardsWebhook]] = []
    for index, outcome, view, shown in processed:
        item, event = accepted[index], events[index]
        _resolve(event, item.customer, outcome, _result(item.customer, view, rewards, outcome, shown))
        announced.extend(_announcements(event, item.customer, outcome))
    await outbox.emit_many(runner, ctx, announced)
    # Each event row is written once, as it ended. A purchase_id that a concurrent transaction recorded
    # after the read above (PostgreSQL; SQLite admits one writer) makes the insert skip the row: the
    # batch is run again from the start, and then finds that purchase recorded.
    written = [events[index] for index in fresh]
    if len(await repository.write_events(runner, [_columns(event) for event in written])) < len(written):
        raise RunAgain("a purchase_id of the batch was recorded by a concurrent transaction")
    inserted = {event.id for event in written}
    created: list[Created | AppError] = []
    for item, event in zip(accepted, events, strict=True):
        if event.id in inserted:
            created.append(Created(event_document(event, now), repeated=False))
            continue
        try:  # a repeated purchase: the stored event (maybe one this batch just processed)
            created.append(await _repeated(session, ctx, event, item.customer, now))
        except AppError as error:
            created.append(error)
    return created


def _purchase_ids(events: Sequence[BehaviorEvent]) -> set[str]:
    return {event.purchase_id for event in events if event.purchase_id is not None}


def _fresh(events: Sequence[BehaviorEvent], recorded: set[str]) -> list[int]:
    """The events to process: all but a purchase already recorded, or repeated earlier in the batch."""
    seen = set(recorded)
    fresh = []
    for index, event in enumerate(events):
        if event.purchase_id is not None:
            if event.purchase_id in seen:
                continue
            seen.add(event.purchase_id)
        fresh.append(index)
    return fresh


def checked_issued_at(body: EventCreate, now: datetime) -> datetime:
    """The event's moment (now when not given), and the checks that need no database."""
    if body.type == PURCHASE and body.order is None:
        raise invalid("order", "is required for PURCHASE events")
    return _issued_at(body.issued_at, now)


def unknown_brand() -> AppError:
    return invalid("brand_id", "no brand with this id in your account")


async def _repeated(
    session: AsyncSession, ctx: AuthContext, event: BehaviorEvent, customer: Customer, now: datetime
) -> Created:
    """A PURCHASE whose purchase_id is already recorded: the stored event, nothing rewarded again."""
    stored = await repository.by_purchase(session, ctx, str(event.purchase_id))
    assert stored is not None  # the conflicting row is committed or ours
    if stored.customer_id != customer.id:
        raise Conflict(
            "order.purchase_id: this purchase was recorded for another customer",
            title="Purchase already recorded",
            field="order.purchase_id",
        )
    return Created(event_document(stored, now), repeated=True)


def _resolve(event: BehaviorEvent, customer: Customer, outcome: Outcome, result: EventResult) -> None:
    event.status = EventStatus.RESOLVED
    event.resolved_at = clock.now()
    event.rewarding_campaigns = outcome.campaign_ids
    event.result = result


async def get(session: AsyncSession, ctx: AuthContext, event_id: str) -> EventOut:
    return event_out(await _event(session, ctx, event_id), clock.now())


async def page_of_customer(
    session: AsyncSession, ctx: AuthContext, customer_id: str, keyset: Keyset
) -> KeysetPage[BehaviorEvent]:
    """A customer's events (our customer id), newest first, for the console."""
    return await repository.page_of_customer(session, ctx, customer_id, keyset)


async def fulfill(session: AsyncSession, ctx: AuthContext, event_id: str) -> EventOut:
    """Spend what the unfulfilled event reserved; the event is fulfilled from now on."""
    event = await _event(session, ctx, event_id, for_update=True)
    now = clock.now()
    status = effective_status(event, now)
    if status == EventStatus.EXPIRED:
        raise Conflict("The event's reservation has expired", title="Event has expired")
    if status != EventStatus.RESOLVED:
        raise Conflict(f"The event is {status}", title="Event cannot be fulfilled")
    if event.fulfilled:
        raise Conflict("The event is already fulfilled", title="Event already fulfilled")
    spent: list[LedgerTransaction] = []
    if event.result.get("redemptions"):
        spent = await ledger.fulfill(session, ctx, event.id, entry=_entry(event))
    values: dict[str, Any] = {"fulfilled": True, "fulfilled_at": now, "reservation_expires_at": None}
    redemptions = [_redemption(transaction) for transaction in spent]
    if spent:
        recorded = event.result.get("transactions", [])
        values["result"] = event.result | EventResult(
            redemptions=redemptions,
            transactions=recorded + [_transaction_json(item, event.customer_external_id) for item in spent],
        )
    for name, value in values.items():  # the ORM writes them at the flush
        setattr(event, name, value)
    if spent:
        customer = await _customer(session, ctx, event)
        _emit(session, ctx, "CUSTOMER_REDEMPTION", event, customer, redemptions=redemptions)
    return event_out(event, now)


async def reverse(session: AsyncSession, ctx: AuthContext, event_id: str, reason: str | None) -> EventOut:
    """Undo the event's accumulations and redemptions (and release what it holds): REVERSED, or
    CANCELLED when it was never fulfilled. Budgets get back what its accumulations consumed."""
    event = await _event(session, ctx, event_id, for_update=True)
    now = clock.now()
    if event.status in (EventStatus.REVERSED, EventStatus.CANCELLED):
        raise Conflict(f"The event is already {event.status}", title="Internal validation failed")
    # The customer's metrics are rewritten below: lock the row first, before the wallet, in the order the
    # event path takes them (customer, then wallet), so that a concurrent event neither deadlocks with
    # this reversal nor has its purchase overwritten by a stale copy.
    customer = await _customer(session, ctx, event, for_update=True) if event.result.get(COUNTED) else None
    reversals = await ledger.reverse_event(session, ctx, event.id, details=reason)
    await _refund_budgets(session, ctx, event, reversals)
    if customer is not None:
        _count_purchase(customer, event.data, sign=-1)
        await tier_moves.reassess(session, ctx, customer, event_id=event.id)
    status = EventStatus.REVERSED if event.fulfilled else EventStatus.CANCELLED
    values: dict[str, Any] = {
        "status": status,
        "reason": reason,
        "reservation_expires_at": None,
        ("reversed_at" if status == EventStatus.REVERSED else "cancelled_at"): now,
        "result": event.result
        | EventResult(
            reversals=[
                _transaction_json(transaction, event.customer_external_id) for transaction in reversals
            ]
        ),
    }
    for name, value in values.items():  # the ORM writes them at the flush
        setattr(event, name, value)
    out = event_out(event, now)
    outbox.emit(session, ctx, "EVENT_REVERSED", ReversedWebhook(event=out.model_dump(mode="json")))
    return out


# Processing.


async def _process(
    session: AsyncSession,
    ctx: AuthContext,
    event: BehaviorEvent,
    customer: Customer,
    wallet_id: str,
    body: EventCreate,
    catalog: matching.Snapshot,
    *,
    wallets: ledger.LockedWallets | None = None,
) -> Outcome:
    """Run the event. With `wallets` (a group-committed batch, whose events redeem nothing and concern no
    program) the grants are added to the locked wallets in memory, to be written with the batch's."""
    outcome = Outcome()
    await _redeem(session, ctx, event, wallet_id, body, outcome)
    tier_id = await tier_moves.tier_of(session, ctx, customer)
    of_event = event_facts(event.type, event.data, event.issued_at)
    facts = {**of_event, **customer_facts(customer, event.issued_at, tier_id=tier_id)}
    entry = _entry(event)
    base = _multiplier_base(body)
    running = matching.running_campaigns(
        catalog, trigger=event.type, brand_id=event.brand_id, platform=body.platform, at=event.issued_at
    )
    planned: list[effects.Planned] = []
    for cached in running:
        if not cached.matches(facts):
            continue  # most campaigns: decided without a coroutine of their own
        campaign = cached.campaign
        chosen = await effects.plan(
            session,
            ctx,
            campaign=campaign,
            rules=cached.rules,
            customer=customer,
            facts=facts,
            entry=entry,
            multiplier_base=base,
            issued_at=event.issued_at,
        )
        if chosen:
            outcome.campaign_ids.append(campaign.id)
            planned.extend(chosen)
    if wallets is None:
        outcome.grants.extend(await effects.write(session, ctx, wallet_id, planned))
        outcome.grants.extend(await _run_programs(session, ctx, event, customer, wallet_id, body, facts))
    else:
        accruals = [item.accrual for item in planned]
        outcome.grants.extend(effects.granted(planned, wallets.accumulate(wallet_id, accruals)))
    outcome.transactions.extend(grant.transaction for grant in outcome.grants)
    if event.type == PURCHASE:
        _count_purchase(customer, event.data, sign=1)
        outcome.counted = True
    await _upgrade(session, ctx, event, customer, catalog.tiers, of_event)
    return outcome


async def _run_programs(
    session: AsyncSession,
    ctx: AuthContext,
    event: BehaviorEvent,
    customer: Customer,
    wallet_id: str,
    body: EventCreate,
    facts: dict[str, Any],
) -> list[Grant]:
    context = EventContext(
        event_id=event.id,
        event_type=event.type,
        brand_id=event.brand_id,
        issued_at=event.issued_at,
        customer=customer,
        wallet_id=wallet_id,
        facts=facts,
        referral_code=body.referral_code,
        data=event.data,
    )
    grants: list[Grant] = []
    for program in PROGRAMS:
        grants.extend(await program.run(session, ctx, context))
    return grants


async def _redeem(
    session: AsyncSession,
    ctx: AuthContext,
    event: BehaviorEvent,
    wallet_id: str,
    body: EventCreate,
    outcome: Outcome,
) -> None:
    """Spend (fulfilled) or reserve (unfulfilled: until fulfilled, or for 24 hours / `reserve` days) every
    `redeem` of the event, its order, products and shipping. A balance that cannot cover one is a 422."""
    for item in redeem_items(body):
        if event.fulfilled:
            spent = await ledger.redeem(session, ctx, wallet_id, item.id, item.amount, entry=_entry(event))
            outcome.transactions.extend(spent)
            outcome.redemptions.extend(_redemption(transaction) for transaction in spent)
        else:
            held = await ledger.reserve(
                session,
                ctx,
                wallet_id,
                item.id,
                item.amount,
                event.id,
                days=event.reserve,
                brand_id=event.brand_id,
            )
            outcome.redemptions.extend(ledger.line_json(line, -line.amount) for line in held)


def redeem_items(body: EventCreate) -> list[RedeemItem]:
    priced: list[Priced | None] = [body.order]
    if body.order is not None:
        priced.extend(body.order.products or [])
        priced.append(body.order.shipping)
    items = list(body.redeem or [])
    for part in priced:
        if part is not None:
            items.extend(part.redeem or [])
    return items


async def _upgrade(
    session: AsyncSession,
    ctx: AuthContext,
    event: BehaviorEvent,
    customer: Customer,
    active: Sequence[Tier],
    of_event: dict[str, Any],
) -> None:
    """The tier on the event's facts (read once, in _process) and the customer's as they are now."""
    facts = {**of_event, **customer_facts(customer, event.issued_at)}
    change = await tier_moves.recalculate(session, ctx, customer, facts, active)
    tier_moves.announce(session, ctx, customer, change, event_id=event.id)


def _count_purchase(customer: Customer, data: dict[str, Any], *, sign: int) -> None:
    """Lifetime metrics kept on the customer: purchases, spend (a decimal string) and the last visit."""
    metrics = dict(customer.metrics or {})
    lifetime = dict(metrics.get("lifetime") or {})
    order = data.get("order") or {}
    value = Decimal(str(order.get("value") or 0))
    lifetime["number_of_purchases"] = max(0, int(lifetime.get("number_of_purchases") or 0) + sign)
    lifetime["spend_total"] = str(
        max(Decimal(0), Decimal(str(lifetime.get("spend_total") or 0)) + sign * value)
    )
    if sign > 0:
        lifetime["last_visit"] = data.get("issued_at")
    metrics["lifetime"] = lifetime
    customer.metrics = metrics


def _multiplier_base(body: EventCreate) -> Decimal | None:
    """What PER_CURRENCY_UNIT effects multiply: the order's discounted value when given, else its value."""
    if body.order is None:
        return body.product.value if body.product is not None else None
    return body.order.discounted_value if body.order.discounted_value is not None else body.order.value


async def _refund_budgets(
    session: AsyncSession, ctx: AuthContext, event: BehaviorEvent, reversals: list[LedgerTransaction]
) -> None:
    """Give each reversed accumulation's amount back to its campaign's budget, in the period it was
    consumed in (the accumulation's creation, as the event's result recorded it)."""
    created = {
        item["id"]: item["created_at"]
        for item in event.result.get("transactions", [])
        if item.get("type") == TransactionType.ACCUMULATION
    }
    loaded: dict[str, Any] = {}
    for reversal in reversals:
        consumed_at = created.get(reversal.reverses_id or "")
        if consumed_at is None or reversal.campaign_id is None:
            continue
        if reversal.campaign_id not in loaded:
            try:
                loaded[reversal.campaign_id] = await campaigns.get_campaign(
                    session, ctx, reversal.campaign_id
                )
            except NotFound:
                loaded[reversal.campaign_id] = None
        if loaded[reversal.campaign_id] is not None:
            moment = datetime.fromisoformat(consumed_at.replace("Z", "+00:00"))
            await budgets.refund(session, ctx, loaded[reversal.campaign_id], -reversal.amount, moment)


# Rendering and webhooks.


def _result(
    customer: Customer,
    view: ledger.WalletView,
    rewards: dict[str, dict[str, Any]],
    outcome: Outcome,
    shown: dict[str, Any] | None = None,
) -> EventResult:
    """The event's result (`EventResult`, JSON-ready): the wallet after it (`view`), the customer as of
    then (`shown`, a `customer_document`), what it did. Built from plain values, as pydantic would dump
    the model (a test holds the two alike), at a fraction of its cost."""
    owner = customer.external_id
    result: EventResult = encoding.json_ready(
        {
            "wallet": customers.wallet_document(customer, view, rewards),
            "customer": shown or rendering.customer_document(customer),
            "gift_card": [],
            "accumulations": [grant.line for grant in outcome.grants],
            "redemptions": outcome.redemptions,
            "transactions": [transaction_document(item, owner) for item in outcome.transactions],
        }
    )
    if outcome.counted:
        result[COUNTED] = True
    return result


def _reward_ids(views: Sequence[ledger.WalletView]) -> set[str]:
    return {total.reward_id for view in views for total in view.totals}


def _announce(
    session: AsyncSession, ctx: AuthContext, event: BehaviorEvent, customer: Customer, outcome: Outcome
) -> None:
    for event_type, payload in _announcements(event, customer, outcome):
        outbox.emit(session, ctx, event_type, payload)


def _announcements(
    event: BehaviorEvent, customer: Customer, outcome: Outcome
) -> list[tuple[str, RewardsWebhook]]:
    """The webhooks a processed event emits: CUSTOMER_ACCUMULATION, CUSTOMER_REDEMPTION."""
    found = []
    if outcome.grants:
        found.append(
            _webhook("CUSTOMER_ACCUMULATION", event, customer, accumulations=event.result["accumulations"])
        )
    if outcome.redemptions and event.fulfilled:
        found.append(
            _webhook("CUSTOMER_REDEMPTION", event, customer, redemptions=event.result["redemptions"])
        )
    return found


def _emit(
    session: AsyncSession,
    ctx: AuthContext,
    event_type: str,
    event: BehaviorEvent,
    customer: Customer,
    redemptions: Sequence[Mapping[str, Any]],
) -> None:
    outbox.emit(session, ctx, *_webhook(event_type, event, customer, redemptions=redemptions))


def _webhook(
    event_type: str,
    event: BehaviorEvent,
    customer: Customer,
    *,
    accumulations: Sequence[Mapping[str, Any]] | None = None,
    redemptions: Sequence[Mapping[str, Any]] | None = None,
) -> tuple[str, RewardsWebhook]:
    shown = event.result.get("customer") or rendering.customer_out(customer).model_dump(mode="json")
    payload = RewardsWebhook(
        customer=shown,
        event=EventShown(id=event.id, type=event.type, issued_at=clock.as_utc(event.issued_at).isoformat()),
    )
    if accumulations is not None:
        payload["accumulations"] = _lines_shown(accumulations)
    if redemptions is not None:
        payload["redemptions"] = _lines_shown(redemptions)
    return event_type, payload


def _lines_shown(lines: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [{**line, "amount": str(line["amount"])} for line in lines]


def _redemption(transaction: LedgerTransaction) -> ledger.LineJSON:
    line: ledger.LineJSON = transaction.attributes["line"]  # written by ledger.line_json
    return {**line, "amount": plain_number(transaction.amount)}


def _transaction_json(transaction: LedgerTransaction, customer_id: str) -> dict[str, Any]:
    return transaction_out(transaction, customer_id).model_dump(mode="json")


# Internals.


def _issued_at(issued_at: datetime | None, now: datetime) -> datetime:
    if issued_at is None:
        return now
    if issued_at.tzinfo is None:
        raise invalid("issued_at", "must carry a time zone (e.g. 2026-01-31T12:00:00Z)")
    moment = clock.as_utc(issued_at)
    if moment > now:
        raise invalid("issued_at", "cannot be in the future")
    if moment < now - MAX_AGE:
        raise invalid("issued_at", "must be within the last 72 hours")
    return moment


def _new_event(
    ctx: AuthContext, customer: Customer, body: EventCreate, issued_at: datetime, now: datetime
) -> BehaviorEvent:
    data = body.model_dump(mode="json", exclude_none=True, exclude={"customer_id", "fulfilled", "reserve"})
    data["issued_at"] = issued_at.isoformat()
    reservation = (
        None
        if body.fulfilled
        else now + (timedelta(days=body.reserve) if body.reserve else ledger.DEFAULT_RESERVATION)
    )
    # Written with Core (insert_event, finish), never added to a session: a transient is enough.
    return transient(
        BehaviorEvent,
        id=new_id(),
        account_id=ctx.account_id,
        customer_id=customer.id,
        customer_external_id=customer.external_id,
        brand_id=body.brand_id,
        type=body.type,
        purchase_id=body.order.purchase_id if body.type == PURCHASE and body.order is not None else None,
        data=data,
        fulfilled=body.fulfilled,
        reserve=body.reserve,
        status=EventStatus.PROCESSING,
        rewarding_campaigns=[],
        result={},
        reason=None,
        reservation_expires_at=reservation,
        issued_at=issued_at,
        processing_at=now,
        resolved_at=None,
        fulfilled_at=None,
        cancelled_at=None,
        expired_at=None,
        reversed_at=None,
        created_at=now,
    )


_COLUMNS = tuple(column.key for column in BehaviorEvent.__table__.columns)


def _columns(event: BehaviorEvent) -> dict[str, Any]:
    return {name: getattr(event, name) for name in _COLUMNS}


def _finished(event: BehaviorEvent) -> dict[str, Any]:
    return {
        "status": event.status,
        "resolved_at": event.resolved_at,
        "rewarding_campaigns": event.rewarding_campaigns,
        "result": event.result,
    }


def _entry(event: BehaviorEvent) -> ledger.Entry:
    order = event.data.get("order") or {}
    return ledger.Entry(
        brand_id=event.brand_id,
        event_id=event.id,
        event_type=event.type,
        channel_id=order.get("channel_id"),
        store_id=order.get("store_id"),
    )


async def _event(
    session: AsyncSession, ctx: AuthContext, event_id: str, *, for_update: bool = False
) -> BehaviorEvent:
    event = await repository.get(session, ctx, event_id, for_update=for_update)
    if event is None:
        raise NotFound(f"No event with id {event_id!r} in this account", title=NOT_FOUND)
    return event


__all__ = [
    "Accepted",
    "Created",
    "checked_issued_at",
    "create",
    "create_many",
    "fulfill",
    "get",
    "redeem_items",
    "reverse",
    "unknown_brand",
]


async def _customer(
    session: AsyncSession, ctx: AuthContext, event: BehaviorEvent, *, for_update: bool = False
) -> Customer:
    """The event's customer, by our id (the external one may have changed since)."""
    customer = await repository.customer(session, ctx, event.customer_id, for_update=for_update)
    if customer is None:
        raise customers.CustomerNotFound(event.customer_external_id)
    return customer
