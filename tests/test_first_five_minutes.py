"""Issue 11: a person filling in a workbook by hand is told exactly what to fix, in rvc's words.

Each test names the file, the place, what was found and what is expected, as the message must.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest

from rvc.readers import read_bom
from rvc.readers.suggest import distance, looks_like, sheet_looks_like
from tests.conftest import EXAMPLES

SEDAN = EXAMPLES / "sedan_pass.xlsx"
LIBREOFFICE = Path(__file__).resolve().parent / "fixtures" / "libreoffice"
TODAY = dt.date(2026, 11, 23)


def error_of(done) -> str:  # type: ignore[no-untyped-def]
    assert done.exit_code == 2, done.stdout + done.stderr
    assert done.stdout == ""
    assert done.stderr.startswith("rvc: error: ") and done.stderr.count("\n") == 1
    assert "Traceback" not in done.stderr and "Usage:" not in done.stderr
    return done.stderr.removeprefix("rvc: error: ").rstrip("\n")


# --- headers that look like a contract column ---------------------------------------------


def test_misspelt_optional_header_is_an_error_with_the_mapping(cli, workbook):
    path = workbook({}, [("A", 10, "Y")], columns=("part_number", "unit_cost", "orignating"))
    assert error_of(cli("check", path)) == (
        f"{path}: BOM!C1: header 'orignating' is not a contract column; expected 'originating' "
        "(did you mean it? rename the header, or map it in rvc.toml: "
        '[columns.BOM] originating = "orignating")'
    )


@pytest.mark.parametrize(
    ("header", "field", "value"),
    [
        ("qty", "quantity", 2),
        ("Qty", "quantity", "2"),
        ("parent_part", "parent", "ENG"),
        ("Parent Part", "parent", "ENG"),
        ("parent_pn", "parent", "ENG"),
        ("HTS", "hs_code", "8708.40"),
        ("hts_code", "hs_code", 870840),
        ("Tariff", "hs_code", "8708.40.75"),
        ("origin", "originating", "Y"),
        ("orig", "originating", "no"),
        ("hs-cde", "hs_code", "x"),  # a misspelling counts whatever the column holds
        ("Core Prt", "core_part", "x"),
        ("rvc_precent", "rvc_percent", "x"),
        ("Descripton", "description", "x"),
    ],
)
def test_erp_names_and_misspellings_are_named(cli, workbook, header, field, value):
    path = workbook({}, [("A", 10, value)], columns=("part_number", "unit_cost", header))
    message = error_of(cli("check", path))
    assert f"BOM!C1: header {header!r} is not a contract column; expected {field!r}" in message
    assert f'[columns.BOM] {field} = "{header}"' in message


def test_an_alias_beside_its_contract_column_is_just_an_extra_column(cli, workbook):
    path = workbook(
        {},
        [("A", 10, 2, 2, "Y")],
        columns=("part_number", "unit_cost", "quantity", "qty", "originating"),
    )
    done = cli("check", path, "-v")
    assert done.exit_code in (0, 1), done.stderr
    assert "ignored column: BOM: D (qty)" in done.stderr


def test_level_and_parent_are_alternatives(cli, workbook):
    path = workbook(
        {},
        [(1, "A", 10, "Y", "x")],
        columns=("level", "part_number", "unit_cost", "originating", "Lvl2"),
    )
    assert cli("check", path).exit_code in (0, 1)


def test_columns_that_look_like_nothing_are_ignored_and_listed(cli, workbook):
    path = workbook(
        {}, [("A", 10, "blue", "x")], columns=("part_number", "unit_cost", "Colour", "Notes")
    )
    done = cli("check", path, "-v")
    assert done.exit_code in (0, 1), done.stderr
    assert "ignored column: BOM: C (Colour)" in done.stderr


def test_strict_makes_every_unknown_column_an_error(cli, workbook):
    path = workbook({}, [("A", 10, "blue")], columns=("part_number", "unit_cost", "Colour"))
    message = error_of(cli("check", path, "--strict"))
    assert message.startswith(
        f"{path}: BOM!C1: header 'Colour' is not a contract column (--strict)"
    )
    assert "expected one of part_number, parent" in message


def test_the_template_passes_strict(cli, tmp_path):
    target = tmp_path / "t.xlsx"
    cli("template", target)
    assert cli("check", target, "--strict").exit_code == 0


def test_the_mapping_hint_uses_the_settings_file_in_use(cli, workbook, tmp_path):
    path = workbook({}, [("A", 10, 2)], columns=("part_number", "unit_cost", "qty"))
    (tmp_path / "pyproject.toml").write_text('[tool.rvc]\ncore_reading = "us-cbp"\n')
    message = error_of(cli("check", path))
    assert 'map it in pyproject.toml: [tool.rvc.columns.BOM] quantity = "qty"' in message


def test_a_mapped_header_is_read(cli, workbook, tmp_path):
    path = workbook({}, [("A", 10, "Y")], columns=("part_number", "unit_cost", "orignating"))
    (tmp_path / "rvc.toml").write_text('[columns.BOM]\noriginating = "orignating"\n')
    done = cli("check", path, "-f", "json")
    assert done.exit_code in (0, 1), done.stderr
    assert "'orignating' read as originating" in " ".join(
        json.loads(done.stdout)["reconciliation"]["mapping"]
    )


def test_csv_headers_are_located_by_file_row_and_column(cli, tmp_path):
    (tmp_path / "Vehicle.csv").write_text(
        "field,value\nmodel_line,X\nvehicle_class,light_truck\nnet_cost,1000\n"
    )
    (tmp_path / "BOM.csv").write_text("part_number,unit_cost,qty\nA,1,2\n")
    message = error_of(cli("check", tmp_path))
    assert message.startswith(f"{tmp_path / 'BOM.csv'}: row 1, column 3: header 'qty'")


def test_misspelt_vehicle_field(cli, workbook):
    path = workbook({"vehicle clas": "light_truck", "vehicle_class": None})
    message = error_of(cli("check", path))
    assert "Vehicle!A4: field name 'vehicle clas' is not a contract field" in message
    assert "expected 'vehicle_class'" in message


def test_metal_sheet_headers_too(cli, workbook):
    path = workbook(
        {},
        [("A", 10, "Y")],
        columns=("part_number", "unit_cost", "originating"),
        sheets={
            "SteelAluminum": [
                ("material", "value", "originating", "melted_poured"),
                ("steel", 100, "Y", "Y"),
            ]
        },
    )
    assert "expected 'melted_and_poured'" in error_of(cli("check", path))


def test_distance_and_lookalikes():
    assert distance("orignating", "originating") == 1
    assert distance("unitcots", "unitcost") == 1  # a transposition is one edit
    assert looks_like("count", "BOM", ["country"]) is None  # 2 edits from a 7-letter name
    assert looks_like("plnt", "Vehicle", ["plant"]) == "plant"
    assert looks_like("qty", "BOM", ["parent"]) is None  # an alias only for its own column
    assert sheet_looks_like("Bill of Materials", "BOM") and sheet_looks_like("BOMs", "BOM")
    assert not sheet_looks_like("Notes", "BOM")


# --- locations that point the right way --------------------------------------------------


def test_a_header_row_without_a_required_column_names_it_and_the_closest(cli, workbook):
    path = workbook({}, [("A", 10, "Y")], columns=("part_number", "unit cots", "originating"))
    assert error_of(cli("check", path)) == (
        f"{path}: BOM row 1: the header row has no 'unit_cost' column (the closest header "
        "present is 'unit cots' in B1); expected a unit_cost column: rename 'unit cots' to "
        'unit_cost, or map it in rvc.toml: [columns.BOM] unit_cost = "unit cots"'
    )


def test_a_missing_required_column_without_lookalike(cli, workbook):
    path = workbook({}, [("A", "Y")], columns=("part_number", "originating"))
    message = error_of(cli("check", path))
    assert "BOM row 1: the header row has no 'unit_cost' column" in message
    assert "[columns.BOM]" in message


@pytest.mark.parametrize("name", ["Bill of Materials", "BOMs", "boms"])
def test_a_missing_sheet_suggests_the_closest_and_the_mapping(cli, tmp_path, name):
    from rvc.reporters.template import write_workbook

    path = tmp_path / "bom.xlsx"
    write_workbook(
        path,
        [
            ("Vehicle", [("model_line", "X"), ("vehicle_class", "light_truck"), ("net_cost", 9)]),
            (name, [("part_number", "unit_cost"), ("A", 1)]),
        ],
    )
    assert error_of(cli("check", path)) == (
        f"{path}: has no 'BOM' sheet (found: 'Vehicle', '{name}'); expected a sheet named BOM: "
        f"did you mean '{name}'? rename it to BOM, or map it in rvc.toml: [sheets] BOM = "
        f'"{name}"'
    )


def test_an_erp_export_away_from_its_settings_is_told_about_config(cli, tmp_path):
    copy = tmp_path / "ZCS12_export.xlsx"
    shutil.copy(EXAMPLES / "sap_export" / "ZCS12_export.xlsx", copy)
    message = error_of(cli("check", copy))
    assert "has no 'Vehicle' sheet (found: 'FX', 'Header', 'Explosion')" in message
    assert "needs its rvc.toml (put it beside the file, or pass --config FILE)" in message
    done = cli("check", copy, "--config", EXAMPLES / "sap_export" / "rvc.toml")
    assert done.exit_code == 1 and "Verdict: INCOMPLETE" in done.stdout


def test_csv_folders_speak_of_files(cli, tmp_path):
    folder = tmp_path / "exports"
    shutil.copytree(EXAMPLES / "sedan_pass_csv", folder)
    (folder / "Vehicle.csv").rename(folder / "Vehicles.csv")
    assert error_of(cli("check", folder)) == (
        f"{folder}: Vehicle.csv is missing from this folder (found: BOM.csv, LVC.csv, "
        "SteelAluminum.csv, Vehicles.csv); expected Vehicle.csv: rename Vehicles.csv to "
        'Vehicle.csv, or map it in rvc.toml: [sheets] Vehicle = "Vehicles"'
    )
    (folder / "Vehicles.csv").unlink()
    message = error_of(cli("check", folder / "BOM.csv"))
    assert message.startswith(
        f"{folder / 'BOM.csv'}: Vehicle.csv is missing from folder {folder}, beside it"
    )
    assert "sheet" not in message


def test_an_empty_folder_and_the_current_folder(cli, tmp_path, monkeypatch):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert error_of(cli("check", empty)) == (
        f"{empty}: holds no .csv files; expected a folder with Vehicle.csv and BOM.csv "
        "(SteelAluminum.csv, LVC.csv and FX.csv optional; `rvc template --csv DIR` writes "
        "them), or an .xlsx workbook"
    )
    shutil.copy(SEDAN, empty / "my_vehicle.xlsx")
    monkeypatch.chdir(empty)
    # a folder holding workbooks is a batch of them (one here)
    done = cli("check", ".")
    assert done.exit_code == 0, done.output
    assert "Total: 1 workbook: 1 pass" in done.stdout


def test_an_optional_sheet_under_another_name_is_noted(cli, workbook):
    path = workbook(
        {},
        [("A", 10, "Y")],
        columns=("part_number", "unit_cost", "originating"),
        sheets={"Steel": [("material", "value", "originating"), ("steel", 1, "Y")]},
    )
    done = cli("check", path, "-f", "json")
    notes = json.loads(done.stdout)["assumptions"]
    assert any(
        "sheet 'Steel' was not read: it is not named SteelAluminum" in str(n)
        and '[sheets] SteelAluminum = "Steel"' in str(n)
        for n in notes
    )


# --- CSV dialects as spreadsheets write them -----------------------------------------------


@pytest.mark.parametrize("folder", ["semicolon_crlf_utf8", "tab_cp1252", "comma_utf8_bom"])
def test_csv_saved_by_libreoffice_reads_like_the_template(cli, tmp_path, folder):
    """The folders were saved by LibreOffice 7.4 from `rvc template` (with two accented
    supplier names) by `sh tests/fixtures/libreoffice/make.sh`, e.g.
    `soffice --headless --convert-to "csv:Text - txt - csv (StarCalc):59,34,76,1,,0,true,true,
    false,false,false,-1" template.xlsx` for the semicolon, quoted, UTF-8 files (then CRLF line
    ends, as Excel on Windows writes them)."""
    source = LIBREOFFICE / folder
    template = tmp_path / "t.xlsx"
    cli("template", template)

    def figures(path: Path) -> list[tuple[str, str, object]]:
        done = cli("check", path, "-f", "json")
        assert done.exit_code == 0, done.stderr
        return [(r["id"], r["status"], r["value"]) for r in json.loads(done.stdout)["requirements"]]

    assert figures(source) == figures(template)
    bill = read_bom(source, today=TODAY)
    suppliers = {line.part_number: line.supplier for line in bill.lines}
    assert suppliers["ENG-110"] == "Fundición Norte"
    assert suppliers["AXL-400"] == "Équipements Québec"
    cp1252 = any("read as Windows-1252" in str(n) for n in bill.notes)
    assert cp1252 == (folder == "tab_cp1252")


def test_semicolon_csv_with_decimal_commas_and_quotes(cli, tmp_path):
    (tmp_path / "Vehicle.csv").write_bytes(
        b'field;value\r\nmodel_line;"Aster 2,0T, AWD"\r\nvehicle_class;light_truck\r\n'
        b"net_cost;1000\r\nproducer;Aster, Inc.\r\n"
    )
    (tmp_path / "BOM.csv").write_bytes(
        b'part_number;description;unit_cost;originating\r\n"A-1";"Bolt, M8";12,5;Y\r\n'
    )
    message = error_of(cli("check", tmp_path))
    # read as semicolon-separated: the model line is found and the decimal comma located
    assert message.startswith(f"{tmp_path / 'BOM.csv'}: row 2, column unit_cost")
    assert "decimal comma" in message


# --- messages in rvc's own format ----------------------------------------------------------


def test_missing_file(cli, tmp_path):
    assert error_of(cli("check", tmp_path / "nope.xlsx")) == (
        f"{tmp_path / 'nope.xlsx'}: does not exist; expected a path to an .xlsx workbook, a CSV "
        "file or a folder of CSV files"
    )


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file whatever its permissions")
def test_unreadable_file(cli, tmp_path):
    path = tmp_path / "bom.xlsx"
    shutil.copy(SEDAN, path)
    path.chmod(0)
    assert "cannot be read (permission denied)" in error_of(cli("check", path))


def test_unreadable_file_even_as_root(cli, tmp_path, monkeypatch):
    path = tmp_path / "bom.xlsx"
    shutil.copy(SEDAN, path)
    real_access = os.access

    def refuse(target, mode, *args, **kwargs):  # type: ignore[no-untyped-def]
        if Path(target) == path:
            return False  # what a file without read permission answers (root reads anything)
        return real_access(target, mode, *args, **kwargs)

    monkeypatch.setattr(os, "access", refuse)
    assert error_of(cli("check", path)) == (
        f"{path}: cannot be read (permission denied); expected a file you may read (check its "
        "permissions, or copy it somewhere you own)"
    )


def test_folders_where_files_are_expected(cli, tmp_path):
    assert error_of(cli("check", SEDAN, "-o", tmp_path)) == (
        f"{tmp_path}: is a folder; expected a file name for the output, e.g. "
        f"{tmp_path / 'report.txt'}"
    )
    assert error_of(cli("check", SEDAN, "--config", tmp_path)) == (
        f"{tmp_path}: is a folder; expected a settings file (rvc.toml or pyproject.toml)"
    )
    assert error_of(cli("template", tmp_path)).startswith(f"{tmp_path}: is a folder")
    assert error_of(cli("check", SEDAN, "--rules", SEDAN)).startswith(f"{SEDAN}: is a file")
    missing = error_of(cli("check", SEDAN, "-o", tmp_path / "no" / "r.txt"))
    assert f"folder {tmp_path / 'no'} does not exist" in missing


def _ole(path: Path, stream: str) -> None:
    path.write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + stream.encode("utf-16-le") + b"\0\0"
    )


@pytest.mark.parametrize(
    ("name", "make", "found"),
    [
        ("old.xlsx", lambda p: _ole(p, "Workbook"), "is a legacy Excel 97-2003 workbook (.xls)"),
        ("locked.xlsx", lambda p: _ole(p, "EncryptedPackage"), "is a password-protected"),
        ("sheet.ods", None, "is an OpenDocument spreadsheet (.ods), not an Excel workbook"),
        ("sheet.numbers", None, "is an Apple Numbers file, not an Excel workbook"),
        ("archive.xlsx", None, "is a zip archive of other files, not an Excel workbook"),
        ("legacy.xls", None, "is a legacy Excel 97-2003 workbook (.xls)"),
    ],
)
def test_wrong_file_types_are_told_to_save_as_xlsx(cli, tmp_path, name, make, found):
    path = tmp_path / name
    if make is not None:
        make(path)
    elif name.endswith(".ods"):
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
            z.writestr("content.xml", "<x/>")
    elif name.endswith(".numbers"):
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("Index/Document.iwa", b"\0")
    elif name.endswith(".xls"):
        path.write_text("not really\n")
    else:
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("photo.jpg", b"\0")
    message = error_of(cli("check", path))
    assert message.startswith(f"{path}: {found}")
    assert "save it as .xlsx" in message


@pytest.mark.parametrize("text", ["2025/09/01", "01/09/2025", "2025-9-1", "tomorrow"])
def test_dates_in_other_spellings(cli, text):
    assert error_of(cli("check", SEDAN, "--as-of", text)) == (
        f"--as-of: {text!r} is not a date in the form YYYY-MM-DD; expected YYYY-MM-DD, for "
        "example 2025-09-01"
    )


def test_an_impossible_date(cli):
    message = error_of(cli("check", SEDAN, "--as-of", "2025-02-30"))
    assert message.startswith("--as-of: '2025-02-30' is not a date (day is out of range")


def test_usage_errors_in_rvc_format(cli):
    assert error_of(cli("check", SEDAN, "-f", "xml")).startswith(
        "--format: 'xml' is not one of 'auto', 'table', 'json', 'junit', 'github', 'markdown', "
        "'sarif'"
    )
    assert error_of(cli("check", SEDAN, "--nope")) == (
        "rvc check --nope: is not an option; expected an option listed by `rvc check -h`"
    )
    assert error_of(cli("check")) == (
        "rvc check: the BOM argument is missing; expected rvc check BOM (see `rvc check -h`)"
    )


def test_help_has_plain_metavars(cli):
    shown = cli("check", "-h").stdout
    assert "Usage: rvc check [OPTIONS] BOM...\n" in shown
    assert "--as-of YYYY-MM-DD" in shown and "%Y" not in shown and "{" not in shown
    assert "-o, --output FILE" in shown and "--config FILE" in shown and "--rules DIR" in shown


def test_rules_show_in_words(cli):
    shown = cli("rules", "show", "steel").stdout
    assert "from 2020-07-01: minimum: 70%; melted and poured in North America required: no" in shown
    assert (
        "from 2027-07-01: minimum: 70%; melted and poured in North America required: yes" in shown
    )
    assert "melted_and_poured_required" not in shown and "=False" not in shown
    lvc = cli("rules", "show", "lvc").stdout
    assert "high wage: 16 USD, 20.88 CAD, 294.22 MXN per hour" in lvc and "engine 100,000" in lvc


# --- output for its medium -----------------------------------------------------------------


def test_off_a_terminal_no_cell_wraps(cli):
    out = cli("check", SEDAN).stdout  # CliRunner's stdout is not a terminal
    row = next(line for line in out.splitlines() if "CHA-9200" in line)
    assert row.rstrip().endswith("unknown origin (counted as non-originating)")
    assert max(map(len, out.splitlines())) <= 200


@pytest.mark.parametrize("columns", ["60", "40"])
def test_narrow_terminals_keep_numbers_whole(cli, columns):
    out = cli("check", SEDAN, env={"COLUMNS": columns}).stdout
    assert "..." not in out and "…" not in out
    assert max(map(len, out.splitlines())) <= int(columns)
    for whole in ("85.00%", "+10.00 pts", "vehicle-rvc", "640.00", "ELE-8200", "+2,750.16 USD"):
        assert whole in out


def test_small_unknown_lines_are_grouped_but_all_in_json(cli):
    out = cli("check", SEDAN).stdout
    assert "BOM row 222 (CHA-9200): unknown origin" in out
    assert "14 more lines with unknown origin, 18.75 USD in total" in out
    assert "(FAS-006)" not in out
    document = json.loads(cli("check", SEDAN, "-f", "json").stdout)
    unknown = [n for n in map(str, document["assumptions"]) if "unknown origin, treated" in n]
    assert len(unknown) == 16 and any("FAS-006" in n for n in unknown)


def test_money_carries_its_currency(cli):
    out = cli("check", SEDAN).stdout
    assert "+15.46 pts (+10,420,000.00 USD)" in out
    assert "Purchases: 57,600,000.00 USD originating of 67,400,000.00 USD" in out
    assert "Amount (USD)" in out


# --- the template --------------------------------------------------------------------------


def test_template_has_lists_instructions_and_no_as_of(cli, tmp_path):
    from openpyxl import load_workbook

    target = tmp_path / "t.xlsx"
    cli("template", target)
    book = load_workbook(target)
    assert "Instructions" in book.sheetnames

    def lists(sheet: str) -> dict[str, str]:
        found = {}
        ws = book[sheet]
        for validation in ws.data_validations.dataValidation:
            ref = str(validation.sqref).split(":")[0]
            header = ws[ref[0] + "1"].value if sheet != "Vehicle" else ws["A" + ref[1:]].value
            found[header] = validation.formula1
        return found

    vehicle = lists("Vehicle")
    assert vehicle["vehicle_class"] == '"passenger_vehicle,light_truck,heavy_truck"'
    assert vehicle["currency"] == '"USD,CAD,MXN"' and "lvc_formula" in vehicle
    assert {"originating", "core_part"} <= set(lists("BOM"))
    assert {"material", "originating", "melted_and_poured"} <= set(lists("SteelAluminum"))
    assert {"category", "assembly_type"} <= set(lists("LVC"))
    as_of = next(r for r in book["Vehicle"].iter_rows(values_only=True) if r[0] == "as_of")
    assert as_of[1] is None and "e.g. 2025-09-01" in as_of[2]
    document = json.loads(cli("check", target, "-f", "json").stdout)
    assert document["as_of_source"] == "today"


def test_template_csv_is_the_same_content(cli, tmp_path):
    target, folder = tmp_path / "t.xlsx", tmp_path / "csv"
    done = cli("template", target, "--csv", folder)
    assert done.exit_code == 0 and f"wrote {folder}" in done.stdout
    assert sorted(p.name for p in folder.iterdir()) == [
        "BOM.csv",
        "Instructions.csv",
        "LVC.csv",
        "SteelAluminum.csv",
        "Vehicle.csv",
    ]
    xlsx, csv = read_bom(target, today=TODAY), read_bom(folder, today=TODAY)
    assert [(x.part_number, x.value, x.originating) for x in xlsx.lines] == [
        (c.part_number, c.value, c.originating) for c in csv.lines
    ]
    assert xlsx.vehicle == csv.vehicle and xlsx.metals == csv.metals and xlsx.lvc == csv.lvc
    again = cli("template", "--csv", folder)
    assert "already holds Vehicle.csv, BOM.csv" in error_of(again)
    assert cli("template", "--csv", folder, "--force").exit_code == 0


# --- conveniences --------------------------------------------------------------------------


def test_short_help_and_version(cli):
    from rvc import __version__

    assert "Usage: rvc [OPTIONS] COMMAND" in cli("-h").stdout
    assert cli("-V").stdout.strip() == f"rvc {__version__}"
    assert "Usage: rvc rules show [OPTIONS] REQUIREMENT" in cli("rules", "show", "-h").stdout


def test_quiet_prints_the_verdict_line_only(cli):
    done = cli("check", SEDAN, "-q")
    assert done.exit_code == 0
    assert done.stdout == (
        "Verdict: PASS - the vehicle originates on every requirement evaluated (exit 0)\n"
    )


def test_color_option_and_environment(cli):
    assert "\x1b[" in cli("check", SEDAN, "-q", "--color", "always").stdout
    assert "\x1b[" not in cli("check", SEDAN, "-q", "--color", "never").stdout
    assert "\x1b[" not in cli("check", SEDAN, "-q").stdout  # auto, not a terminal
    assert "\x1b[" in cli("check", SEDAN, "-q", env={"FORCE_COLOR": "1"}).stdout
    forced_off = cli("check", SEDAN, "-q", env={"FORCE_COLOR": "1", "NO_COLOR": "1"}).stdout
    assert "\x1b[" not in forced_off
    assert (
        "\x1b["
        not in cli("check", SEDAN, "-q", "--color", "never", env={"FORCE_COLOR": "1"}).stdout
    )


def test_shell_completion_is_offered(cli):
    assert "--install-completion" in cli("-h").stdout
    script = cli("--show-completion", "bash")
    assert script.exit_code == 0 and "complete" in script.stdout and "rvc" in script.stdout


def test_format_and_output_defaults_from_the_settings_file(cli, tmp_path):
    shutil.copy(SEDAN, tmp_path / "bom.xlsx")
    (tmp_path / "rvc.toml").write_text('format = "json"\n')
    assert json.loads(cli("check", tmp_path / "bom.xlsx").stdout)["verdict"] == "pass"
    assert "Verdict: PASS" in cli("check", tmp_path / "bom.xlsx", "-f", "table").stdout
    # `output` is a report file as -o FILE would be (format by its suffix); standard output
    # then gets the verdict line only, unless `format` (or -f) says otherwise
    (tmp_path / "rvc.toml").write_text('output = "reports/rvc.xml"\n')
    (tmp_path / "reports").mkdir()
    done = cli("check", tmp_path / "bom.xlsx")
    assert done.stdout.startswith("Verdict: PASS")
    assert (tmp_path / "reports" / "rvc.xml").read_text().startswith("<?xml")
    (tmp_path / "rvc.toml").write_text('format = "junit"\noutput = "reports/rvc.json"\n')
    done = cli("check", tmp_path / "bom.xlsx")
    assert done.stdout.startswith("<?xml")
    assert json.loads((tmp_path / "reports" / "rvc.json").read_text())["verdict"] == "pass"
    done = cli("check", tmp_path / "bom.xlsx", "-o", tmp_path / "mine.xml")
    assert (tmp_path / "mine.xml").exists()
    (tmp_path / "rvc.toml").write_text('format = "xml"\n')
    assert error_of(cli("check", tmp_path / "bom.xlsx")) == (
        f"{tmp_path / 'rvc.toml'}: format: 'xml' is not a report format; expected one of auto, "
        "table, json, junit, github, markdown, sarif"
    )


def test_a_common_name_counts_only_when_its_values_fit(cli, workbook):
    """`origin` holding countries is an extra column (the contract ignores it); holding Y/N it
    is the originating column under another name."""
    countries = workbook(
        {}, [("A", 10, "US"), ("B", 5, "MX")], columns=("part_number", "unit_cost", "origin")
    )
    done = cli("check", countries, "-v")
    assert done.exit_code in (0, 1) and "ignored column: BOM: C (origin)" in done.stderr
    flags = workbook(
        {}, [("A", 10, "Y"), ("B", 5, "no")], columns=("part_number", "unit_cost", "origin")
    )
    assert "expected 'originating'" in error_of(cli("check", flags))
    codes = workbook({}, [("A", 10, "Bolt")], columns=("part_number", "unit_cost", "Tariff"))
    assert cli("check", codes).exit_code in (0, 1)


def test_a_folder_that_cannot_be_entered_is_bad_input_not_a_crash(cli, tmp_path, monkeypatch):
    """Python 3.11's Path.is_dir raises PermissionError below a folder the user may not enter
    (root runs the tests, so the folder is simulated): exit 2 in rvc's words, never exit 3."""
    locked = tmp_path / "locked"
    real_stat = Path.stat

    def stat(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if str(self).startswith(str(locked) + os.sep):
            raise PermissionError(13, "Permission denied", str(self))
        return real_stat(self, *args, **kwargs)

    monkeypatch.setattr(Path, "stat", stat)
    for args, expected in (
        (("check", SEDAN, "-o", locked / "r.json"), "a report file in a folder you may write"),
        (("check", SEDAN, "-o", locked / "r.xlsx"), "a report file in a folder you may write"),
        (("check", SEDAN, "--config", locked / "rvc.toml"), "a folder you may enter"),
        (("check", locked / "bom.xlsx"), "a folder you may enter"),
    ):
        done = cli(*args)
        assert done.exit_code == 2, (args, done.output)
        message = error_of(done)
        assert "permission denied on a folder on its way" in message, message
        assert expected in message, message


@pytest.mark.parametrize(
    ("header", "value", "field"),
    [
        ("Originating (Y/N)", "Y", "originating"),
        ("USMCA originating", "N", "originating"),
        ("Qty.", 2, "quantity"),
        ("Quantity (pcs)", 2, "quantity"),
        ("quantities", 2, "quantity"),
        ("Qty per", 2, "quantity"),
        ("Parent Assembly", "A", "parent"),
        ("Supplier RVC %", 80, "rvc_percent"),
        ("RVC (%)", 80, "rvc_percent"),
        ("HS code (6 digit)", "8708.99", "hs_code"),
        ("Core part (Table A.2)", "engine", "core_part"),
    ],
)
def test_headers_with_units_punctuation_plurals_or_other_words(cli, workbook, header, value, field):
    """The class of mistake behind `orignating`: a header a person types with a unit, a
    bracket, a plural or a word more is a did-you-mean, never a silently ignored column."""
    path = workbook(
        {},
        [("A", 10, "Y", None), ("B", 5, "N", value)],
        columns=("part_number", "unit_cost", "description", header),
    )
    message = error_of(cli("check", path))
    assert message.startswith(f"{path}: BOM!D1: header {header!r} is not a contract column"), (
        message
    )
    assert f"expected {field!r} (did you mean it?" in message
    assert f'[columns.BOM] {field} = "{header}"' in message


def test_a_header_holding_a_name_among_other_words_is_left_alone_when_its_values_do_not_fit(
    cli, workbook
):
    path = workbook(
        {},
        [("A", 10, "Y", "US"), ("B", 5, "N", "MX")],
        columns=("part_number", "unit_cost", "originating", "Origin country"),
    )
    assert cli("check", path).exit_code in (0, 1)
    path = workbook(
        {},
        [("A", 10, "Y", "US"), ("B", 5, "N", "MX")],
        columns=("part_number", "unit_cost", "originating", "Supplier country"),
        name="other.xlsx",
    )
    assert cli("check", path).exit_code in (0, 1)


def test_vehicle_and_lvc_fields_with_a_unit_or_more_words(cli, workbook):
    path = workbook(
        {"currency": None, "Currency code": "CAD"},
        [("A", 10, "Y")],
        columns=("part_number", "unit_cost", "originating"),
    )
    message = error_of(cli("check", path))
    assert "field name 'Currency code' is not a contract field; expected 'currency'" in message
    lvc = [
        ("category", "amount", "Hourly wage (USD)"),
        ("labor", 1000, 29),
    ]
    path = workbook(
        {},
        [("A", 10, "Y")],
        columns=("part_number", "unit_cost", "originating"),
        sheets={"LVC": lvc},
        name="lvc.xlsx",
    )
    message = error_of(cli("check", path))
    assert "LVC!C1: header 'Hourly wage (USD)' is not a contract column" in message, message
    assert "expected 'hourly_wage'" in message


def test_a_total_row_copied_from_a_spreadsheet_is_refused(cli, workbook):
    """A `Total` row counted as a part of unknown origin would double the vehicle."""
    path = workbook(
        {},
        [("A", 10, "Y"), ("B", 5, "N"), ("Total", 15, None)],
        columns=("part_number", "unit_cost", "originating"),
    )
    assert error_of(cli("check", path)) == (
        f"{path}: BOM!A4: part_number 'Total' (unit_cost 15.00) looks like a total row, not a "
        "part; expected one row per part: delete the total row (rvc adds the lines up itself)"
    )


def test_an_rvc_percent_typed_as_a_fraction_is_noted(cli, workbook):
    path = workbook(
        {},
        [("A", 10, "Y", 0.8), ("B", 5, "N", 90)],
        columns=("part_number", "unit_cost", "originating", "rvc_percent"),
    )
    notes = [str(n) for n in json.loads(cli("check", path, "-f", "json").stdout)["assumptions"]]
    assert any(
        "rvc_percent below 1 read as under 1% (not as a fraction): BOM!D2 (0.80)" in n
        and "type 80 or format the cell as a percentage" in n
        for n in notes
    ), notes


def test_help_shows_no_parser_placeholders_and_a_missing_value_is_named(cli):
    text = cli("check", "-h", env={"COLUMNS": "100"}).stdout
    for placeholder in ("<list[Path]>", "<int range>", "[x>=1]", "<str>", "<path>"):
        assert placeholder not in text, placeholder
    assert "--jobs N" in text and "--dask-scheduler ADDRESS" in text
    done = cli("check", SEDAN, "--as-of")
    assert done.exit_code == 2
    assert done.stderr.startswith("rvc: error: --as-of: needs a value; expected a value after")


def test_a_single_csv_file_is_named_as_the_user_named_it(cli, tmp_path):
    """`rvc check one/mybom.csv` without Vehicle.csv: the listing names mybom.csv (read as the
    BOM), not a BOM.csv that does not exist."""
    folder = tmp_path / "one"
    folder.mkdir()
    (folder / "mybom.csv").write_text("part_number,unit_cost\nA,1\n")
    message = error_of(cli("check", folder / "mybom.csv"))
    assert "Vehicle.csv is missing from folder" in message
    assert "(found: mybom.csv (read as BOM))" in message


def test_a_workbook_beside_the_csv_files_is_noted_not_passed_over(cli, tmp_path):
    folder = tmp_path / "exports"
    shutil.copytree(EXAMPLES / "sedan_pass_csv", folder)
    shutil.copy(EXAMPLES / "sedan_pass.xlsx", folder / "sedan.xlsx")
    done = cli("check", folder)
    assert done.exit_code == 0
    assert "sedan.xlsx not read: the folder's CSV files are this vehicle" in done.stdout
