"""Portal fixtures: a local SMTP server that keeps what it receives, and an app that sends through it."""

from __future__ import annotations

import email
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi import FastAPI

from perks.app import create_app
from tests.conftest import test_settings
from tests.support.server import free_port


@dataclass
class Inbox:
    """What the SMTP server received: one message per mail."""

    messages: list[Message] = field(default_factory=list)

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Message]:
        return [message for message in self.messages if message["To"] == address]


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, str]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, f"smtp://127.0.0.1:{port}"
    finally:
        controller.stop()


@pytest.fixture
async def mailing_app(database_url: str, smtp: tuple[Inbox, str]) -> AsyncIterator[FastAPI]:
    """The app with PERKS_SMTP_URL set, and link requests limited (3 an email, 5 an address, a day)."""
    application = create_app(
        test_settings(
            database_url,
            smtp_url=smtp[1],
            smtp_from="Acme Partners <partners@acme.example>",
            rate_limit_enabled=True,
            sign_in_limit_per_email="3/day",
            sign_in_limit_per_address="5/day",
        )
    )
    yield application
    await application.state.db.dispose()
