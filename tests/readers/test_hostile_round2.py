"""Bad and hostile input, round two (issue 8): every construct in its own file, generated
here, refused in a child process capped in memory and time with exit 2 (or 3 where meant) and
a located message; output that input cannot forge. Nothing hostile is committed."""

from __future__ import annotations

import csv
import json
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path
from xml.etree import ElementTree

import pytest

from tests.conftest import EXAMPLES
from tests.readers.sheet_spelling import Spelling, respell
from tests.readers.test_hostile import MEMORY_CAP, _sheet_part, mutate

SECONDS = 30
MiB = 1024 * 1024


def _cap() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def rvc(*args: object, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`rvc ARGS` in a child process with the hostile suite's memory and time caps."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "rvc", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=SECONDS,
        preexec_fn=_cap,
        cwd=cwd,
        env={**os.environ, "NO_COLOR": "1"},
    )
    done.seconds = time.perf_counter() - start  # type: ignore[attr-defined]
    return done


def refused(path: Path, *words: str, args: tuple[str, ...] = ("--format", "json")) -> str:
    done = rvc("check", path, *args)
    assert done.returncode == 2, f"exit {done.returncode}: {done.stderr[-800:]}"
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("rvc: error: "), done.stderr
    for word in words:
        assert word in done.stderr, f"{word!r} not in {done.stderr!r}"
    return done.stderr


ROWS = [
    {
        "part_number": "ENG",
        "unit_cost": 5000,
        "quantity": 1,
        "originating": "Y",
        "core_part": "engine",
    },
    {
        "part_number": "SEAT",
        "description": "seat",
        "hs_code": "9401.20",
        "unit_cost": 300,
        "quantity": 4,
        "originating": "N",
    },
]


@pytest.fixture
def book(workbook) -> Path:
    return workbook({"net_cost": 7000}, ROWS)


def _edit_sheet(source: Path, target: Path, change) -> Path:  # type: ignore[no-untyped-def]
    return mutate(source, target, {_sheet_part(source): change})


# --- the xlsx guard, each construct in spellings the old byte scan did not know -----------


@pytest.mark.parametrize(
    "far",
    [
        b"<row r='1048576'><c r='XFD1048576'><v>1</v></c></row>",
        b'<row r = "1048576"><c r = "XFD1048576"><v>1</v></c></row>',
        b'<row r="1048576"><x:c xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" r="XFD1048576"><x:v>1</x:v></x:c></row>',
        b'<row r="1048576"><c\tr="XFD1048576"\n><v>1</v></c></row>',
        b'<row r="1048576"><c r="xfd1048576"><v>1</v></c></row>',
        b'<row r="1048576"><c s="0" r="XFD1048576"><v>1</v></c></row>',
        b'<row r="1048576"><c r="A1048576" r="XFD1048576"><v>1</v></c></row>',
    ],
    ids=[
        "single quotes",
        "spaces",
        "prefix",
        "tab and newline",
        "lower case",
        "r second",
        "r twice",
    ],
)
def test_far_cell_in_every_spelling(book, tmp_path, far):
    path = _edit_sheet(
        book, tmp_path / "far.xlsx", lambda d: d.replace(b"</sheetData>", far + b"</sheetData>")
    )
    assert path.stat().st_size < 20_000
    message = refused(path, "sheet 'BOM'")
    assert "XFD1048576" in message or "not well-formed" in message or "A1048576" in message


def _quantity_cell(book: Path, tmp_path: Path, cell: bytes) -> Path:
    """Row 3 (SEAT) gets `cell` as its quantity (column E)."""
    return _edit_sheet(
        book, tmp_path / "quantity.xlsx", lambda d: re.sub(rb'<c r="E3"[^>]*>.*?</c>', cell, d)
    )


@pytest.mark.parametrize(
    ("cell", "words"),
    [
        (b"<c r='E3'><f>2*2</f></c>", ["BOM!E3", "formula with no saved result"]),
        (b'<c r = "E3" ><f>2*2</f><v/></c>', ["BOM!E3", "formula with no saved result"]),
        (b'<c r="E3"><v>4</v><f>2*2</f></c>', ["BOM!E3", "formula with no saved result"]),
        (
            b'<c r="E3"><x:f xmlns:x="urn:any">2*2</x:f></c>',
            ["BOM!E3", "formula with no saved result"],
        ),
        (b'<c r="E3" t = "e"><v>#DIV/0!</v></c>', ["BOM!E3", "Excel error #DIV/0!"]),
        (b"<c r='E3' t='e'><v>#REF!</v></c>", ["BOM!E3", "Excel error #REF!"]),
        (b'<c r="E3" t="n" t="e"><v>#N/A</v></c>', ["not well-formed"]),
    ],
    ids=[
        "quoted",
        "spaced, empty value",
        "value before formula",
        "prefixed formula",
        "spaced error",
        "quoted error",
        "t twice",
    ],
)
def test_formula_and_error_cells_in_every_spelling(book, tmp_path, cell, words):
    refused(_quantity_cell(book, tmp_path, cell), *words)


def test_cell_without_r_is_positioned_as_the_parser_positions_it(book, tmp_path):
    """A formula cell without r after D3 sits in E3, the quantity: refused there."""
    path = _edit_sheet(
        book,
        tmp_path / "noref.xlsx",
        lambda d: re.sub(rb'<c r="E3"[^>]*>.*?</c>', b"<c><f>2*2</f></c>", d),
    )
    refused(path, "BOM!E3", "formula with no saved result")


def test_whole_sheet_respelled_without_r_still_finds_the_error(book, tmp_path):
    def change(data: bytes) -> bytes:
        data = re.sub(rb'<c r="E3"[^>]*>.*?</c>', b'<c r="E3" t="e"><v>#VALUE!</v></c>', data)
        return respell(
            data, Spelling(quote="'", equals=" = ", prefix="x", drop_cell_r=True, drop_row_r=True)
        )

    refused(_edit_sheet(book, tmp_path / "respelled.xlsx", change), "BOM!E3", "#VALUE!")


def test_duplicate_cell_is_refused(book, tmp_path):
    path = _edit_sheet(
        book,
        tmp_path / "dup.xlsx",
        lambda d: re.sub(rb'(<c r="F3"[^>]*>.*?</c>)', rb'<c r="F3"><v>0.01</v></c>\1', d),
    )
    refused(path, "BOM!F3", "written twice")


def test_duplicate_cell_in_another_row_element_is_refused(book, tmp_path):
    path = _edit_sheet(
        book,
        tmp_path / "dup2.xlsx",
        lambda d: d.replace(
            b"</sheetData>", b'<row r="4"><c r="F3"><v>0.01</v></c></row></sheetData>'
        ),
    )
    refused(path, "BOM!F3", "written twice")


def test_utf16_sheet_is_read_by_the_parser(book, tmp_path):
    def change(data: bytes) -> bytes:
        data = data.replace(
            b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
        )
        text = re.sub(r"^<\?xml[^>]*\?>", "", data.decode())
        return ('<?xml version="1.0" encoding="UTF-16"?>' + text).encode("utf-16")

    refused(_edit_sheet(book, tmp_path / "utf16.xlsx", change), "XFD1048576")


# --- files: regular only, never blocking, bounded -------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.parametrize("name", ["bom.xlsx", "bom.csv"])
def test_fifo_is_refused_without_blocking(tmp_path, name):
    fifo = tmp_path / name
    os.mkfifo(fifo)
    message = refused(fifo, "FIFO", "not a regular file")
    assert name in message


def test_device_behind_a_symlink_is_refused(tmp_path):
    (tmp_path / "Vehicle.csv").write_text("field,value\nmodel_line,X\n")
    link = tmp_path / "bom.csv"
    link.symlink_to("/dev/zero")
    refused(link, "character device", "not a regular file")


def test_a_symlink_to_a_secrets_file_is_not_echoed(tmp_path):
    secrets = tmp_path / "passwd"
    secrets.write_text(
        "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
    )
    (tmp_path / "Vehicle.csv").write_text(
        "field,value\nmodel_line,X\nvehicle_class,passenger_vehicle\nnet_cost,100\n"
    )
    link = tmp_path / "bom.csv"
    link.symlink_to(secrets)
    message = refused(link, "no header row", "not shown")
    assert "root:x" not in message and "daemon" not in message and "/bin/bash" not in message


def test_a_symlinked_bom_is_reported(workbook, tmp_path, cli):
    real = workbook({}, ROWS, name="real.xlsx")
    link = tmp_path / "link.xlsx"
    link.symlink_to(real)
    done = rvc("check", link, "--format", "json")
    assert done.returncode == 1, done.stderr
    assert any(
        "symbolic link" in a and "real.xlsx" in a for a in json.loads(done.stdout)["assumptions"]
    )


def test_a_200_mb_csv_is_refused_quickly_with_its_size(tmp_path):
    big = tmp_path / "bom.csv"
    with big.open("wb") as handle:
        handle.write(b"part_number,unit_cost\n")
        handle.truncate(200 * MiB)  # sparse: no disk, no time
    message = refused(big, "200.0 MiB", "over the 32 MiB limit")
    assert "bom.csv" in message


def test_blank_lines_after_a_valid_csv_are_bounded(tmp_path):
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"part_number,unit_cost\nA,1\n" + b"\n" * 310_000)
    done = rvc("check", bom)
    assert (
        done.returncode == 2 and "row 300,001" in done.stderr and "300,000-row limit" in done.stderr
    )
    assert done.seconds < SECONDS  # type: ignore[attr-defined]


def test_delimiter_detection_is_linear(tmp_path):
    """csv.Sniffer takes seconds on such a sample; the project's detection reads it once."""
    from rvc.readers.csv_folder import sniff_delimiter

    nasty = ('"' + "a" * 30 + '",' + '"b;' * 400 + "\n") * 40
    start = time.perf_counter()
    sniff_delimiter(nasty[:65536])
    assert time.perf_counter() - start < 1


def _csv_folder(tmp_path: Path, bom: str) -> Path:
    (tmp_path / "Vehicle.csv").write_text(
        "field,value\nmodel_line,X\nvehicle_class,passenger_vehicle\nnet_cost,10000\n"
    )
    path = tmp_path / "BOM.csv"
    path.write_text(bom)
    return path


def test_unclosed_quote_at_the_end_is_located(tmp_path):
    path = _csv_folder(tmp_path, 'part_number,unit_cost,description\nA,10,"bracket\nB,20,ok\n')
    refused(path, "row 2, column 3", "never closed")


def test_unclosed_quote_that_swallows_rows_is_located(tmp_path):
    rows = "".join(f"P{i},10,N,x\n" for i in range(8))
    path = _csv_folder(
        tmp_path,
        'part_number,unit_cost,originating,description\nA,10,Y,"bracket\n' + rows + 'Z,1,N,end"\n',
    )
    refused(path, "row 2, column 4", "runs from line 2", "never closed swallows")


def test_field_larger_than_the_limit_is_located(tmp_path):
    path = _csv_folder(tmp_path, 'part_number,unit_cost\nA,10\nB,"' + "x" * 200_000 + '"\n')
    refused(path, "row 3", "longer than 131,072 characters")


# --- numbers bounded where they enter ------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "value", "words"),
    [
        ("rvc_percent", "1e-999999", ["too small"]),
        ("unit_cost", "1e999999", ["implausibly large"]),
        ("quantity", "1e-300", ["too small"]),
        ("unit_cost", "1." + "1" * 40, ["significant digits"]),
    ],
)
def test_numbers_outside_the_range_are_located(tmp_path, column, value, words):
    path = _csv_folder(tmp_path, "part_number,unit_cost,quantity,rvc_percent\nA,10,1,50\n")
    text = path.read_text().replace(
        {"unit_cost": "A,10", "quantity": ",1,", "rvc_percent": ",50\n"}[column],
        {"unit_cost": f"A,{value}", "quantity": f",{value},", "rvc_percent": f",{value}\n"}[column],
    )
    path.write_text(text)
    refused(path, "row 2", column, *words)


def test_technology_amount_of_1e_minus_999999(tmp_path):
    path = _csv_folder(tmp_path, "part_number,unit_cost\nA,10\n")
    (tmp_path / "LVC.csv").write_text("category,amount\ntechnology,1e-999999\n")
    refused(path, "LVC.csv", "too small")


def test_quantities_multiplied_in_decimal(tmp_path):
    rows = ["A,,1,1"] + [f"P{i},{'A' if i == 0 else f'P{i - 1}'},10,1" for i in range(8)]
    path = _csv_folder(tmp_path, "part_number,parent,quantity,unit_cost\n" + "\n".join(rows) + "\n")
    refused(path, "units of P7 per vehicle", "100,000,000", "at most 10,000,000", "and 3 more")


# --- output input cannot forge ---------------------------------------------------------------


def test_markup_like_text_prints_literally(workbook, tmp_path):
    rows = [
        {
            "part_number": "BRKT[/]-1",
            "unit_cost": 900,
            "originating": "N",
            "description": "[bold]x[/bold]",
        }
    ]
    (tmp_path / "crash[").mkdir()
    for name in ("crash[/x]bom.xlsx", "BOM [final].xlsx"):
        path = workbook({"model_line": "Sedan [red]"}, rows, name=name)
        done = rvc("check", path)
        assert done.returncode == 1, done.stderr
        assert "BRKT[/]-1" in done.stdout and "Sedan [red]" in done.stdout
        assert name in done.stdout.replace("\n", "")  # rich may wrap the line


def _vehicle_csv(tmp_path: Path, model: str, part: str) -> Path:
    with (tmp_path / "Vehicle.csv").open("w", newline="") as handle:
        csv.writer(handle).writerows(
            [
                ("field", "value"),
                ("model_line", model),
                ("vehicle_class", "passenger_vehicle"),
                ("net_cost", 10000),
            ]
        )
    path = tmp_path / "BOM.csv"
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows(
            [("part_number", "unit_cost", "originating"), (part, 900, "N")]
        )
    return path


def test_control_characters_are_escaped_everywhere(tmp_path):
    path = _vehicle_csv(
        tmp_path, "Sedan\x1b]0;owned\x07\x0bX\x85::error file=x::forged", "P\x1b[31m1\x7f"
    )
    table = rvc("check", path)
    assert table.returncode == 1, table.stderr
    for raw in ("\x1b", "\x07", "\x0b", "\x7f", "\x85"):
        assert raw not in table.stdout
    assert "\\x1b]0;owned" in table.stdout
    junit = rvc("check", path, "-f", "junit")
    ElementTree.fromstring(junit.stdout)  # well-formed despite the vertical tab
    github = rvc("check", path, "-f", "github")
    assert not any(line.startswith("::error file=x") for line in github.stdout.splitlines())
    assert all(line.startswith("::") for line in github.stdout.splitlines())


def test_newlines_in_input_cannot_forge_annotations(tmp_path):
    path = _vehicle_csv(tmp_path, "Sedan\n::error file=x::forged\r\nrvc: error: forged", "P1")
    github = rvc("check", path, "-f", "github")
    lines = github.stdout.splitlines()
    assert all(
        line.startswith(("::error file=", "::warning file=", "::notice file=")) for line in lines
    )
    assert not any(line.startswith("::error file=x") for line in lines)
    assert "%0A::error file=x::forged" in github.stdout


def test_text_that_looks_like_a_number_marker_stays_a_string(workbook, tmp_path):
    """The old JSON writer marked numbers with NUL characters: NUL-42-NUL became 42."""
    source = workbook({"model_line": "MARK42MARK"}, ROWS)
    path = mutate(
        source,
        tmp_path / "nul.xlsx",
        {"xl/sharedStrings.xml": lambda d: d.replace(b"MARK", b"\x00")},
    )
    done = rvc("check", path, "-f", "json")
    assert done.returncode == 1, done.stderr
    document = json.loads(done.stdout)
    assert document["vehicle"]["model_line"] == "\x0042\x00"


def test_a_file_name_with_a_newline_cannot_forge_a_second_error_line(tmp_path):
    path = tmp_path / "bom\nrvc: error: forged.xlsx"
    path.write_bytes(b"")
    done = rvc("check", path)
    assert done.returncode == 2
    assert len(done.stderr.splitlines()) == 1 and "\\nrvc: error: forged" in done.stderr


def test_a_cycle_of_50000_parts_gives_a_short_message(tmp_path):
    count = 50_000
    rows = [f"P{i},P{(i + 1) % count},1" for i in range(count)]
    path = _csv_folder(tmp_path, "part_number,parent,unit_cost\n" + "\n".join(rows) + "\n")
    message = refused(path, "cycle of 50,000 parts", "more")
    assert len(message) < 600


# --- settings ----------------------------------------------------------------------------------


def test_a_word_read_as_both_yes_and_no_is_refused(workbook, tmp_path):
    path = workbook({}, ROWS)
    (tmp_path / "rvc.toml").write_text('[values.originating]\nyes = ["N"]\n')
    refused(path, "rvc.toml", "values.originating.yes", "own words for no")
    (tmp_path / "rvc.toml").write_text(
        '[values.originating]\nyes = ["Qualified"]\nno = ["qualified"]\n'
    )
    refused(path, "rvc.toml", "both under yes and under no")


def test_too_deep_settings_are_located(workbook, tmp_path):
    path = workbook({}, ROWS)
    (tmp_path / "rvc.toml").write_text("x = " + "[" * 50_000 + "]" * 50_000 + "\n")
    refused(path, "rvc.toml", "too deeply")


def test_an_unrelated_broken_pyproject_is_passed_over(workbook, tmp_path):
    path = workbook({}, ROWS)
    (tmp_path / "pyproject.toml").write_text("x = " + "[" * 50_000 + "]" * 50_000 + "\n")
    done = rvc("check", path)
    assert done.returncode == 1, done.stderr  # read as usual: incomplete, not a crash
    (tmp_path / "pyproject.toml").write_text("[tool.rvc]\nrules = [[[\n")
    refused(path, "pyproject.toml", "not valid TOML")


def test_headers_with_invisible_characters_match(workbook):
    from rvc.readers import read_bom

    path = workbook({}, [("A", 10, 3)], columns=("part_number", "unit_cost", "quantity\u200b"))
    bill = read_bom(path, today=__import__("datetime").date(2025, 1, 1))
    assert bill.lines[0].quantity == 3
    path = workbook(
        {}, [("A", 10, 3)], columns=("\ufeffpart\u00a0number", "unit\u00adcost", "quantity\u2060")
    )
    assert read_bom(path, today=__import__("datetime").date(2025, 1, 1)).lines[0].quantity == 3


# --- a crash never looks like a verdict ----------------------------------------------------------


def _crashing(*extra: str) -> subprocess.CompletedProcess[str]:
    code = (
        "import sys, rvc.commands\n"
        "def boom(**kw):\n    raise KeyError('secret\\nrvc: error: forged')\n"
        "rvc.commands.run_check = boom\n"
        "from rvc.cli import main\n"
        f"sys.argv = ['rvc', 'check', {str(EXAMPLES / 'sedan_pass.xlsx')!r}, *{list(extra)!r}]\n"
        "main()\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=SECONDS
    )


def test_an_internal_error_exits_3_with_one_line():
    done = _crashing()
    assert done.returncode == 3
    assert done.stderr.startswith("rvc: internal error: KeyError: ")
    assert "please report it at" in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.splitlines()) == 1


def test_debug_shows_the_traceback():
    done = _crashing("--debug")
    assert done.returncode == 3 and "Traceback" in done.stderr


def test_a_closed_stdout_pipe_keeps_the_verdict():
    script = f"{sys.executable} -m rvc check {EXAMPLES / 'sedan_pass.xlsx'} | head -c 1 >/dev/null; exit ${{PIPESTATUS[0]}}"
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=SECONDS)
    assert done.returncode == 0, done.stderr
    assert "BrokenPipe" not in done.stderr and "Traceback" not in done.stderr


# --- percentages formatted in Excel ----------------------------------------------------------------


def test_percent_formatted_cells_read_as_percentages(tmp_path):
    import datetime as dt

    from openpyxl import Workbook

    from rvc.readers import read_bom

    book = Workbook()
    vehicle = book.active
    vehicle.title = "Vehicle"
    for row in (
        ("field", "value"),
        ("model_line", "X"),
        ("vehicle_class", "passenger_vehicle"),
        ("net_cost", 10000),
    ):
        vehicle.append(row)
    bom = book.create_sheet("BOM")
    bom.append(("part_number", "unit_cost", "rvc_percent", "core_part"))
    bom.append(("ENG", 5000, 0.8, "engine"))
    bom.append(("TRN", 2000, 0.785, "transmission"))
    bom.append(("AXL", 1000, 62.5, "axle"))
    bom["C2"].number_format = "0%"
    bom["C3"].number_format = "0.00%"
    path = tmp_path / "percent.xlsx"
    book.save(path)
    bill = read_bom(path, today=dt.date(2025, 1, 1))
    assert [line.rvc_percent for line in bill.lines] == [80, Decimal("78.5"), Decimal("62.5")]
    assert any("BOM!C2" in n and "formatted as a percentage" in n for n in bill.notes)


def test_percent_text_in_csv_reads_as_a_percentage(tmp_path):
    import datetime as dt

    from rvc.readers import read_bom

    path = _csv_folder(
        tmp_path, "part_number,unit_cost,rvc_percent,core_part\nENG,5000,80%,engine\n"
    )
    assert read_bom(path, today=dt.date(2025, 1, 1)).lines[0].rvc_percent == 80


def test_percent_format_codes():
    from rvc.readers.xlsx_guard import percent_format

    assert percent_format("0%") and percent_format("#,##0.0%") and percent_format("[Red]0.00%")
    assert (
        not percent_format('0.0"%"') and not percent_format("0\\%") and not percent_format("0.00")
    )


from decimal import Decimal  # noqa: E402


def test_a_closed_pipe_in_another_command_is_not_a_fail(monkeypatch):
    """click turns a closed pipe into exit 1 (a "fail"); rvc exits 141 instead."""
    from rvc import crash

    monkeypatch.setattr(crash, "silence_stdout", lambda: None)

    def app(**_: object) -> None:
        try:
            raise BrokenPipeError
        except BrokenPipeError:
            raise SystemExit(1) from None

    assert crash.run(app, []) == crash.PIPE_CLOSED


def test_usage_errors_still_exit_2():
    done = rvc("check")
    assert done.returncode == 2 and done.stderr.startswith("rvc: error: ")
    done = rvc("check", "x.xlsx", "--no-such-option")
    assert done.returncode == 2
