"""The worker connects only to the address it checked: a host name is resolved once per connection, every
address it resolves to must be public, and the connection goes to that checked address, so a DNS answer
that changes after the check (DNS rebinding) cannot redirect a delivery to a private service."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from typing import Any

import httpcore
import httpx
import pytest

from perks.outbox import safety

PUBLIC = "93.184.215.14"


class Recorder(httpcore.AsyncNetworkBackend):
    """Stands in for the real network: records where it was asked to connect, connects nowhere."""

    def __init__(self) -> None:
        self.hosts: list[str] = []

    async def connect_tcp(
        self, host: str, port: int, *args: Any, **kwargs: Any
    ) -> httpcore.AsyncNetworkStream:
        self.hosts.append(host)
        raise httpcore.ConnectError("recorded, not connected")

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class Rebinding:
    """A resolver whose answer changes after the first question, as a rebinding attacker's DNS does."""

    def __init__(self, *answers: str) -> None:
        self.answers = list(answers)
        self.questions = 0

    async def __call__(self, host: str, port: int, **_: Any) -> list[Any]:
        address = self.answers[min(self.questions, len(self.answers) - 1)]
        self.questions += 1
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (address, port))]


@pytest.mark.parametrize(
    "address",
    ["224.0.0.1", "64:ff9b::7f00:1", "2002:7f00:1::", "ff02::1", "::ffff:10.0.0.1", "127.0.0.1", "240.0.0.1"],
)
def test_special_purpose_addresses_are_not_public(address: str) -> None:
    assert not safety.is_public(ipaddress.ip_address(address))


def test_ordinary_public_addresses_are() -> None:
    assert safety.is_public(ipaddress.ip_address(PUBLIC))
    assert safety.is_public(ipaddress.ip_address("2606:2800:21f:cb07:6820:80da:af6b:8b2c"))


async def test_the_connection_goes_to_the_checked_address_not_to_a_second_lookup(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    resolver = Rebinding(PUBLIC, "127.0.0.1")
    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", resolver)
    network = Recorder()
    backend = safety.PinnedBackend(network)
    with pytest.raises(httpcore.ConnectError):
        await backend.connect_tcp("rebind.example", 443)
    # Resolved once; the network layer was handed the checked address, never the name to resolve again.
    assert resolver.questions == 1
    assert network.hosts == [PUBLIC]


async def test_a_private_answer_is_refused_before_any_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", Rebinding("10.0.0.7"))
    network = Recorder()
    with pytest.raises(safety.UnsafeTarget):
        await safety.PinnedBackend(network).connect_tcp("inside.example", 80)
    assert network.hosts == []


async def test_the_workers_transport_pins_through_httpx(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same through the worker's real client stack (httpx → httpcore pool → PinnedBackend)."""
    resolver = Rebinding("169.254.169.254")
    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", resolver)
    transport = safety.webhook_transport(allow_private=False)
    async with httpx.AsyncClient(transport=transport, trust_env=False) as http:
        with pytest.raises(safety.UnsafeTarget):
            await http.post("http://metadata.example/hook", content=b"{}")
    assert resolver.questions == 1
