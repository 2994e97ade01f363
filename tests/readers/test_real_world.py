"""Real exports: settings-file mapping, level-coded BOMs, CSV input, currencies, reconciliation."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from rvc.errors import InputError
from rvc.readers import read_bom
from rvc.readers.config import Config, discover, load
from tests.conftest import EXAMPLES

TODAY = dt.date(2026, 11, 23)
SAP = EXAMPLES / "sap_export" / "ZCS12_export.xlsx"


def read(path: Path, config: Config | None = None, **kw):
    return read_bom(path, config or discover(path), today=TODAY, **kw)


def error(path: Path, config: Config | None = None, **kw) -> str:
    with pytest.raises(InputError) as caught:
        read(path, config, **kw)
    return str(caught.value)


# --- the SAP-style example --------------------------------------------------------------


def test_sap_export_reads_unedited_with_its_settings_file(cli):
    done = cli("check", SAP, "-f", "json")
    document = json.loads(done.stdout)
    assert done.exit_code == 1 and document["verdict"] == "incomplete"
    statuses = {r["id"]: r["status"] for r in document["requirements"]}
    assert statuses["vehicle-rvc"] == "pass" and statuses["core-parts"] == "pass"
    mapping = document["reconciliation"]["mapping"]
    assert (
        "settings from bills_of_materials/sap_export/rvc.toml" in mapping[0]
        or "rvc.toml" in mapping[0]
    )
    assert "sheet 'Explosion' read as BOM" in mapping
    assert "Explosion column B 'Component' read as part_number" in mapping
    rates = {r["currency"]: r for r in document["reconciliation"]["fx_rates"]}
    assert (
        rates["MXN"]["rate"] == 0.0545 and rates["MXN"]["date"] == "2025-05-30"
    )  # latest <= as_of


def test_sap_levels_currencies_and_repeated_parts():
    bill = read(SAP)
    by_row = {line.row: line for line in bill.lines}
    block = by_row[6]  # ..2 ENG-15-BLK, 9,800 MXN at 0.0545
    assert block.part_number == "ENG-15-BLK"
    assert block.unit_cost == Decimal("9800") * Decimal("0.0545")
    assert block.parent == by_row[5].id  # under the .1 engine above it
    bolts = [line for line in bill.lines if line.part_number == "BOLT-M8"]
    assert len(bolts) == 2 and bolts[0].parent != bolts[1].parent
    assert any("header row found on row 4" in n for n in bill.notes)
    assert any("repeats a part number" in n for n in bill.notes)
    assert by_row[5].core_part == "engine" and by_row[12].core_part == "body_chassis"
    assert by_row[8].originating is False  # "Not qualified"


def test_same_mapping_from_pyproject_and_flag(tmp_path, cli):
    folder = tmp_path / "export"
    folder.mkdir()
    shutil.copy(SAP, folder / "bom.xlsx")
    settings = (SAP.parent / "rvc.toml").read_text()
    (tmp_path / "pyproject.toml").write_text(
        "[project]\nname = 'x'\n\n"
        + settings.replace("[sheets]", "[tool.rvc.sheets]")
        .replace("[columns.", "[tool.rvc.columns.")
        .replace("[values.", "[tool.rvc.values.")
    )
    found = discover(folder / "bom.xlsx")
    assert found.source == tmp_path / "pyproject.toml"
    assert len(read(folder / "bom.xlsx", found).lines) == 99
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy(SAP, elsewhere / "bom.xlsx")
    (tmp_path / "pyproject.toml").unlink()
    assert cli("check", elsewhere / "bom.xlsx").exit_code == 2  # no mapping: no Vehicle sheet
    done = cli("check", elsewhere / "bom.xlsx", "--config", SAP.parent / "rvc.toml")
    assert done.exit_code == 1, done.stderr


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (
            "[columns.BOM]\npart_numbr = 'X'\n",
            ["columns.BOM.part_numbr is not a BOM column", "part_number"],
        ),
        ("[colums.BOM]\npart_number = 'X'\n", ["colums", "unknown setting"]),
        ("[sheets]\nBill = 'X'\n", ["sheets.Bill", "not a known name"]),
        ("[columns.BOM\n", ["is not valid TOML"]),
    ],
)
def test_settings_errors(tmp_path, text, words):
    path = tmp_path / "rvc.toml"
    path.write_text(text)
    with pytest.raises(InputError) as caught:
        load(path)
    message = str(caught.value)
    assert "rvc.toml" in message
    for word in words:
        assert word in message


# --- level-coded BOMs -------------------------------------------------------------------


LEVEL = ("level", "part_number", "unit_cost", "originating")


def test_numeric_levels(workbook):
    rows = [
        (1, "A", 100, None),
        (2, "A1", 40, "N"),
        (3, "A11", 5, "Y"),
        (2, "A2", 30, "Y"),
        (1, "B", 10, "Y"),
    ]
    bill = read(workbook({}, rows, columns=LEVEL))
    parents = {line.part_number: line.parent for line in bill.lines}
    ids = {line.part_number: line.id for line in bill.lines}
    assert parents == {"A": None, "A1": ids["A"], "A11": ids["A1"], "A2": ids["A"], "B": None}


def test_level_zero_row_is_excluded_and_reported(workbook):
    rows = [(0, "VEH", 20000, None), (1, "A", 100, "Y")]
    bill = read(workbook({}, rows, columns=LEVEL))
    assert [line.part_number for line in bill.lines] == ["A"]
    assert bill.provenance.excluded[0].row == 2
    assert "level 0" in bill.provenance.excluded[0].reason


def test_level_jump_is_an_error(workbook):
    message = error(workbook({}, [(1, "A", 1, "Y"), (3, "B", 1, "Y")], columns=LEVEL))
    assert (
        "BOM!A3" in message
        and "level is 3 after level 1" in message
        and "level 2 or less" in message
    )


def test_dots_must_agree_with_the_level(workbook):
    message = error(workbook({}, [("..1", "A", 1, "Y")], columns=LEVEL))
    assert "BOM!A2" in message and "2 dots but level 1" in message


def test_parent_column_wins_over_an_informational_level_column(workbook):
    columns = ("level", "part_number", "parent", "unit_cost")
    bill = read(workbook({}, [(1, "A", None, 1), (5, "B", None, 2)], columns=columns))
    assert [line.parent for line in bill.lines] == [None, None]
    assert any("level column (level) beside it was not used" in n for n in bill.notes)


# --- CSV --------------------------------------------------------------------------------


def test_csv_folder_gives_the_same_report_as_the_workbook(cli):
    csv = json.loads(cli("check", EXAMPLES / "sedan_pass_csv", "-f", "json").stdout)
    xlsx = json.loads(cli("check", EXAMPLES / "sedan_pass.xlsx", "-f", "json").stdout)
    for document in (csv, xlsx):
        document.pop("input")
    assert csv == xlsx


def test_single_csv_file_with_sibling_sheets(tmp_path):
    (tmp_path / "Vehicle.csv").write_text(
        "field,value\nmodel_line,X\nvehicle_class,light_truck\nnet_cost,1000\n"
    )
    (tmp_path / "export_2026.csv").write_text('part_number;unit_cost;originating\nA;"1,000.50";N\n')
    bill = read(tmp_path / "export_2026.csv")
    assert bill.lines[0].unit_cost == Decimal("1000.50")  # semicolons detected
    assert bill.vehicle.vehicle_class == "light_truck"


def test_csv_windows_1252_is_read_and_noted(tmp_path):
    (tmp_path / "Vehicle.csv").write_bytes(
        "field,value\nmodel_line,Camión\nvehicle_class,heavy_truck\nnet_cost,1000\n".encode(
            "cp1252"
        )
    )
    (tmp_path / "BOM.csv").write_text("part_number,unit_cost\nA,1\n")
    bill = read(tmp_path)
    assert bill.vehicle.model_line == "Camión"
    assert any("Windows-1252" in n for n in bill.notes)


def test_csv_errors_name_the_file_row_and_column(tmp_path):
    (tmp_path / "Vehicle.csv").write_text(
        "field,value\nmodel_line,X\nvehicle_class,light_truck\nnet_cost,1000\n"
    )
    (tmp_path / "BOM.csv").write_text("part_number,unit_cost\nA,1\nB,#N/A\n")
    message = error(tmp_path)
    assert "BOM.csv: row 3, column unit_cost" in message and "#N/A" in message


def test_csv_folder_without_bom(tmp_path):
    (tmp_path / "Vehicle.csv").write_text("field,value\n")
    message = error(tmp_path)
    assert "BOM.csv is missing from this folder (found: Vehicle.csv)" in message


# --- currencies -------------------------------------------------------------------------


FX = [("currency", "rate", "date", "source"), ("MXN", 0.05, dt.date(2025, 1, 2), "Banxico")]
PRICED = ("part_number", "unit_cost", "currency", "originating")


def test_line_currency_converted_and_rate_reported(workbook):
    bill = read(
        workbook(
            {"as_of": "2025-06-01"},
            [("A", 1000, "MXN", "N"), ("B", 5, "USD", "Y")],
            columns=PRICED,
            sheets={"FX": FX},
        )
    )
    assert bill.lines[0].unit_cost == Decimal("50.00")
    assert bill.lines[1].unit_cost == Decimal(5)
    assert [r.currency for r in bill.provenance.fx_rates] == ["MXN"]
    assert any("converted to USD" in n for n in bill.notes)


def test_currency_without_a_rate(workbook):
    message = error(workbook({}, [("A", 1000, "EUR", "N")], columns=PRICED, sheets={"FX": FX}))
    assert "BOM!C2" in message and "EUR, which has no rate in the FX sheet" in message


def test_currency_without_an_fx_sheet(workbook):
    message = error(workbook({}, [("A", 1000, "EUR", "N")], columns=PRICED))
    assert "BOM!C2" in message and "no FX sheet" in message


def test_rates_dated_after_as_of(workbook):
    message = error(
        workbook(
            {"as_of": "2024-06-01"}, [("A", 1000, "MXN", "N")], columns=PRICED, sheets={"FX": FX}
        )
    )
    assert "FX row 2" in message and "every MXN rate is dated after 2024-06-01" in message


def test_amount_written_in_another_currency(workbook):
    message = error(workbook({}, [("A", "MXN 1000", None, "N")], columns=PRICED))
    assert "BOM!B2" in message and "written in MXN but this line's currency is USD" in message


# --- reconciliation ---------------------------------------------------------------------


def test_reconciliation_counts_every_row(workbook, run_file):
    rows = [
        ("A", None, 100, 2, "Y"),
        (None, None, None, None, None),
        ("B", "A", 30, 1, "N"),
        ("C", None, 10, 1, None),
    ]
    report = run_file(
        workbook(
            {}, rows, columns=("part_number", "parent", "unit_cost", "quantity", "originating")
        )
    )
    rec = report.reconciliation
    assert rec["rows_read"] == 4 and rec["blank_rows_skipped"] == 1
    assert rec["lines"] == 3 and rec["top_level_lines"] == 2 and rec["component_lines"] == 1
    assert rec["lines_under_declared_assemblies"] == 1
    assert rec["sum_of_line_values"] == Decimal(240)  # 2x100 + 30 + 10
    assert rec["top_level_value"] == Decimal(210)
    assert rec["lines_unknown_origin"] == 1 and rec["unknown_origin_value"] == Decimal(10)


def test_components_worth_more_than_their_assembly_are_flagged(workbook, run_file):
    rows = [("A", None, 100, None), ("B", "A", 150, "N")]
    report = run_file(
        workbook({}, rows, columns=("part_number", "parent", "unit_cost", "originating"))
    )
    assert any("worth 150.00 USD, more than its unit cost 100.00" in n for n in report.assumptions)


@pytest.fixture
def run_file(pack):
    from rvc.engine import evaluate

    def _run(path: Path):
        bill = read(path)
        return evaluate(bill, pack, bill.as_of)

    return _run
