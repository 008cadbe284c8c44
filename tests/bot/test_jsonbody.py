"""Webhook JSON: nesting at any depth is refused as malformed, never a RecursionError."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import jsonbody


@pytest.mark.parametrize("body", [b"[" * 100_000, b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
                                  b"\xff\xfe", b"{not json"])  # fmt: skip
def test_malformed_or_deep_bodies_are_value_errors(body: bytes) -> None:
    with pytest.raises(ValueError):
        jsonbody.loads(body)


def test_brackets_inside_strings_do_not_count() -> None:
    body = b'{"text": "' + b"[{" * 500 + b'\\" ]"}'
    assert jsonbody.loads(body) == {"text": "[{" * 500 + '" ]'}


@given(st.recursive(st.none() | st.integers() | st.text(), lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=20))  # fmt: skip
def test_ordinary_json_parses_as_before(value: object) -> None:
    import json

    assert jsonbody.loads(json.dumps(value).encode()) == value
