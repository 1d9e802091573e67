"""SSRF safety: webhook URLs must be http(s) and must not resolve to private, loopback, link-local
(cloud metadata) or otherwise non-public addresses, unless PERKS_ALLOW_PRIVATE_WEBHOOKS=true."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from perks.errors import invalid

SCHEMES = frozenset({"http", "https"})
PRIVATE_HINT = (
    "resolves to a private, loopback, link-local or metadata address "
    "(set PERKS_ALLOW_PRIVATE_WEBHOOKS=true to allow private targets)"
)


class UnsafeTarget(Exception):
    """The URL is not one Perks will send to; the message says why."""


def check_shape(url: str) -> None:
    """A 400 naming `url` unless it is an absolute http(s) URL with a host."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError on a bad port)
    except ValueError:
        raise invalid("url", "must be a valid http or https URL") from None
    if parts.scheme.lower() not in SCHEMES or not parts.hostname:
        raise invalid("url", "must be a valid http or https URL")


async def check_target(url: str, allow_private: bool) -> None:
    """Raise UnsafeTarget unless every address the host resolves to is public (or private is allowed)."""
    if allow_private:
        return
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    try:
        resolved = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise UnsafeTarget("host does not resolve") from None
    for *_, sockaddr in resolved:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if not address.is_global:
            raise UnsafeTarget(PRIVATE_HINT)


async def validate_url(url: str, allow_private: bool) -> None:
    """Both checks, as a 400 naming `url` (endpoint create and update)."""
    check_shape(url)
    try:
        await check_target(url, allow_private)
    except UnsafeTarget as refused:
        raise invalid("url", str(refused)) from None
