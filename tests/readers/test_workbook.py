"""The workbook contract: what is read, and every input error's location and wording."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from rvc.errors import InputError
from rvc.readers import check_vehicle, read_bom

TODAY = dt.date(2026, 11, 23)
GOOD = [
    {"part_number": "A", "unit_cost": 100, "originating": "Y"},
    {"part_number": "B", "unit_cost": 50, "quantity": 2, "originating": "N"},
]


def read(path: Path, **kw):
    return read_bom(path, today=TODAY, **kw)


def error(path: Path, **kw) -> str:
    with pytest.raises(InputError) as caught:
        read(path, **kw)
    return str(caught.value)


def edit(path: Path, change) -> Path:
    book = openpyxl.load_workbook(path)
    change(book)
    book.save(path)
    return path


def test_reads_the_contract(workbook):
    bill = read(workbook({"as_of": dt.date(2024, 7, 1), "hs_subheading": "8703.23"}, GOOD))
    assert bill.vehicle.model_line == "Test Sedan"
    assert bill.vehicle.net_cost == Decimal(10000)
    assert bill.as_of == dt.date(2024, 7, 1) and bill.as_of_source == "workbook"
    assert [(b.part_number, b.quantity, b.unit_cost, b.originating) for b in bill.lines] == [
        ("A", 1, 100, True),
        ("B", 2, 50, False),
    ]
    assert bill.metals is None and bill.lvc is None
    assert bill.provenance.rows_read == 2


def test_as_of_option_beats_workbook_beats_today(workbook):
    path = workbook({"as_of": "2024-07-01"}, GOOD)
    assert read(path, as_of=dt.date(2025, 1, 1)).as_of_source == "option"
    assert read(path).as_of == dt.date(2024, 7, 1)
    bill = read(workbook({}, GOOD, name="no_date.xlsx"))
    assert (bill.as_of, bill.as_of_source) == (TODAY, "today")


def test_headers_match_ignoring_case_spaces_hyphens_underscores(workbook):
    columns = (" Part Number ", "UNIT-COST", "Origin_ating", "Colour")
    path = workbook({}, [("A", 10, "yes", "red")], columns=columns)
    bill = read(path)
    assert (bill.lines[0].part_number, bill.lines[0].unit_cost, bill.lines[0].originating) == (
        "A",
        10,
        True,
    )
    assert any("Colour" in c for c in bill.provenance.ignored_columns)


@pytest.mark.parametrize(
    ("word", "value"),
    [
        ("Y", True),
        ("yes", True),
        ("TRUE", True),
        (1, True),
        (True, True),
        ("n", False),
        ("No", False),
        ("false", False),
        (0, False),
        (False, False),
        (None, None),
        ("  ", None),
    ],
)
def test_originating_words(workbook, word, value):
    path = workbook({}, [{"part_number": "A", "unit_cost": 1, "originating": word}])
    assert read(path).lines[0].originating is value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("$1,234.50", "1234.50"),
        ("1234.5", "1234.5"),
        ("USD 99", "99"),
        ("1.5E3", "1500"),
        (" 7 ", "7"),
    ],
)
def test_amounts_typed_as_text(workbook, text, value):
    path = workbook({}, [{"part_number": "A", "unit_cost": text}])
    assert read(path).lines[0].unit_cost == Decimal(value)


def test_numbers_keep_their_decimal_digits(workbook):
    path = workbook({"net_cost": 10000.1}, [{"part_number": "A", "unit_cost": 0.1, "quantity": 3}])
    bill = read(path)
    assert bill.lines[0].unit_cost == Decimal("0.1")
    assert bill.lines[0].value == Decimal("0.3")
    assert bill.vehicle.net_cost == Decimal("10000.1")


def test_vehicle_header_row_is_optional(tmp_path):
    from rvc.reporters.template import write_workbook

    path = tmp_path / "nohdr.xlsx"
    write_workbook(
        path,
        [
            ("Vehicle", [("model_line", "X"), ("vehicle_class", "Light Truck"), ("net_cost", 5)]),
            ("BOM", [("part_number", "unit_cost"), ("A", 1)]),
        ],
    )
    assert read(path).vehicle.vehicle_class == "light_truck"


def test_hs_code_forms(workbook):
    rows = [("A", 1, "8708.40"), ("B", 1, "870840"), ("C", 1, "8708.40.75"), ("D", 1, 8708.4)]
    bill = read(workbook({}, rows, columns=("part_number", "unit_cost", "hs_code")))
    assert [b.hs_code for b in bill.lines] == ["870840", "870840", "87084075", "870840"]
    assert any("stored as the number 8708.4, read as 8708.40" in n for n in bill.notes)


# --- errors: each names the place, what was found, what is expected ------------------------


def test_negative_cost(workbook):
    message = error(workbook({}, [{"part_number": "A", "unit_cost": -5}]))
    assert "bom.xlsx: BOM!F2" in message
    assert "unit_cost is negative (-5" in message
    assert "expected a number >= 0" in message


def test_missing_net_cost(workbook):
    message = error(workbook({"net_cost": None}, GOOD))
    assert "sheet 'Vehicle'" in message
    assert "net_cost is missing" in message
    assert "column A" in message and "column B" in message


def test_zero_net_cost(workbook):
    message = error(workbook({"net_cost": 0}, GOOD))
    assert "Vehicle!B4" in message and "net_cost is 0" in message and "greater than 0" in message


def test_parent_that_names_no_line(workbook):
    message = error(workbook({}, [{"part_number": "A", "unit_cost": 1, "parent": "ZZZ"}]))
    assert "BOM!B2" in message
    assert "parent 'ZZZ' names no line" in message
    assert "expected the part_number of the assembly" in message


def test_cycle(workbook):
    rows = [
        {"part_number": "A", "unit_cost": 1, "parent": "C"},
        {"part_number": "B", "unit_cost": 1, "parent": "A"},
        {"part_number": "C", "unit_cost": 1, "parent": "B"},
    ]
    message = error(workbook({}, rows))
    assert "cycle" in message and "A -> C -> B -> A" in message
    assert "BOM!B2" in message and "expected a tree" in message


def test_duplicate_part_number(workbook):
    rows = [{"part_number": "A", "unit_cost": 1}, {"part_number": "A", "unit_cost": 2}]
    message = error(workbook({}, rows))
    assert "BOM!A3" in message and "'A' appears again (first on row 2)" in message
    assert "expected each part number once" in message


def test_class_inconsistent_with_hs_subheading(workbook, pack):
    bill = read(workbook({"hs_subheading": "8704.22"}, GOOD))
    with pytest.raises(InputError) as caught:
        check_vehicle(bill, pack)
    message = str(caught.value)
    assert "Vehicle!B" in message
    assert "hs_subheading 8704.22 does not match vehicle_class passenger_vehicle" in message
    assert "heavy truck" in message and "8703.21-8703.90" in message


def test_diesel_passenger_vehicle_is_an_other_vehicle(workbook, pack):
    bill = read(workbook({"hs_subheading": "8703.32"}, GOOD))
    with pytest.raises(InputError, match="compression-ignition"):
        check_vehicle(bill, pack)


@pytest.mark.parametrize(
    ("row", "where", "words"),
    [
        (
            {"part_number": "A", "unit_cost": 1, "quantity": 0},
            "BOM!E2",
            ["quantity is 0", "greater than 0"],
        ),
        ({"part_number": "A", "unit_cost": None}, "BOM!F2", ["unit_cost is blank"]),
        ({"part_number": None, "unit_cost": 3}, "BOM!A2", ["part_number is blank"]),
        ({"part_number": "A", "unit_cost": "n/a"}, "BOM!F2", ["'n/a' is not a number", "1234.50"]),
        ({"part_number": "A", "unit_cost": "1,23"}, "BOM!F2", ["comma", "dot"]),
        ({"part_number": "A", "unit_cost": "NaN"}, "BOM!F2", ["not a number"]),
        ({"part_number": "A", "unit_cost": 1e300}, "BOM!F2", ["implausibly large"]),
        (
            {"part_number": "A", "unit_cost": 1, "originating": "maybe"},
            "BOM!G2",
            ["'maybe'", "Y or N"],
        ),
        (
            {"part_number": "A", "unit_cost": 1, "core_part": "wheel"},
            "BOM!H2",
            ["'wheel'", "engine, transmission"],
        ),
        (
            {"part_number": "A", "unit_cost": 1, "rvc_percent": 101},
            "BOM!I2",
            ["implausibly large", "100"],
        ),
        (
            {"part_number": "A", "unit_cost": 1, "hs_code": "87AB"},
            "BOM!D2",
            ["'87AB'", "4 to 10 digits"],
        ),
        ({"part_number": "A", "unit_cost": dt.date(2024, 1, 1)}, "BOM!F2", ["date"]),
    ],
)
def test_bad_cells(workbook, row, where, words):
    message = error(workbook({}, [row]))
    assert f"bom.xlsx: {where}" in message
    for word in words:
        assert word in message


@pytest.mark.parametrize(
    ("fields", "where", "words"),
    [
        (
            {"vehicle_class": "bus"},
            "Vehicle!B3",
            ["'bus'", "passenger_vehicle, light_truck, heavy_truck"],
        ),
        ({"currency": "DOLLARS"}, "Vehicle!B5", ["'DOLLARS'", "three-letter"]),
        ({"as_of": "2024-13-01"}, "Vehicle!B5", ["not a real date"]),
        ({"as_of": "July 1"}, "Vehicle!B5", ["YYYY-MM-DD"]),
        ({"as_of": 45474}, "Vehicle!B5", ["number 45474", "date"]),
        ({"lvc_formula": "magic"}, "Vehicle!B5", ["'magic'", "annual_purchase_value"]),
    ],
)
def test_bad_vehicle_fields(workbook, fields, where, words):
    message = error(workbook(fields, GOOD))
    assert f"bom.xlsx: {where}" in message
    for word in words:
        assert word in message


def test_missing_sheets(workbook):
    message = error(workbook({}, GOOD, omit=("BOM",)))
    assert "has no 'BOM' sheet" in message and "'Vehicle'" in message
    message = error(workbook({}, GOOD, omit=("Vehicle",), name="b.xlsx"))
    assert "has no 'Vehicle' sheet" in message


def test_bom_without_lines(workbook):
    message = error(workbook({}, []))
    assert "has no BOM lines" in message


def test_duplicate_headers(workbook):
    message = error(workbook({}, [("A", 1, 2)], columns=("part_number", "unit_cost", "Unit Cost")))
    assert "BOM!C1" in message and "second 'unit_cost' column" in message


def test_two_sheets_matching_one_name(workbook):
    path = workbook({}, GOOD, sheets={"bom ": [("part_number", "unit_cost"), ("X", 1)]})
    message = error(path)
    assert "two sheets" in message and "'BOM'" in message and "'bom '" in message


def test_header_row_below_row_one_is_found_and_noted(workbook):
    path = workbook(
        {},
        [("Exported from SAP", None), (None, None), ("part_number", "unit_cost"), ("A", 5)],
        columns=("Report", ""),
    )
    bill = read(path)
    assert [b.part_number for b in bill.lines] == ["A"]
    assert any("header row found on row 4" in n for n in bill.notes)


def test_no_header_row(workbook):
    message = error(workbook({}, [("A", 1)], columns=("part", "cost")))
    assert "no header row with part_number, unit_cost" in message
    assert "'part', 'cost'" in message


def test_blank_and_trailing_rows_are_skipped_and_counted(workbook):
    path = workbook({}, [GOOD[0], {}, GOOD[1], {}, {}])
    bill = read(path)
    assert len(bill.lines) == 2
    assert bill.provenance.blank_rows >= 1


def test_formula_without_cached_value_is_refused(workbook):
    path = workbook({}, [{"part_number": "A", "unit_cost": "=2*3"}])
    message = error(path)
    assert "BOM!F2" in message and "formula with no saved result" in message
    assert "recalculate and save" in message


def test_excel_error_cell_is_refused(workbook):
    path = workbook({}, [{"part_number": "A", "unit_cost": 1, "originating": "#N/A"}])
    message = error(path)
    assert "BOM!G2" in message and "Excel error #N/A" in message


def test_merged_cells_over_read_columns_are_refused(workbook):
    path = edit(
        workbook({}, [*GOOD, {"part_number": "C", "unit_cost": 1}]),
        lambda b: b["BOM"].merge_cells("G2:G3"),
    )
    message = error(path)
    assert "BOM!G2:G3" in message and "merged" in message and "unmerged" in message


def test_merged_cells_elsewhere_are_fine(workbook):
    path = edit(workbook({}, GOOD), lambda b: b["BOM"].merge_cells("M2:N3"))
    assert len(read(path).lines) == 2


def test_hidden_rows_are_read_and_noted(workbook):
    def hide(book):
        book["BOM"].row_dimensions[3].hidden = True

    bill = read(edit(workbook({}, GOOD), hide))
    assert len(bill.lines) == 2
    assert any("1 hidden row read like any other (rows 3)" in n for n in bill.notes)


def test_hidden_sheet_is_read_and_noted(workbook):
    def hide(book):
        book["BOM"].sheet_state = "hidden"

    bill = read(edit(workbook({}, GOOD), hide))
    assert any("sheet 'BOM' is hidden" in n for n in bill.notes)


def test_technology_credit_needs_production_wages(workbook):
    lvc = [("category", "amount", "hourly_wage"), ("technology", 1000, None)]
    message = error(workbook({}, GOOD, sheets={"LVC": lvc}))
    assert "production_wages_total is missing" in message and "LVC row 2" in message


def test_apv_formula_needs_tapv(workbook):
    lvc = [("category", "amount", "hourly_wage"), ("material", 1000, 20)]
    message = error(workbook({"lvc_formula": "annual_purchase_value"}, GOOD, sheets={"LVC": lvc}))
    assert "total_annual_purchase_value is missing" in message


def test_lvc_row_missing_wage(workbook):
    lvc = [("category", "amount", "hourly_wage"), ("material", 1000, None)]
    message = error(workbook({}, GOOD, sheets={"LVC": lvc}))
    assert "LVC!C2" in message and "hourly_wage is missing for a material row" in message


def test_steel_sheet_rows(workbook):
    metals = [
        ("material", "value", "originating", "melted_and_poured", "hs_code"),
        ("Steel", "$1,000", "Y", "yes", "7209.16"),
        ("aluminium", 500, "N", None, None),
    ]
    bill = read(workbook({}, GOOD, sheets={"SteelAluminum": metals}))
    assert [(m.material, m.value, m.originating, m.melted_and_poured) for m in bill.metals] == [
        ("steel", 1000, True, True),
        ("aluminum", 500, False, None),
    ]


def test_steel_sheet_requires_originating(workbook):
    metals = [("material", "value", "originating"), ("steel", 1000, None)]
    message = error(workbook({}, GOOD, sheets={"SteelAluminum": metals}))
    assert "SteelAluminum!C2" in message and "originating is blank" in message
