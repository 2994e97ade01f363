"""The report's JSON encoder writes exactly what `json.dumps(indent=2, ensure_ascii=False)`
writes, with decimals as number tokens that no input text can forge, and the characters a
terminal acts on (C1 controls, bidi overrides, line separators) as escapes."""

from __future__ import annotations

import json
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from rvc.reporters.json_report import dumps_data, inert, plain

LEAVES = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()
)
DATA = st.recursive(
    LEAVES,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(DATA)
def test_same_text_as_json_dumps(data):
    assert dumps_data(data) == inert(json.dumps(data, indent=2, ensure_ascii=False))


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_escaped_text_parses_back_to_itself(text):
    written = dumps_data([text])
    assert json.loads(written) == [text]
    assert not any("\x7f" <= c <= "\x9f" or c in "\u2028\u2029\u202e\u2066" for c in written)


def test_decimals_are_number_tokens_and_text_stays_text():
    data = plain({"a": Decimal("1.50"), "b": ["1.5", Decimal("2E+3")], "c": ()})
    assert dumps_data(data) == '{\n  "a": 1.5,\n  "b": [\n    "1.5",\n    2000\n  ],\n  "c": []\n}'
    assert json.loads(dumps_data(data)) == {"a": 1.5, "b": ["1.5", 2000], "c": []}
