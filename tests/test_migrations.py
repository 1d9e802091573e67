"""The migrations build exactly the schema the models describe, on both databases (no drift)."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection

from perks.db.database import Database
from perks.loyalty.customers.models import MIGRATION_ONLY_INDEXES
from perks.models import Base


def compared(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    return not (type_ == "index" and name in MIGRATION_ONLY_INDEXES)


async def test_the_migrated_schema_matches_the_models(database: Database) -> None:
    def differences(connection: Connection) -> list[Any]:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": compared}
        )
        return list(compare_metadata(context, Base.metadata))

    async with database.transaction(read_only=True) as session:
        connection = await session.connection()
        found = await connection.run_sync(differences)
    assert found == []
