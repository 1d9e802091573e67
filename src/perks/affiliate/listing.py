"""The referred-user and commission lists: paging, sorting and filters read from the query string or from a
form body (the ReferralStack docs send list filters both ways), with their OpenAPI, and the filtered page."""

from collections.abc import Mapping
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any, TypeVar
from urllib.parse import parse_qsl

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from perks.affiliate.commissions.models import CommissionStatus, CommissionStatusValue
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
    status: CommissionStatusValue | None = None

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
_STATUSES = {"type": "string", "enum": [status.value for status in CommissionStatus]}
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
