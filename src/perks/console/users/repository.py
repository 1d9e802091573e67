"""SQL for console users. Reads that serve a page take the AuthContext; sign-in and the CLI look a user up
by email alone (an email is unique across accounts)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from perks.console.users.models import ConsoleUser, Role
from perks.errors import Conflict
from perks.kit.keyset import Keyset, KeysetPage, keyset_page
from perks.tenancy import scoped
from perks.tenancy.context import AuthContext
from perks.tenancy.models import Account
from perks.ui.sessions import repository as sessions
from perks.ui.sessions.models import WebSession

FACE = "console"


async def add(session: AsyncSession, user: ConsoleUser) -> None:
    """Insert a user; an email already taken (in any account) is a 409 naming the field. The unique index
    is the guard, so two concurrent creations of one email cannot both succeed."""
    try:
        async with session.begin_nested():
            session.add(user)
    except IntegrityError as error:
        raise Conflict(
            "email: a console user with this email already exists", title="Email taken", field="email"
        ) from error


async def get(session: AsyncSession, ctx: AuthContext, user_id: str) -> ConsoleUser | None:
    found: ConsoleUser | None = await session.scalar(
        scoped.select(ctx, ConsoleUser).where(ConsoleUser.id == user_id)
    )
    return found


async def find_by_email(session: AsyncSession, email: str) -> ConsoleUser | None:
    return await session.scalar(select(ConsoleUser).where(ConsoleUser.email == email))


async def list_for_account(session: AsyncSession, account_id: str) -> Sequence[ConsoleUser]:
    rows = await session.scalars(scoped.select(account_id, ConsoleUser).order_by(ConsoleUser.email))
    return rows.all()


async def page(
    session: AsyncSession, ctx: AuthContext, search: str, keyset: Keyset
) -> KeysetPage[ConsoleUser]:
    statement = scoped.select(ctx, ConsoleUser)
    if search:
        statement = statement.where(ConsoleUser.email.contains(search.lower(), autoescape=True))
    return await keyset_page(session, statement, (ConsoleUser.email, ConsoleUser.id), keyset)


async def signed_in(session: AsyncSession, token_hash: str, now: datetime) -> tuple[ConsoleUser, str] | None:
    """The active user of a live console session, with the account's name: one query per page."""
    row = (
        await session.execute(
            select(ConsoleUser, Account.name)
            .join(WebSession, WebSession.subject_id == ConsoleUser.id)
            .join_from(ConsoleUser, Account)  # on the account_id foreign key
            .where(
                *sessions.live(FACE, token_hash, now),
                WebSession.account_id == ConsoleUser.account_id,
                ConsoleUser.disabled_at.is_(None),
            )
        )
    ).first()
    return None if row is None else (row[0], row[1])


async def lock_account(session: AsyncSession, account_id: str) -> None:
    """Serialise changes to an account's owners (PostgreSQL row lock; SQLite writers are serial already),
    so that two owners demoting each other at once cannot leave the account without one."""
    await session.execute(select(Account.id).where(Account.id == account_id).with_for_update())


async def other_active_owners(session: AsyncSession, account_id: str, user_id: str) -> int:
    count = await session.scalar(
        scoped.select(account_id, ConsoleUser, func.count())
        .select_from(ConsoleUser)
        .where(
            ConsoleUser.id != user_id,
            ConsoleUser.role == Role.OWNER.value,
            ConsoleUser.disabled_at.is_(None),
        )
    )
    return int(count or 0)


async def set_role(session: AsyncSession, user: ConsoleUser, role: Role) -> None:
    user.role = role.value
    await session.flush()


async def disable(session: AsyncSession, user: ConsoleUser, now: datetime) -> bool:
    """Disable once; False when the user was disabled already."""
    changed = await session.execute(
        update(ConsoleUser)
        .where(ConsoleUser.id == user.id, ConsoleUser.disabled_at.is_(None))
        .values(disabled_at=now, updated_at=now)
        .returning(ConsoleUser.id)
    )
    done = changed.first() is not None
    await session.refresh(user)
    return done


async def update_password_hash(session: AsyncSession, user_id: str, password_hash: str) -> None:
    await session.execute(
        update(ConsoleUser).where(ConsoleUser.id == user_id).values(password_hash=password_hash)
    )
