"""Reads CSV input: one CSV file per sheet, named after the sheet (BOM.csv, Vehicle.csv, ...).

`rvc check exports/` reads every .csv in the folder; `rvc check exports/bom.csv` reads that
file as the BOM sheet and the other sheets from files beside it. Text is UTF-8 (with or
without a byte-order mark); a file that is not UTF-8 is read as Windows-1252, and the report
says so. The delimiter is detected among comma, semicolon, tab and pipe.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
from pathlib import Path
from typing import BinaryIO, TextIO

from rvc.errors import InputError, UnsafeInputError
from rvc.readers import files
from rvc.readers.raw import RawSheet, normalize_name

MAX_CSV_BYTES = 32 * 1024 * 1024
"""A CSV file is refused above this size before a byte is read (see README, Bad and hostile
files). A 100,000-line BOM of 11 columns is about 7-14 MB and its check peaks near 180 MiB."""
MAX_CSV_ROWS = 300_000
"""Rows (blank lines included) read from one CSV file: with the cell limit, a check stays
within about 500 MiB whatever the file holds."""
MAX_CSV_CELLS = 4_000_000
"""Cells read from one CSV file (a file of short lines stays within memory too)."""
SAMPLE_BYTES = 64 * 1024
DELIMITERS = ",;\t|"


def read_sheets(
    path: Path, wanted: dict[str, str], notes: list[str]
) -> tuple[dict[str, RawSheet], list[str]]:
    """Read the CSV files that stand for the wanted sheets; return them and the other files."""
    if path.is_dir():
        listed = sorted(p for p in path.iterdir() if p.suffix.lower() == ".csv" and p.is_file())
        named = {p: p.stem for p in listed}
    else:
        siblings = sorted(
            p for p in path.parent.iterdir() if p.suffix.lower() == ".csv" and p.is_file()
        )
        named = {p: p.stem for p in siblings if p != path and normalize_name(p.stem) != "bom"}
        named[path] = "BOM"
    sheets: dict[str, RawSheet] = {}
    chosen: dict[str, Path] = {}
    others: list[str] = []
    for file, stem in named.items():
        key = normalize_name(stem)
        if key not in wanted:
            others.append(file.name)
            continue
        if key in chosen:
            raise InputError(
                str(path),
                f"has two files that both read as '{wanted[key]}': {chosen[key].name} and "
                f"{file.name}",
                "one CSV file per sheet",
            )
        chosen[key] = file
        sheets[key] = _read(file, wanted[key], notes)
    _note_workbooks(path, notes)
    return sheets, others


def _note_workbooks(path: Path, notes: list[str]) -> None:
    """Workbooks beside the CSV files are not part of this vehicle: said, not passed over."""
    folder = path if path.is_dir() else path.parent
    try:
        workbooks = sorted(
            p.name
            for p in folder.iterdir()
            if p.suffix.lower() in (".xlsx", ".xlsm", ".xls") and not files.passed_over(p)
        )
    except OSError:
        return
    if workbooks:
        shown = ", ".join(workbooks[:3]) + (
            f" and {len(workbooks) - 3} more" if len(workbooks) > 3 else ""
        )
        notes.append(
            f"{folder}: {shown} not read: the folder's CSV files are this vehicle (check a "
            "workbook by naming it: rvc check FILE.xlsx)"
        )


def _read(file: Path, name: str, notes: list[str]) -> RawSheet:
    """Stream one CSV file into a sheet, within the size, row and cell limits."""
    where = str(file)
    with files.open_regular(file, MAX_CSV_BYTES, "a CSV text file") as handle:
        if (link := files.link_note(file)) is not None:
            notes.append(link)
        head = handle.read(SAMPLE_BYTES)
        encoding = _encoding(handle, head, file, notes)
        handle.seek(0)
        text = io.TextIOWrapper(
            handle,
            encoding=encoding,
            errors="replace" if encoding == "cp1252" else "strict",
            newline="",
        )
        sample = text.read(SAMPLE_BYTES)
        delimiter = choose_delimiter(sample)
        text.seek(0)
        rows = _rows(text, delimiter, where)
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    return RawSheet(name=name, file=where, kind="csv", rows=rows)


def _encoding(handle: BinaryIO, head: bytes, file: Path, notes: list[str]) -> str:
    """UTF-16 by its byte-order mark, else UTF-8 (checked over the whole file, in chunks), else
    Windows-1252 (noted). NUL bytes in UTF-8 text mean a binary file."""
    where = str(file)
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        bad = _first_undecodable(handle, "utf-16")
        if bad is not None:  # an odd number of bytes, or half of a surrogate pair
            raise InputError(
                where,
                f"starts as UTF-16 text (a byte-order mark) but is not valid UTF-16 at byte "
                f"{bad[0]:,} ({bad[1]})",
                "a CSV text file saved whole (save it again as 'CSV UTF-8')",
            )
        return "utf-16"
    if b"\0" in head:
        raise InputError(where, "holds binary data (NUL bytes), not CSV text", "a CSV text file")
    bad = _first_undecodable(handle, "utf-8")
    if bad is not None:
        notes.append(
            f"{file.name}: not UTF-8 (byte {bad[0]}); read as Windows-1252 "
            "(save as 'CSV UTF-8' to be sure of accents)"
        )
        return "cp1252"
    return "utf-8-sig"


def _first_undecodable(handle: BinaryIO, encoding: str) -> tuple[int, str] | None:
    """Where the whole file first fails to decode (its byte offset and why), read in chunks;
    None when it decodes."""
    decoder = codecs.getincrementaldecoder(encoding)()
    handle.seek(0)
    total = start = 0  # bytes read; where the bytes the decoder is given next begin
    try:
        while chunk := handle.read(4 * 1024 * 1024):
            start = total - len(decoder.getstate()[0])  # it holds back a split character
            total += len(chunk)
            decoder.decode(chunk)
        start = total - len(decoder.getstate()[0])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        return start + max(exc.start, 0), str(exc.reason)
    return None


def sniff_delimiter(sample: str) -> str:
    r"""The delimiter among comma, semicolon, tab and pipe: the one that splits the most of the
    first 50 lines into the same number of fields (quotes respected). Linear in the sample, so
    it cannot take long whatever the text (csv.Sniffer's patterns can: seconds on 64 KB).

    Examples:
        >>> sniff_delimiter("part_number;unit_cost\nA;1,5\nB;2\n")
        ';'
        >>> sniff_delimiter('title line\npart_number,description\nA,"x; y"\n')
        ','
    """
    cut = max(sample.rfind("\n"), 0) if len(sample) >= SAMPLE_BYTES else len(sample)
    lines = [line for line in sample[: cut or len(sample)].splitlines()[:50] if line.strip()]
    best, best_key = ",", (0, 0)
    for delimiter in DELIMITERS:
        counts = [_outside_quotes(line, delimiter) for line in lines]
        counts = [c for c in counts if c]
        if not counts:
            continue
        common = max(set(counts), key=lambda c: (counts.count(c), c))
        key = (counts.count(common), common)
        if key > best_key:
            best, best_key = delimiter, key
    return best


def _outside_quotes(line: str, delimiter: str) -> int:
    if '"' not in line:
        return line.count(delimiter)
    count, quoted = 0, False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif char == delimiter and not quoted:
            count += 1
    return count


def _rows(text: TextIO, delimiter: str, where: str) -> list[list[object]]:
    """Every record, blank lines kept (as one shared empty row) so row numbers stay right."""
    reader = csv.reader(text, delimiter=delimiter, strict=True)
    rows: list[list[object]] = []
    blank: list[object] = []
    cells = 0
    line = 0
    try:
        for record in reader:
            start, line = line + 1, reader.line_num
            number = len(rows) + 1
            if number > MAX_CSV_ROWS:
                raise UnsafeInputError(
                    f"{where}: row {number:,}",
                    f"is past the {MAX_CSV_ROWS:,}-row limit for a CSV file",
                    f"at most {MAX_CSV_ROWS:,} rows (blank lines count)",
                )
            values: list[object] = [value if value.strip() else None for value in record]
            if not any(v is not None for v in values):
                rows.append(blank)
                continue
            cells += len(values)
            if cells > MAX_CSV_CELLS:
                raise UnsafeInputError(
                    f"{where}: row {number:,}",
                    f"is past the {MAX_CSV_CELLS:,}-cell limit for a CSV file",
                    f"at most {MAX_CSV_CELLS:,} cells",
                )
            if line > start:
                _check_multiline(values, delimiter, where, number, start, line)
            rows.append(values)
    except csv.Error as exc:
        raise _csv_error(exc, where, len(rows) + 1, line + 1, text, delimiter) from None
    except UnicodeDecodeError as exc:  # pragma: no cover - the encoding was checked first
        raise InputError(where, f"is not valid text ({exc.reason})", "UTF-8 text") from None
    return rows


def _check_multiline(
    values: list[object], delimiter: str, where: str, number: int, start: int, end: int
) -> None:
    """A quoted field over several lines that holds the delimiter swallowed rows: a quote not
    closed where it should be (an unclosed quote in any column would hide the lines after it)."""
    for col, value in enumerate(values, start=1):
        if isinstance(value, str) and ("\n" in value or "\r" in value) and delimiter in value:
            raise InputError(
                f"{where}: row {number}, column {col}",
                f"a quoted field runs from line {start} to line {end} and holds the delimiter "
                f"{delimiter!r} (a quote that is never closed swallows the rows after it)",
                "each quote closed on its own line (a cell over several lines without the "
                "delimiter is allowed)",
            )


def _csv_error(
    exc: csv.Error, where: str, number: int, line: int, text: TextIO, delimiter: str
) -> InputError:
    reason = str(exc)
    if "unexpected end of data" in reason:
        col = _open_quote_column(text, line, delimiter)
        place = f"row {number}, column {col}" if col else f"row {number}"
        return InputError(
            f"{where}: {place}",
            f"a quote opened on line {line} is never closed",
            "every quote closed (write a quote inside a quoted field as two quotes)",
        )
    if "field larger than field limit" in reason:
        return InputError(
            f"{where}: row {number} (line {line})",
            f"has a field longer than {csv.field_size_limit():,} characters (an unclosed quote?)",
            "fields of ordinary length",
        )
    if "expected after" in reason:
        return InputError(
            f"{where}: row {number} (line {line})",
            "has a quote inside a quoted field that is not doubled",
            'a quote inside a quoted field written as two quotes ("")',
        )
    return InputError(f"{where}: row {number} (line {line})", "is not valid CSV", "CSV text")


def _open_quote_column(text: TextIO, line: int, delimiter: str) -> int | None:
    """The column where the never-closed quote of `line` opens (for the message)."""
    try:
        text.seek(0)
        for number, content in enumerate(text, start=1):
            if number == line:
                col, quoted = 1, False
                opened = None
                for char in content:
                    if char == '"':
                        quoted = not quoted
                        opened = col if quoted else None
                    elif char == delimiter and not quoted:
                        col += 1
                return opened
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    return None


SNIFF_ROWS = 50


def choose_delimiter(sample: str) -> str:
    r"""The delimiter among comma, semicolon, tab and pipe that splits the header and the first
    rows of `sample` the way a spreadsheet wrote them.

    Each candidate parses the sample strictly (a quote inside a field is an error, so a comma
    never wins inside quoted semicolon text). Among those that parse, the winner gives every
    row the same number of fields, then has the fewest other candidates left inside the header
    row and the first column (names such as `model_line` or `part_number` hold none), then the
    most fields. Excel and LibreOffice write semicolons in comma-decimal locales, where an
    unquoted `12,5` or `Aster, Inc.` makes a comma look plausible. `sniff_delimiter` decides
    only when no candidate parses.

    Examples:
        >>> choose_delimiter('part_number;description;unit_cost\r\n"A-1";"Bolt, M8";12,5\r\n')
        ';'
        >>> choose_delimiter("model_line;Aster, Inc.\r\nvehicle_class;27500,50\r\n")
        ';'
        >>> choose_delimiter("part_number,unit_cost\nA,1\n")
        ','
    """
    lines = sample.splitlines(keepends=True)
    if len(lines) > 1 and not sample.endswith(("\n", "\r")):
        lines = lines[:-1]  # the sample may end inside a row
    text = "".join(lines[: SNIFF_ROWS * 4])
    best: tuple[bool, int, int, int] | None = None
    choice = None
    for rank, delimiter in enumerate(DELIMITERS):
        score = _delimiter_score(text, delimiter, rank)
        if score is not None and (best is None or score > best):
            best, choice = score, delimiter
    if choice is not None:
        return choice
    return sniff_delimiter(sample)


def _delimiter_score(text: str, delimiter: str, rank: int) -> tuple[bool, int, int, int] | None:
    """How well `delimiter` splits the first rows (higher is better: every row as wide as the
    header, fewest other candidates left in the header row and first column, most fields,
    then the earlier candidate); None when it does not parse them into two or more fields."""
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
        rows = [r for r in itertools.islice(reader, SNIFF_ROWS) if any(f.strip() for f in r)]
    except csv.Error:
        return None
    if not rows or len(rows[0]) < 2:
        return None
    width = len(rows[0])
    others = [d for d in DELIMITERS if d != delimiter]
    edges = [*rows[0], *(r[0] for r in rows[1:])]
    leftover = sum(1 for field in edges if any(d in field for d in others))
    return (all(len(r) == width for r in rows), -leftover, width, -rank)
