"""SQL for sign-in sessions. A session is found by its token's hash (the cookie is all a request has);
revocation is one conditional UPDATE."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, update
from sqlalchemy.ext.asyncio import AsyncSession

from perks.tenancy import scoped
from perks.ui.sessions.models import WebSession


async def add(session: AsyncSession, web_session: WebSession) -> None:
    session.add(web_session)
    await session.flush()


def live(face: str, token_hash: str, now: datetime) -> list[ColumnElement[bool]]:
    """The conditions of a usable session: this face's, this token's, neither revoked nor expired. A face
    joins them to its subject's table, so one query finds the session and who it belongs to."""
    return [
        WebSession.token_hash == token_hash,
        WebSession.face == face,
        WebSession.revoked_at.is_(None),
        WebSession.expires_at > now,
    ]


async def revoke(session: AsyncSession, face: str, token_hash: str, now: datetime) -> str | None:
    """Revoke one session; the subject it belonged to, or None if it was not live."""
    revoked = await session.execute(
        update(WebSession)
        .where(*live(face, token_hash, now))
        .values(revoked_at=now)
        .returning(WebSession.subject_id)
    )
    return revoked.scalar_one_or_none()


async def revoke_subject(
    session: AsyncSession, account_id: str, face: str, subject_id: str, now: datetime
) -> int:
    """Revoke every live session of one subject; how many there were."""
    revoked = await session.execute(
        scoped.update(account_id, WebSession)
        .where(
            WebSession.face == face,
            WebSession.subject_id == subject_id,
            WebSession.revoked_at.is_(None),
        )
        .values(revoked_at=now)
        .returning(WebSession.id)
    )
    return len(revoked.all())
