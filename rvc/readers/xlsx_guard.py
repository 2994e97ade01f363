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
- formula cells without a cached value, error cells and hidden rows, by cell reference;
- cells formatted as percentages (from ``styles.xml``), which calamine does not report.

A sheet is read by a fast byte scan when it is spelled as spreadsheet programs write it, and
otherwise (any other quoting, spaces around ``=``, namespace prefixes, cells or rows without
``r``, another attribute order, UTF-16) by expat, positioning cells as python-calamine does.
Duplicate cells cost nothing here: the reader compares the number of values calamine returns
with the number of cells that hold something, and only then asks `find_duplicate` where.
"""

from __future__ import annotations

import functools
import os
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, NoReturn
from xml.parsers import expat

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from rvc.errors import InputError, UnsafeInputError
from rvc.readers import files
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
_ANY_UNIQUE = re.compile(rb"uniqueCount\s*=\s*[\"']\s*\+?([0-9]{1,30})")
_SI = re.compile(rb"<(?:\w+:)?si[\s>/]")


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
    percent_cells: set[tuple[int, int]] = field(default_factory=set)
    valued_cells: int = 0
    farthest: str | None = None  # the cell that set the extent, when one cell did


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
    percent_styles: frozenset[int] = frozenset()

    def close(self) -> None:
        """Release the zip file and the file under it."""
        handle = self.zip.fp
        self.zip.close()
        if handle is not None:
            handle.close()


def open_package(path: Path) -> Package:
    """Check the container (magic, zip, sizes, ratios, workbook parts) before parsing."""
    where = str(path)
    if isinstance(path, Path):
        handle: Any = files.open_regular(path, MAX_FILE_BYTES, "an .xlsx workbook")
    else:  # a MemoryFile (rvc.readers.source): bytes already in memory, no file to check
        if path.stat().st_size > MAX_FILE_BYTES:
            raise UnsafeInputError(
                where,
                f"is {path.stat().st_size // MiB} MiB, over the {MAX_FILE_BYTES // MiB} MiB limit",
                "a smaller workbook, or CSV input",
            )
        handle = path.open("rb")
    try:
        size = os.fstat(handle.fileno()).st_size if isinstance(path, Path) else path.stat().st_size
        head = handle.read(8)
        handle.seek(0)
    except OSError as exc:
        handle.close()
        raise InputError(
            where, f"cannot be read ({exc.strerror or exc})", "a readable file"
        ) from exc
    try:
        if size == 0:
            raise InputError(
                where, "is empty (0 bytes)", "an .xlsx workbook or a folder of .csv files"
            )
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
        try:
            archive = zipfile.ZipFile(handle)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            raise InputError(
                where,
                f"is a damaged zip archive ({exc})",
                "an .xlsx saved by a spreadsheet program",
            ) from exc
    except BaseException:
        handle.close()
        raise
    try:
        return _check_package(path, archive)
    except BaseException:
        archive.close()
        handle.close()
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
    _check_names(where, archive, infos)
    _check_sizes(where, infos)
    workbook = _small_xml(path, archive, "xl/workbook.xml")
    targets = _relationships(path, archive, infos)
    sheets = []
    for sheet in workbook.iter(f"{_NS_MAIN}sheet"):
        rel_id = sheet.get(f"{_NS_REL}id", "")
        part, _ = targets.get(rel_id, ("", ""))
        sheets.append(SheetEntry(sheet.get("name", ""), part, sheet.get("state", "visible")))
    shared = next(
        (part for part, kind in targets.values() if kind.endswith("/sharedStrings")), None
    )
    # python-calamine reads xl/sharedStrings.xml whatever the relationships say: both checked
    for part in dict.fromkeys(("xl/styles.xml", SHARED_STRINGS, *((shared,) if shared else ()))):
        if part in infos:
            _check_part(path, archive, part)
    return Package(path, archive, sheets, _percent_styles(path, archive))


SHARED_STRINGS = "xl/sharedStrings.xml"


def _check_names(where: str, archive: zipfile.ZipFile, infos: dict[str, zipfile.ZipInfo]) -> None:
    """Entry names a parser could read otherwise than the guard: two entries of one name
    (zipfile and python-calamine take the last, Excel calls the file corrupt), and names with
    '.' or '..' segments, a backslash or a leading '/' (the guard resolves a relationship's
    target, python-calamine looks it up as written: such a name could point it at a part the
    guard never checked)."""
    if len(infos) != len(archive.infolist()):
        seen: set[str] = set()
        for info in archive.infolist():
            if info.filename in seen:
                raise InputError(
                    f"{where}: {_part(info.filename)}",
                    "is in the archive twice (a program could read either one)",
                    "an .xlsx saved by a spreadsheet program (each part once)",
                )
            seen.add(info.filename)
    for name in infos:
        pieces = name.split("/")
        if "\\" in name or name.startswith("/") or any(p in (".", "..") for p in pieces):
            raise UnsafeInputError(
                f"{where}: {_part(name)}",
                "is a part name with '.' or '..' segments, a backslash or a leading '/'",
                "an .xlsx saved by a spreadsheet program",
            )


def _check_sizes(where: str, infos: dict[str, zipfile.ZipInfo]) -> None:
    """Encrypted parts, and sizes and compression ratios against the zip-bomb limits."""
    total = 0
    for info in infos.values():
        if info.flag_bits & 0x1:
            raise InputError(where, f"{info.filename} is encrypted", "an unprotected .xlsx")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise InputError(
                f"{where}: {_part(info.filename)}",
                f"uses compression method {info.compress_type}, which spreadsheet programs do "
                "not write",
                "an .xlsx saved by a spreadsheet program (stored or deflated parts)",
            )
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


def _relationships(
    path: Path, archive: zipfile.ZipFile, infos: dict[str, zipfile.ZipInfo]
) -> dict[str, tuple[str, str]]:
    """The workbook's relationships: id -> (part, type)."""
    rels_name = "xl/_rels/workbook.xml.rels"
    targets: dict[str, tuple[str, str]] = {}
    if rels_name in infos:
        for rel in _small_xml(path, archive, rels_name).iter(f"{_NS_PKG}Relationship"):
            target = rel.get("Target", "")
            part = (
                target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
            )
            targets[rel.get("Id", "")] = (_normalise(part), rel.get("Type", ""))
    return targets


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


def _stream(path: Path, archive: zipfile.ZipFile, name: str, prolog: _Prolog | None = None):  # type: ignore[no-untyped-def]
    """Yield a part's bytes in chunks; refuse DTDs; zipfile checks size and CRC at the end.
    `prolog`: the reader of the part's prolog to use (its root attributes are then known)."""
    prolog = prolog or _Prolog(f"{path}: {name}")
    try:
        with archive.open(name) as handle:
            while chunk := handle.read(CHUNK):
                if prolog is not None and prolog.feed(chunk):
                    prolog = None  # the root element reached: no DTD can follow
                yield chunk
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise InputError(f"{path}: {name}", f"is damaged ({exc})", "a valid .xlsx") from exc


class _Root(Exception):
    """The root element's start tag was read: the prolog is over."""


class _Prolog:
    """A part's XML prolog, read by expat up to the root element's start tag, however long
    (comments, processing instructions, any encoding): a DTD or an entity declared anywhere
    in it is refused; the root's attributes are kept, in whatever quoting and spacing."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.root: dict[str, str] | None = None
        self.parser = expat.ParserCreate()
        self.parser.StartDoctypeDeclHandler = _no_dtd
        self.parser.EntityDeclHandler = _no_dtd
        self.parser.StartElementHandler = self._start
        self.parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def _start(self, _tag: str, attrs: dict[str, str]) -> None:
        self.root = attrs
        raise _Root

    def feed(self, chunk: bytes) -> bool:
        """Read on in the prolog; True once the root element has been reached (or the XML
        is damaged before it, which the part's own reader reports)."""
        try:
            self.parser.Parse(chunk, False)
        except _Root:
            return True
        except _Dtd:
            raise UnsafeInputError(
                self.where,
                "declares a DTD or XML entities (an entity-expansion attack?)",
                "a workbook saved by a spreadsheet program",
            ) from None
        except expat.ExpatError:
            return True
        return False


def _check_part(path: Path, archive: zipfile.ZipFile, name: str) -> None:
    """Refuse a part declaring far more string items than it holds (python-calamine reserves
    memory for the declared count and aborts the process when it is absurd)."""
    declared = None
    strings = 0
    tail = b""
    prolog = _Prolog(f"{path}: {name}")
    head = b""
    for chunk in _stream(path, archive, name, prolog):
        data = tail + chunk
        head = head or data[:65536]
        if declared is None and prolog.root is not None:
            declared = _declared_count(prolog.root.get("uniqueCount"))
        cut = max(data.rfind(b">"), 0)
        held = data.count(b"<si>", 0, cut + 1) + data.count(b"<si ", 0, cut + 1)
        # prefixed or otherwise spelled string items are counted by the slower pattern
        strings += held if held or b"si" not in data else len(_SI.findall(data, 0, cut + 1))
        tail = data[cut + 1 :]
    if declared is None:  # a prolog expat cannot read: any spelling of the count, at the top
        found = _ANY_UNIQUE.search(head)
        declared = int(found.group(1)) if found else -1
    if declared > strings + 16:
        raise UnsafeInputError(
            f"{path}: {name}",
            f"declares {declared:,} shared strings but holds {strings:,}",
            "a workbook saved by a spreadsheet program",
        )


def _declared_count(text: str | None) -> int:
    """A uniqueCount as a number (-1: none, or not one, which python-calamine refuses too)."""
    try:
        return int(text.strip()) if text is not None else -1
    except ValueError:
        return -1


def scan_sheet(package: Package, entry: SheetEntry) -> SheetScan:
    """Scan one worksheet part; refuse extents that would exhaust memory.

    The fast byte scan reads the canonical spelling spreadsheet programs write; at the first
    thing it does not read exactly (another quoting, spaces around ``=``, a namespace prefix,
    a cell without ``r``, an unusual attribute order, UTF-16) the XML parser reads the whole
    sheet instead, positioning cells as python-calamine does.
    """
    path, archive = package.path, package.zip
    if entry.part not in archive.NameToInfo:
        raise InputError(
            f"{path}: sheet '{entry.name}'", "has no worksheet part in the archive", "a valid .xlsx"
        )
    try:
        scan = _fast_scan(package, entry)
    except _Unusual:
        scan = _exact_scan(package, entry)
    except _BadIndex as bad:
        _refuse_index(path, entry, bad.reference, bad.value)
    _check_extent(path, entry, scan)
    return scan


def find_duplicate(package: Package, entry: SheetEntry, scan: SheetScan) -> None:
    """Refuse the first cell written twice (calamine keeps the last one silently).

    Called when the parsed grid holds fewer values than the sheet has cells with content, which
    duplicates cause (and so do cells whose content is empty, which this pass then clears).
    """
    _exact_scan(package, entry, grid=(scan.max_row, max(scan.max_col, 1)))


class _Unusual(Exception):
    """The fast scan met a spelling it does not read exactly: the XML parser takes over."""


_ROW_REF = re.compile(rb'<row r="([1-9][0-9]{0,6})"')
_ROW_ODD = re.compile(rb'<row(?=[\s>/])(?! r="[1-9][0-9]{0,6}"(?:(?! hidden=)[^>])*>)')
_ROW_KNOWN = re.compile(rb'<row r="([1-9][0-9]{0,6})"([^>]*)>')
_HIDDEN = re.compile(rb' hidden="(?:1|true)"')
_PREFIXED = re.compile(rb":(?:c|f|v|is|row|sheetData)[\s>/]")
_CELL_KNOWN = re.compile(
    rb'<c r="([A-Z]{1,3})([1-9][0-9]{0,6})"(?: s="([0-9]{1,9})")?(?: t="([A-Za-z]{1,9})")?'
    rb'(?: (?:cm|vm|ph)="[0-9]{1,9}")* ?/?>'
)
_FORMULA = re.compile(rb"<f[\s>/]")
_SAVED = re.compile(rb"<v>[^<]")
_ENCODING = re.compile(rb'encoding=["\']([A-Za-z0-9_.\-]+)["\']')
_PLAIN_TYPES = b"(?:n|b|str|inlineStr|d)"  # and s, with its index


def _upto(limit: int) -> bytes:
    """A pattern for the numbers 1..limit written without leading zeros.

    Examples:
        >>> import re
        >>> p = re.compile(_upto(1048576) + b"$")
        >>> [bool(p.match(b'%d"' % n)) for n in (1, 999999, 1048576, 1048577, 2000000)]
        [True, True, True, False, False]
    """
    digits = str(limit)
    size = len(digits)
    options = []
    if size > 1:
        options.append(b"[1-9][0-9]{0,%d}" % (size - 2))
    for i, digit in enumerate(digits):
        low, high = (1 if i == 0 else 0), int(digit) - 1
        if high >= low:
            rest = size - i - 1
            options.append(
                digits[:i].encode()
                + b"[%d-%d]" % (low, high)
                + (b"[0-9]{%d}" % rest if rest else b"")
            )
    options.append(digits.encode())
    return b"(?>" + b"|".join(option + b'"' for option in options) + b")"


def _upto_letters(limit: int) -> bytes:
    """A pattern for the column names A..column_letters(limit).

    Examples:
        >>> import re
        >>> p = re.compile(_upto_letters(28) + b"$")
        >>> [bool(p.match(c)) for c in (b"A", b"Z", b"AA", b"AB", b"AC", b"BA", b"AAA")]
        [True, True, True, True, False, False, False]
    """
    letters = column_letters(limit)
    size = len(letters)
    options = []
    if size > 1:
        options.append(b"[A-Z]{1,%d}" % (size - 1))
    for i, letter in enumerate(letters):
        if letter > "A":
            rest = size - i - 1
            options.append(
                letters[:i].encode()
                + b"[A-%s]" % chr(ord(letter) - 1).encode()
                + (b"[A-Z]{%d}" % rest if rest else b"")
            )
    options.append(letters.encode())
    return b"(?:" + b"|".join(options) + b")"


@functools.lru_cache(maxsize=64)
def _plain_cell(max_col: int, max_row: int, percent: frozenset[int]) -> re.Pattern[bytes]:
    """A cell start tag the fast scan may pass over: canonical spelling and attribute order,
    within the known extent, not an error and not percent-formatted. Anything else matches."""
    style = b'[0-9]{1,9}"'
    if percent:
        style = b"(?!(?:" + b"|".join(b"%d" % n for n in sorted(percent)) + b')")' + style
    attributes = b'(?: (?:cm|vm|ph)="[0-9]{1,9}")*'
    plain = (
        b' r="' + _upto_letters(max_col) + _upto(max_row) + b""
        b'(?: s="' + style + b")?"
        b'(?: t="s"' + attributes + b" ?(?:/>|>" + _INDEX + b")"  # a shared string: its index
        b'| t="' + _PLAIN_TYPES + b'"' + attributes + b" ?/?>"
        b"|" + attributes + b" ?/?>)"
    )
    return re.compile(b"<c(?=[\\s>/])(?!" + plain + b")")


_INDEX = rb"\s*(?:<v>[0-9]{1,18}</v>|</c>)"
"""What follows a shared-string cell's start tag: its index, or nothing (an empty cell).
python-calamine reads a value that is not a number it can hold as shared string 0, silently
(an index past the last string it refuses itself); blanks between the tags are read alike."""
_INDEX_AFTER = re.compile(_INDEX)


class _BadIndex(Exception):
    def __init__(self, reference: str, value: str) -> None:
        self.reference, self.value = reference, value


def _refuse_index(path: Path, entry: SheetEntry, reference: str, value: str) -> NoReturn:
    raise InputError(
        f"{path}: {entry.name}!{reference}",
        f"is a shared-string cell whose value {_shown(value)} is not a string index (a "
        "parser would read it as the workbook's first string)",
        "a workbook saved by a spreadsheet program",
    )


MAX_WIDENINGS = 32
"""Cells wider than the bound so far, per chunk, before the exact scan takes over (each one
compiles a new pattern: a row of 16,384 ever wider cells would compile 16,384)."""


def _fast_scan(package: Package, entry: SheetEntry) -> SheetScan:
    path = package.path
    scan = SheetScan(entry.part)
    tail = b""
    first = True
    max_col = 26
    for chunk in _stream(path, package.zip, entry.part):
        data = tail + chunk
        if first:
            first = False
            if b"\0" in data[:4096]:
                raise _Unusual  # UTF-16 or UTF-32: the XML parser decodes it
            declared = _ENCODING.search(data, 0, data.find(b"?>", 0, 512) + 1)
            if declared and declared.group(1).lower() not in (b"utf-8", b"utf8"):
                raise _Unusual
        cut = data.rfind(b"</row>")
        if cut < 0:
            if _PREFIXED.search(data):
                raise _Unusual
            if len(data) > MAX_ROW_BYTES:
                raise UnsafeInputError(
                    f"{path}: sheet '{entry.name}'",
                    f"has a single row of more than {MAX_ROW_BYTES // MiB} MiB",
                    "ordinary rows",
                )
            tail = data
            continue
        end = cut + 6
        max_col = _fast_feed(scan, data[:end], package.percent_styles, max_col)
        tail = data[end:]
    if tail:
        max_col = _fast_feed(scan, tail, package.percent_styles, max_col)
    scan.max_col = max(scan.max_col, max_col if scan.cells else 0)
    return scan


def _fast_feed(scan: SheetScan, data: bytes, percent: frozenset[int], max_col: int) -> int:
    """Scan complete rows; return the column bound reached (26 until a wider cell is seen)."""
    if b"\0" in data or _PREFIXED.search(data):
        raise _Unusual
    scan.rows_present += data.count(b"<row ")
    last = _ROW_REF.match(data, max(data.rfind(b"<row "), 0))
    bound = int(last.group(1)) if last else 1
    scan.max_row = max(scan.max_row, bound)
    _fast_rows(scan, data)
    valued = data.count(b"</c>")
    scan.cells += valued
    scan.valued_cells += valued
    pattern = _plain_cell(max_col, bound, percent)
    position = widenings = 0
    while (odd := pattern.search(data, position)) is not None:
        position = odd.end()
        cell = _CELL_KNOWN.match(data, odd.start())
        if cell is None:
            raise _Unusual
        wider = _fast_cell(scan, data, cell, max_col, percent)
        if wider > max_col:
            widenings += 1
            if widenings > MAX_WIDENINGS:
                raise _Unusual
            max_col = wider
            pattern = _plain_cell(max_col, bound, percent)
    if b"<f" in data:
        _fast_formulas(scan, data)
    return max_col


def _fast_rows(scan: SheetScan, data: bytes) -> None:
    """The rows the fast scan cannot pass over: hidden, or spelled otherwise (then the XML
    parser reads the sheet: a row without r changes where its cells go)."""
    position = 0
    while (odd := _ROW_ODD.search(data, position)) is not None:
        position = odd.end()
        known = _ROW_KNOWN.match(data, odd.start())
        if known is None:
            raise _Unusual  # a row without r, or spelled otherwise: cells may depend on it
        number = int(known.group(1))
        scan.max_row = max(scan.max_row, number)
        if _HIDDEN.search(known.group(2)):
            scan.hidden_rows.add(number)


def _fast_cell(
    scan: SheetScan, data: bytes, cell: re.Match[bytes], max_col: int, percent: frozenset[int]
) -> int:
    """One cell the plain pattern stopped at (beyond the extent so far, percent-formatted or
    an error); return its column when it widens the sheet, else `max_col`."""
    letters, digits, style, kind = cell.groups()
    row, col = int(digits), column_number(letters.decode())
    if col > 16_384 or row > 1_048_576:
        _far(scan, row, col)
    if row > scan.max_row:
        scan.max_row = row
        scan.farthest = f"{letters.decode()}{row}"
    if col > max_col:
        scan.columns_exact = True
        scan.farthest = f"{letters.decode()}{row}"
    if style is not None and int(style) in percent:
        scan.percent_cells.add((row, col))
    closed = data.endswith(b"/>", 0, cell.end())
    if kind == b"s" and not closed and _INDEX_AFTER.match(data, cell.end()) is None:
        raise _BadIndex(f"{letters.decode()}{row}", _cell_value(data, cell.end()) or "")
    if kind == b"e":
        scan.errors[(row, col)] = (_cell_value(data, cell.end()) or "#ERROR")[:32]
    return max(col, max_col)


def _cell_value(data: bytes, start: int) -> str | None:
    """The text of the value element of the cell whose start tag ends at `start`."""
    close = data.find(b"</c>", start)
    value = _VALUE.search(data, start, close if close >= 0 else len(data))
    return value.group(1).decode("utf-8", "replace") if value else None


def _fast_formulas(scan: SheetScan, data: bytes) -> None:
    """A formula cell has a saved result when a value element with text follows its last
    formula element (or an inline string does, or, for a string formula ``t="str"``, an empty
    value: a saved empty string). ``<v/>``, as programs that never calculate write, is none."""
    for match in _FORMULA.finditer(data):
        start = data.rfind(b"<c ", 0, match.start())
        close = data.find(b"</c>", match.end())
        if close < 0:
            close = len(data)
        after = data[match.end() : close]
        if _FORMULA.search(after):
            continue  # the later formula element decides
        if _SAVED.search(after) or b"<is>" in after:
            continue
        cell = _CELL_KNOWN.match(data, start)
        if cell is None:
            raise _Unusual
        if cell.group(4) == b"str" and (b"<v>" in after or b"<v/>" in after or b"<v />" in after):
            continue
        scan.no_cached_value.add((int(cell.group(2)), column_number(cell.group(1).decode())))


def _far(scan: SheetScan, row: int, col: int) -> None:
    if scan.far_ref is None:
        scan.far_ref = f"{column_letters(col) if col <= 1_000_000 else 'column ' + str(col)}{row}"


_REF = re.compile(r"([A-Za-z]{1,3})([0-9]{1,7})")
_ROW_NUMBER = re.compile(r"[0-9]{1,7}")
_DIGITS = re.compile(r"[0-9]{1,18}")


class _Exact:
    """Reads a sheet with expat (no DTD, no entities) and positions cells as python-calamine
    does: by a cell's ``r``, else the column after the previous cell of the row; a row by its
    ``r``, else the one after the previous row; element names by their local part, whatever
    the prefix or namespace; only cells inside ``sheetData``."""

    def __init__(
        self,
        scan: SheetScan,
        where: str,
        name: str,
        percent: frozenset[int],
        grid: tuple[int, int] | None,
    ) -> None:
        self.scan = scan
        self.where = where
        self.name = name
        self.percent = percent
        self.in_data = False
        self.done = False
        self.row = 0  # 0-based, as calamine counts
        self.col = 0
        self.cell: tuple[int, int] | None = None
        self.kind: str | None = None
        self.children: list[str] = []
        self.depth = 0
        self.text: list[str] | None = None
        self.last = (0, 0)
        self.grid = grid
        self.seen = bytearray((grid[0] * grid[1] + 7) // 8) if grid else None

    def located(self, row: int, col: int) -> str:
        return f"{self.where}: {self.name}!{column_letters(col)}{row}"

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        local = tag.rpartition(":")[2]
        if self.done:
            return
        if not self.in_data:
            if local == "sheetData":
                self.in_data = True
            return
        if self.cell is not None:
            self.depth += 1
            if self.depth == 1 and local in ("v", "f", "is"):
                self.children.append(local)
                if local == "v":
                    self.text = []
            return
        if local == "row":
            self._start_row(attrs)
        elif local == "c":
            self._start_cell(attrs)

    def _start_row(self, attrs: dict[str, str]) -> None:
        if "r" in attrs:
            self.row = self._row_number(attrs["r"]) - 1
        self.scan.rows_present += 1
        self.scan.max_row = max(self.scan.max_row, self.row + 1)
        if attrs.get("hidden") in ("1", "true"):
            self.scan.hidden_rows.add(self.row + 1)

    def _start_cell(self, attrs: dict[str, str]) -> None:
        if "r" in attrs:
            row, col = self._reference(attrs["r"])
            self.col = col - 1
        else:
            row, col = self.row + 1, self.col + 1
        self.cell = (row, col)
        self.kind = attrs.get("t")
        self.children = []
        self.depth = 0
        style = attrs.get("s")
        scan = self.scan
        if row > 1_048_576 or col > 16_384:
            _far(scan, row, col)
            raise _Refused(self.located(row, col), row, col)
        if row > scan.max_row or col > scan.max_col:
            scan.farthest = f"{column_letters(col)}{row}"
            scan.max_row = max(scan.max_row, row)
            scan.max_col = max(scan.max_col, col)
        if style is not None and style.isdigit() and int(style) in self.percent:
            scan.percent_cells.add((row, col))
        self._order(row, col)

    def end(self, tag: str) -> None:
        if self.done or not self.in_data:
            return
        local = tag.rpartition(":")[2]
        if self.cell is not None:
            if self.depth:
                self.depth -= 1
                if self.depth == 0 and self.text is not None:
                    self._value_read("".join(self.text))
                return
            if local != "c":
                return
            self._finish_cell()
            return
        if local == "row":
            self.row += 1
            self.col = 0
        elif local == "sheetData":
            self.done = True

    def data(self, text: str) -> None:
        if self.text is not None and len(self.text) < 4:
            self.text.append(text[:64])

    def _finish_cell(self) -> None:
        assert self.cell is not None
        cell, children, scan = self.cell, self.children, self.scan
        if self.kind == "e":
            scan.errors.setdefault(cell, "#ERROR")
        if "f" in children:
            last_formula = len(children) - 1 - children[::-1].index("f")
            if not any(c in ("v", "is") for c in children[last_formula + 1 :]):
                scan.no_cached_value.add(cell)
        if children:
            scan.valued_cells += 1
            scan.cells += 1
        self.cell = None
        self.col += 1

    def _value_read(self, text: str) -> None:
        """A cell's value element ended: an error's text, a shared-string index checked, an
        empty value noted (no saved result)."""
        assert self.cell is not None
        if self.kind == "e":
            self.scan.errors[self.cell] = text.strip()[:32] or "#ERROR"
        if self.kind == "s":
            self._check_index(text)
        if not text and self.kind != "str":
            self.children[-1] = "v/"  # an empty value element: no saved result
        self.text = None

    def _check_index(self, text: str) -> None:
        """A shared-string cell's value is an index (see `_INDEX`)."""
        if not _DIGITS.fullmatch(text):
            assert self.cell is not None
            row, col = self.cell
            raise _BadIndex(f"{column_letters(col)}{row}", text)

    def _order(self, row: int, col: int) -> None:
        if self.seen is not None:
            rows, cols = self.grid  # type: ignore[misc]
            if row <= rows and col <= cols:
                index = (row - 1) * cols + (col - 1)
                byte, bit = divmod(index, 8)
                if self.seen[byte] >> bit & 1:
                    raise _Duplicate(self.located(row, col))
                self.seen[byte] |= 1 << bit
            return
        if (row, col) == self.last:
            raise _Duplicate(self.located(row, col))
        self.last = (row, col)

    def _row_number(self, text: str) -> int:
        if not _ROW_NUMBER.fullmatch(text) or text.startswith("0"):
            raise InputError(
                f"{self.where}: sheet '{self.name}'",
                f"has a row numbered {_shown(text)}",
                "row numbers from 1 to 1,048,576",
            )
        number = int(text)
        if number > 1_048_576:
            raise _Refused(f"{self.where}: sheet '{self.name}' row {number}", number, 1)
        return number

    def _reference(self, text: str) -> tuple[int, int]:
        match = _REF.fullmatch(text)
        if match is None or match.group(2).startswith("0"):
            raise InputError(
                f"{self.where}: sheet '{self.name}'",
                f"has a cell whose reference is {_shown(text)}",
                "cell references such as E8 (column letters, then a row from 1 to 1,048,576)",
            )
        return int(match.group(2)), column_number(match.group(1).upper())


class _Refused(Exception):
    def __init__(self, where: str, row: int, col: int) -> None:
        self.where, self.row, self.col = where, row, col


class _Duplicate(Exception):
    def __init__(self, where: str) -> None:
        self.where = where


def _shown(text: str) -> str:
    from rvc.text import snippet

    return snippet(text, 20)


def _part(name: str) -> str:
    """A part name from the archive, as shown in a message (escaped; long ones shortened)."""
    from rvc.text import escape

    return escape(name if len(name) <= 200 else name[:200] + "...")


def _no_dtd(*_: object) -> int:
    raise _Dtd


class _Dtd(Exception):
    pass


def _exact_scan(
    package: Package, entry: SheetEntry, grid: tuple[int, int] | None = None
) -> SheetScan:
    path = package.path
    scan = SheetScan(entry.part)
    scan.columns_exact = True
    reader = _Exact(scan, str(path), entry.name, package.percent_styles, grid)
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    parser.CharacterDataHandler = reader.data
    parser.StartDoctypeDeclHandler = _no_dtd
    parser.EntityDeclHandler = _no_dtd
    parser.ExternalEntityRefHandler = _no_dtd
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    where = f"{path}: sheet '{entry.name}'"
    try:
        for chunk in _stream(path, package.zip, entry.part):
            parser.Parse(chunk, False)
            if reader.done:
                break
        else:
            parser.Parse(b"", True)
    except _Dtd as exc:
        raise UnsafeInputError(
            where,
            "declares a DTD or XML entities (an entity-expansion attack?)",
            "a workbook saved by a spreadsheet program",
        ) from exc
    except _Refused as far:
        raise UnsafeInputError(
            far.where,
            f"is beyond Excel's grid (sheet '{entry.name}' uses a cell at row {far.row:,}, "
            f"column {far.col:,})",
            "cells within A1:XFD1048576",
        ) from None
    except _BadIndex as bad:
        _refuse_index(path, entry, bad.reference, bad.value)
    except _Duplicate as twice:
        raise InputError(
            twice.where,
            f"is written twice in sheet '{entry.name}' (a spreadsheet program would show only "
            "the last one)",
            "each cell once",
        ) from None
    except expat.ExpatError as exc:
        raise InputError(
            f"{where} (XML line {exc.lineno}, column {exc.offset})",
            f"is not well-formed XML ({expat.ErrorString(exc.code)})",
            "a workbook saved by a spreadsheet program",
        ) from None
    return scan


def _check_extent(path: Path, entry: SheetEntry, scan: SheetScan) -> None:
    grid = scan.max_row * max(scan.max_col, 1)
    where = (
        f"{path}: {entry.name}!{scan.farthest}"
        if scan.farthest
        else f"{path}: sheet '{entry.name}'"
    )
    size = f"sheet '{entry.name}' {scan.max_row:,} rows x {scan.max_col:,} columns"
    if scan.far_ref is not None or scan.max_row > 1_048_576 or scan.max_col > 16_384:
        at = f"{path}: {entry.name}!{scan.far_ref}" if scan.far_ref else where
        raise UnsafeInputError(
            at,
            f"is beyond Excel's grid ({size})",
            "cells within A1:XFD1048576",
        )
    if grid > MAX_GRID_CELLS:
        raise UnsafeInputError(
            where,
            f"makes {size} = {grid:,} cells, over the {MAX_GRID_CELLS:,}-cell limit",
            "a sheet that ends where its data ends (delete stray cells far below or to the right)",
        )
    sparse_rows = scan.max_row > SPARSE_ROWS and scan.rows_present * SPARSE_FACTOR < scan.max_row
    sparse_cells = (
        scan.columns_exact and grid > SPARSE_GRID_CELLS and scan.cells * SPARSE_FACTOR < grid
    )
    if sparse_rows or sparse_cells:
        raise UnsafeInputError(
            where,
            f"makes {size} but the sheet holds only {scan.cells:,} cells (a stray or hostile "
            "cell far from the data)",
            "a sheet that ends where its data ends (delete stray cells far below or to the right)",
        )


_BUILTIN_PERCENT = frozenset((9, 10))
_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.')


def percent_format(code: str) -> bool:
    """Whether a number format shows a percentage: an unquoted, unescaped ``%``.

    Examples:
        >>> percent_format("0.0%"), percent_format('0.0"%"'), percent_format("0\\\\%")
        (True, False, False)
    """
    return "%" in _QUOTED.sub("", code)


def _percent_styles(path: Path, archive: zipfile.ZipFile) -> frozenset[int]:
    """Indexes of the cell formats (``cellXfs``) whose number format is a percentage."""
    if "xl/styles.xml" not in archive.NameToInfo:
        return frozenset()
    root = _small_xml(path, archive, "xl/styles.xml")
    custom: dict[int, str] = {}
    percent: set[int] = set()
    for element in root:
        if _local(element) == "numFmts":
            for fmt in element:
                number = fmt.get("numFmtId", "")
                if _local(fmt) == "numFmt" and number.isdigit():
                    custom[int(number)] = fmt.get("formatCode", "")
        elif _local(element) == "cellXfs":
            percent.update(_percent_formats(element, custom))
    return frozenset(percent)


def _local(element: Any) -> str:
    return str(element.tag).rpartition("}")[2]


def _percent_formats(cell_xfs: Any, custom: dict[int, str]) -> Iterator[int]:
    """The indexes of the cell formats in ``cellXfs`` whose number format is a percentage
    (a custom one's code, else a built-in percentage format)."""
    for index, xf in enumerate(x for x in cell_xfs if _local(x) == "xf"):
        number = xf.get("numFmtId", "0")
        if not number.isdigit():
            continue
        fmt_id = int(number)
        code = custom.get(fmt_id)
        if (code is not None and percent_format(code)) or (
            code is None and fmt_id in _BUILTIN_PERCENT
        ):
            yield index
