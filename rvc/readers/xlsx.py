"""Reads the sheets of an .xlsx: container checks and byte scan first, then python-calamine."""

from __future__ import annotations

import io
from itertools import repeat
from pathlib import Path

import python_calamine

from rvc.errors import InputError
from rvc.readers import xlsx_guard
from rvc.readers.raw import RawSheet, normalize_name
from rvc.readers.source import MemoryFile
from rvc.text import escape


def read_sheets(
    path: Path | MemoryFile, wanted: dict[str, str]
) -> tuple[dict[str, RawSheet], list[str]]:
    """Read the sheets whose normalised names are keys of `wanted` (normalised -> label).

    Returns the sheets found (by normalised wanted name) and the names of the other sheets.
    """
    package = xlsx_guard.open_package(path)  # type: ignore[arg-type] # a MemoryFile is read alike
    try:
        return _read(path, package, wanted)
    finally:
        package.close()


def _read(
    path: Path | MemoryFile, package: xlsx_guard.Package, wanted: dict[str, str]
) -> tuple[dict[str, RawSheet], list[str]]:
    chosen: dict[str, xlsx_guard.SheetEntry] = {}
    others: list[str] = []
    for entry in package.sheets:
        key = normalize_name(entry.name)
        if key in wanted:
            if key in chosen:
                raise InputError(
                    str(path),
                    f"has two sheets that both read as '{wanted[key]}': "
                    f"'{chosen[key].name}' and '{entry.name}'",
                    "one sheet per name (rename or delete one)",
                )
            chosen[key] = entry
        else:
            others.append(entry.name)
    sheets: dict[str, RawSheet] = {}
    if not chosen:
        return sheets, others
    opening = _Opening(path) if _sheet_bytes(package, chosen) > OVERLAP_BYTES else None
    try:
        scans = {key: xlsx_guard.scan_sheet(package, entry) for key, entry in chosen.items()}
    except BaseException:
        if opening is not None:
            opening.discard()
        raise
    workbook = opening.result() if opening is not None else _open_workbook(path)
    try:
        for key, entry in chosen.items():
            sheets[key] = _sheet(path, workbook, entry, scans[key])
            values = _values(sheets[key].rows)
            if values < scans[key].valued_cells:
                # fewer values than cells with content: a cell written twice, or empty values
                xlsx_guard.find_duplicate(package, entry, scans[key])
                if not values:  # not one value read of a sheet with content
                    raise InputError(
                        f"{path}: sheet '{entry.name}'",
                        f"has {scans[key].valued_cells:,} cells with content, of which the "
                        "xlsx parser read none (an encoding or spelling it does not read)",
                        "a workbook saved by a spreadsheet program (open it and save it again "
                        "as .xlsx)",
                    )
    finally:
        workbook.close()
    return sheets, others


OVERLAP_BYTES = 1024 * 1024
"""Sheets inflating to more than this are scanned while python-calamine opens the workbook
in a thread (the opening reads the shared strings, which the guard has checked already, and
no sheet; it releases the GIL)."""


def _sheet_bytes(package: xlsx_guard.Package, chosen: dict[str, xlsx_guard.SheetEntry]) -> int:
    infos = package.zip.NameToInfo
    return sum(infos[e.part].file_size for e in chosen.values() if e.part in infos)


def _utf8(text: str) -> bool:
    """False for a file name holding bytes that are not UTF-8 (read as lone surrogates)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _open_workbook(path: Path | MemoryFile) -> python_calamine.CalamineWorkbook:
    """python-calamine's workbook, once the guard has checked the container and the shared
    strings (it reads no sheet until asked for one)."""
    try:
        if isinstance(path, MemoryFile):
            return python_calamine.CalamineWorkbook.from_filelike(path.open())
        if not _utf8(str(path)):  # a name in other bytes: calamine takes UTF-8 paths only
            return python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(path.read_bytes()))
        return python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for damaged files
        raise InputError(
            str(path), f"cannot be read as a workbook ({escape(exc)})", "a valid .xlsx"
        ) from exc


class _Opening:
    """`_open_workbook` in a thread, while the guard scans the sheets (a large workbook's
    shared strings take python-calamine a few hundred milliseconds to read)."""

    def __init__(self, path: Path | MemoryFile) -> None:
        import threading

        self.workbook: python_calamine.CalamineWorkbook | None = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(path,), daemon=True)
        self.thread.start()

    def _run(self, path: Path | MemoryFile) -> None:
        try:
            self.workbook = _open_workbook(path)
        except BaseException as exc:  # noqa: BLE001 - handed to the reading thread
            self.error = exc

    def result(self) -> python_calamine.CalamineWorkbook:
        """The opened workbook, or the error opening it raised."""
        self.thread.join()
        if self.error is not None:
            raise self.error
        assert self.workbook is not None
        return self.workbook

    def discard(self) -> None:
        """The sheets were refused: wait for the opening and close what it opened."""
        self.thread.join()
        if self.workbook is not None:
            self.workbook.close()


def _values(rows: list[list[object]]) -> int:
    """How many cells calamine returned with a value (it returns "" for an empty cell)."""
    return sum(map(len, rows)) - sum(map(list.count, rows, repeat("")))


def _sheet(
    path: Path | MemoryFile,
    workbook: python_calamine.CalamineWorkbook,
    entry: xlsx_guard.SheetEntry,
    scan: xlsx_guard.SheetScan,
) -> RawSheet:
    try:
        sheet = workbook.get_sheet_by_name(entry.name)
        rows = sheet.to_python()
        start = sheet.start
        merged = sheet.merged_cell_ranges or []
    except Exception as exc:
        raise InputError(
            f"{path}: sheet '{entry.name}'", f"cannot be read ({escape(exc)})", "a valid worksheet"
        ) from exc
    first_row, first_col = (start[0] + 1, start[1] + 1) if start else (1, 1)
    return RawSheet(
        name=entry.name,
        file=str(path),
        kind="xlsx",
        rows=rows,
        first_row=first_row,
        first_col=first_col,
        hidden=entry.state != "visible",
        hidden_rows=scan.hidden_rows,
        merged=[(a[0] + 1, a[1] + 1, b[0] + 1, b[1] + 1) for a, b in merged],
        no_cached_value=scan.no_cached_value,
        errors=scan.errors,
        percent_cells=scan.percent_cells,
    )
