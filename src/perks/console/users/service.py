"""Console users: creation with a generated password (shown once), sign-in, roles, disabling, time zone.

Passwords are hashed with argon2id (argon2-cffi's RFC 9106 profile), off the event loop: a hash takes
tens of milliseconds of CPU. An account always keeps one active owner."""

from __future__ import annotations

import asyncio
import re
import secrets
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.ext.asyncio import AsyncSession

from perks.console.users import repository
from perks.console.users.models import ConsoleUser, Role
from perks.errors import BadRequest, Conflict, NotFound, invalid
from perks.kit import clock
from perks.kit.keyset import Keyset, KeysetPage
from perks.tenancy import repository as tenancy
from perks.tenancy.context import AuthContext
from perks.ui.sessions import service as sessions

HASHER = PasswordHasher()
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
EMAIL_MAX = 254
PASSWORD_MAX = 1024  # longer input is refused before it reaches the hasher
USER_NOT_FOUND = "Console user not found"
FACE = repository.FACE


@dataclass(frozen=True)
class NewUser:
    user: ConsoleUser
    password: str  # generated, shown once


def normalize_email(email: str) -> str:
    cleaned = email.strip().lower()
    if not cleaned or len(cleaned) > EMAIL_MAX or not EMAIL.match(cleaned):
        raise invalid("email", "must be an email address such as ada@example.com")
    return cleaned


def parse_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise invalid("role", "must be one of owner, manager, viewer") from None


def generate_password() -> str:
    return secrets.token_urlsafe(15)  # 20 characters, 120 random bits


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(HASHER.hash, password)


@cache
def _decoy_hash() -> str:
    """A hash to check unknown emails against, so that a wrong email costs what a wrong password does."""
    return HASHER.hash(secrets.token_urlsafe(15))


async def create_user(
    session: AsyncSession, account_id: str, email: str, role: Role | str, *, password: str | None = None
) -> NewUser:
    address = normalize_email(email)
    chosen_role = role if isinstance(role, Role) else parse_role(role)
    if await tenancy.get_account(session, account_id) is None:
        raise NotFound(f"Account {account_id} not found")
    plain = password or generate_password()
    user = ConsoleUser(
        account_id=account_id,
        email=address,
        role=chosen_role.value,
        password_hash=await hash_password(plain),
        time_zone="UTC",
    )
    await repository.add(session, user)
    return NewUser(user, plain)


async def find_for_sign_in(session: AsyncSession, email: str) -> ConsoleUser | None:
    """The user a sign-in form names, if any (a malformed email names nobody)."""
    try:
        address = normalize_email(email)
    except BadRequest:
        return None
    return await repository.find_by_email(session, address)


async def password_matches(user: ConsoleUser | None, password: str) -> bool:
    """Whether `user` is active and `password` is theirs. The hash runs even when there is no such user,
    so the time taken does not tell a wrong email from a wrong password. Call it outside a write
    transaction: it takes tens of milliseconds of CPU."""
    stored = user.password_hash if user is not None else _decoy_hash()
    if len(password) > PASSWORD_MAX:
        return False
    try:
        matches = await asyncio.to_thread(HASHER.verify, stored, password)
    except (VerificationError, InvalidHashError):
        return False
    return bool(matches) and user is not None and user.disabled_at is None


async def rehash_if_needed(user: ConsoleUser, password: str) -> str | None:
    """After a successful sign-in, a hash with today's parameters if the stored one is older (computed
    before the write transaction that stores it)."""
    if not HASHER.check_needs_rehash(user.password_hash):
        return None
    return await hash_password(password)


async def store_password_hash(session: AsyncSession, user: ConsoleUser, password_hash: str) -> None:
    await repository.update_password_hash(session, user.id, password_hash)


async def list_users(session: AsyncSession, account_id: str) -> Sequence[ConsoleUser]:
    if await tenancy.get_account(session, account_id) is None:
        raise NotFound(f"Account {account_id} not found")
    return await repository.list_for_account(session, account_id)


async def page_users(
    session: AsyncSession, ctx: AuthContext, search: str, keyset: Keyset
) -> KeysetPage[ConsoleUser]:
    return await repository.page(session, ctx, search.strip(), keyset)


async def get_user(session: AsyncSession, ctx: AuthContext, user_id: str) -> ConsoleUser:
    user = await repository.get(session, ctx, user_id)
    if user is None:
        raise NotFound(USER_NOT_FOUND, title=USER_NOT_FOUND)
    return user


async def change_role(session: AsyncSession, ctx: AuthContext, user_id: str, role: Role | str) -> ConsoleUser:
    chosen = role if isinstance(role, Role) else parse_role(role)
    user = await get_user(session, ctx, user_id)
    if user.role == Role.OWNER.value and chosen is not Role.OWNER:
        await _keep_an_owner(session, user, "role")
    await repository.set_role(session, user, chosen)
    return user


async def disable_user(session: AsyncSession, ctx: AuthContext, user_id: str) -> ConsoleUser:
    return await _disable(session, await get_user(session, ctx, user_id))


async def disable_by_email(session: AsyncSession, email: str) -> ConsoleUser:
    """The operator's way (CLI): the user is found by email in whichever account has it."""
    user = await repository.find_by_email(session, normalize_email(email))
    if user is None:
        raise NotFound(f"No console user with email {email.strip().lower()}")
    return await _disable(session, user)


async def _disable(session: AsyncSession, user: ConsoleUser) -> ConsoleUser:
    if user.role == Role.OWNER.value:
        await _keep_an_owner(session, user, "user")
    await repository.disable(session, user, clock.now())
    # The page check refuses a disabled user's sessions already; revoking them keeps the record plain.
    await sessions.end_all(session, user.account_id, FACE, user.id)
    return user


async def _keep_an_owner(session: AsyncSession, user: ConsoleUser, field: str) -> None:
    await repository.lock_account(session, user.account_id)
    if await repository.other_active_owners(session, user.account_id, user.id) == 0:
        raise Conflict(
            f"{field}: {user.email} is the account's only owner; make another user an owner first",
            title="Last owner",
            field=field,
        )


def time_zone_names() -> list[str]:
    return sorted(zoneinfo.available_timezones())


async def set_time_zone(session: AsyncSession, ctx: AuthContext, user_id: str, time_zone: str) -> ConsoleUser:
    name = time_zone.strip()
    if name not in zoneinfo.available_timezones():
        raise invalid("time_zone", "must be a time zone name such as Europe/Paris or America/New_York")
    user = await get_user(session, ctx, user_id)
    user.time_zone = name
    await session.flush()
    return user


async def signed_in(session: AsyncSession, token: str) -> tuple[ConsoleUser, str] | None:
    """The active user behind a console session cookie, and their account's name."""
    return await repository.signed_in(session, sessions.hash_token(token), clock.now())
