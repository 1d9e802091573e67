"""Opening an account: tenancy's records (the account, its default workspace, a server key), then what each
domain sets up for a new account (the loyalty side's Base tier). It sits above the foundation, so that
tenancy imports no domain."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from perks.loyalty.tiers import service as loyalty_tiers
from perks.tenancy import service as tenancy
from perks.tenancy.service import NewAccount


async def open_account(session: AsyncSession, name: str, secret: str) -> NewAccount:
    created = await tenancy.create_account(session, name, secret)
    await loyalty_tiers.ensure_base_tier(session, created.account.id)
    return created
