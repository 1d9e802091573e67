"""A hostile-input generator of our own: hypothesis strategies for what careless and malicious clients send
(lone surrogates, NUL characters, deep nesting, huge and non-finite numbers, overflowing offsets, oversized
bodies, odd content types), and the plumbing that puts one such value into any body field, query parameter
or path parameter of any operation of the OpenAPI description, on top of an otherwise plausible request."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from hypothesis import strategies as st

from perks.kit.json_input import MAX_DEPTH

PLACEHOLDER = "\x01hostile\x01"
FIELD_DEPTH = 4  # how deep into a body's schema fields are targeted

# Raw JSON tokens, written into a body as they are (json.dumps would refuse or rewrite most of them).
NON_FINITE = ["NaN", "Infinity", "-Infinity", "1e400", "-1e400"]
HUGE = ["1e30", "-1e30", "9223372036854775808", "-9223372036854775809", "1" + "0" * 40, "1e308"]
WRONG_TYPES = ["{}", "[]", "true", "null", '"x"', "0", "-1"]
# Query and path values, as they appear (already percent-encoded) in a URL.
URL_VALUES = [
    "9223372036854775808",
    "-9223372036854775809",
    "1e30",
    "-1",
    "NaN",
    "Infinity",
    "%00",
    "a%00b",
    "%ED%A0%80",  # the UTF-8 bytes of a lone surrogate
    "%C0%80",  # an overlong NUL
    "%FF%FE",
    "x" * 5000,
    "",
    "%20",
    "..%2F..%2Fetc%2Fpasswd",
]
CONTENT_TYPES = [
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=xyz",
    "application/json; charset=utf-16",
    "application/json; charset=latin-1",
    "application/xml",
    "application/vnd.api+json",
    "application/octet-stream",
    "*/*",
]


def json_text(value: str) -> str:
    """A string as a JSON token; lone surrogates become `\\udXXX` escapes, as a client would send them."""
    return json.dumps(value, ensure_ascii=True)


def nested_token(depth: int) -> str:
    return "[" * depth + "]" * depth


def surrogate_text() -> st.SearchStrategy[str]:
    lone = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
    return st.builds(
        lambda before, bad, after: before + bad + after, st.text(max_size=8), lone, st.text(max_size=8)
    )


def hostile_strings() -> st.SearchStrategy[str]:
    """Text no field should choke on: lone surrogates, NULs, huge lengths, control characters."""
    return st.one_of(
        surrogate_text(),
        st.builds(lambda before, after: before + "\x00" + after, st.text(max_size=8), st.text(max_size=8)),
        st.integers(min_value=10_000, max_value=300_000).map(lambda size: "x" * size),
        st.text(alphabet=st.characters(max_codepoint=0x1F), min_size=1, max_size=20),
        st.sampled_from(["literal \\u0000 text", "\u202e\u0301", "😀" * 50, "' OR 1=1 --", "NaN", "1e400"]),
    )


def hostile_tokens() -> st.SearchStrategy[str]:
    """A raw JSON token for any field: a hostile string, number, nesting or type."""
    return st.one_of(
        hostile_strings().map(json_text),
        st.sampled_from(NON_FINITE + HUGE + WRONG_TYPES),
        st.integers(min_value=2**63, max_value=10**60).map(str),
        st.integers(min_value=-(10**60), max_value=-(2**63) - 1).map(str),
        st.floats(min_value=1e19, max_value=1e308).map(repr),
        st.integers(min_value=MAX_DEPTH, max_value=3000).map(nested_token),
        st.integers(min_value=MAX_DEPTH, max_value=200).map(
            lambda depth: '{"a":' * depth + "1" + "}" * depth
        ),
        st.integers(min_value=1000, max_value=20_000).map(lambda size: "[" + ",".join(["1"] * size) + "]"),
    )


def hostile_url_values() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(URL_VALUES),
        st.integers(min_value=2**63, max_value=10**40).map(str),
        surrogate_text().map(lambda text: quote(text.encode("utf-8", "surrogatepass"), safe="")),
    )


# The values every field of every operation gets, whatever the random draws.
CLASSIC_TOKENS = [json_text("a\ud800b"), json_text("a\x00b"), nested_token(MAX_DEPTH + 1), "NaN", HUGE[2]]
CLASSIC_URL_VALUES = ["9223372036854775808", "1e30", "%00", "%ED%A0%80", "-1"]


@dataclass(frozen=True)
class Target:
    """Where a hostile value goes: a query or path parameter, or a body field (`()` is the whole body)."""

    location: str
    name: str
    path: tuple[str | int, ...] = ()

    def __str__(self) -> str:
        return f"{self.location}:{self.name}"


@dataclass
class Operation:
    method: str
    path: str
    parameters: list[dict[str, Any]]
    body_schema: dict[str, Any] | None
    schemas: Mapping[str, Any] = field(repr=False)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def targets(self) -> list[Target]:
        found = [Target(parameter["in"], parameter["name"]) for parameter in self.parameters]
        found = [target for target in found if target.location in ("query", "path")]
        if self.body_schema is not None:
            found.append(Target("body", "body"))
            for path in sorted(set(self._fields(self.body_schema, (), 0)), key=str):
                found.append(Target("body", ".".join(map(str, path)), path))
        return found

    def _fields(
        self, schema: Any, path: tuple[str | int, ...], depth: int
    ) -> Iterator[tuple[str | int, ...]]:
        schema = self.resolve(schema)
        if depth >= FIELD_DEPTH or not isinstance(schema, dict):
            return
        for option in schema.get("anyOf", []) + schema.get("oneOf", []) + schema.get("allOf", []):
            yield from self._fields(option, path, depth)
        for name, sub in schema.get("properties", {}).items():
            yield (*path, name)
            yield from self._fields(sub, (*path, name), depth + 1)
        if "items" in schema:
            yield (*path, 0)
            yield from self._fields(schema["items"], (*path, 0), depth + 1)

    def names(self) -> set[str]:
        """Every parameter and body field name, for the ids that should name real rows."""
        found = {parameter["name"] for parameter in self.parameters}
        if self.body_schema is not None:
            found |= {str(path[-1]) for path in self._fields(self.body_schema, (), 0)}
        return found

    def resolve(self, schema: Any) -> Any:
        while isinstance(schema, dict) and "$ref" in schema:
            schema = self.schemas[schema["$ref"].rsplit("/", 1)[-1]]
        return schema

    def plausible(self, schema: Any, ids: Mapping[str, str], depth: int = 0, name: str = "") -> Any:
        """A small value the schema would accept (often), so a hostile value is not refused for its
        neighbours before it is looked at; a field named like an id gets the id of a real row."""
        if name in ids:
            return ids[name]
        schema = self.resolve(schema)
        if not isinstance(schema, dict) or depth > 6:
            return None
        options = [option for option in schema.get("anyOf", []) + schema.get("oneOf", []) if option]
        if options:
            chosen = next((o for o in options if self.resolve(o).get("type") != "null"), options[0])
            return self.plausible(chosen, ids, depth, name)
        if "enum" in schema:
            return schema["enum"][0]
        kind = schema.get("type")
        if kind == "object" or "properties" in schema:
            required = schema.get("required", [])
            properties = schema.get("properties", {}).items()
            return {
                key: self.plausible(sub, ids, depth + 1, key) for key, sub in properties if key in required
            }
        if kind == "array":
            return [self.plausible(schema.get("items", {}), ids, depth + 1)] if schema.get("minItems") else []
        if kind == "integer":
            return max(int(schema.get("minimum", 1)), 1)
        if kind == "number":
            return max(schema.get("minimum", 1), 1)
        if kind == "boolean":
            return True
        if kind == "string":
            return _plausible_text(schema)
        return None

    def url(self, ids: Mapping[str, str], hostile: Mapping[str, str] | None = None) -> str:
        """The operation's URL with plausible parameters, and `hostile` ones (already URL-encoded)."""
        hostile = hostile or {}
        path = self.path
        query = []
        for parameter in self.parameters:
            name = parameter["name"]
            value = hostile.get(name)
            if value is None:
                plain = self.plausible(parameter.get("schema", {}), ids, name=name)
                if plain is None or (not parameter.get("required") and name not in ids):
                    continue
                value = quote(str(plain).lower() if isinstance(plain, bool) else str(plain), safe="")
            if parameter["in"] == "path":
                path = path.replace("{" + name + "}", value or "x")
            elif parameter["in"] == "query":
                query.append(f"{quote(name, safe='')}={value}")
        return path + ("?" + "&".join(query) if query else "")

    def body_with(self, target: Target, token: str, ids: Mapping[str, str]) -> bytes:
        """A plausible body with `token` (raw JSON) at the target's place."""
        if not target.path:
            return token.encode("utf-8", "surrogatepass")
        document = self.plausible(self.body_schema, ids) if self.body_schema is not None else {}
        document = _placed(document if isinstance(document, dict) else {}, target.path)
        text = json.dumps(document, ensure_ascii=True).replace(json_text(PLACEHOLDER), token, 1)
        return text.encode("utf-8", "surrogatepass")

    def plausible_body(self, ids: Mapping[str, str]) -> bytes:
        return json.dumps(self.plausible(self.body_schema, ids) if self.body_schema else {}).encode()


def _placed(document: Any, path: tuple[str | int, ...]) -> Any:
    """`document` with PLACEHOLDER at `path`, making the containers on the way."""
    head, *rest = path
    if isinstance(head, int):
        container: Any = document if isinstance(document, list) else []
        if not container:
            container.append(None)
        container[0] = _placed(container[0], tuple(rest)) if rest else PLACEHOLDER
        return container
    container = document if isinstance(document, dict) else {}
    container[head] = _placed(container.get(head), tuple(rest)) if rest else PLACEHOLDER
    return container


def _plausible_text(schema: Mapping[str, Any]) -> str:
    formats = {
        "date-time": "2026-01-01T00:00:00Z",
        "date": "2026-01-01",
        "email": "fuzz@example.com",
        "uuid": str(uuid.UUID(int=1)),
        "uri": "https://example.com/",
    }
    if schema.get("format") in formats:
        return formats[schema["format"]]
    return "x" * max(int(schema.get("minLength", 1)), 1)


def operations(spec: Mapping[str, Any]) -> list[Operation]:
    """Every operation of an OpenAPI description, with its JSON body schema if it takes one."""
    schemas = spec.get("components", {}).get("schemas", {})
    found = []
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            content = (operation.get("requestBody") or {}).get("content", {})
            body = content.get("application/json", {}).get("schema")
            found.append(Operation(method.upper(), path, operation.get("parameters", []), body, schemas))
    return found
