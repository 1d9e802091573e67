"""SQL for accounts, workspaces and keys. Tenant-scoped reads take the AuthContext; the few unscoped
functions are the operator's (CLI) and the key lookup that establishes the context in the first place."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from perks.sql import Runner, in_list, listed, sized, statement
from perks.tenancy import scoped
from perks.tenancy.context import AuthContext
from perks.tenancy.models import Account, ApiKey, Workspace


async def add(session: AsyncSession, *rows: Account | Workspace | ApiKey) -> None:
    session.add_all(rows)
    await session.flush()


async def count_accounts(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Account)) or 0)


async def list_accounts(session: AsyncSession) -> Sequence[Account]:
    rows = await session.scalars(select(Account).order_by(Account.created_at, Account.id))
    return rows.all()


async def get_account(session: AsyncSession, account_id: str) -> Account | None:
    return await session.get(Account, account_id)


async def find_key_by_hash(session: AsyncSession, key_hash: str) -> ApiKey | None:
    return await session.scalar(select(ApiKey).where(ApiKey.key_hash == key_hash))


async def active_key_ids(session: AsyncSession, pairs: set[tuple[str, str]]) -> set[str]:
    """Of (account id, key id) pairs, the key ids that are the account's and not revoked."""
    rows = await session.execute(
        select(ApiKey.account_id, ApiKey.id).where(
            ApiKey.id.in_([key_id for _account, key_id in pairs]), ApiKey.revoked_at.is_(None)
        )
    )
    return {key_id for account_id, key_id in rows if (account_id, key_id) in pairs}


async def list_keys(session: AsyncSession, account_id: str) -> Sequence[ApiKey]:
    rows = await session.scalars(scoped.select(account_id, ApiKey).order_by(ApiKey.created_at, ApiKey.id))
    return rows.all()


async def revoke_key(session: AsyncSession, key_id: str, when: datetime) -> ApiKey | None:
    """Revoke once: a second revoke leaves the first timestamp."""
    await session.execute(
        update(ApiKey).where(ApiKey.id == key_id, ApiKey.revoked_at.is_(None)).values(revoked_at=when)
    )
    return await session.get(ApiKey, key_id, populate_existing=True)


async def get_key(session: AsyncSession, ctx: AuthContext, key_id: str) -> ApiKey | None:
    return await session.scalar(scoped.select(ctx, ApiKey).where(ApiKey.id == key_id))


async def revoke_account_key(
    session: AsyncSession, ctx: AuthContext, key_id: str, when: datetime
) -> ApiKey | None:
    """`revoke_key` within the caller's account: another account's key is not found."""
    await session.execute(
        scoped.update(ctx, ApiKey)
        .where(ApiKey.id == key_id, ApiKey.revoked_at.is_(None))
        .values(revoked_at=when)
    )
    return await session.scalar(
        scoped.select(ctx, ApiKey).where(ApiKey.id == key_id).execution_options(populate_existing=True)
    )


def workspaces(ctx: AuthContext) -> Select[Workspace]:
    """The caller's workspaces: the statement the published list pages."""
    return scoped.select(ctx, Workspace)


async def get_workspace(session: AsyncSession, ctx: AuthContext, workspace_id: str) -> Workspace | None:
    return await session.scalar(scoped.select(ctx, Workspace).where(Workspace.id == workspace_id))


async def default_workspace(session: AsyncSession, ctx: AuthContext) -> Workspace | None:
    return await session.scalar(scoped.select(ctx, Workspace).where(Workspace.is_default.is_(True)))


async def clear_default_workspace(session: AsyncSession, ctx: AuthContext, keep_id: str) -> None:
    """The caller's default workspace, other than `keep_id`, is no longer the default."""
    await session.execute(
        scoped.update(ctx, Workspace)
        .where(Workspace.is_default.is_(True), Workspace.id != keep_id)
        .values(is_default=False)
    )


async def account_ids(session: AsyncSession) -> Sequence[str]:
    """Every account, in id order: the outer loop of periodic jobs, which then work inside each account."""
    rows = await session.scalars(select(Account.id).order_by(Account.id))
    return rows.all()


_ACTIVE_KEYS = sized(
    lambda count: select(ApiKey.__table__.c.account_id, ApiKey.__table__.c.id).where(
        in_list(ApiKey.__table__.c.id, count, "key"), ApiKey.__table__.c.revoked_at.is_(None)
    )
)


async def read_active_key_ids(runner: Runner, pairs: set[tuple[str, str]]) -> set[str]:
    """active_key_ids through a runner."""
    key_ids = sorted({key_id for _account, key_id in pairs})
    rows = await runner.rows(_ACTIVE_KEYS(len(key_ids)), listed("key", key_ids))
    return {key_id for account_id, key_id in rows if (account_id, key_id) in pairs}


_ACTIVE_KEY = statement(
    lambda: scoped.select(scoped.bound(), ApiKey.__table__, ApiKey.__table__.c.id).where(
        ApiKey.__table__.c.id == bindparam("key_id"), ApiKey.__table__.c.revoked_at.is_(None)
    )
)


async def key_is_active(runner: Runner, ctx: AuthContext) -> bool:
    """Whether the caller's key is the account's and not revoked (active_key_ids for one, via a runner)."""
    found = await runner.first(_ACTIVE_KEY, {"key_id": ctx.key_id, "account_id": ctx.account_id})
    return found is not None


async def workspaces_by_name(session: AsyncSession, ctx: AuthContext, limit: int) -> Sequence[Workspace]:
    rows = await session.scalars(
        scoped.select(ctx, Workspace).order_by(Workspace.name, Workspace.id).limit(limit)
    )
    return rows.all()


async def any_workspace(session: AsyncSession, workspace_id: str) -> Workspace | None:
    """A workspace by id in any account: the portal's public pages (sign-up) know only the id."""
    return await session.scalar(select(Workspace).where(Workspace.id == workspace_id))
