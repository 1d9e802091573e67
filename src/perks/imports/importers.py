"""The import engine: what an importer is, and the job handler that runs any importer over its input.

An importer turns one row into an item (`parse`, which refuses a malformed row) and writes a batch of
items (`apply`, in the step's transaction, at most 1,000 rows), saying for each row whether it was
imported, already there (skipped) or refused. A re-run never writes a row twice: each importer knows a row
by an identity (a customer's id, a balance's or an event's id) that `claim_keys` records in the same
transaction. Importers register under a name; the job type is `import.<name>`, and the API, the CLI (and the
migration routes) enqueue jobs of these types."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Generic, Protocol, TypeVar

from pydantic import BaseModel, Field, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from perks.errors import AppError
from perks.imports import repository
from perks.imports.records import Columns
from perks.jobs.runner import RowError, Step, Work, register
from perks.loyalty.brands import service as brands
from perks.loyalty.customers import service as customers
from perks.loyalty.customers.models import Customer
from perks.tenancy.context import AuthContext

Item = TypeVar("Item")
Model = TypeVar("Model", bound=BaseModel)
JOB_PREFIX = "import."
Text = Annotated[str, Field(min_length=1, max_length=255)]


class RowProblem(Exception):
    """A row that cannot be imported: the field at fault (if one is) and why."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message

    @classmethod
    def of(cls, error: AppError) -> RowProblem:
        """An AppError of a service (e.g. invalid("amount", ...)) as a row problem."""
        message = error.details
        if error.field and message.startswith(f"{error.field}: "):
            message = message[len(error.field) + 2 :]
        return cls(error.field, message)


@dataclass(frozen=True)
class Parsed(Generic[Item]):
    line: int
    reference: str | None
    item: Item


@dataclass
class Outcome:
    """What `apply` did with a batch: rows imported, rows already there, rows refused."""

    imported: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)

    def refuse(self, row: Parsed[Any], problem: RowProblem) -> None:
        self.errors.append(RowError(row.line, row.reference, problem.field, problem.message))


class Importer(Protocol[Item]):
    name: str
    columns: Columns

    def parse(self, row: dict[str, Any]) -> Item: ...

    def reference(self, row: dict[str, Any]) -> str | None: ...

    async def apply(
        self, session: AsyncSession, ctx: AuthContext, rows: Sequence[Parsed[Item]], job_id: str
    ) -> Outcome: ...


IMPORTERS: dict[str, Importer[Any]] = {}


class ImportRows(Generic[Item]):
    """The job handler of one importer: a batch of rows per step."""

    def __init__(self, importer: Importer[Item]) -> None:
        self.importer = importer

    async def step(self, work: Work) -> Step:
        records = await work.input.take(work.session, work.settings.import_batch_size)
        parsed: list[Parsed[Item]] = []
        refused: list[RowError] = []
        for line, row, problem in records:
            reference = self.importer.reference(row) if row is not None else None
            try:
                if problem is not None or row is None:
                    raise RowProblem(None, f"line {line} {problem}")
                parsed.append(Parsed(line, reference, self.importer.parse(row)))
            except RowProblem as refusal:
                refused.append(RowError(line, reference, refusal.field, refusal.message))
        outcome = (
            await self.importer.apply(work.session, work.ctx, parsed, work.job.id) if parsed else Outcome()
        )
        consumed = work.job.position + len(records)
        return Step(
            consumed=len(records),
            done=outcome.imported,
            skipped=outcome.skipped,
            errors=sorted(refused + outcome.errors, key=lambda error: error.line),
            finished=not records or consumed >= (work.job.total or 0),
        )


def register_importer(importer: Importer[Any]) -> None:
    IMPORTERS[importer.name] = importer
    register(JOB_PREFIX + importer.name, ImportRows(importer))


def validated(model: type[Model], row: dict[str, Any]) -> Model:
    """`row` read by a pydantic model; its first error as a RowProblem naming the field."""
    try:
        return model.model_validate(row)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or None
        raise RowProblem(where, first["msg"]) from None


def json_cells(row: dict[str, Any], names: Sequence[str]) -> dict[str, Any]:
    """`row` with the named cells, when a CSV gave them as text, read as JSON (objects, lists)."""
    decoded = dict(row)
    for name in names:
        value = decoded.get(name)
        if isinstance(value, str):
            try:
                decoded[name] = json.loads(value)
            except ValueError:
                raise RowProblem(name, 'must be JSON (e.g. {"vip": true})') from None
    return decoded


def content_key(*parts: object) -> str:
    """An identity for a row that has no id of its own: a digest of what it says."""
    return hashlib.sha256(json.dumps([str(part) for part in parts]).encode()).hexdigest()


class CustomerRow(Protocol):
    """A row about one customer of the account, perhaps of one brand, known by `key`."""

    @property
    def customer_id(self) -> str: ...

    @property
    def brand_id(self) -> str | None: ...

    @property
    def key(self) -> str: ...


Row = TypeVar("Row", bound=CustomerRow)


async def of_known_customers(
    session: AsyncSession, ctx: AuthContext, rows: Sequence[Parsed[Row]], outcome: Outcome
) -> tuple[list[Parsed[Row]], dict[str, Customer]]:
    """The rows whose customer and brand are the account's (the others are refused), and their customers,
    row-locked (before their wallets, as every writer takes them)."""
    known = await customers.find_many(session, ctx, [row.item.customer_id for row in rows], for_update=True)
    brand_ids = await known_brands(session, ctx, {row.item.brand_id for row in rows})
    valid: list[Parsed[Row]] = []
    for row in rows:
        if row.item.customer_id not in known:
            outcome.refuse(row, RowProblem("customer_id", "no customer with this id in your account"))
        elif row.item.brand_id is not None and row.item.brand_id not in brand_ids:
            outcome.refuse(row, RowProblem("brand_id", "no brand with this id in your account"))
        else:
            valid.append(row)
    return valid, known


async def not_yet_imported(
    session: AsyncSession,
    ctx: AuthContext,
    kind: str,
    rows: Sequence[Parsed[Row]],
    outcome: Outcome,
    job_id: str,
) -> list[Parsed[Row]]:
    """The rows to write: their keys are claimed now; the others (imported before, or repeated in this
    batch) are counted as skipped."""
    fresh = await repository.claim_keys(session, ctx, kind, [row.item.key for row in rows], job_id)
    chosen: list[Parsed[Row]] = []
    for row in rows:
        if row.item.key in fresh:
            fresh.discard(row.item.key)
            chosen.append(row)
        else:
            outcome.skipped += 1
    return chosen


async def known_brands(session: AsyncSession, ctx: AuthContext, brand_ids: set[str | None]) -> set[str]:
    """Which of `brand_ids` are brands of the account (a batch names few distinct brands)."""
    found: set[str] = set()
    for brand_id in brand_ids:
        if brand_id is None:
            continue
        try:
            await brands.require_brand(session, ctx, brand_id)
        except AppError:
            continue
        found.add(brand_id)
    return found
