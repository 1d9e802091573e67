"""Accounts, workspaces and API keys: creation, lookup by hash, tokens for the loyalty face."""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

import jwt
from sqlalchemy.ext.asyncio import AsyncSession

from perks.errors import NotFound, Unauthorized
from perks.kit import clock
from perks.sql import Runner
from perks.tenancy import repository
from perks.tenancy.context import AuthContext, KeyKind
from perks.tenancy.models import Account, ApiKey, Workspace

KEY_PREFIXES = {KeyKind.SERVER: "rs_live_", KeyKind.PUBLIC: "pk_live_"}
TOKEN_ALGORITHM = "HS256"  # noqa: S105 - an algorithm name, not a secret
TOKEN_ISSUER = "perks"  # noqa: S105 - a claim value, not a secret


@dataclass(frozen=True)
class NewAccount:
    account: Account
    workspace: Workspace
    key: ApiKey
    api_key: str


def hash_key(api_key: str, secret: str) -> str:
    return hmac.new(secret.encode(), api_key.encode(), hashlib.sha256).hexdigest()


def generate_key(kind: KeyKind) -> str:
    # The ReferralStack shape: a prefix and 40 hex characters (160 random bits).
    return KEY_PREFIXES[kind] + secrets.token_hex(20)


async def create_account(session: AsyncSession, name: str, secret: str) -> NewAccount:
    """The tenancy records only: perks.accounts.open_account also sets up the domains (a Base tier)."""
    account = Account(name=name)
    await repository.add(session, account)
    workspace = Workspace(account_id=account.id, name=name, is_default=True)
    await repository.add(session, workspace)
    key, api_key = await create_key(session, account.id, KeyKind.SERVER, secret)
    return NewAccount(account, workspace, key, api_key)


async def create_key(
    session: AsyncSession, account_id: str, kind: KeyKind, secret: str
) -> tuple[ApiKey, str]:
    await require_account(session, account_id)
    api_key = generate_key(kind)
    key = ApiKey(
        account_id=account_id, kind=kind.value, key_hash=hash_key(api_key, secret), prefix=api_key[:12]
    )
    await repository.add(session, key)
    return key, api_key


async def list_accounts(session: AsyncSession) -> Sequence[Account]:
    """Every account, oldest first (the CLI's `perks accounts list`)."""
    return await repository.list_accounts(session)


async def require_account(session: AsyncSession, account_id: str) -> Account:
    account = await repository.get_account(session, account_id)
    if account is None:
        raise NotFound(f"Account {account_id} not found; `perks accounts list` shows the accounts")
    return account


async def list_keys(session: AsyncSession, account_id: str) -> Sequence[ApiKey]:
    await require_account(session, account_id)
    return await repository.list_keys(session, account_id)


async def revoke_key(session: AsyncSession, key_id: str) -> ApiKey:
    key = await repository.revoke_key(session, key_id, clock.now())
    if key is None:
        raise NotFound(f"API key {key_id} not found")
    return key


async def get_account_key(session: AsyncSession, ctx: AuthContext, key_id: str) -> ApiKey:
    key = await repository.get_key(session, ctx, key_id)
    if key is None:
        raise NotFound(f"API key {key_id} not found")
    return key


async def revoke_account_key(session: AsyncSession, ctx: AuthContext, key_id: str) -> ApiKey:
    """Revoke one of the caller's keys (a console owner's way; the CLI's `revoke_key` is the operator's)."""
    key = await repository.revoke_account_key(session, ctx, key_id, clock.now())
    if key is None:
        raise NotFound(f"API key {key_id} not found")
    return key


async def authenticate_key(session: AsyncSession, api_key: str | None, secret: str) -> AuthContext:
    if not api_key:
        raise Unauthorized("Missing API key")
    key = await repository.find_key_by_hash(session, hash_key(api_key.strip(), secret))
    if key is None or key.revoked_at is not None:
        raise Unauthorized("Invalid API key")
    return AuthContext(account_id=key.account_id, key_id=key.id, kind=KeyKind(key.kind))


def issue_token(ctx: AuthContext, secret: str, ttl_seconds: int) -> str:
    issued = clock.now()
    claims = {
        "iss": TOKEN_ISSUER,
        "sub": ctx.account_id,
        "kid": ctx.key_id,
        "kind": ctx.kind.value,
        "iat": int(issued.timestamp()),
        "exp": int((issued + timedelta(seconds=ttl_seconds)).timestamp()),
    }
    return jwt.encode(claims, secret, algorithm=TOKEN_ALGORITHM)


def decode_token(token: str | None, secret: str) -> AuthContext:
    """What a well-signed, unexpired token claims; whether its key is still active is `active_keys`'s
    question (revocation takes effect at once, so it is asked in the request's transaction)."""
    if not token:
        raise Unauthorized("Missing bearer token")
    try:
        ctx, expires = _verified(token, secret)
    except (jwt.PyJWTError, ValueError, TypeError) as error:
        raise Unauthorized("Invalid token") from error
    # Issue and expiry times are checked against our clock (movable in tests), not the library's.
    if expires <= clock.now().timestamp():
        raise Unauthorized("Token expired")
    return ctx


@functools.lru_cache(maxsize=4096)
def _verified(token: str, secret: str) -> tuple[AuthContext, int]:
    """The claims of a token whose signature holds, and its expiry. Cached: a client sends the same token
    for an hour, and checking the signature of the very same string again proves nothing new (the
    expiry and the key's revocation are checked on every request)."""
    claims = jwt.decode(
        token,
        secret,
        algorithms=[TOKEN_ALGORITHM],
        issuer=TOKEN_ISSUER,
        options={"require": ["exp", "sub", "kid", "kind"], "verify_exp": False, "verify_iat": False},
    )
    ctx = AuthContext(account_id=str(claims["sub"]), key_id=str(claims["kid"]), kind=KeyKind(claims["kind"]))
    return ctx, int(claims["exp"])


async def active_keys(session: AsyncSession, claimed: Sequence[AuthContext]) -> set[str]:
    """The ids of the claimed keys that exist, belong to the claimed account and are not revoked (one
    query, whatever the number of contexts)."""
    pairs = {(ctx.account_id, ctx.key_id) for ctx in claimed}
    return await repository.active_key_ids(session, pairs)


async def read_active_keys(runner: Runner, claimed: Sequence[AuthContext]) -> set[str]:
    """active_keys through a runner (a group-committed batch, perks.sql)."""
    return await repository.read_active_key_ids(runner, {(ctx.account_id, ctx.key_id) for ctx in claimed})


async def key_active(runner: Runner, ctx: AuthContext) -> bool:
    """active_keys for one claimed context, in a hot path's read transaction (perks.sql)."""
    return await repository.key_is_active(runner, ctx)


async def resolve_workspace(session: AsyncSession, ctx: AuthContext, workspace_id: str | None) -> Workspace:
    """The caller's workspace by id, or its default. Another account's id is simply not found."""
    if workspace_id:
        workspace = await repository.get_workspace(session, ctx, workspace_id)
    else:
        workspace = await repository.default_workspace(session, ctx)
    if workspace is None:
        raise NotFound("Workspace not found", title="Workspace not found")
    return workspace


async def make_default_workspace(session: AsyncSession, ctx: AuthContext, workspace: Workspace) -> None:
    """`workspace` becomes the caller's default: the old default is cleared first, then this one set (the
    partial unique index keeps it to one)."""
    await repository.clear_default_workspace(session, ctx, workspace.id)
    workspace.is_default = True
    await session.flush()
