"""SSRF safety: webhook URLs must be http(s) and must not reach private, loopback, link-local (cloud
metadata), multicast or other special-purpose addresses, unless PERKS_ALLOW_PRIVATE_WEBHOOKS=true.

The check is made twice: when an endpoint is created or changed (a 400 naming `url`), and when the
worker connects. The worker's HTTP client resolves the host once, checks every address it resolves to,
and connects to the address it checked (`PinnedTransport`), so a DNS answer that changes between the
check and the connection (DNS rebinding) cannot lead it anywhere else. TLS still verifies the URL's
host name, and the Host header is the URL's."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx

from perks.errors import invalid

SCHEMES = frozenset({"http", "https"})
PRIVATE_HINT = (
    "resolves to a private, loopback, link-local or metadata address "
    "(set PERKS_ALLOW_PRIVATE_WEBHOOKS=true to allow private targets)"
)
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# IPv6 ranges that carry (or translate to) an IPv4 address, which may be a private one: NAT64 (RFC 6052,
# RFC 8215), 6to4 (RFC 3056) and Teredo (RFC 4380). Not a webhook target in any honest setup.
TUNNELS = tuple(
    ipaddress.IPv6Network(network) for network in ("64:ff9b::/96", "64:ff9b:1::/48", "2002::/16", "2001::/32")
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


def is_public(address: IPAddress) -> bool:
    """A globally routable unicast address that is not a tunnel to some other (maybe private) one."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return is_public(address.ipv4_mapped)
        if any(address in network for network in TUNNELS):
            return False
    return address.is_global and not address.is_multicast and not address.is_reserved


async def public_addresses(host: str, port: int) -> list[str]:
    """Every address `host` resolves to, once; UnsafeTarget unless each of them is public."""
    try:
        resolved = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise UnsafeTarget("host does not resolve") from None
    addresses = [str(sockaddr[0]).split("%", 1)[0] for *_, sockaddr in resolved]
    if not addresses or not all(is_public(ipaddress.ip_address(address)) for address in addresses):
        raise UnsafeTarget(PRIVATE_HINT)
    return addresses


async def check_target(url: str, allow_private: bool) -> None:
    """Raise UnsafeTarget unless every address the host resolves to is public (or private is allowed)."""
    if allow_private:
        return
    parts = urlsplit(url)
    await public_addresses(
        parts.hostname or "", parts.port or (443 if parts.scheme.lower() == "https" else 80)
    )


async def validate_url(url: str, allow_private: bool) -> None:
    """Both checks, as a 400 naming `url` (endpoint create and update)."""
    check_shape(url)
    try:
        await check_target(url, allow_private)
    except UnsafeTarget as refused:
        raise invalid("url", str(refused)) from None


class PinnedBackend(httpcore.AsyncNetworkBackend):
    """Connects only to addresses it has just checked: resolve, check every address, connect to the first
    (the name is never resolved again for this connection)."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend) -> None:
        self.inner = inner

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109  (httpcore's interface)
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        address = (await public_addresses(host, port))[0]
        return await self.inner.connect_tcp(address, port, timeout, local_address, socket_options)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise UnsafeTarget("unix sockets are not webhook targets")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


class PinnedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport with the pool's network backend wrapped in PinnedBackend. Environment proxies are
    not used (trust_env=False on the client): the check is about where the worker connects."""

    def __init__(self) -> None:
        super().__init__()
        pool = self._pool
        pool._network_backend = PinnedBackend(pool._network_backend)


def webhook_transport(allow_private: bool) -> httpx.AsyncBaseTransport:
    return httpx.AsyncHTTPTransport() if allow_private else PinnedTransport()
