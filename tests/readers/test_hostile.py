"""Hostile and broken files: each is refused quickly, within bounded memory, with a located
message and exit code 2, never a crash. Files are generated here, never committed.

Every check runs `rvc check` in a child process with its address space capped, so a reader
that tried to allocate a huge grid would fail this test instead of killing the test run.
"""

from __future__ import annotations

import re
import resource
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

MEMORY_CAP = 1536 * 1024 * 1024
SECONDS = 20


def _cap() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def check(path: Path) -> tuple[int, str, float]:
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "rvc", "check", str(path), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=SECONDS,
        preexec_fn=_cap,
    )
    return done.returncode, done.stderr, time.perf_counter() - start


def mutate(source: Path, target: Path, changes: dict[str, object]) -> Path:
    """Copy an xlsx, replacing parts: value bytes, or a callable(bytes) -> bytes, or None."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            change = changes.get(info.filename, data)
            if change is None:
                continue
            zout.writestr(info.filename, change(data) if callable(change) else change)
        for name, change in changes.items():
            if name not in zin.namelist() and isinstance(change, bytes):
                zout.writestr(name, change)
    return target


@pytest.fixture
def good(workbook) -> Path:
    return workbook({}, [{"part_number": "A", "unit_cost": 100, "originating": "Y"}])


def _sheet_part(path: Path, name: str = "BOM") -> str:
    with zipfile.ZipFile(path) as z:
        names = re.findall(
            r'<sheet [^>]*name="([^"]+)"[^>]*r:id="([^"]+)"', z.read("xl/workbook.xml").decode()
        )
        rels = dict(
            re.findall(
                r'Id="([^"]+)"[^>]*Target="([^"]+)"', z.read("xl/_rels/workbook.xml.rels").decode()
            )
        )
        rels.update(
            {
                k: v
                for v, k in re.findall(
                    r'Target="([^"]+)"[^>]*Id="([^"]+)"',
                    z.read("xl/_rels/workbook.xml.rels").decode(),
                )
            }
        )
    target = rels[dict(names)[name]]
    return target.lstrip("/") if target.startswith("/") else "xl/" + target


def assert_refused(path: Path, *words: str) -> str:
    code, stderr, seconds = check(path)
    assert code == 2, f"exit {code}: {stderr[-500:]}"
    assert "Traceback" not in stderr
    assert stderr.startswith("rvc: error: ")
    assert str(path.name) in stderr
    for word in words:
        assert word in stderr, f"{word!r} not in {stderr!r}"
    assert seconds < SECONDS
    return stderr


def test_empty_file(tmp_path):
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    assert_refused(path, "is empty (0 bytes)")


def test_text_named_xlsx(tmp_path):
    path = tmp_path / "text.xlsx"
    path.write_text("part_number,unit_cost\nA,1\n")
    assert_refused(path, "not a zip archive", ".csv")


def test_password_protected_or_legacy_xls(tmp_path):
    path = tmp_path / "locked.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4096)
    assert_refused(path, "password-protected", "unprotected .xlsx")


def test_zip_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "report.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    assert_refused(path, "not an Excel workbook", "xl/workbook.xml")


def test_truncated_zip(good, tmp_path):
    path = tmp_path / "cut.xlsx"
    path.write_bytes(good.read_bytes()[:300])
    assert_refused(path, "damaged")


def test_entity_expansion_in_workbook_xml(good, tmp_path):
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 '
        b'"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    )

    def inject(data: bytes) -> bytes:
        return bomb + re.sub(rb"^<\?xml[^>]*\?>", b"", data)

    path = mutate(good, tmp_path / "laughs.xlsx", {"xl/workbook.xml": inject})
    assert_refused(path, "DTD or XML entities")


def test_billion_laughs_in_shared_strings(good, tmp_path):
    laughs = b"".join(
        b'<!ENTITY lol%d "%s">'
        % (i, b"".join(b"&lol%d;" % (i - 1) for _ in range(10)) if i else b"lol")
        for i in range(10)
    )
    sst = (
        b'<?xml version="1.0"?><!DOCTYPE sst [' + laughs + b']><sst xmlns="http://schemas.'
        b'openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>'
    )
    path = mutate(good, tmp_path / "sst_laughs.xlsx", {"xl/sharedStrings.xml": sst})
    assert_refused(path, "sharedStrings.xml", "DTD or XML entities")


def test_external_entity_in_sheet(good, tmp_path):
    part = _sheet_part(good)

    def inject(data: bytes) -> bytes:
        head = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        return head + re.sub(rb"^<\?xml[^>]*\?>", b"", data)

    path = mutate(good, tmp_path / "xxe.xlsx", {part: inject})
    assert_refused(path, "DTD or XML entities")


def test_cell_at_xfd1048576(good, tmp_path):
    part = _sheet_part(good)
    far = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
    path = mutate(good, tmp_path / "far.xlsx", {part: lambda d: d.replace(b"</sheetData>", far)})
    assert path.stat().st_size < 20_000
    assert_refused(path, "sheet 'BOM'", "1,048,576 rows x 16,384 columns")


def test_far_cell_inside_an_ordinary_row(good, tmp_path):
    """A cell reference far below its own row element (calamine trusts the cell's reference)."""
    part = _sheet_part(good)
    path = mutate(
        good, tmp_path / "far_cell.xlsx", {part: lambda d: d.replace(b'r="A2"', b'r="ZZ999999"', 1)}
    )
    assert_refused(path, "sheet 'BOM'", "cells")


def test_sparse_rows(good, tmp_path):
    part = _sheet_part(good)
    far = b'<row r="1000000"><c r="J1000000"><v>1</v></c></row></sheetData>'
    path = mutate(good, tmp_path / "sparse.xlsx", {part: lambda d: d.replace(b"</sheetData>", far)})
    assert_refused(path, "sheet 'BOM'", "stray or hostile cell")


def test_cells_without_references_far_away(good, tmp_path):
    part = _sheet_part(good)
    row = b'<row r="500000">' + b"<c><v>1</v></c>" * 3 + b"</row></sheetData>"
    path = mutate(good, tmp_path / "noref.xlsx", {part: lambda d: d.replace(b"</sheetData>", row)})
    assert_refused(path, "sheet 'BOM'")


def test_shared_string_count_bomb(good, tmp_path):
    path = mutate(
        good,
        tmp_path / "sst_count.xlsx",
        {
            "xl/sharedStrings.xml": lambda d: re.sub(
                rb'uniqueCount="\d+"', b'uniqueCount="999999999999"', d
            )
        },
    )
    assert_refused(path, "sharedStrings.xml", "declares 999,999,999,999 shared strings")


def test_zip_bomb_sheet(good, tmp_path):
    part = _sheet_part(good)
    payload = b"<worksheet><sheetData>" + b" " * 300_000_000 + b"</sheetData></worksheet>"
    path = mutate(good, tmp_path / "zipbomb.xlsx", {part: payload})
    assert path.stat().st_size < 2_000_000
    assert_refused(path, "compressed", "zip bomb")


def test_lying_zip_header(good, tmp_path):
    """A part whose real size differs from its declared size fails the CRC/size check."""
    part = _sheet_part(good)
    path = mutate(good, tmp_path / "liar.xlsx", {})
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(part)
    # corrupt a byte inside the compressed data of the sheet
    offset = (
        info.header_offset + 30 + len(info.filename) + len(info.extra) + info.compress_size // 2
    )
    data[offset] ^= 0xFF
    path.write_bytes(bytes(data))
    assert_refused(path, "damaged")


def test_ordinary_workbook_still_reads(good):
    code, stderr, _ = check(good)
    assert code == 1, stderr  # incomplete (no core parts, no purchase sheets), but read
