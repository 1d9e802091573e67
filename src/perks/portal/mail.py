"""Sign-in links by email, sent with aiosmtplib to the server of PERKS_SMTP_URL:
smtp://user:password@host:587 (STARTTLS when the server offers it) or smtps://user:password@host:465."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

import aiosmtplib

log = logging.getLogger("perks.portal.mail")
TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class SignInLink:
    program: str
    url: str


@dataclass(frozen=True)
class Smtp:
    host: str
    port: int
    username: str | None
    password: str | None
    tls: bool

    @classmethod
    def parse(cls, url: str) -> Smtp:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError(
                "PERKS_SMTP_URL must look like smtp://user:password@host:587 or smtps://host:465"
            )
        tls = parts.scheme == "smtps"
        return cls(
            host=parts.hostname,
            port=parts.port or (465 if tls else 587),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            tls=tls,
        )


def sign_in_message(sender: str, to: str, links: Sequence[SignInLink]) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = "Your sign-in link to the partner portal"
    lines = ["Hello,", "", "Here is your link to the partner portal (it works once, for 15 minutes):", ""]
    for link in links:
        lines += [f"{link.program}:", link.url, ""]
    lines += ["If you did not ask for it, you can ignore this email: nobody can use the link but you."]
    message.set_content("\n".join(lines))
    return message


async def send(smtp_url: str, message: EmailMessage) -> None:
    """Send one message; a failure is logged (the visitor was already told a link is on its way)."""
    server = Smtp.parse(smtp_url)
    try:
        await aiosmtplib.send(
            message,
            hostname=server.host,
            port=server.port,
            username=server.username,
            password=server.password,
            use_tls=server.tls,
            timeout=TIMEOUT_SECONDS,
        )
    except (aiosmtplib.SMTPException, OSError):
        log.exception("the sign-in email could not be sent", extra={"smtp_host": server.host})
