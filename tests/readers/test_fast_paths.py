"""The BOM reader's C-level fast paths give exactly what the cell-by-cell paths give.

Each fast path is taken only when it cannot differ (one numeric type per column, text in
every cell, plain floats); these properties feed both paths the same columns, including the
values that must send the fast path back to the slow one.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from rvc.readers.bom_sheet import (
    BomReader,
    _memoized_by_type,
    _plain_floats,
    _plain_texts,
)

CELLS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.sampled_from([0.0, -0.0, 1.0, 2.5, 1e-31, 1e13, math.nan, math.inf]),
    st.sampled_from(["", " ", "A", " A ", "#N/A", "#x", "B\n#C", "Y", "n"]),
)


def _parse(row: int, value: Any) -> tuple[int, str]:
    """A parser whose result shows which row it was given and the value's type."""
    return row, f"{type(value).__name__}:{value!r}"


@given(st.lists(CELLS, max_size=30))
def test_memoized_matches_the_cell_by_cell_memo(values: list[Any]) -> None:
    assert BomReader._memoized(values, _parse, 7) == _memoized_by_type(values, _parse, 7)


def test_memoized_spells_a_value_as_first_written() -> None:
    values = [1.5, -0.0, 0.0, "x"]
    got = BomReader._memoized(values, _parse, 2)
    assert got == _memoized_by_type(values, _parse, 2)
    assert got[1] == got[2] == (3, "float:-0.0")


def test_memoized_parses_in_row_order_and_reports_the_first_bad_row() -> None:
    seen: list[int] = []

    def parse(row: int, value: Any) -> Any:
        seen.append(row)
        if value == "bad":
            raise ValueError(row)
        return value

    try:
        BomReader._memoized(["a", "b", "a", "bad", "c", "bad"], parse, 10)
    except ValueError as error:
        assert error.args == (13,)  # the first "bad" is at index 3: row 10 + 3
    else:
        raise AssertionError("the bad value was not parsed")
    assert seen == [10, 11, 13]  # each distinct value once, at its first row


def _slow_texts(values: list[Any]) -> list[Any]:
    from rvc.readers.bom_sheet import _ODD

    return [
        (text if (text := v.strip()) and text[0] != "#" else _ODD)
        if type(v) is str
        else (None if v is None else _ODD)
        for v in values
    ]


@given(st.lists(CELLS, max_size=30))
def test_plain_texts_matches_the_cell_by_cell_reading(values: list[Any]) -> None:
    assert _plain_texts(values) == _slow_texts(values)


def test_plain_texts_sends_error_texts_and_blanks_to_the_strict_parser() -> None:
    from rvc.readers.bom_sheet import _ODD

    assert _plain_texts([" A1 ", "B"]) == ["A1", "B"]
    assert _plain_texts(["A", "#REF!"]) == ["A", _ODD]
    assert _plain_texts(["A", "  "]) == ["A", _ODD]
    assert _plain_texts(["A", "x\n#y"]) == ["A", "x\n#y"]  # '#' inside a text is plain


@given(st.lists(CELLS, max_size=30))
def test_plain_floats_only_when_every_cost_is_a_float_taken_as_it_is(values: list[Any]) -> None:
    expected = bool(values) and all(
        type(v) is float and (v == 0.0 or 1e-30 <= v <= 1e12) for v in values
    )
    assert _plain_floats(values) is expected


def test_plain_float_costs_are_the_decimals_of_their_shortest_spelling() -> None:
    values = [0.1, 30.32, -0.0, 1e12, 1e-30]
    assert _plain_floats(values)
    assert list(map(Decimal, map(repr, values))) == [
        Decimal("0.1"),
        Decimal("30.32"),
        Decimal("-0.0"),
        Decimal("1000000000000.0"),
        Decimal("1e-30"),
    ]
    assert not _plain_floats([1.0, -2.0])  # a negative cost: the strict parser refuses it
    assert not _plain_floats([1.0, math.nan])
    assert not _plain_floats([1.0, 2])  # an int among floats: cell by cell
