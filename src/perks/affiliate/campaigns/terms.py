"""A campaign's commission terms in plain words, as partners and managers read them:
"20% of every sale, paid 30 days after the sale, minimum payout $50.00"."""

from __future__ import annotations

from decimal import Decimal
from typing import Protocol

from perks.ui.formatting import money


class Terms(Protocol):
    """What the words are made of: a campaign, or its API output."""

    @property
    def commission_type(self) -> str: ...
    @property
    def amount(self) -> Decimal: ...
    @property
    def payout_term(self) -> int: ...
    @property
    def minimum_payout_amount(self) -> Decimal: ...


def commission_in_words(campaign: Terms, currency: str) -> str:
    if campaign.commission_type == "percentage":
        return f"{_percent(campaign.amount)} of every sale"
    return f"{money(campaign.amount, currency)} for every sale"


def payout_in_words(campaign: Terms, currency: str) -> str:
    days = campaign.payout_term
    when = "paid as soon as it is earned" if days == 0 else f"paid {_days(days)} after the sale"
    if campaign.minimum_payout_amount > 0:
        return f"{when}, minimum payout {money(campaign.minimum_payout_amount, currency)}"
    return when


def terms_in_words(campaign: Terms, currency: str) -> str:
    return f"{commission_in_words(campaign, currency)}, {payout_in_words(campaign, currency)}"


def _percent(amount: Decimal) -> str:
    return f"{amount.normalize():f}%"


def _days(days: int) -> str:
    return "1 day" if days == 1 else f"{days} days"
