"""Migration from another vendor on the storefront face: POST /customers/migrate, /customers/migrate/
transactions and /customers/migrate/events. Each batch is validated whole (a 400 naming the field, and
nothing written), then answered at once with the job that writes it (GET /jobs/{id}; refused records at
GET /jobs/{id}/errors). See docs/migration.md."""

from __future__ import annotations

from typing import Any

from fastapi import Request, Response

from perks.imports import migration
from perks.imports.records import prepare_rows
from perks.jobs import service as jobs
from perks.jobs.router_loyalty import accepted
from perks.jobs.schemas import JobOut
from perks.loyalty.face import Claimed, Data, ServerClaim, router
from perks.web.body_limit import body_limit
from perks.web.unit_of_work import own_transaction

migration_router = router(tags=["loyalty: migration"])
MAX_BYTES = 32 << 20
TOO_LARGE = "body: larger than {limit} bytes; send at most 1,000 records per batch"
ANSWER = (
    "The batch is validated whole: a 400 names the first field at fault and nothing is written. Otherwise "
    "the answer is the job (202) that writes it, whose progress GET /jobs/{id} shows and whose refused "
    "records GET /jobs/{id}/errors lists (`line` is the record's place in the batch, from 1). Sending a "
    "batch again writes nothing twice."
)


@migration_router.post(
    "/customers/migrate",
    status_code=202,
    response_model=Data[JobOut],
    summary="Migrate customers with their balance and metrics",
    description="Up to 1,000 customers per batch, each registered with its wallet (no webhook, no "
    "registration event) and known by its `id`: a customer migrated before is skipped whole. Each "
    "`balance` line (up to 100) becomes a wallet line with its own `expiration_date` and a MIGRATION "
    "transaction; `metrics` are kept period by period, and `metrics.lifetime.tier_id` is the customer's "
    "tier. A customer is written whole or refused whole (an unknown reward, brand or tier, an email "
    "another customer has, an expiration_date that has passed). " + ANSWER,
    responses={413: {"description": "The body is larger than 32 MiB"}},
)
@own_transaction
@body_limit(MAX_BYTES, TOO_LARGE)
async def migrate_customers(
    request: Request, claimed: ServerClaim, body: migration.CustomersMigration
) -> Response:
    rows = await _as_sent(request)
    return await _enqueue(request, claimed, "customers", rows, {"customers": len(body.customers)})


@migration_router.post(
    "/customers/migrate/transactions",
    status_code=202,
    response_model=Data[JobOut],
    summary="Migrate customers' transaction history",
    description="Up to 1,000 customers and 10,000 transactions per batch. A customer's transactions, "
    "signed as they moved the balance (a redemption is negative), must sum reward by reward to the "
    "customer's balance (migrate the customer first): otherwise that customer is refused and nothing of "
    "its history is written, while the other customers are. The history is kept as transactions of their "
    "own `type` with `attributes.migrated` true; it moves no wallet line. A transaction is known by what "
    "it says, so one sent again is skipped. " + ANSWER,
    responses={413: {"description": "The body is larger than 32 MiB"}},
)
@own_transaction
@body_limit(MAX_BYTES, TOO_LARGE)
async def migrate_transactions(
    request: Request, claimed: ServerClaim, body: migration.TransactionsMigration
) -> Response:
    rows = await _as_sent(request)
    count = sum(len(customer.transactions) for customer in body.customers)
    return await _enqueue(
        request, claimed, "transactions", rows, {"customers": len(rows), "transactions": count}
    )


@migration_router.post(
    "/customers/migrate/events",
    status_code=202,
    response_model=Data[JobOut],
    summary="Migrate customers' past events",
    description="Up to 1,000 events per batch, each customer with at least one. Migrated events are "
    "stored RESOLVED and fulfilled and take part in no campaign: they reward nothing. Each PURCHASE (its "
    "`order.value` required) counts in the customer's lifetime metrics (purchases, spend, last visit), "
    "other types do not, and the customer's tier is recalculated on those metrics. An event is known by "
    "its `id`, or a PURCHASE by its `order.purchase_id`: one sent again is skipped. " + ANSWER,
    responses={413: {"description": "The body is larger than 32 MiB"}},
)
@own_transaction
@body_limit(MAX_BYTES, TOO_LARGE)
async def migrate_events(request: Request, claimed: ServerClaim, body: migration.EventsMigration) -> Response:
    rows = migration.event_rows(body)
    return await _enqueue(
        request, claimed, "events", rows, {"customers": len(body.customers), "events": len(rows)}
    )


async def _as_sent(request: Request) -> list[dict[str, Any]]:
    """The batch's records as sent (the body parsed once, already validated whole as `body`): the job
    validates each again as it writes it, so they need no copy through the models (half the answer's
    time for 1,000 customers)."""
    sent: dict[str, list[dict[str, Any]]] = await request.json()
    return sent["customers"]


async def _enqueue(
    request: Request, claimed: Claimed, name: str, rows: list[dict[str, Any]], counts: dict[str, int]
) -> Response:
    """The batch (read and validated before any transaction opens) stored as a new job's input."""
    prepared = prepare_rows(rows)
    with prepared.records:
        return await accepted(
            request,
            claimed,
            lambda session: jobs.enqueue(
                session,
                claimed.ctx,
                migration.JOB_PREFIX + name,
                params={"source": "api", **counts},
                total=prepared.total,
                source=prepared.records,
            ),
        )
