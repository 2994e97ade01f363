"""Bad and hostile input, round four: `rvc diff`, `rvc average`, batches, hostile file names,
`-o` targets and the Markdown, JUnit and SARIF outputs. Every input is generated here and run
in a child process capped in memory and time (tests/readers/test_hostile_round2.rvc).

Each test names what rvc did before and what it does now."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import zipfile
from datetime import date
from pathlib import Path
from xml.etree import ElementTree

import pytest

from tests.readers.test_hostile_round2 import ROWS, rvc

# raw control characters, ANSI escapes and bidi overrides: never sent as they are
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
ESC_NAME = "ansi\x1b[31mred\u202e.xlsx"
FORGED_NAME = "bad\x1b]0;title\x07\n::error::forged.xlsx"


def _raw(text: str) -> list[str]:
    return [repr(c) for c in RAW.findall(text)]


def _one_error(done, *words: str) -> str:  # type: ignore[no-untyped-def]
    assert done.returncode == 2, f"exit {done.returncode}: {done.stderr[-800:]}"
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("rvc: error: "), done.stderr
    for word in words:
        assert word in lines[0], f"{word!r} not in {lines[0]!r}"
    return lines[0]


@pytest.fixture
def book(workbook):  # type: ignore[no-untyped-def]
    def _book(folder: Path, name: str, **vehicle: object) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = workbook({"net_cost": 7000, **vehicle}, ROWS, name="tmp.xlsx")
        return Path(shutil.move(path, folder / name))

    return _book


@pytest.fixture
def batch(tmp_path: Path, book) -> Path:  # type: ignore[no-untyped-def]
    """A folder of two good workbooks with hostile names and a bad one."""
    folder = tmp_path / "batch"
    book(folder, ESC_NAME)
    book(folder, "nl\nrvc: error: forged.xlsx")
    (folder / FORGED_NAME).write_bytes(b"not a zip")
    return folder


def _csv_vehicle(folder: Path, rows: list[dict[str, object]], **vehicle: object) -> Path:
    folder.mkdir(parents=True)
    fields = {
        "model_line": "Test Sedan",
        "vehicle_class": "passenger_vehicle",
        "net_cost": 7000,
        **vehicle,
    }
    with open(folder / "Vehicle.csv", "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["field", "value"])
        writer.writerows(fields.items())
    columns = ["part_number", "description", "unit_cost", "quantity", "originating", "core_part"]
    with open(folder / "BOM.csv", "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(columns)
        writer.writerows([row.get(c, "") for c in columns] for row in rows)
    return folder


# --- a batch in a format it has no writer for -------------------------------------------------


@pytest.mark.parametrize("fmt", ["markdown", "sarif"])
def test_batch_in_markdown_or_sarif_is_a_usage_error_not_an_internal_error(batch, fmt):
    """Was: exit 3, `rvc: internal error: KeyError: 'markdown'`, after every workbook was read."""
    done = rvc("check", batch, "-f", fmt, "-j", "1")
    _one_error(done, "--format", repr(fmt), "batch")
    assert done.stdout == ""


# --- `-o FILE` of a batch: the format its suffix names, as in a single run -------------------


def test_batch_output_file_is_written_in_the_format_its_suffix_names(batch, tmp_path):
    """Was: the table in report.json (and in .xml, .xlsx, .weird), or -f json's JSON in .xml."""
    report = tmp_path / "report.json"
    done = rvc("check", batch, "-o", report, "-j", "1")
    assert done.returncode == 2, done.stderr
    assert len(json.loads(report.read_text(encoding="utf-8"))["reports"]) == 3
    junit = tmp_path / "report.xml"
    done = rvc("check", batch, "-o", junit, "-f", "json", "-j", "1")
    assert ElementTree.parse(junit).getroot().tag == "testsuites"
    assert len(json.loads(done.stdout)["reports"]) == 3  # -f json: standard output too
    text = tmp_path / "report.txt"
    rvc("check", batch, "-o", text, "-j", "1")
    assert "3 workbooks" in text.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["report.md", "report.sarif", "report.xlsx", "report.weird"])
def test_batch_output_file_with_a_suffix_no_batch_report_has_is_refused(batch, tmp_path, name):
    done = rvc("check", batch, "-o", tmp_path / name, "-j", "1")
    _one_error(done, name, "suffix", ".json")
    assert not (tmp_path / name).exists()


def test_single_workbook_with_output_dir_writes_o_in_its_suffix_format(book, tmp_path):
    """Was: `rvc check x.xlsx --output-dir DIR -o r.json` wrote the table into r.json."""
    path = book(tmp_path, "x.xlsx")
    done = rvc("check", path, "--output-dir", tmp_path / "out", "-o", tmp_path / "r.json")
    assert done.returncode == 1, done.stderr
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["verdict"]
    rvc("check", path, "--output-dir", tmp_path / "out", "-o", tmp_path / "r.xlsx")
    assert zipfile.is_zipfile(tmp_path / "r.xlsx")


# --- hostile file names in every output ------------------------------------------------------


def test_batch_junit_stays_well_formed_with_control_characters_in_file_names(batch):
    """Was: a raw ESC and BEL in <property value> and <testsuite name>: ill-formed XML."""
    done = rvc("check", batch, "-f", "junit", "-j", "2")
    assert done.returncode == 2, done.stderr
    root = ElementTree.fromstring(done.stdout)
    assert len(root.findall("testsuite")) == 3
    assert _raw(done.stdout) == [] and _raw(done.stderr) == []
    assert "\\x1b" in done.stdout


@pytest.mark.parametrize("fmt", ["table", "json", "github"])
def test_batch_other_formats_show_control_characters_escaped(batch, fmt):
    done = rvc("check", batch, "-f", fmt, "-j", "1")
    assert done.returncode == 2, done.stderr
    assert _raw(done.stdout) == [] and _raw(done.stderr) == []
    assert not any(
        line.startswith(("::error::forged", "rvc: error: forged"))
        for line in (done.stdout + done.stderr).splitlines()
    )


@pytest.mark.parametrize("fmt", ["markdown", "sarif", "junit", "json", "github", "table"])
def test_single_report_shows_a_hostile_file_name_escaped(book, tmp_path, fmt):
    """Was: Markdown printed the input path raw in its inline code (ESC, BEL, U+202E)."""
    path = book(tmp_path, ESC_NAME)
    done = rvc("check", path, "-f", fmt)
    assert done.returncode == 1, done.stderr
    assert _raw(done.stdout) == [], _raw(done.stdout)
    if fmt in ("json", "sarif"):
        json.loads(done.stdout)


def test_removed_stale_audit_workbook_message_escapes_the_name(batch, tmp_path):
    """Was: `rvc: removed DIR/bad<ESC>]0;title<BEL>` + a forged `::error::` line on stderr."""
    out = tmp_path / "out"
    out.mkdir()
    (out / FORGED_NAME).write_bytes(b"an earlier run's audit workbook")
    done = rvc(
        "check", batch, "--output-dir", out, "--output-dir-format", "json,xlsx", "-f", "json"
    )
    assert done.returncode == 2, done.stderr
    assert "rvc: removed" in done.stderr
    assert _raw(done.stderr) == [] and not (out / FORGED_NAME).exists()
    assert not any(line.startswith("::error") for line in done.stderr.splitlines())


def test_output_dir_keeps_every_report_inside_it_and_apart(book, tmp_path):
    """`..xlsx` (stem `.`), `-dash`, globs, and `a.xlsx` beside `a.xlsm`: one file each."""
    folder = tmp_path / "in"
    for name in ("a.xlsx", "a.xlsm", "-dash.xlsx", "st*r?[b].xlsx", "CON.xlsx"):
        book(folder, name)
    dotted = book(tmp_path, "..xlsx")
    out = tmp_path / "out"
    done = rvc("check", folder, dotted, "--output-dir", out, "-j", "1")
    assert done.returncode == 1, done.stderr
    written = sorted(p.name for p in out.iterdir())
    assert len(written) == 6 and "..json" in written, written
    assert sorted(p.name for p in tmp_path.iterdir()) == ["..xlsx", "in", "out"]


# --- rvc diff and rvc average with hostile text ----------------------------------------------


def test_diff_markdown_shows_control_characters_escaped(tmp_path):
    """Was: ESC sequences and U+202E from part numbers and descriptions sent raw."""
    old = _csv_vehicle(tmp_path / "old", ROWS)
    hostile = [
        *ROWS,
        {
            "part_number": "NEW\x1b]0;owned\x07|x",
            "description": "[click](javascript:alert(1)) <img src=x> \u202e\x1b[2J",
            "unit_cost": 1,
            "quantity": 1,
            "originating": "N",
        },
    ]
    new = _csv_vehicle(tmp_path / "new", hostile, model_line="M\x1b[31m|L")
    for fmt in ("markdown", "table", "json"):
        done = rvc("diff", old, new, "-f", fmt)
        assert done.returncode == 1, done.stderr
        assert _raw(done.stdout) == [], (fmt, _raw(done.stdout))
    markdown = rvc("diff", old, new, "-f", "markdown").stdout
    assert "\\[click\\]" in markdown and "\\<img" in markdown and "NEW\\\\x1b" in markdown


def test_average_workbook_with_a_control_character_in_a_path_is_written(book, tmp_path):
    """Was: exit 3, `IllegalCharacterError` (a message naming the paths, written raw to a
    cell of the Results sheet)."""
    folder = tmp_path / "variants"
    for name, volume in ((ESC_NAME, 100), ("b\n::error::forged.xlsx", 50)):
        book(folder, name, volume=volume, country="US", plant="P1", as_of=date(2024, 6, 1))
    target = tmp_path / "average.xlsx"
    done = rvc(
        "average", folder, "--category", "model-line-plant",
        "--period", "2024-01-01..2024-12-31", "-o", target,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert zipfile.is_zipfile(target)
    for fmt in ("markdown", "junit", "github", "json", "table"):
        shown = rvc(
            "average", folder, "--category", "model-line-plant",
            "--period", "2024-01-01..2024-12-31", "-f", fmt,
        )  # fmt: skip
        assert shown.returncode == 1 and _raw(shown.stdout) == [], (fmt, _raw(shown.stdout))


def test_average_markdown_error_list_shows_the_file_name_escaped(book, tmp_path):
    """Was: the bad workbook's path raw (ESC, U+202E) in the Markdown error list."""
    folder = tmp_path / "variants"
    book(folder, ESC_NAME, volume=0, country="US", plant="P1")
    done = rvc("average", folder, "--category", "class", "-f", "markdown")
    assert done.returncode == 2
    assert _raw(done.stdout) == [] and "volume" in done.stdout


# --- standard output that cannot be written ----------------------------------------------------


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize(
    "command",
    [
        ("check", "{x}", "-f", "json"),
        ("check", "{x}"),
        ("check", "{x}", "{y}", "-f", "json", "-j", "1"),
        ("diff", "{x}", "{y}"),
        ("rules", "list"),
    ],
    ids=["check json", "check table", "batch", "diff", "rules"],
)
def test_a_full_disk_on_standard_output_is_exit_2_not_an_internal_error(book, tmp_path, command):
    """Was: exit 3, `rvc: internal error: OSError: [Errno 28] No space left on device`."""
    x, y = book(tmp_path, "x.xlsx"), book(tmp_path, "y.xlsx")
    args = [a.format(x=x, y=y) for a in command]
    import subprocess
    import sys

    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "rvc", *args],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=30,
            env={**os.environ, "NO_COLOR": "1"},
        )
    assert done.returncode == 2, done.stderr
    assert "standard output" in done.stderr and "No space left" in done.stderr
    assert "internal error" not in done.stderr


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_bad_input_with_a_full_standard_output_still_names_the_input(tmp_path):
    import subprocess
    import sys

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a zip")
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "rvc", "check", str(bad), "-f", "json"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=30,
        )
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1].startswith(f"rvc: error: {bad}: is not an .xlsx")


# --- options a batch silently dropped -------------------------------------------------------


def test_batch_follows_fail_on_as_a_single_run_does(book, tmp_path):
    """Was: `--fail-on fail` ignored in a batch: two incomplete workbooks exited 1, and the
    JUnit totals counted only failed requirements while each suite counted incomplete ones."""
    folder = tmp_path / "in"
    book(folder, "x.xlsx")
    book(folder, "y.xlsx")
    assert rvc("check", folder / "x.xlsx", "--fail-on", "fail").returncode == 0
    done = rvc("check", folder, "--fail-on", "fail", "-j", "1")
    assert done.returncode == 0, done.stdout[-400:]
    assert "(exit 0)" in done.stdout
    for fail_on, failures in (("fail", "0"), ("incomplete", "6")):
        junit = rvc("check", folder, "--fail-on", fail_on, "-f", "junit", "-j", "2").stdout
        root = ElementTree.fromstring(junit)
        assert root.get("failures") == failures
        assert sum(int(s.get("failures")) for s in root.findall("testsuite")) == int(failures)


# --- settings that map one header or sheet to two things ----------------------------------


@pytest.mark.parametrize(
    "settings, words",
    [
        ('[columns.BOM]\nunit_cost = "quantity"\n', ["columns.BOM.unit_cost", "'quantity'"]),
        ('[columns.BOM]\noriginating = ["Origin", "Quantity "]\n', ["columns.BOM.originating"]),
        ('[columns.BOM]\npart_number = "PN"\nunit_cost = "pn"\n', ["'pn' is mapped to"]),
        ('[sheets]\nFX = "BOM"\n', ["sheets.FX", "'BOM'", "BOM sheet"]),
        ('[sheets]\nBOM = "Vehicle"\nVehicle = "BOM"\n', ["sheets.BOM", "'Vehicle'"]),
        ('[sheets]\nLVC = "Steel aluminium"\n', ["sheets.LVC", "SteelAluminum"]),
        ('[sheets]\nLVC = "Labor"\nFX = "labor"\n', ["sheets.FX", "mapped to LVC too"]),
    ],
    ids=[
        "column: another's name",
        "column: another's name in a list",
        "column: one header twice",
        "sheet: another's name",
        "sheets swapped",
        "sheet: another's other spelling",
        "sheet: one name twice",
    ],
)
def test_a_mapping_that_names_another_column_or_sheet_is_refused(book, tmp_path, settings, words):
    """Was: `unit_cost = "quantity"` dropped without a word (unit_cost still read from the
    unit_cost column); `FX = "BOM"` said `has no 'BOM' sheet (found: 'Vehicle', 'BOM')`."""
    path = book(tmp_path, "x.xlsx")
    (tmp_path / "rvc.toml").write_text(settings, encoding="utf-8")
    _one_error(rvc("check", path), "rvc.toml", *words)


def test_a_mapping_to_its_own_column_or_sheet_is_still_accepted(book, tmp_path):
    path = book(tmp_path, "x.xlsx")
    (tmp_path / "rvc.toml").write_text(
        '[sheets]\nBOM = ["BOM", "bom"]\n[columns.BOM]\nparent = "Parent"\n'
        'part_number = ["PN", "pn"]\n',
        encoding="utf-8",
    )
    done = rvc("check", path, "-q")
    assert done.returncode == 1 and done.stderr == "", done.stderr


# --- file names in other bytes than UTF-8, and names at the file system's limit -------------


def _non_utf8(folder: Path, book, name: bytes = b"\xff\xfe.xlsx") -> Path:  # type: ignore[no-untyped-def]
    folder.mkdir(parents=True, exist_ok=True)
    try:
        return book(folder, os.fsdecode(name))
    except (OSError, UnicodeError):
        pytest.skip("this file system takes UTF-8 names only")


@pytest.mark.skipif(os.name == "nt", reason="names are UTF-16 on Windows")
def test_a_workbook_whose_name_is_not_utf8_is_read(book, tmp_path):
    """Was: `cannot be read as a workbook (No such file or directory (os error 2))` for a
    file that is there: python-calamine takes UTF-8 paths only."""
    path = _non_utf8(tmp_path, book)
    done = rvc("check", path, "-f", "json")
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout)["input"]["path"].endswith("\udcff\udcfe.xlsx")
    assert rvc("diff", path, path).returncode == 1


@pytest.mark.skipif(os.name == "nt", reason="names are UTF-16 on Windows")
def test_output_dir_names_for_repeated_names_that_are_not_utf8(book, tmp_path):
    """Was: exit 3, `UnicodeEncodeError: ... surrogates not allowed` (the hash of the path)."""
    _non_utf8(tmp_path / "a", book)
    _non_utf8(tmp_path / "b", book)
    out = tmp_path / "out"
    done = rvc("check", tmp_path / "a", tmp_path / "b", "--output-dir", out, "-j", "1")
    assert done.returncode == 1, done.stderr
    assert len(list(out.iterdir())) == 2


def test_output_dir_names_stay_within_255_bytes(book, tmp_path):
    """Was: two workbooks named with 250 characters in two folders: `DIR/xxx...-<hash>.json:
    cannot be written (File name too long)` stopped the batch after the first workbook."""
    long = "x" * 250 + ".xlsx"
    for folder in ("a", "b"):
        book(tmp_path / folder, long)
    book(tmp_path / "a", "ok.xlsx")
    out = tmp_path / "out"
    done = rvc(
        "check", tmp_path / "a", tmp_path / "b", "--output-dir", out,
        "--output-dir-format", "json,xlsx", "-j", "1",
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    names = sorted(p.name for p in out.iterdir())
    assert len(names) == 6 and all(len(os.fsencode(n)) <= 255 for n in names), names


def test_batch_quiet_prints_only_the_totals_and_names_bad_workbooks_on_stderr(batch, tmp_path):
    """Was: `-q` ignored in a batch (the whole table), and with --output-dir for one workbook."""
    done = rvc("check", batch, "-q", "-j", "1", "-o", tmp_path / "r.json")
    assert done.returncode == 2
    assert done.stdout.splitlines() == [
        "Total: 3 workbooks: 0 pass, 0 fail, 2 incomplete, 1 bad input (exit 2)"
    ]
    assert "rvc: error: " in done.stderr and "is not an .xlsx workbook" in done.stderr
    assert _raw(done.stderr) == []
    assert len(json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["reports"]) == 3
    one = next(batch.glob("ansi*"))
    single = rvc("check", one, "-q", "--output-dir", tmp_path / "out", "--fail-on", "fail")
    assert single.returncode == 0
    assert single.stdout.startswith("Verdict: INCOMPLETE") and len(single.stdout.splitlines()) == 1


def test_template_names_the_file_it_wrote_escaped(tmp_path):
    """Was: `wrote t<ESC>[1m.xlsx` sent raw to standard output."""
    done = rvc("template", "t\x1b[1m\u202e.xlsx", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert _raw(done.stdout) == [] and "wrote t\\x1b[1m\\u202e.xlsx" in done.stdout
    assert (tmp_path / "t\x1b[1m\u202e.xlsx").is_file()


@pytest.mark.parametrize("suffix", [".json", ".xlsx"])
def test_report_file_named_in_the_settings_file_is_shown_escaped(book, tmp_path, suffix):
    """Was: `output = "r\\u001b[31m.json"` in rvc.toml (TOML escapes are allowed) printed
    `rvc: wrote .../r<ESC>[31m.json` raw, and `rvc: removed ...` on bad input."""
    path = book(tmp_path, "x.xlsx")
    (tmp_path / "rvc.toml").write_text(f'output = "r\\u001b[31m\\u202e{suffix}"\n')
    done = rvc("check", path)
    assert done.returncode == 1 and "rvc: wrote" in done.stderr, done.stderr
    assert _raw(done.stderr) == [] and "\\x1b[31m\\u202e" in done.stderr
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a zip")
    done = rvc("check", bad)
    assert done.returncode == 2 and _raw(done.stderr) == [], done.stderr


# --- -o into a named pipe nobody reads ------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_output_to_a_named_pipe_nobody_reads_does_not_hang(book, tmp_path):
    import subprocess
    import sys

    path = book(tmp_path, "x.xlsx")
    pipe = tmp_path / "report.json"
    os.mkfifo(pipe)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "rvc", "check", str(path), "-o", str(pipe)],
            capture_output=True,
            text=True,
            timeout=10,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("rvc waited forever for a reader of the named pipe")
    _one_error(done, "report.json", "pipe")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_output_to_a_named_pipe_with_its_reader_is_written_whole(book, tmp_path):
    import json
    import subprocess
    import sys

    path = book(tmp_path, "x.xlsx")
    pipe = tmp_path / "report.json"
    os.mkfifo(pipe)
    reader = subprocess.Popen(["cat", str(pipe)], stdout=subprocess.PIPE)
    done = subprocess.run(
        [sys.executable, "-m", "rvc", "check", str(path), "-o", str(pipe)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    out, _ = reader.communicate(timeout=30)
    assert done.returncode in (0, 1), done.stderr
    assert json.loads(out)["schema_version"] == 1


def test_output_through_a_file_says_the_file_is_not_a_folder(book, tmp_path):
    import subprocess
    import sys

    path = book(tmp_path, "x.xlsx")
    (tmp_path / "file.txt").write_text("not a folder")
    target = tmp_path / "file.txt" / "x.json"
    done = subprocess.run(
        [sys.executable, "-m", "rvc", "check", str(path), "-o", str(target)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert f"folder {tmp_path / 'file.txt'} is a file, not a folder" in done.stderr
