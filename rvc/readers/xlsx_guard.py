"""Checks an .xlsx before any parser touches it, and finds what fast readers hide.

Fast Rust-backed readers allocate a dense grid from the cells' bounding box and a string table
from the declared count, and abort the whole process (uncatchable) when that is absurd: a
5 KB file with cells at A1 and XFD1048576, or ``uniqueCount="999999999999"``. They also read a
formula with no cached value, and an error such as ``#REF!``, as an empty cell. So each part
we read is first streamed through Python's zipfile (which enforces the declared size and the
CRC) and scanned with byte searches and regular expressions:

- sizes and compression ratio against documented limits (zip bombs);
- XML DTDs / entity declarations (entity-expansion attacks) are refused;
- the sheet's real extent (rows and columns used), compared with its number of cells;
- the shared-string table's declared size against the strings it holds;
- formula cells without a cached value, error cells and hidden rows, by cell reference.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from rvc.errors import InputError, UnsafeInputError
from rvc.readers.raw import column_letters

MiB = 1024 * 1024
MAX_FILE_BYTES = 512 * MiB
MAX_PART_BYTES = 640 * MiB
MAX_TOTAL_BYTES = 1536 * MiB
MAX_RATIO = 100
RATIO_FLOOR_BYTES = 1 * MiB
MAX_GRID_CELLS = 30_000_000
SPARSE_GRID_CELLS = 2_000_000
SPARSE_ROWS = 100_000
SPARSE_FACTOR = 10
MAX_ROW_BYTES = 16 * MiB
CHUNK = 32 * MiB

_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"

_ATTR_R = re.compile(rb"\sr=\"([A-Z]{1,3})(\d+)\"")
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]+)</(?:\w+:)?v>")
_EMPTY_VALUE = re.compile(rb"<(?:\w+:)?v></(?:\w+:)?v>")
_SI = re.compile(rb"<(?:\w+:)?si[\s>/]")
_UNIQUE = re.compile(rb"\suniqueCount=\"(\d+)\"")


def column_number(letters: str) -> int:
    """A1-style column letters to a 1-based number: A -> 1, XFD -> 16384."""
    number = 0
    for char in letters:
        number = number * 26 + ord(char) - 64
    return number


@dataclass(slots=True)
class SheetScan:
    """What the byte scan of one worksheet found."""

    part: str
    max_row: int = 0
    max_col: int = 0
    cells: int = 0
    rows_present: int = 0
    columns_exact: bool = False
    far_ref: str | None = None
    hidden_rows: set[int] = field(default_factory=set)
    no_cached_value: set[tuple[int, int]] = field(default_factory=set)
    errors: dict[tuple[int, int], str] = field(default_factory=dict)


@dataclass(slots=True)
class SheetEntry:
    """A sheet as the workbook lists it."""

    name: str
    part: str
    state: str


@dataclass(slots=True)
class Package:
    """An .xlsx whose container passed the checks; sheets are scanned on request."""

    path: Path
    zip: zipfile.ZipFile
    sheets: list[SheetEntry]

    def close(self) -> None:
        """Release the zip file."""
        self.zip.close()


def open_package(path: Path) -> Package:
    """Check the container (magic, zip, sizes, ratios, workbook parts) before parsing."""
    where = str(path)
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise InputError(
            where, f"cannot be read ({exc.strerror or exc})", "a readable file"
        ) from exc
    if size == 0:
        raise InputError(where, "is empty (0 bytes)", "an .xlsx workbook or a folder of .csv files")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError(
            where,
            "is a password-protected (encrypted) workbook or a legacy .xls file",
            "an unprotected .xlsx: remove the password and save as Excel Workbook (.xlsx)",
        )
    if not head.startswith(b"PK"):
        hint = " (it looks like text; name it .csv to read it as CSV)" if _is_text(head) else ""
        raise InputError(
            where, f"is not an .xlsx workbook: it is not a zip archive{hint}", "an .xlsx file"
        )
    if size > MAX_FILE_BYTES:
        raise UnsafeInputError(
            where,
            f"is {size // MiB} MiB, over the {MAX_FILE_BYTES // MiB} MiB limit",
            "a smaller workbook, or CSV input",
        )
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputError(
            where, f"is a damaged zip archive ({exc})", "an .xlsx saved by a spreadsheet program"
        ) from exc
    try:
        return _check_package(path, archive)
    except BaseException:
        archive.close()
        raise


def _is_text(head: bytes) -> bool:
    return all(32 <= b < 127 or b in (9, 10, 13) for b in head) or head.startswith(b"\xef\xbb\xbf")


def _check_package(path: Path, archive: zipfile.ZipFile) -> Package:
    where = str(path)
    infos = {info.filename: info for info in archive.infolist()}
    if "xl/workbook.xml" not in infos:
        raise InputError(
            where,
            "is a zip archive but not an Excel workbook (no xl/workbook.xml)",
            "an .xlsx file",
        )
    total = 0
    for info in infos.values():
        if info.flag_bits & 0x1:
            raise InputError(where, f"{info.filename} is encrypted", "an unprotected .xlsx")
        total += info.file_size
        if info.file_size > MAX_PART_BYTES:
            raise UnsafeInputError(
                where,
                f"{info.filename} would inflate to {info.file_size // MiB} MiB, over the "
                f"{MAX_PART_BYTES // MiB} MiB limit per part (a zip bomb, or a BOM too large "
                "for xlsx)",
                "a smaller workbook, or CSV input",
            )
        if info.file_size > RATIO_FLOOR_BYTES and info.file_size > MAX_RATIO * max(
            info.compress_size, 1
        ):
            raise UnsafeInputError(
                where,
                f"{info.filename} is compressed {info.file_size // max(info.compress_size, 1)}:1, "
                f"over the {MAX_RATIO}:1 limit (a zip bomb)",
                "a workbook saved by a spreadsheet program",
            )
    if total > MAX_TOTAL_BYTES:
        raise UnsafeInputError(
            where,
            f"would inflate to {total // MiB} MiB in all, over the {MAX_TOTAL_BYTES // MiB} MiB "
            "limit",
            "a smaller workbook, or CSV input",
        )
    workbook = _small_xml(path, archive, "xl/workbook.xml")
    rels_name = "xl/_rels/workbook.xml.rels"
    targets: dict[str, tuple[str, str]] = {}
    if rels_name in infos:
        for rel in _small_xml(path, archive, rels_name).iter(f"{_NS_PKG}Relationship"):
            target = rel.get("Target", "")
            part = (
                target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
            )
            targets[rel.get("Id", "")] = (_normalise(part), rel.get("Type", ""))
    sheets = []
    for sheet in workbook.iter(f"{_NS_MAIN}sheet"):
        rel_id = sheet.get(f"{_NS_REL}id", "")
        part, _ = targets.get(rel_id, ("", ""))
        sheets.append(SheetEntry(sheet.get("name", ""), part, sheet.get("state", "visible")))
    shared = next(
        (part for part, kind in targets.values() if kind.endswith("/sharedStrings")), None
    )
    for part in ("xl/styles.xml", *((shared,) if shared else ())):
        if part in infos:
            _check_part(path, archive, part)
    return Package(path, archive, sheets)


def _normalise(part: str) -> str:
    parts: list[str] = []
    for piece in part.split("/"):
        if piece == "..":
            if parts:
                parts.pop()
        elif piece and piece != ".":
            parts.append(piece)
    return "/".join(parts)


def _small_xml(path: Path, archive: zipfile.ZipFile, name: str):  # type: ignore[no-untyped-def]
    try:
        data = archive.read(name)
        return ElementTree.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise UnsafeInputError(
            f"{path}: {name}",
            "declares a DTD or XML entities (an entity-expansion attack?)",
            "a workbook saved by a spreadsheet program",
        ) from exc
    except (ElementTree.ParseError, zipfile.BadZipFile, ValueError, OSError) as exc:
        raise InputError(f"{path}: {name}", f"is damaged ({exc})", "a valid .xlsx") from exc


def _stream(path: Path, archive: zipfile.ZipFile, name: str):  # type: ignore[no-untyped-def]
    """Yield a part's bytes in chunks; refuse DTDs; zipfile checks size and CRC at the end."""
    first = True
    try:
        with archive.open(name) as handle:
            while chunk := handle.read(CHUNK):
                if first:
                    head = chunk[:4096]
                    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                        raise UnsafeInputError(
                            f"{path}: {name}",
                            "declares a DTD or XML entities (an entity-expansion attack?)",
                            "a workbook saved by a spreadsheet program",
                        )
                    first = False
                yield chunk
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise InputError(f"{path}: {name}", f"is damaged ({exc})", "a valid .xlsx") from exc


def _check_part(path: Path, archive: zipfile.ZipFile, name: str) -> None:
    declared = None
    strings = 0
    tail = b""
    for chunk in _stream(path, archive, name):
        data = tail + chunk
        if declared is None:
            match = _UNIQUE.search(data[:4096])
            declared = int(match.group(1)) if match else -1
        cut = max(data.rfind(b">"), 0)
        strings += len(_SI.findall(data, 0, cut + 1))
        tail = data[cut + 1 :]
    if declared is not None and declared > strings + 16:
        raise UnsafeInputError(
            f"{path}: {name}",
            f"declares {declared:,} shared strings but holds {strings:,}",
            "a workbook saved by a spreadsheet program",
        )


def scan_sheet(package: Package, entry: SheetEntry) -> SheetScan:
    """Scan one worksheet part; refuse extents that would exhaust memory."""
    path, archive = package.path, package.zip
    if entry.part not in archive.NameToInfo:
        raise InputError(
            f"{path}: sheet '{entry.name}'", "has no worksheet part in the archive", "a valid .xlsx"
        )
    scan = SheetScan(entry.part)
    scanner: _Scanner | None = None
    tail = b""
    for chunk in _stream(path, archive, entry.part):
        data = tail + chunk
        if scanner is None:
            root = re.search(rb"<(\w+:)?worksheet\b", data[:65536])
            scanner = _Scanner(scan, root.group(1) or b"" if root else b"")
        cut = data.rfind(b"</" + scanner.prefix + b"row>")
        if cut < 0:
            if len(data) > MAX_ROW_BYTES:
                raise UnsafeInputError(
                    f"{path}: sheet '{entry.name}'",
                    f"has a single row of more than {MAX_ROW_BYTES // MiB} MiB",
                    "ordinary rows",
                )
            tail = data
            continue
        end = cut + len(scanner.prefix) + 6
        scanner.feed(data[:end])
        tail = data[end:]
    if tail and scanner is not None:
        scanner.feed(tail)
    _check_extent(path, entry, scan)
    return scan


class _Scanner:
    """Byte-level passes over complete rows; the slow exact pass only for unusual files."""

    def __init__(self, scan: SheetScan, prefix: bytes) -> None:
        self.scan = scan
        self.prefix = prefix
        p = re.escape(prefix)
        self.row_r = re.compile(rb"<" + p + rb"row\b[^>]*?\sr=\"(\d+)\"")
        self.hidden = re.compile(rb"<" + p + rb"row\b([^>]*?)\shidden=\"(?:1|true)\"([^>]*)>")
        self.bare_cell = re.compile(rb"<" + p + rb"c[>/]")
        self.formula = re.compile(rb"<" + p + rb"f[\s>/]")
        self.cell_open = b"<" + prefix + b"c "
        self.cell_with_r = b"<" + prefix + b'c r="'
        self.exact = False

    def feed(self, data: bytes) -> None:
        scan = self.scan
        rows = self.row_r.findall(data)
        present = data.count(b"<" + self.prefix + b"row ") + data.count(
            b"<" + self.prefix + b"row>"
        )
        scan.rows_present += present
        if rows:
            scan.max_row = max(scan.max_row, max(map(int, rows)))
        cells = data.count(self.cell_open)
        scan.cells += cells
        digits = len(str(max(scan.max_row, 1))) + 1
        if (
            self.exact
            or len(rows) != present
            or cells != data.count(self.cell_with_r)
            or self.bare_cell.search(data)
            or re.search(rb' r="[A-Z]{3}', data)
            or re.search(rb' r="[A-Z]{1,2}\d{%d}' % digits, data)
        ):
            self.exact = True
            _exact_positions(scan, data, self.prefix)
        elif b' r="' in data:
            _columns(scan, data)
        if b"hidden=" in data:
            for match in self.hidden.finditer(data):
                r = re.search(rb"\br=\"(\d+)\"", b" " + match.group(1) + b" " + match.group(2))
                if r:
                    scan.hidden_rows.add(int(r.group(1)))
        if b"<" + self.prefix + b"f" in data:
            _formulas(scan, data, self.formula, self.prefix)
        if b't="e"' in data:
            _errors(scan, data, self.prefix)


def _columns(scan: SheetScan, data: bytes) -> None:
    """Widest column used. Two-letter names are read exactly; one-letter ones bound it at Z."""
    if re.search(rb' r="[A-Z]{2}\d', data):
        found = set(re.findall(rb' r="([A-Z]{2})\d', data))
        scan.max_col = max(scan.max_col, max(column_number(f.decode()) for f in found))
        scan.columns_exact = True
    else:
        scan.max_col = max(scan.max_col, 26)


def _exact_positions(scan: SheetScan, data: bytes, prefix: bytes) -> None:
    """Slow path for unusual files (cells without references, far references): every cell."""
    row, col = 0, 0
    scan.columns_exact = True
    p = re.escape(prefix)
    for match in re.finditer(rb"<" + p + rb"(row|c)(?=[\s>/])([^>]*)>", data):
        kind, attrs = match.group(1), match.group(2)
        if kind == b"row":
            r = re.search(rb"\sr=\"(\d+)\"", b" " + attrs)
            row = int(r.group(1)) if r else row + 1
            col = 0
            scan.max_row = max(scan.max_row, row)
            continue
        ref = _ATTR_R.search(b" " + attrs)
        if ref:
            col = column_number(ref.group(1).decode())
            cell_row = int(ref.group(2))
        else:
            col, cell_row = col + 1, row
        if scan.far_ref is None and (col > 16_384 or cell_row > 1_048_576):
            scan.far_ref = f"{column_letters(col)}{cell_row}"
        scan.max_row = max(scan.max_row, cell_row)
        scan.max_col = max(scan.max_col, col)


def _check_extent(path: Path, entry: SheetEntry, scan: SheetScan) -> None:
    grid = scan.max_row * max(scan.max_col, 1)
    where = f"{path}: sheet '{entry.name}'"
    size = f"{scan.max_row:,} rows x {scan.max_col:,} columns"
    if scan.max_row > 1_048_576 or scan.max_col > 16_384:
        raise UnsafeInputError(
            where, f"uses a cell beyond Excel's grid ({size})", "cells within A1:XFD1048576"
        )
    if grid > MAX_GRID_CELLS:
        raise UnsafeInputError(
            where,
            f"spans {size} = {grid:,} cells, over the {MAX_GRID_CELLS:,}-cell limit",
            "a sheet that ends where its data ends (delete stray cells far below or to the right)",
        )
    sparse_rows = scan.max_row > SPARSE_ROWS and scan.rows_present * SPARSE_FACTOR < scan.max_row
    sparse_cells = (
        scan.columns_exact and grid > SPARSE_GRID_CELLS and scan.cells * SPARSE_FACTOR < grid
    )
    if sparse_rows or sparse_cells:
        raise UnsafeInputError(
            where,
            f"spans {size} but holds only {scan.cells:,} cells (a stray or hostile cell far "
            "from the data)",
            "a sheet that ends where its data ends (delete stray cells far below or to the right)",
        )


def _cell_ref(data: bytes, start: int) -> tuple[int, int] | None:
    tag_end = data.find(b">", start)
    ref = _ATTR_R.search(data, start, tag_end + 1)
    if not ref:
        return None
    return int(ref.group(2)), column_number(ref.group(1).decode())


def _formulas(scan: SheetScan, data: bytes, formula: re.Pattern[bytes], prefix: bytes) -> None:
    opener = b"<" + prefix + b"c "
    for match in formula.finditer(data):
        start = data.rfind(opener, 0, match.start())
        end = data.find(b"</", match.end())
        close = data.find(b"c>", end)
        cell = data[start:close]
        if _VALUE.search(cell) or _EMPTY_VALUE.search(cell):
            continue
        if b"<is>" in cell:
            continue
        ref = _cell_ref(data, start)
        if ref:
            scan.no_cached_value.add(ref)


def _errors(scan: SheetScan, data: bytes, prefix: bytes) -> None:
    opener = b"<" + prefix + b"c "
    for match in re.finditer(rb't="e"', data):
        start = data.rfind(opener, 0, match.start())
        ref = _cell_ref(data, start)
        if not ref:
            continue
        close = data.find(b"c>", match.end())
        value = _VALUE.search(data, match.end(), close)
        scan.errors[ref] = value.group(1).decode("utf-8", "replace") if value else "#ERROR"
