"""Each affiliate webhook payload's TypedDict says its shape: the wire names of the API model it is the JSON
of, in the model's order, with the JSON types of what the domains really send (the catalogue's examples,
which tests/outbox/test_catalogue.py holds to freshly emitted ones). `wire.payload` only casts to them."""

from __future__ import annotations

import types
from typing import Any, Union, get_args, get_origin, get_type_hints

import pytest
from pydantic import BaseModel

from perks.affiliate.affiliates.schemas import AffiliateOut
from perks.affiliate.affiliates.service import AffiliateDeletedWebhook, AffiliateWebhook
from perks.affiliate.commissions.schemas import CommissionOut
from perks.affiliate.commissions.service import CommissionWebhook
from perks.affiliate.payouts.schemas import PayoutOut
from perks.affiliate.payouts.service import PayoutWebhook
from perks.affiliate.referred_users.schemas import ReferredUserOut
from perks.affiliate.referred_users.service import ReferralWebhook
from perks.affiliate.sales.schemas import SaleOut
from perks.affiliate.sales.service import SaleWebhook
from perks.outbox import catalogue

# Event type: the API model whose JSON it sends (None: a payload of its own), and its TypedDict.
SHAPES: dict[str, tuple[type[BaseModel] | None, type[Any]]] = {
    "affiliate.created": (AffiliateOut, AffiliateWebhook),
    "affiliate.updated": (AffiliateOut, AffiliateWebhook),
    "affiliate.deleted": (None, AffiliateDeletedWebhook),
    "referral.created": (ReferredUserOut, ReferralWebhook),
    "sale.created": (SaleOut, SaleWebhook),
    "commission.created": (CommissionOut, CommissionWebhook),
    "commission.updated": (CommissionOut, CommissionWebhook),
    "commission.refunded": (CommissionOut, CommissionWebhook),
    "payout.created": (PayoutOut, PayoutWebhook),
    "payout.paid": (PayoutOut, PayoutWebhook),
}


def fits(value: object, hint: Any) -> bool:
    """Whether a JSON value is of the annotated type (str, int, bool, None and unions of them)."""
    if get_origin(hint) in (Union, types.UnionType):
        return any(fits(value, option) for option in get_args(hint))
    if hint is None or hint is type(None):
        return value is None
    return type(value) is hint


def test_every_affiliate_event_has_a_shape() -> None:
    assert sorted(SHAPES) == sorted(catalogue.AFFILIATE_EVENTS)


@pytest.mark.parametrize("event_type", sorted(SHAPES))
def test_the_shape_is_what_is_sent(event_type: str) -> None:
    model, shape = SHAPES[event_type]
    hints = get_type_hints(shape)
    if model is not None:
        assert list(hints) == list(model.model_json_schema(mode="serialization")["properties"])
    sent = catalogue.example(event_type)
    assert sorted(sent) == sorted(hints)
    assert {name: value for name, value in sent.items() if not fits(value, hints[name])} == {}


def test_fits_tells_types_apart() -> None:
    """The check itself can fail."""
    assert fits("a", str | None) and fits(None, str | None) and fits(3, int)
    assert not fits(None, str) and not fits(True, int) and not fits("3", int)
