"""Reads CSV input: one CSV file per sheet, named after the sheet (BOM.csv, Vehicle.csv, ...).

`rvc check exports/` reads every .csv in the folder; `rvc check exports/bom.csv` reads that
file as the BOM sheet and the other sheets from files beside it. Text is UTF-8 (with or
without a byte-order mark); a file that is not UTF-8 is read as Windows-1252, and the report
says so. The delimiter is detected among comma, semicolon, tab and pipe.
"""

from __future__ import annotations

import csv
import io
import itertools
from pathlib import Path

from rvc.errors import InputError, UnsafeInputError
from rvc.readers.raw import RawSheet, normalize_name

MAX_CSV_BYTES = 512 * 1024 * 1024


def read_sheets(
    path: Path, wanted: dict[str, str], notes: list[str]
) -> tuple[dict[str, RawSheet], list[str]]:
    """Read the CSV files that stand for the wanted sheets; return them and the other files."""
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() == ".csv" and p.is_file())
        named = {p: p.stem for p in files}
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
    return sheets, others


def _read(file: Path, name: str, notes: list[str]) -> RawSheet:
    where = str(file)
    try:
        size = file.stat().st_size
        if size > MAX_CSV_BYTES:
            raise UnsafeInputError(
                where, f"is {size // (1024 * 1024)} MiB, over the 512 MiB limit", "a smaller file"
            )
        data = file.read_bytes()
    except OSError as exc:
        raise InputError(
            where, f"cannot be read ({exc.strerror or exc})", "a readable file"
        ) from exc
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            data = data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(where, f"is damaged UTF-16 text ({exc})", "a CSV text file") from exc
    if b"\0" in data[:65536]:
        raise InputError(where, "holds binary data (NUL bytes), not CSV text", "a CSV text file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        text = data.decode("cp1252", errors="replace")
        notes.append(
            f"{file.name}: not UTF-8 (byte {exc.start}); read as Windows-1252 "
            "(save as 'CSV UTF-8' to be sure of accents)"
        )
    sample = text[:65536]
    delimiter = choose_delimiter(sample)
    rows: list[list[object]] = []
    try:
        for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            rows.append([value if value.strip() else None for value in record])
    except csv.Error as exc:
        raise InputError(
            where, f"is not valid CSV ({exc})", f"{_DELIMITER_NAMES[delimiter]}-separated text"
        ) from exc
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    return RawSheet(name=name, file=where, kind="csv", rows=rows)


DELIMITERS = ",;\t|"
SNIFF_ROWS = 50
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


def choose_delimiter(sample: str) -> str:
    r"""The delimiter among comma, semicolon, tab and pipe that splits the header and the first
    rows of `sample` the way a spreadsheet wrote them.

    Each candidate parses the sample strictly (a quote inside a field is an error, so a comma
    never wins inside quoted semicolon text). Among those that parse, the winner gives every
    row the same number of fields, then has the fewest other candidates left inside the header
    row and the first column (names such as `model_line` or `part_number` hold none), then the
    most fields. Excel and LibreOffice write semicolons in comma-decimal locales, where an
    unquoted `12,5` or `Aster, Inc.` makes a comma look plausible. csv.Sniffer decides only
    when no candidate parses.

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
        try:
            reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
            rows = [
                r for r in itertools.islice(reader, SNIFF_ROWS) if any(field.strip() for field in r)
            ]
        except csv.Error:
            continue
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        others = [d for d in DELIMITERS if d != delimiter]
        edges = [*rows[0], *(r[0] for r in rows[1:])]
        leftover = sum(1 for field in edges if any(d in field for d in others))
        score = (all(len(r) == width for r in rows), -leftover, width, -rank)
        if best is None or score > best:
            best, choice = score, delimiter
    if choice is not None:
        return choice
    try:
        return csv.Sniffer().sniff(text, delimiters=DELIMITERS).delimiter
    except csv.Error:
        return ","
