"""The migrations build exactly the schema the models describe, on both databases (no drift)."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection

from perks.db import Database
from perks.models import Base


async def test_the_migrated_schema_matches_the_models(database: Database) -> None:
    def differences(connection: Connection) -> list[Any]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))

    async with database.transaction(read_only=True) as session:
        connection = await session.connection()
        found = await connection.run_sync(differences)
    assert found == []
