"""The xlsx guard reads XML as XML does: every construct it refuses or records is found in
every legal spelling (quoting, whitespace around ``=``, namespace prefixes, cells and rows
without ``r``, attribute order), and its view equals a real XML parser's (ElementTree,
positioning cells as python-calamine does). A fuzz test re-spells real sheets element by
element and checks that the verdict never changes."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rvc.errors import InputError, UnsafeInputError
from rvc.readers import xlsx, xlsx_guard
from tests.readers.sheet_spelling import Spelling, View, reference, respell

SPELLINGS = {
    "canonical": Spelling(),
    "single quotes": Spelling(quote="'"),
    "spaces around =": Spelling(equals=" = "),
    "newline and tab around =": Spelling(equals="\n=\t", gap="\n "),
    "prefix x:": Spelling(prefix="x"),
    "cells without r": Spelling(drop_cell_r=True),
    "rows and cells without r": Spelling(drop_cell_r=True, drop_row_r=True),
    "r written last": Spelling(r_last=True),
    "all at once": Spelling(quote="'", equals=" =  ", prefix="ss", drop_cell_r=True, r_last=True),
}


def _bom_rows(count: int = 12) -> list[dict[str, object]]:
    return [
        {"part_number": f"P{i}", "unit_cost": 10 + i, "quantity": 2, "originating": "N"}
        for i in range(count)
    ]


@pytest.fixture
def sheet_book(workbook):
    return workbook({}, _bom_rows())


def _part(path: Path) -> str:
    package = xlsx_guard.open_package(path)
    try:
        return next(e.part for e in package.sheets if e.name == "BOM")
    finally:
        package.close()


def _rewrite(path: Path, target: Path, change) -> Path:  # type: ignore[no-untyped-def]
    part = _part(path)
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in zin.infolist():
            data = zin.read(info.filename)
            out.writestr(info.filename, change(data) if info.filename == part else data)
    return target


def _sheet_xml(path: Path) -> bytes:
    with zipfile.ZipFile(path) as z:
        return z.read(_part(path))


# Constructs, written into the canonical sheet (E8 is row 8's quantity, F8 its unit_cost).
def _formula(xml: bytes) -> bytes:
    return re.sub(rb'<c r="E8"[^>]*>.*?</c>', b'<c r="E8"><f>E7*2</f></c>', xml)


def _value_before_formula(xml: bytes) -> bytes:
    return re.sub(rb'<c r="E8"[^>]*>.*?</c>', b'<c r="E8"><v>2</v><f>E7*2</f></c>', xml)


def _error(xml: bytes) -> bytes:
    return re.sub(rb'<c r="E8"[^>]*>.*?</c>', b'<c r="E8" t="e"><v>#REF!</v></c>', xml)


def _duplicate(xml: bytes) -> bytes:
    return re.sub(rb'(<c r="F8"[^>]*>.*?</c>)', rb'\1<c r="F8"><v>0.01</v></c>', xml)


def _far(xml: bytes) -> bytes:
    return xml.replace(
        b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
    )


CONSTRUCTS = {
    "formula without a saved value": _formula,
    "value before its formula": _value_before_formula,
    "error cell": _error,
    "duplicate cell": _duplicate,
    "far cell": _far,
}


def guard_view(path: Path) -> View | str:
    """What the guard (and the duplicate check after parsing) makes of the BOM sheet."""
    package = xlsx_guard.open_package(path)
    try:
        entry = next(e for e in package.sheets if e.name == "BOM")
        try:
            scan = xlsx_guard.scan_sheet(package, entry)
        except UnsafeInputError as exc:
            return f"refused: {exc}"
        except InputError as exc:
            if "written twice" in str(exc):
                return f"duplicate: {exc}"
            raise
    finally:
        package.close()
    try:
        xlsx.read_sheets(path, {"bom": "BOM"})
    except InputError as exc:
        if "written twice" in str(exc):
            return f"duplicate: {exc}"
        raise
    return View(
        errors=set(scan.errors),
        no_cached_value=set(scan.no_cached_value),
        percent=set(scan.percent_cells),
        max_row=scan.max_row,
        max_col=scan.max_col,
    )


def expected_view(xml: bytes) -> View | str:
    view = reference(xml)
    if (
        view.max_row > 1_048_576
        or view.max_col > 16_384
        or view.max_row * view.max_col > 30_000_000
    ):
        return "refused"
    if view.duplicate is not None:
        return "duplicate"
    return view


def same(guard: View | str, expected: View | str) -> None:
    if isinstance(expected, str):
        assert isinstance(guard, str) and guard.startswith(expected), guard
        return
    assert isinstance(guard, View), guard
    assert guard.errors == expected.errors
    assert guard.no_cached_value == expected.no_cached_value
    assert guard.percent == expected.percent
    assert guard.max_row == expected.max_row
    # the fast scan bounds one-letter columns at Z; wider sheets are measured exactly
    if expected.max_col <= 26:
        assert guard.max_col <= 26
    else:
        assert guard.max_col == expected.max_col


@pytest.mark.parametrize("construct", CONSTRUCTS)
@pytest.mark.parametrize("spelling", SPELLINGS)
def test_each_construct_in_each_spelling(sheet_book, tmp_path, construct, spelling):
    canonical = CONSTRUCTS[construct](_sheet_xml(sheet_book))
    spelled = respell(canonical, SPELLINGS[spelling])
    path = _rewrite(sheet_book, tmp_path / "spelled.xlsx", lambda _: spelled)
    expected = expected_view(spelled)
    assert expected_view(canonical) == expected or isinstance(expected, str)
    same(guard_view(path), expected)


def test_the_guard_names_the_cell_in_every_spelling(sheet_book, tmp_path):
    for name, spelling in SPELLINGS.items():
        for construct, words in ((_far, "BOM!XFD1048576"), (_duplicate, "BOM!F8")):
            spelled = respell(construct(_sheet_xml(sheet_book)), spelling)
            path = _rewrite(sheet_book, tmp_path / "spelled.xlsx", lambda _, s=spelled: s)
            view = guard_view(path)
            assert isinstance(view, str) and words in view, (name, view)


def test_ordinary_sheets_read_the_same_in_every_spelling(sheet_book, tmp_path):
    canonical = _sheet_xml(sheet_book)
    plain = guard_view(sheet_book)
    assert isinstance(plain, View)
    for spelling in SPELLINGS.values():
        path = _rewrite(
            sheet_book, tmp_path / "spelled.xlsx", lambda _, s=spelling: respell(canonical, s)
        )
        same(guard_view(path), plain)
        assert (
            xlsx.read_sheets(path, {"bom": "BOM"})[0]["bom"].rows
            == xlsx.read_sheets(sheet_book, {"bom": "BOM"})[0]["bom"].rows
        )


def test_fast_scan_hands_unusual_spellings_to_the_parser(sheet_book):
    canonical = _sheet_xml(sheet_book)
    package = xlsx_guard.open_package(sheet_book)
    entry = next(e for e in package.sheets if e.name == "BOM")
    try:
        xlsx_guard._fast_scan(package, entry)  # the canonical spelling stays on the fast path
    finally:
        package.close()
    assert b"<c r=" in canonical


spellings = st.builds(
    Spelling,
    quote=st.sampled_from(['"', "'"]),
    equals=st.sampled_from(["=", " =", "= ", " = ", "\t=\n"]),
    prefix=st.sampled_from(["", "x"]),
    drop_cell_r=st.booleans(),
    drop_row_r=st.booleans(),
    r_last=st.booleans(),
    gap=st.sampled_from([" ", "  ", "\n", "\t "]),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    construct=st.sampled_from(sorted(CONSTRUCTS)),
    chosen=st.lists(spellings, min_size=1, max_size=4),
    prefix=st.sampled_from(["", "x"]),
)
def test_fuzz_respelled_sheets_keep_their_verdict(sheet_book, tmp_path, construct, chosen, prefix):
    for spelling in chosen:
        spelling.prefix = prefix  # one namespace binding per document
    canonical = CONSTRUCTS[construct](_sheet_xml(sheet_book))
    expected = guard_view(_rewrite(sheet_book, tmp_path / "canonical.xlsx", lambda _: canonical))
    spelled = respell(canonical, chosen)
    got = guard_view(_rewrite(sheet_book, tmp_path / "fuzzed.xlsx", lambda _: spelled))
    if isinstance(expected, str):
        assert isinstance(got, str) and got.split(":")[0] == expected.split(":")[0], got
    else:
        same(got, expected)
