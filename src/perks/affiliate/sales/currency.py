"""Currencies: ISO 4217 codes and their minor units, for rounding money half-even to what a currency
can pay."""

from __future__ import annotations

from decimal import Decimal

from perks.kit.money import round_money

# Currencies whose minor unit is not the cent (ISO 4217); every other code has two places.
MINOR_UNITS = {
    **dict.fromkeys(
        ("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND", "VUV", "XAF"),
        0,
    ),
    **dict.fromkeys(("XOF", "XPF"), 0),
    **dict.fromkeys(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"], 3),
}
DEFAULT_CURRENCY = "USD"


def minor_unit(currency: str) -> Decimal:
    return Decimal(1).scaleb(-MINOR_UNITS.get(currency, 2))


def round_to_currency(value: Decimal, currency: str) -> Decimal:
    """Half-even to the currency's minor unit (cents for USD, yen for JPY, fils for KWD)."""
    return round_money(value, minor_unit(currency))


def fits_currency(value: Decimal, currency: str) -> bool:
    """No more decimal places than the currency has."""
    return value == round_to_currency(value, currency)


def money_in(value: Decimal, currency: str) -> str:
    """A decimal string with the currency's decimals ("12.50" USD, "1004" JPY), as sales and payouts
    return money."""
    places = -int(minor_unit(currency).as_tuple().exponent)
    return f"{value:.{places}f}"
