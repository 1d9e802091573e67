"""`perks import events`: past behavior events, stored as history (perks.loyalty.events.history). An event
is known by its `id` (the other system's), or a PURCHASE by its purchase_id."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from perks.imports.importers import (
    Outcome,
    Parsed,
    RowProblem,
    Text,
    json_cells,
    not_yet_imported,
    of_known_customers,
    register_importer,
    validated,
)
from perks.imports.records import Columns
from perks.kit import clock
from perks.loyalty.events import history
from perks.loyalty.events.service import PURCHASE
from perks.tenancy.context import AuthContext


class EventRow(BaseModel):
    id: Text | None = None
    customer_id: Text
    type: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")]
    issued_at: datetime
    purchase_id: Text | None = None
    value: Annotated[Decimal, Field(ge=0)] | None = None
    brand_id: Text | None = None
    store_id: Text | None = None
    channel_id: Text | None = None
    metadata: dict[str, Any] | None = None

    @property
    def key(self) -> str:
        return self.id if self.id is not None else f"purchase:{self.purchase_id}"


class EventImporter:
    name = "events"
    columns = Columns(
        required=("customer_id", "type", "issued_at"),
        optional=("id", "purchase_id", "value", "brand_id", "store_id", "channel_id", "metadata"),
    )

    def parse(self, row: dict[str, Any]) -> EventRow:
        event = validated(EventRow, json_cells(row, ("metadata",)))
        event.issued_at = clock.as_utc(event.issued_at)
        if event.issued_at > clock.now():
            raise RowProblem("issued_at", "is in the future")
        if event.type == PURCHASE and event.value is None:
            raise RowProblem("value", "is required for a PURCHASE (the order's value counts in the spend)")
        if event.id is None and (event.type != PURCHASE or event.purchase_id is None):
            raise RowProblem(
                "id", "is required, unless a PURCHASE has a purchase_id: a re-run must know the event"
            )
        return event

    def reference(self, row: dict[str, Any]) -> str | None:
        value = row.get("id") or row.get("purchase_id") or row.get("customer_id")
        return None if value is None else str(value)

    async def apply(
        self, session: AsyncSession, ctx: AuthContext, rows: Sequence[Parsed[EventRow]], job_id: str
    ) -> Outcome:
        outcome = Outcome()
        valid, known = await of_known_customers(session, ctx, rows, outcome)
        chosen = await not_yet_imported(session, ctx, self.name, valid, outcome, job_id)
        past = [
            history.PastEvent(
                customer=known[row.item.customer_id],
                type=row.item.type,
                issued_at=row.item.issued_at,
                brand_id=row.item.brand_id,
                purchase_id=row.item.purchase_id,
                value=row.item.value,
                store_id=row.item.store_id,
                channel_id=row.item.channel_id,
                metadata=row.item.metadata,
            )
            for row in chosen
        ]
        stored = await history.record(session, ctx, past)
        outcome.imported += sum(stored)
        outcome.skipped += len(stored) - sum(stored)  # a purchase recorded here already
        return outcome


register_importer(EventImporter())
