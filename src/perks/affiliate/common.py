"""Pieces shared by the affiliate resources: ids in the query string, emails, money on the wire, partial
updates, unique-constraint races turned into 422s, and JSON payloads for the outbox."""

import csv
import io
import re
from collections.abc import AsyncIterator, Callable, Coroutine, Mapping
from contextlib import asynccontextmanager
from decimal import Decimal
from email.parser import BytesParser
from email.policy import HTTP
from typing import Annotated, Any, Literal, TypeVar
from urllib.parse import parse_qsl, urlsplit

from fastapi import Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import AfterValidator, BaseModel, Field, PlainSerializer, ValidationError
from pydantic.alias_generators import to_camel
from sqlalchemy import Select, delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from perks.errors import Unprocessable, invalid
from perks.kit.ids import is_uuid
from perks.kit.money import money_string, plain_number
from perks.kit.pagination import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    MAX_PAGE,
    ORDER_VALUE_PATTERN,
    PageRequest,
    PageResult,
    paginate,
)
from perks.tenancy import service as tenancy
from perks.tenancy.context import AuthContext

M = TypeVar("M", bound=BaseModel)
MAX_MONEY = Decimal("1000000000000")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Referral codes and URL parameter names travel in URLs unescaped.
URL_SAFE = r"^[A-Za-z0-9_.~-]+$"


def required_id(name: str, value: str | None) -> str:
    """An id from the query string: present and a UUID, else a 400 naming the parameter."""
    value = (value or "").strip()
    if not value:
        raise invalid(name, "Field required")
    if not is_uuid(value):
        raise invalid(name, "must be a UUID")
    return value


def id_query(name: str) -> Callable[[str], Coroutine[Any, Any, str]]:
    """A dependency reading the id `name` from the query string (this module has no postponed
    annotations, so the alias below is evaluated here). Async, so FastAPI runs it inline rather than in
    its thread pool."""

    async def dependency(value: Annotated[str, Query(alias=name)]) -> str:
        return required_id(name, value)

    return dependency


def _check_email(value: str) -> str:
    value = value.strip()
    if not _EMAIL.match(value):
        raise ValueError("must be an email address")
    return value


def email_key(email: str) -> str:
    """The canonical form that uniqueness and lookups use: emails compare case-insensitively."""
    return email.strip().lower()


def _check_http_url(value: str) -> str:
    value = value.strip()
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("must be an http(s) URL")
    return value


HttpUrl = Annotated[str, Field(min_length=1, max_length=2048), AfterValidator(_check_http_url)]
Email = Annotated[str, Field(max_length=320), AfterValidator(_check_email)]
# Exact money from a JSON number or a decimal string; two places at most.
MoneyIn = Annotated[Decimal, Field(ge=0, le=MAX_MONEY, decimal_places=2)]
# Returned as a JSON number (campaigns: 50.00 is written 50) or as a two-place string (referred users,
# commissions: "50.00"), as the ReferralStack examples show.
MoneyNumber = Annotated[Decimal, PlainSerializer(plain_number, return_type=int | float)]
MoneyString = Annotated[Decimal, PlainSerializer(money_string, return_type=str)]


def changes_of(body: BaseModel, nullable: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The fields a partial update sent. An explicit null is a 400 unless the field may be cleared."""
    changes = body.model_dump(exclude_unset=True, by_alias=False)
    for name, value in changes.items():
        if value is None and name not in nullable:
            raise invalid(to_camel(name), "may not be null")
    return changes


def apply(row: object, changes: Mapping[str, Any]) -> None:
    for name, value in changes.items():
        setattr(row, name, value)


@asynccontextmanager
async def integrity_or_422(session: AsyncSession, message: str) -> AsyncIterator[None]:
    """Run a write in a savepoint; a constraint violation (also one lost to a concurrent request)
    becomes a 422 with `message` instead of a 500."""
    try:
        async with session.begin_nested():
            yield
    except IntegrityError as error:
        raise Unprocessable(message) from error


def payload(model: BaseModel) -> dict[str, Any]:
    """The API's JSON object for a resource, as an outbox payload."""
    data: dict[str, Any] = model.model_dump(mode="json", by_alias=True)
    return data


async def form_fields(request: Request) -> dict[str, str]:
    """Text fields of a urlencoded or multipart/form-data body, also on a GET (the ReferralStack docs
    send list filters that way). Parsed with the standard library; files are ignored."""
    content_type = request.headers.get("content-type", "")
    body = await request.body()
    if not body:
        return {}
    if content_type.startswith("application/x-www-form-urlencoded"):
        return dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    if content_type.startswith("multipart/form-data"):
        return _multipart_fields(content_type, body)
    return {}


def _multipart_fields(content_type: str, body: bytes) -> dict[str, str]:
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\nMIME-Version: 1.0\r\n\r\n" + body
    )
    fields: dict[str, str] = {}
    if not message.is_multipart():
        return fields
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str) or part.get_filename() is not None:
            continue
        raw = part.get_payload(decode=True)
        if isinstance(raw, bytes):
            fields[name] = raw.decode(part.get_content_charset() or "utf-8", "replace")
    return fields


def query_model(model: type[M], values: Mapping[str, Any]) -> M:
    """Validate query-like values into `model`; errors are 400s naming the parameter."""
    try:
        return model.model_validate(dict(values))
    except ValidationError as error:
        raise RequestValidationError(
            [{**detail, "loc": ("query", *detail["loc"])} for detail in error.errors()]
        ) from error


Status = Literal["pending", "processing", "paid", "refunded"]


class ListFilters(BaseModel):
    """Paging, sorting and the campaign/affiliate/status filters of the referred-user and commission
    lists, read from the query string or from a form body (query string wins)."""

    page: int = Field(default=1, ge=1, le=MAX_PAGE)
    limit: int = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    orderType: str | None = None
    orderValue: str = Field(default="DESC", pattern=ORDER_VALUE_PATTERN)
    workspaceId: str | None = None
    campaignId: str | None = None
    affiliateId: str | None = None
    status: Status | None = None

    def page_request(self) -> PageRequest:
        return PageRequest(
            page=self.page, limit=self.limit, order_type=self.orderType, order_value=self.orderValue
        )


async def list_filters(request: Request) -> ListFilters:
    values = {**(await form_fields(request)), **request.query_params}
    return query_model(ListFilters, {key: value for key, value in values.items() if value != ""})


async def filtered_page(
    session: AsyncSession,
    ctx: AuthContext,
    statement: Select[Any],
    model: Any,
    filters: ListFilters,
    sortable: Mapping[str, Any],
) -> PageResult:
    """One page of referred users or commissions (`model`), filtered by workspace, campaign,
    affiliate and status."""
    if filters.workspaceId:
        workspace = await tenancy.resolve_workspace(session, ctx, filters.workspaceId)
        statement = statement.where(model.workspace_id == workspace.id)
    wanted = (
        (model.campaign_id, filters.campaignId),
        (model.affiliate_id, filters.affiliateId),
        (model.status, filters.status),
    )
    for column, value in wanted:
        if value:
            statement = statement.where(column == value)
    return await paginate(session, statement, filters.page_request(), sortable, model.id)


def _documented(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


# OpenAPI for the ListFilters parameters, which are read by hand (query string or form body).
_LIMIT = {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT}
_STATUSES = {"type": "string", "enum": ["pending", "processing", "paid", "refunded"]}
_TEXT = {"type": "string"}
LIST_FILTERS_OPENAPI: dict[str, Any] = {
    "parameters": [
        _documented(
            "page",
            {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
            "Page number, from 1",
        ),
        _documented("limit", _LIMIT, "Items per page"),
        _documented("orderType", _TEXT, "Field to sort by (default createdAt)"),
        _documented("orderValue", {"type": "string", "enum": ["ASC", "DESC"]}, "Sort direction"),
        _documented("workspaceId", _TEXT, "Only this workspace"),
        _documented("campaignId", _TEXT, "Only this campaign"),
        _documented("affiliateId", _TEXT, "Only this affiliate"),
        _documented("status", _STATUSES, "Only this status"),
    ]
}


async def delete_row(session: AsyncSession, ctx: AuthContext, row: Any) -> None:
    """DELETE one loaded tenant row by id (scoped to the caller's account) and forget it."""
    model = type(row)
    await session.execute(
        delete(model)
        .where(model.account_id == ctx.account_id, model.id == row.id)
        .execution_options(synchronize_session=False)
    )
    session.expunge(row)


def csv_line(cells: list[str]) -> str:
    """One CSV row with its line end, for downloads written a row at a time."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(cells)
    return buffer.getvalue()


def inert(cell: str) -> str:
    """A cell that a spreadsheet will not run as a formula (people and API clients wrote these)."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell
