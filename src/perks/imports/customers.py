"""`perks import customers`: customers with their profile; a customer is known by its id."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from perks.imports.importers import Outcome, Parsed, RowProblem, json_cells, register_importer, validated
from perks.imports.records import Columns
from perks.loyalty.customers import service as customers
from perks.loyalty.customers.schemas import CustomerCreate
from perks.tenancy.context import AuthContext

JSON_COLUMNS = ("tags", "metadata", "platforms", "consent")


class CustomerImporter:
    name = "customers"
    columns = Columns(
        required=("id",),
        optional=(
            "name",
            "email",
            "is_anonymous",
            "registration_date",
            "gender",
            "dob",
            "document_type",
            "document_number",
            "country",
            *JSON_COLUMNS,
        ),
    )

    def parse(self, row: dict[str, Any]) -> CustomerCreate:
        return validated(CustomerCreate, json_cells(row, JSON_COLUMNS))

    def reference(self, row: dict[str, Any]) -> str | None:
        return _text(row.get("id"))

    async def apply(
        self, session: AsyncSession, ctx: AuthContext, rows: Sequence[Parsed[CustomerCreate]], job_id: str
    ) -> Outcome:
        outcome = Outcome()
        results = await customers.register_many(session, ctx, [row.item for row in rows])
        for row, result in zip(rows, results, strict=True):
            if result == customers.IMPORTED:
                outcome.imported += 1
            elif result == customers.SKIPPED:
                outcome.skipped += 1
            elif not isinstance(result, str):
                outcome.refuse(row, RowProblem.of(result))
        return outcome


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


register_importer(CustomerImporter())
