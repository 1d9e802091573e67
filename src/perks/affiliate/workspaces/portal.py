"""A workspace's portal settings: the sites that may show its partners' portal in an iframe (sent as the
portal's CSP frame-ancestors) and the currency its campaigns' amounts are shown in."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Annotated
from urllib.parse import urlsplit

from babel.numbers import list_currencies
from pydantic import AfterValidator, BeforeValidator, Field

from perks.affiliate.face import CamelModel

FRAME_ORIGINS_MAX = 10
# A host name (a leading "*." allows its subdomains, as CSP does), an IPv4 address or a bracketed IPv6 one.
HOST = re.compile(
    r"^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$|^\[[0-9a-f:.]+\]$"
)


def origin(value: str) -> str:
    """`https://shop.example` or `http://localhost:3000`: a scheme and a host (and a port), nothing else,
    since it goes into a header as it is."""
    text = value.strip().lower().rstrip("/")
    example = f"{value.strip()!r} is not an origin such as https://shop.example"
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as error:
        raise ValueError(example) from error
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(example)
    if parts.path or parts.query or parts.fragment or "@" in parts.netloc:
        raise ValueError(f"{value.strip()!r}: an origin has no path, query or user, only https://host[:port]")
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    if not HOST.match(host) or port == 0:
        raise ValueError(example)
    return f"{parts.scheme}://{host}" + (f":{port}" if port is not None else "")


def _currency(value: object) -> object:
    return value.strip().upper() if isinstance(value, str) else value


def _known_currency(value: str) -> str:
    if value not in list_currencies():
        raise ValueError(f"{value} is not an ISO 4217 currency code such as USD or EUR")
    return value


def _unique(values: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(values))


Origin = Annotated[str, Field(max_length=255), AfterValidator(origin)]
Currency = Annotated[
    str, BeforeValidator(_currency), Field(pattern="^[A-Z]{3}$"), AfterValidator(_known_currency)
]


class PortalSettings(CamelModel):
    frame_origins: Annotated[list[Origin], Field(max_length=FRAME_ORIGINS_MAX), AfterValidator(_unique)] = []
    currency: Currency = "USD"


def frame_ancestors(origins: Sequence[str]) -> str:
    """The CSP frame-ancestors value: the listed origins, or 'none'."""
    return " ".join(origins) if origins else "'none'"
