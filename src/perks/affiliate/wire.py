"""The affiliate face's wire details that its resources share: ids in the query string, emails and URLs,
money as the ReferralStack examples write it, partial updates, and a resource's JSON as an outbox payload.

No postponed annotations here: `id_query` builds its dependency's annotation at call time."""

import re
from collections.abc import Callable, Coroutine, Mapping
from decimal import Decimal
from typing import Annotated, Any, TypeVar, cast
from urllib.parse import urlsplit

from fastapi import Query
from pydantic import AfterValidator, BaseModel, Field, PlainSerializer
from pydantic.alias_generators import to_camel

from perks.errors import invalid
from perks.kit.ids import is_uuid
from perks.kit.money import money_string, plain_number

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


Shape = TypeVar("Shape", bound=Mapping[str, object])


def payload(model: BaseModel, shape: type[Shape]) -> Shape:
    """The API's JSON object for a resource, as an outbox payload of type `shape`: the TypedDict, named
    where the payload is emitted, that lists the model's wire names and JSON types (the type is only said
    here; tests/affiliate/test_webhook_payloads.py holds each shape to its model and to what is sent)."""
    return cast(Shape, model.model_dump(mode="json", by_alias=True))
