"""Guarded writes: a database constraint is the check that two concurrent requests cannot both slip past,
so a write that breaks one becomes the face's 4xx (a 409 for a row still referenced or a taken level, a 422
for a duplicate) instead of a 500. Each face words the error; the guard is the same."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from perks.errors import AppError
from perks.tenancy import scoped


@asynccontextmanager
async def guarded(session: AsyncSession, refusal: AppError) -> AsyncIterator[None]:
    """Run the writes inside in a savepoint; a constraint they break rolls them back and raises `refusal`."""
    try:
        async with session.begin_nested():
            yield
    except IntegrityError as error:
        raise refusal from error


async def delete_owned(
    session: AsyncSession, tenant: scoped.Tenant, model: Any, row_id: str, refusal: AppError | None = None
) -> None:
    """DELETE one of the tenant's rows by id. With a `refusal`, a foreign key that still points at the row
    raises it; without one, the schema lets the row go (its dependants cascade)."""
    statement = scoped.delete(tenant, model).where(model.id == row_id)
    statement = statement.execution_options(synchronize_session=False)
    if refusal is None:
        await session.execute(statement)
        return
    async with guarded(session, refusal):
        await session.execute(statement)
