"""perks.kit.json_input: the quick walk (no field paths) refuses exactly what the naming walk refuses."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from perks.errors import AppError
from perks.kit import json_input
from perks.kit.json_input import MAX_DEPTH

# Text that is sometimes out of bounds: a NUL, a lone surrogate, or plain.
texts = st.one_of(st.text(max_size=6), st.sampled_from(["a\x00b", "\ud800", "é", "\x00"]))
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    texts,
)
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(texts, inner, max_size=4)),
    max_leaves=25,
)


def named_refusal(document: Any) -> str | None:
    """The naming walk's refusal (its message), or None when it accepts the document."""
    try:
        json_input._check(document, "", 0)
    except AppError as error:
        return str(error.details)
    return None


@settings(max_examples=300, deadline=None)
@given(documents)
@example({"order": {"value": float("nan")}})
@example([1.5, float("inf")])
@example({"tags": ["ok", "a\x00b"]})
@example({"name\x00": 1})
@example({"note": "\ud800"})
def test_the_quick_walk_refuses_what_the_naming_walk_refuses(document: Any) -> None:
    refusal = named_refusal(document)
    assert json_input._within_bounds(document, 0) is (refusal is None)
    if refusal is None:
        json_input.check(document)
    else:
        with pytest.raises(AppError) as raised:
            json_input.check(document)
        assert str(raised.value.details) == refusal


def test_a_document_nested_too_deep_is_refused_with_its_outermost_field() -> None:
    document: Any = 1
    for _ in range(MAX_DEPTH + 1):
        document = [document]
    with pytest.raises(AppError) as raised:
        json_input.check({"rules": document})
    assert "rules" in str(raised.value.details)
    assert json_input._within_bounds({"rules": document}, 0) is False
