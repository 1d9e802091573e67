"""perks.kit.encoding: orjson where it can, the standard library where orjson refuses; the same JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel

from perks.kit.encoding import dump_bytes, dumps, json_ready, loads, wire_bytes
from tests.support.events import customer, purchase, sent
from tests.support.tenants import Tenant

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=20,
)


@given(json_values)
def test_it_reads_back_as_the_standard_library_writes_it(value: Any) -> None:
    assert json.loads(dumps(value)) == json.loads(json.dumps(value))
    assert dump_bytes(value).decode() == dumps(value)


@given(json_values)
def test_it_reads_what_the_standard_library_reads(value: Any) -> None:
    text = json.dumps(value)
    assert loads(text) == json.loads(text)
    assert loads(dumps(value)) == json.loads(dumps(value))


def test_it_reads_what_orjson_alone_would_misread_or_refuse() -> None:
    for text in [
        "123456789012345678901234567890",
        "-9223372036854775809",
        '{"n": [1, 18446744073709551616]}',
    ]:
        read = loads(text)
        assert read == json.loads(text)
        assert "." not in json.dumps(read)  # integers stay integers, not floats
    assert str(loads("NaN")) == "nan"
    assert loads('"\\ud800"') == "\ud800"


def test_integers_beyond_64_bits_and_non_string_keys() -> None:
    assert json.loads(dumps({"big": 10**30, 1: "one"})) == {"big": 10**30, "1": "one"}
    assert dumps({"name": "Zoë"}) == '{"name":"Zoë"}'


def test_nan_and_infinities_become_null() -> None:
    assert json.loads(dumps([float("nan"), float("inf"), -float("inf"), 1.5])) == [None, None, None, 1.5]


async def test_an_event_keeps_metadata_beyond_64_bits(client: httpx.AsyncClient, tenant: Tenant) -> None:
    """Stored in the event's JSON columns and written in its answer, on both databases."""
    await customer(client, tenant)
    created = await sent(client, tenant, purchase(3, metadata={"big": 10**30, "tags": ["a"]}))
    assert created["data"]["metadata"] == {"big": 10**30, "tags": ["a"]}
    stored = await client.get(
        f"/api/storefront/v1/behavior/events/{created['id']}", headers=await tenant.loyalty(client)
    )
    assert stored.json()["data"]["data"]["metadata"] == {"big": 10**30, "tags": ["a"]}


class _Holder(BaseModel):
    value: dict[str, Any]


def test_wire_bytes_write_as_pydantic_beside_an_integer_beyond_64_bits() -> None:
    # orjson refuses the integer; the fallback must still write the float and the datetime as pydantic
    # does (the standard library would write 1e-07 and +00:00).
    value = {
        "big": 2**70,
        "small": 1e-7,
        "at": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        "d": Decimal("1.50"),
    }
    assert wire_bytes({"value": value}) == _Holder(value=value).model_dump_json().encode()
    assert json_ready({"value": value}) == _Holder(value=value).model_dump(mode="json")
