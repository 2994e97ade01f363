"""Bad and hostile input, round three: what a corpus of mutated workbooks, CSV folders and
settings files (scripts/fuzz_hostile2.py, not shipped) found. Every file is generated here and
checked in a child process capped in memory and time, as in rounds one and two.

Each test names what the guard (rvc/readers/xlsx_guard.py) now refuses, and why."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import warnings
import zipfile
from datetime import date
from pathlib import Path

import pytest

from rvc.readers.raw import column_letters
from tests.readers.test_hostile import _sheet_part, mutate
from tests.readers.test_hostile_round2 import ROWS, refused, rvc

FAR = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
SST = "xl/sharedStrings.xml"
RELS = "xl/_rels/workbook.xml.rels"
GUARD = "rvc/readers/xlsx_guard.py"


@pytest.fixture
def book(workbook) -> Path:
    return workbook({"net_cost": 7000}, ROWS)


def _far(data: bytes) -> bytes:
    return data.replace(b"</sheetData>", FAR)


def _entries(path: Path) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(path) as z:
        return [(info, z.read(info)) for info in z.infolist()]


def _count_bomb(data: bytes, spelling: bytes) -> bytes:
    return re.sub(rb'uniqueCount="\d+"', spelling, data)


# --- python-calamine aborts the process (SIGABRT, a Rust backtrace, no message) ------------------


@pytest.mark.parametrize(
    "spelling",
    [
        b"uniqueCount='999999999999'",
        b'uniqueCount = "999999999999"',
        b'xmlns:z="urn:' + b"z" * 5000 + b'" uniqueCount="999999999999"',
    ],
    ids=["single quotes", "spaces around =", "after 5 KB of attributes"],
)
def test_shared_string_count_bomb_in_other_spellings(book, tmp_path, spelling):
    path = mutate(book, tmp_path / "sst.xlsx", {SST: lambda d: _count_bomb(d, spelling)})
    refused(path, "sharedStrings.xml", "999,999,999,999 shared strings")


def test_shared_string_count_bomb_after_a_long_comment(book, tmp_path):
    def bomb(data: bytes) -> bytes:
        data = data.replace(b"<sst ", b"<!--" + b"x" * 5000 + b"--><sst ", 1)
        return _count_bomb(data, b'uniqueCount="999999999999"')

    path = mutate(book, tmp_path / "sst.xlsx", {SST: bomb})
    refused(path, "sharedStrings.xml", "999,999,999,999 shared strings")


@pytest.mark.parametrize("relationship", ["elsewhere", "none"])
def test_shared_strings_part_calamine_reads_is_checked(book, tmp_path, relationship):
    with zipfile.ZipFile(book) as z:
        sst, rels = z.read(SST), z.read(RELS).decode()
    if relationship == "elsewhere":
        rels = rels.replace('Target="sharedStrings.xml"', 'Target="strings/s.xml"')
        rels = rels.replace('Target="/xl/sharedStrings.xml"', 'Target="/xl/strings/s.xml"')
        assert "strings/s.xml" in rels
        extra = {"xl/strings/s.xml": sst}
    else:
        rels = re.sub(r"<Relationship [^>]*sharedStrings\"[^>]*/>", "", rels)
        assert "sharedStrings" not in rels
        extra = {}
    path = mutate(
        book,
        tmp_path / "sst.xlsx",
        {SST: _count_bomb(sst, b'uniqueCount="999999999999"'), RELS: rels.encode(), **extra},
    )
    refused(path, "sharedStrings.xml", "999,999,999,999 shared strings")


def test_dotdot_target_cannot_point_the_parser_at_an_unchecked_part(book, tmp_path):
    bom = _sheet_part(book)
    with zipfile.ZipFile(book) as z:
        sheet, rels = z.read(bom), z.read(RELS).decode()
    rels = re.sub(
        rf'Target="/?{bom.removeprefix("xl/")}"|Target="/{bom}"', 'Target="../ws/s.xml"', rels
    )
    assert "../ws/s.xml" in rels
    path = mutate(
        book,
        tmp_path / "dotdot.xlsx",
        {RELS: rels.encode(), "ws/s.xml": sheet, "xl/../ws/s.xml": _far(sheet)},
    )
    refused(path, "..")


# --- exit 3 (an internal error) for a damaged file -----------------------------------------------


def _with_method(source: Path, target: Path, part: str, method: int) -> Path:
    """A copy stored uncompressed, the part's compression method then set to `method`."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as z:
        for info, data in _entries(source):
            z.writestr(info.filename, data)
    data = bytearray(target.read_bytes())
    name = part.encode()
    for header, at_name, at_method in ((b"PK\x03\x04", 30, 8), (b"PK\x01\x02", 46, 10)):
        for found in re.finditer(re.escape(header), bytes(data)):
            start = found.start()
            size = int.from_bytes(data[start + at_name - 4 : start + at_name - 2], "little")
            if header == b"PK\x01\x02":
                size = int.from_bytes(data[start + 28 : start + 30], "little")
            if data[start + at_name : start + at_name + size] == name:
                data[start + at_method : start + at_method + 2] = method.to_bytes(2, "little")
    target.write_bytes(bytes(data))
    return target


@pytest.mark.parametrize("part", ["BOM", "xl/workbook.xml"])
def test_unknown_compression_method_is_bad_input(book, tmp_path, part):
    name = _sheet_part(book) if part == "BOM" else part
    path = _with_method(book, tmp_path / "method.xlsx", name, 99)
    refused(path, name, "compression")


# --- time: quadratic regex compiles in the fast scan ----------------------------------------------


def test_a_wide_row_with_many_percent_styles_is_read_quickly(book, tmp_path):
    """A 40 KB file: one row of 16,384 empty cells, 3,000 percent cell formats. It took more
    than two minutes."""
    cells = b"".join(b'<c r="%s9"/>' % column_letters(col).encode() for col in range(1, 16_385))
    row = b'<row r="9">' + cells + b"</row></sheetData>"
    xfs = b'<xf numFmtId="9" applyNumberFormat="1"/>' * 3000
    path = mutate(
        book,
        tmp_path / "wide.xlsx",
        {
            _sheet_part(book): lambda d: d.replace(b"</sheetData>", row),
            "xl/styles.xml": lambda d: d.replace(b"</cellXfs>", xfs + b"</cellXfs>"),
        },
    )
    assert path.stat().st_size < 100_000
    start = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "rvc", "check", str(path), "-q"],
            capture_output=True,
            text=True,
            timeout=10,
            env={**os.environ, "NO_COLOR": "1"},
        )
    except subprocess.TimeoutExpired:
        pytest.fail("not finished after 10 s")
    assert done.returncode in (0, 1, 2) and time.perf_counter() - start < 10


# --- silently misread ------------------------------------------------------------------------------


@pytest.mark.parametrize("index", [b"-1", b"abc", b"99999999999999999999"])
def test_shared_string_index_that_is_no_index_is_refused(book, tmp_path, index):
    def change(data: bytes) -> bytes:
        new, count = re.subn(
            rb'(<c r="A3"[^>]*t="s"[^>]*><v>)\d+(</v>)', rb"\g<1>" + index + rb"\2", data
        )
        assert count == 1
        return new

    path = mutate(book, tmp_path / "index.xlsx", {_sheet_part(book): change})
    refused(path, "BOM!A3")


def test_two_zip_entries_of_one_name_are_refused(book, tmp_path):
    path = tmp_path / "twice.xlsx"
    bom = _sheet_part(book)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns of the duplicate name
        for info, data in _entries(book):
            if info.filename == bom:
                z.writestr(bom, data.replace(b"<v>300</v>", b"<v>1</v>"))
            z.writestr(info.filename, data)
    with zipfile.ZipFile(path) as z:
        assert [i.filename for i in z.infolist()].count(bom) == 2
    refused(path, bom, "twice")


def test_a_dtd_after_four_kilobytes_is_refused(book, tmp_path):
    def late(data: bytes) -> bytes:
        body = re.sub(rb"^<\?xml[^>]*\?>", b"", data)
        return (
            b'<?xml version="1.0"?><!--' + b"x" * 5000 + b'--><!DOCTYPE w [<!ENTITY a "b">]>' + body
        )

    path = mutate(book, tmp_path / "dtd.xlsx", {_sheet_part(book): late})
    refused(path, "DTD or XML entities")


# --- fixed on this branch ------------------------------------------------------------------------

ACTIVE = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def test_json_writes_c1_controls_and_bidi_overrides_as_escapes(workbook, tmp_path):
    """json's encoder leaves U+009B (a one-character CSI), U+2028 and U+202E raw; printed to a
    terminal they act. The parsed strings stay exactly the input's."""
    part = "SE\u009b2J\u202eAT\u2028\u0085X"
    rows = [{**ROWS[0]}, {**ROWS[1], "part_number": part}]
    path = workbook({"net_cost": 7000, "model_line": "Sedan\u2066\u009d"}, rows)
    done = rvc("check", path, "-f", "json")
    assert done.returncode == 1, done.stderr
    assert not ACTIVE.search(done.stdout)
    document = json.loads(done.stdout)
    assert document["vehicle"]["model_line"] == "Sedan\u2066\u009d"
    assert part in _strings(document)


def _strings(value: object) -> set[str]:
    if isinstance(value, str):
        return {value}
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    return set().union(*map(_strings, items)) if items else set()


def test_json_error_document_writes_bidi_overrides_as_escapes(workbook, tmp_path):
    path = workbook({}, ROWS)
    renamed = mutate(
        path,
        tmp_path / "rtl.xlsx",
        {"xl/workbook.xml": lambda d: d.replace(b'name="BOM"', 'name="BOM\u202e"'.encode())},
    )
    for args in ((renamed,), (tmp_path,)):  # one workbook, and the batch of the folder
        done = rvc("check", *args, "-f", "json")
        assert done.returncode == 2, done.stderr
        assert not ACTIVE.search(done.stdout), done.stdout
        json.loads(done.stdout)


def _csv(folder: Path, bom: bytes) -> Path:
    folder.mkdir()
    (folder / "Vehicle.csv").write_text(
        "field,value\nmodel_line,X\nvehicle_class,passenger_vehicle\nnet_cost,7000\n"
    )
    (folder / "BOM.csv").write_bytes(bom)
    return folder


def test_utf16_csv_cut_in_half_a_character_is_bad_input(tmp_path):
    text = "part_number,unit_cost\nA,1\n".encode("utf-16")
    folder = _csv(tmp_path / "odd", text + b"A")
    refused(folder, "BOM.csv", "not valid UTF-16 at byte 54", "truncated data")


def test_utf16_csv_with_half_a_surrogate_pair_is_bad_input(tmp_path):
    text = "part_number,unit_cost\nA,1\n".encode("utf-16-le")
    folder = _csv(tmp_path / "surrogate", b"\xff\xfe" + text[:10] + b"\x00\xd8" + text[10:])
    refused(folder, "BOM.csv", "not valid UTF-16 at byte 12")


@pytest.mark.parametrize("kind", ["folder", "fifo", "broken link"])
def test_an_rvc_toml_that_is_no_regular_file_is_refused(workbook, tmp_path, kind):
    """It was passed over in silence: the BOM read without its mapping, or with the settings
    of a folder further up."""
    (tmp_path / "sub").mkdir()
    path = workbook({}, ROWS, name="sub/bom.xlsx")
    (tmp_path / "rvc.toml").write_text('[sheets]\nBOM = "Parts"\n')  # a parent's settings
    settings = tmp_path / "sub" / "rvc.toml"
    if kind == "folder":
        settings.mkdir()
    elif kind == "fifo":
        os.mkfifo(settings)
    else:
        settings.symlink_to(tmp_path / "sub" / "gone.toml")
    words = {"folder": "is a folder", "fifo": "FIFO", "broken link": "broken symbolic link"}
    refused(path, "sub/rvc.toml", words[kind])


def test_a_csv_column_without_header_is_named_once(tmp_path):
    from rvc.readers.workbook import read_bom

    folder = _csv(tmp_path / "ragged", b"part_number,unit_cost\nA,1,999\n")
    bill = read_bom(folder, today=date(2025, 3, 1))
    assert any("BOM: column 3 holds values but has no header" in n for n in bill.notes)


def test_a_sheet_of_which_the_parser_reads_nothing_is_refused(book, tmp_path):
    """A UTF-16 big-endian BOM sheet: the guard's XML parser reads its cells, python-calamine
    none; it was reported as 'no header row', as if the sheet were empty."""

    def utf16(data: bytes) -> bytes:
        text = data.decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"', 1)
        return "\ufeff".encode("utf-16-be") + text.encode("utf-16-be")

    path = mutate(book, tmp_path / "utf16.xlsx", {_sheet_part(book): utf16})
    refused(path, "sheet 'BOM'", "cells with content", "read none")
