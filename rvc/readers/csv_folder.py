"""Reads CSV input: one CSV file per sheet, named after the sheet (BOM.csv, Vehicle.csv, ...).

`rvc check exports/` reads every .csv in the folder; `rvc check exports/bom.csv` reads that
file as the BOM sheet and the other sheets from files beside it. Text is UTF-8 (with or
without a byte-order mark); a file that is not UTF-8 is read as Windows-1252, and the report
says so. The delimiter is detected among comma, semicolon, tab and pipe.
"""

from __future__ import annotations

import csv
import io
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
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    rows: list[list[object]] = []
    try:
        for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            rows.append([value if value.strip() else None for value in record])
    except csv.Error as exc:
        raise InputError(where, f"is not valid CSV ({exc})", "comma-separated text") from exc
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    return RawSheet(name=name, file=where, kind="csv", rows=rows)
