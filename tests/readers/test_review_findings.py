"""Regression tests for the findings of the first independent review (each named by its id)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from decimal import Decimal

import pytest

from rvc.errors import InputError
from rvc.readers import check_vehicle
from tests.readers.test_workbook import error, read


def test_h1_quantities_multiplying_beyond_reason_are_refused(workbook):
    rows = [("A", None, 10_000_000, 1), ("B", "A", 10_000_000, 1)]
    message = error(workbook({}, rows, columns=("part_number", "parent", "quantity", "unit_cost")))
    assert "BOM!C3" in message and "units of B per vehicle" in message and "A > B" in message


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda s: s.merge_cells("C1:D1"), ["BOM!C1:D1", "merges header cells"]),
        (lambda s: s.__setitem__("D1", '="quantity"'), ["BOM!D1", "header cell is a formula"]),
        (lambda s: s.__setitem__("D1", "#REF!"), ["BOM!D1", "Excel error #REF!"]),
    ],
)
def test_h2_unreadable_header_cells_are_refused(workbook, change, words):
    from tests.readers.test_workbook import edit

    columns = ("part_number", "unit_cost", "hs_code", "quantity", "originating")
    path = workbook({}, [("A", 10, "8708.40", 2, "N")], columns=columns)
    edit(path, lambda book: change(book["BOM"]))
    message = error(path)
    for word in words:
        assert word in message


def test_h2_column_with_values_but_no_header_is_noted(workbook):
    path = workbook({}, [("A", 10, 2)], columns=("part_number", "unit_cost", ""))
    bill = read(path)
    assert any("column C holds values but has no header" in n for n in bill.notes)


def test_h3_lvc_amounts_in_the_wrong_units_are_refused(workbook):
    lvc = [
        ("category", "amount", "hourly_wage"),
        ("labor", 21_000_000, 30),
        ("material", 43_000_000, 25),
    ]
    message = error(
        workbook(
            {},
            [("A", 1, "Y")],
            columns=("part_number", "unit_cost", "originating"),
            sheets={"LVC": lvc},
        )
    )
    assert "sheet 'LVC'" in message and "64,000,000.00, more than the net cost 10,000.00" in message
    assert "per vehicle" in message


def test_h3_net_cost_in_the_wrong_units_is_refused(workbook):
    message = error(
        workbook(
            {"net_cost": 24},
            [("A", 4000, "N")],
            columns=("part_number", "unit_cost", "originating"),
        )
    )
    assert "Vehicle!B4" in message and "less than half the value of the top-level BOM" in message


def test_h4_json_on_a_non_utf8_console_is_complete_utf8(workbook):
    path = workbook({}, [("部品-1", 100, "Y")], columns=("part_number", "unit_cost", "originating"))
    done = subprocess.run(
        [sys.executable, "-m", "rvc", "check", str(path), "-f", "json"],
        capture_output=True,
        env={**os.environ, "PYTHONIOENCODING": "cp1252"},
    )
    assert done.returncode == 1, done.stderr
    assert b"Traceback" not in done.stderr
    assert json.loads(done.stdout.decode("utf-8"))["verdict"] == "incomplete"
    table = subprocess.run(
        [sys.executable, "-m", "rvc", "check", str(path)],
        capture_output=True,
        env={**os.environ, "PYTHONIOENCODING": "cp1252"},
    )
    assert table.returncode == 1 and b"Traceback" not in table.stderr


@pytest.mark.parametrize("text", ["12 5", "100 2", "1 2 3", "1,234.5.6"])
def test_m1_spaces_inside_numbers_are_not_concatenated(workbook, text):
    message = error(workbook({}, [("A", text)], columns=("part_number", "unit_cost")))
    assert "is not a number" in message


def test_m1_long_text_in_an_amount_fails_fast(workbook):
    path = workbook({}, [("A", "1 " + " \t" * 16000 + "1")], columns=("part_number", "unit_cost"))
    start = time.perf_counter()
    message = error(path)
    assert time.perf_counter() - start < 5
    assert "characters long, not a number" in message


def test_m2_json_numbers_are_plain_decimals(cli, workbook):
    path = workbook(
        {},
        [("A", 0.00001, "N"), ("B", 5, "Y")],
        columns=("part_number", "unit_cost", "originating"),
    )
    text = cli("check", path, "-f", "json").stdout
    assert "e-0" not in text and "E-0" not in text
    assert '"vnm": 0.00001' in text


def test_m3_diesel_hybrid_is_not_a_passenger_vehicle(workbook, pack):
    bill = read(
        workbook(
            {"hs_subheading": "8703.50"},
            [("A", 1, "Y")],
            columns=("part_number", "unit_cost", "originating"),
        )
    )
    with pytest.raises(InputError, match="compression-ignition engine and an electric motor"):
        check_vehicle(bill, pack)


def test_m6_percent_formatted_rvc_percent_is_noted(workbook):
    path = workbook(
        {},
        [("E", 100, "Y", "engine", 0.88)],
        columns=("part_number", "unit_cost", "originating", "core_part", "rvc_percent"),
    )
    bill = read(path)
    assert bill.lines[0].rvc_percent == Decimal("0.88")
    assert any("rvc_percent 0.88 read as 0.88%" in n and "type 88" in n for n in bill.notes)


def test_l1_template_into_a_missing_folder(cli, tmp_path):
    done = cli("template", tmp_path / "missing" / "t.xlsx")
    assert done.exit_code == 2 and "cannot be written" in done.stderr


def test_l2_report_cannot_overwrite_the_bom(cli, workbook):
    path = workbook({}, [("A", 1, "Y")], columns=("part_number", "unit_cost", "originating"))
    before = path.read_bytes()
    done = cli("check", path, "-f", "json", "-o", path)
    assert done.exit_code == 2 and "is the BOM itself" in done.stderr
    assert path.read_bytes() == before


def test_l3_metal_message_never_says_0_00_more_needed(run):
    from tests.conftest import bom, line, metal, result

    metals = [
        metal("steel", "69.999", True),
        metal("steel", "30.001", False),
        metal("aluminum", 1, True),
    ]
    steel = result(
        run(bom([line("E", 1, core_part="engine", originating=True)], metals=metals)), "steel"
    )
    assert (
        steel.status.value == "fail"
        and "0.001 USD of the non-originating steel purchases" in steel.message
    )


def test_l6_a_bom_far_below_the_net_cost_is_noted(run):
    from tests.conftest import bom, line

    report = run(bom([line("A", 2, originating=True)], net_cost=30000))
    assert any("check that the BOM is complete" in n for n in report.assumptions)


def test_l9_vehicle_sheet_extra_columns_are_listed(cli, tmp_path):
    from rvc.reporters.template import write_template

    path = tmp_path / "t.xlsx"
    write_template(path)
    done = cli("check", path, "--verbose")
    assert "ignored column: Vehicle: columns C (only A and B are read)" in done.stderr


def test_l10_utf16_csv_is_read(tmp_path):
    (tmp_path / "Vehicle.csv").write_text(
        "field,value\nmodel_line,X\nvehicle_class,light_truck\nnet_cost,1000\n", encoding="utf-16"
    )
    (tmp_path / "BOM.csv").write_text("part_number,unit_cost\nA,1\n", encoding="utf-16")
    assert read(tmp_path).lines[0].part_number == "A"


def test_merged_title_rows_above_the_header_are_fine(workbook):
    path = workbook(
        {}, [("Title", None), ("part_number", "unit_cost"), ("A", 5)], columns=("x", "y")
    )

    def merge(book):
        book["BOM"].merge_cells("A1:B1")

    from tests.readers.test_workbook import edit

    edit(path, merge)
    assert [line.part_number for line in read(path).lines] == ["A"]


# --- second review ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("€1,234.50", False),
        ("£5", False),
        ("¥100", False),
        ("$5", True),
        ("US$ 5", True),
        ("5 USD", True),
    ],
)
def test_r2_m5_currency_symbols_are_checked_against_the_line(workbook, text, ok):
    path = workbook({}, [("A", text, "N")], columns=("part_number", "unit_cost", "originating"))
    if ok:
        assert read(path).lines[0].unit_cost == 5
    else:
        assert "but this line's currency is USD" in error(path)


def test_r2_m5_three_letters_that_are_no_currency_are_not_a_number(workbook):
    assert "is not a number" in error(
        workbook({}, [("A", 1, "2 pcs")], columns=("part_number", "unit_cost", "quantity"))
    )


def test_r2_m2_merged_header_over_unread_columns_is_fine(workbook):
    from tests.readers.test_workbook import edit

    path = workbook(
        {}, [("A", 10, "x", "y")], columns=("part_number", "unit_cost", "Supplier notes", "")
    )
    edit(path, lambda book: book["BOM"].merge_cells("C1:D1"))
    assert [line.part_number for line in read(path).lines] == ["A"]


def test_r2_m4_no_core_parts_message_names_the_class_categories(run):
    from tests.conftest import bom, line, result

    core = result(run(bom([line("A", 1, originating=True)])), "core-parts")
    assert core.status.value == "not_evaluated"
    assert (
        "mark the engine, transmission, body and chassis, axle, suspension, steering, "
        "advanced battery lines" in core.message
    )
    # heavy trucks have no core-parts requirement at all (s. 15)
    truck = run(bom([line("A", 1, originating=True)], vehicle_class="heavy_truck"))
    assert "core-parts" not in [r.id for r in truck.requirements]


def test_r2_l4_an_fx_sheet_nobody_needs_is_not_read(workbook):
    fx = [("currency", "rate"), ("MXN", "not a rate")]
    bill = read(
        workbook(
            {},
            [("A", 1, "Y")],
            columns=("part_number", "unit_cost", "originating"),
            sheets={"FX": fx},
        )
    )
    assert bill.provenance.fx_rates == []


def test_r2_l4_a_level_column_is_announced(workbook):
    bill = read(
        workbook(
            {},
            [(1, "A", 5, "Y"), (2, "B", 1, "N")],
            columns=("level", "part_number", "unit_cost", "originating"),
        )
    )
    assert any("the structure comes from the level column" in n for n in bill.notes)


def test_r2_l5_empty_optional_sheets_are_read_as_absent(cli, workbook):
    path = workbook(
        {},
        [{"part_number": "E", "unit_cost": 1, "originating": "Y", "core_part": "engine"}],
        sheets={"SteelAluminum": [], "LVC": [("category", "amount", "hourly_wage")]},
    )
    document = json.loads(cli("check", path, "-f", "json").stdout)
    statuses = {r["id"]: (r["status"], r["threshold"]) for r in document["requirements"]}
    assert statuses["lvc"] == ("not_evaluated", 40)  # header only: lists no rows
    assert statuses["steel"] == ("not_evaluated", 70)  # blank sheet: as if absent
    assert document["verdict"] == "incomplete"
    assert any("sheet 'SteelAluminum' is empty" in a for a in document["assumptions"])


def test_r2_l7_tiny_margins_are_not_shown_as_zero(cli, workbook):
    path = workbook(
        {},
        [("A", "2500.001", "N"), ("B", 10, "Y")],
        columns=("part_number", "unit_cost", "originating"),
    )
    text = cli("check", path).stdout
    assert "-0.00 pts" not in text and "-0.00 USD" not in text and " 0.00 USD" not in text
    assert "0.001 USD of" in text and "(-0.001 USD)" in text


def test_r2_l9_template_needs_an_xlsx_name(cli, tmp_path):
    done = cli("template", tmp_path / "tpl.csv")
    assert done.exit_code == 2 and "is not an .xlsx name" in done.stderr


def test_r2_l10_csv_hash_covers_every_file_read(cli, tmp_path):
    (tmp_path / "Vehicle.csv").write_text(
        "field,value\nmodel_line,X\nvehicle_class,light_truck\nnet_cost,1000\n"
    )
    (tmp_path / "bom.csv").write_text("part_number,unit_cost,originating\nA,1,Y\n")
    first = json.loads(cli("check", tmp_path / "bom.csv", "-f", "json").stdout)["input"]["sha256"]
    (tmp_path / "Vehicle.csv").write_text(
        "field,value\nmodel_line,Y\nvehicle_class,light_truck\nnet_cost,1000\n"
    )
    second = json.loads(cli("check", tmp_path / "bom.csv", "-f", "json").stdout)["input"]["sha256"]
    assert first != second
