"""Start, find and end sign-in sessions. The token is 256 random bits handed to the browser once; the
database keeps its SHA-256 (a stolen database yields no usable cookie), so the server can revoke it."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from perks.kit import clock
from perks.ui.sessions import repository
from perks.ui.sessions.models import WebSession


@dataclass(frozen=True)
class Started:
    session: WebSession
    token: str  # for the cookie; never stored


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def start(
    session: AsyncSession, *, face: str, account_id: str, subject_id: str, lifetime: timedelta
) -> Started:
    token = secrets.token_urlsafe(32)
    now = clock.now()
    web_session = WebSession(
        account_id=account_id,
        face=face,
        subject_id=subject_id,
        token_hash=hash_token(token),
        created_at=now,
        expires_at=now + lifetime,
    )
    await repository.add(session, web_session)
    return Started(web_session, token)


async def end(session: AsyncSession, face: str, token: str) -> str | None:
    """Sign out: the session stops working at once. The subject it belonged to, if it was live."""
    return await repository.revoke(session, face, hash_token(token), clock.now())


async def end_all(session: AsyncSession, account_id: str, face: str, subject_id: str) -> int:
    """Every session of a subject stops working at once (a user disabled or demoted)."""
    return await repository.revoke_subject(session, account_id, face, subject_id, clock.now())
