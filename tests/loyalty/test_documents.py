"""The hot paths render customers, wallets, transactions and event results from plain values
(`customer_document`, `wallet_document`, `transaction_document`, `kit.encoding`), not through pydantic
models; what they write must stay what the models write, byte for byte, for any values they hold."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from perks.db.base import transient
from perks.kit.encoding import wire_bytes
from perks.ledger.models import LineRow, TransactionRow
from perks.ledger.service import Total, WalletView
from perks.loyalty.customers import rendering
from perks.loyalty.customers.models import Customer
from perks.loyalty.customers.service import wallet_document, wallet_shown
from perks.loyalty.events.models import BehaviorEvent
from perks.loyalty.events.rendering import event_document, event_out
from perks.loyalty.events.schemas import EventResult
from perks.loyalty.events.service import Outcome, _result
from perks.loyalty.transactions.rendering import transaction_document, transaction_out

moments = st.datetimes(
    min_value=datetime(1970, 1, 2), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
) | st.builds(lambda moment: moment.replace(microsecond=0), st.datetimes(timezones=st.just(UTC)))
text = st.text(max_size=12)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)  # beyond 64 bits: the standard library's path
    | st.floats(allow_nan=False, allow_infinity=False)
    | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=8,
)
documents = st.dictionaries(text, json_values, max_size=4)
consents = st.none() | st.fixed_dictionaries(
    {
        "purposes": st.dictionaries(text, st.booleans(), max_size=3),
        "vendors": st.dictionaries(text, st.booleans(), max_size=2),
    },
    optional={"consent_string": text, "version": text, "consent_timestamp": text},
)
amounts = st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=2)


@st.composite
def customers(draw: st.DrawFn) -> Customer:
    return transient(
        Customer,
        external_id=draw(text),
        name=draw(text),
        email=draw(st.none() | text),
        email_status=draw(st.none() | text),
        registration_date=draw(moments),
        status=draw(st.sampled_from(["ACTIVE", "INACTIVE"])),
        is_anonymous=draw(st.booleans()),
        gender=draw(st.none() | st.sampled_from(["MALE", "FEMALE"])),
        dob=draw(st.none() | st.dates(min_value=date(1900, 1, 1))),
        document_type=draw(st.none() | text),
        document_number=draw(st.none() | text),
        country=draw(st.none() | text),
        tier_id=draw(st.none() | text),
        referral_code=draw(st.none() | text),
        platforms=draw(st.lists(text, max_size=2)),
        devices=draw(st.lists(documents, max_size=2)),
        tags=draw(documents),
        consent=draw(consents),
        metrics=draw(documents),
        metadata_=draw(documents),
        created_at=draw(moments),
        updated_at=draw(moments),
    )


@st.composite
def lines(draw: st.DrawFn) -> LineRow:
    amount = draw(amounts)
    return LineRow(
        id=draw(text),
        wallet_id="w",
        reward_id=draw(text),
        campaign_id=draw(st.none() | text),
        brand_id=draw(st.none() | text),
        amount=amount,
        remaining=amount,
        issued_at=draw(moments),
        expiration_date=draw(st.none() | moments),
        reservation_id=None,
        reservation_expires_at=draw(st.none() | moments),
        source_line_id=None,
    )


@st.composite
def transactions(draw: st.DrawFn) -> TransactionRow:
    return TransactionRow(
        id=draw(text),
        account_id="a",
        wallet_id="w",
        line_id="l",
        type=draw(st.sampled_from(["ACCUMULATION", "REDEMPTION", "EXPIRATION"])),
        amount=draw(amounts),
        reward_id=draw(text),
        campaign_id=draw(st.none() | text),
        brand_id=draw(st.none() | text),
        event_id=draw(st.none() | text),
        event_type=draw(st.none() | text),
        channel_id=draw(st.none() | text),
        store_id=draw(st.none() | text),
        funded_by=draw(st.none() | text),
        reward_type=draw(st.none() | text),
        cost=draw(st.none() | amounts),
        details=draw(st.none() | text),
        attributes=draw(documents),
        metadata_=draw(documents),
        issued_at=draw(moments),
        created_at=draw(moments),
        sender_id=draw(st.none() | text),
        receiver_id=draw(st.none() | text),
        reverses_id=draw(st.none() | text),
    )


@settings(max_examples=200, deadline=None)
@given(customers())
def test_a_customer_document_is_written_as_the_model_is(customer: Customer) -> None:
    model = rendering.customer_out(customer).model_dump_json().encode()
    assert wire_bytes(rendering.customer_document(customer)) == model


@settings(max_examples=200, deadline=None)
@given(
    customers(),
    st.lists(lines(), max_size=5),
    st.lists(st.tuples(text, amounts, st.none() | moments), max_size=3),
    st.dictionaries(text, documents, max_size=2),
)
def test_a_wallet_document_is_written_as_the_model_is(
    customer: Customer,
    wallet_lines: list[LineRow],
    totals: list[tuple[str, Decimal, datetime | None]],
    rewards: dict[str, dict[str, Any]],
) -> None:
    view = WalletView(
        wallet_id="wallet-1",
        lines=wallet_lines,
        totals=[
            Total(reward_id=reward, total=total, expiration_date=moment) for reward, total, moment in totals
        ],
    )
    model = wallet_shown(customer, view, rewards).model_dump_json().encode()
    assert wire_bytes(wallet_document(customer, view, rewards)) == model


@settings(max_examples=200, deadline=None)
@given(transactions(), text)
def test_a_transaction_document_is_written_as_the_model_is(transaction: TransactionRow, owner: str) -> None:
    model = transaction_out(transaction, owner).model_dump_json().encode()
    assert wire_bytes(transaction_document(transaction, owner)) == model


@settings(max_examples=100, deadline=None)
@given(customers(), st.lists(lines(), max_size=4), st.lists(transactions(), max_size=3), documents)
def test_an_event_result_is_what_the_model_dumps(
    customer: Customer, wallet_lines: list[LineRow], moved: list[TransactionRow], reward: dict[str, Any]
) -> None:
    view = WalletView(
        wallet_id="wallet-1",
        lines=wallet_lines,
        totals=[Total(reward_id="r", total=Decimal("12.50"), expiration_date=None)],
    )
    outcome = Outcome(transactions=list(moved))
    model = EventResult(
        wallet=wallet_shown(customer, view, {"r": reward}),
        customer=rendering.customer_out(customer),
        transactions=[transaction_out(item, customer.external_id) for item in moved],
    ).model_dump(mode="json")
    assert _result(customer, view, {"r": reward}, outcome) == model


@st.composite
def events(draw: st.DrawFn) -> BehaviorEvent:
    maybe_moment = st.none() | moments
    return transient(
        BehaviorEvent,
        id=draw(text),
        customer_external_id=draw(text),
        brand_id=draw(st.none() | text),
        type=draw(text),
        data=draw(documents),
        fulfilled=draw(st.booleans()),
        reserve=draw(st.none() | st.integers(min_value=0, max_value=10**6)),
        status=draw(st.sampled_from(["RESOLVED", "PROCESSING", "CANCELLED"])),
        rewarding_campaigns=draw(st.lists(text, max_size=3)),
        result=draw(documents),
        reason=draw(st.none() | text),
        reservation_expires_at=draw(maybe_moment),
        issued_at=draw(moments),
        processing_at=draw(maybe_moment),
        resolved_at=draw(maybe_moment),
        fulfilled_at=draw(maybe_moment),
        cancelled_at=draw(maybe_moment),
        expired_at=draw(maybe_moment),
        reversed_at=draw(maybe_moment),
    )


@settings(max_examples=200, deadline=None)
@given(events(), moments)
def test_an_event_document_is_written_as_the_model_is(event: BehaviorEvent, now: datetime) -> None:
    model = event_out(event, now).model_dump_json().encode()
    assert wire_bytes(event_document(event, now)) == model
