"""Finding a sheet's header row and mapping its columns to the contract's fields."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from rvc.contract import FIELDS
from rvc.errors import InputError
from rvc.model import Provenance
from rvc.readers import cells
from rvc.readers.cells import Cell
from rvc.readers.config import Config
from rvc.readers.raw import RawSheet, column_letters, has_value, normalize_name
from rvc.readers.suggest import closest, looks_like
from rvc.text import article, snippet

HEADER_SEARCH_ROWS = 20
CONTENT_SAMPLE = 200
"""Rows below the header whose values decide whether a common name (`origin`) is the contract
column it may stand for."""
_HEADER_LIKE = re.compile(r"[^\W\d][\w .#%()/-]{0,39}")


@dataclass(slots=True)
class Column:
    """A contract field found in a sheet column."""

    field: str
    col: int
    header: str
    via: str


@dataclass(slots=True)
class Table:
    """A sheet read as a table: header row, mapped columns, data rows below."""

    sheet: RawSheet
    header_row: int
    columns: dict[str, Column]
    ignored: list[str] = field(default_factory=list)

    def has(self, name: str) -> bool:
        """Whether the sheet has this column."""
        return name in self.columns

    def cell(self, row: int, name: str) -> Cell | None:
        """The cell of a field in a row, or None if the sheet has no such column."""
        column = self.columns.get(name)
        return Cell(self.sheet, row, column.col, name) if column else None

    def text(self, row: int, name: str) -> str:
        """An informational text field: '' when the column is absent or the cell blank."""
        cell = self.cell(row, name)
        return (cells.text(cell) or "") if cell is not None else ""

    def rows(self) -> Iterator[tuple[int, list[object]]]:
        """(sheet row number, cell values) for each row below the header."""
        sheet = self.sheet
        start = self.header_row + 1 - sheet.first_row
        for offset, values in enumerate(sheet.rows[start:], start=start):
            yield sheet.first_row + offset, values


def locate(
    sheet: RawSheet,
    aliases: dict[str, dict[str, str]],
    required: tuple[str, ...],
    notes: list[str],
    *,
    config: Config | None = None,
    label: str = "",
) -> Table:
    """Find the header row: the first of the top rows holding every required column.

    `aliases` maps a field to {normalised header: how it was configured}. With `config` and the
    contract sheet's `label`, an unknown header that looks like a contract column the sheet
    lacks (or, with `--strict`, any unknown header) stops the run with a "did you mean".
    """
    lookup: dict[str, tuple[str, str]] = {}
    for name, headers in aliases.items():
        for header, via in headers.items():
            lookup.setdefault(header, (name, via))
    last = min(sheet.last_row, sheet.first_row + HEADER_SEARCH_ROWS - 1)
    best: tuple[int, int, dict[str, Column], list[tuple[int, str]]] | None = None
    for row in range(sheet.first_row, last + 1):
        found, unknown = _headers(sheet, row, lookup)
        if all(r in found for r in required):
            if config is not None and label:
                _refuse_lookalikes(sheet, row, found, unknown, config, label)
            return _table(sheet, row, found, unknown, notes)
        if found and (best is None or len(found) > best[0]):
            best = (len(found), row, found, unknown)
    if best is not None:
        raise _missing_column(sheet, best[1], best[2], best[3], required, config, label)
    raise _no_header_row(sheet, required, config)


def _headers(
    sheet: RawSheet, row: int, lookup: dict[str, tuple[str, str]]
) -> tuple[dict[str, Column], list[tuple[int, str]]]:
    """A row read as headers: the contract columns it names, and its other headers (column,
    text); a contract column named twice is an error."""
    found: dict[str, Column] = {}
    unknown: list[tuple[int, str]] = []
    for offset, value in enumerate(sheet.rows[row - sheet.first_row]):
        if value is None or value == "" or not isinstance(value, str | int | float):
            continue
        col = sheet.first_col + offset
        header = str(value).strip()
        match = lookup.get(normalize_name(header))
        if match is None:
            if header:
                unknown.append((col, header))
            continue
        name, via = match
        if name in found:
            first = found[name]
            raise InputError(
                sheet.where(row, col),
                f"header {snippet(header)} is a second '{name}' column (the first is "
                f"{sheet.where(row, first.col).split(': ')[-1]} {snippet(first.header)})",
                "each column once (rename or delete one)",
            )
        found[name] = Column(name, col, header, via)
    return found, unknown


def _table(
    sheet: RawSheet,
    row: int,
    found: dict[str, Column],
    unknown: list[tuple[int, str]],
    notes: list[str],
) -> Table:
    """The table under the header row found: rows above it ignored (and noted), its header
    cells and merged ranges checked."""
    if row > sheet.first_row:
        notes.append(
            f"{sheet.name}: header row found on row {row}; rows {sheet.first_row}-"
            f"{row - 1} above it were ignored"
        )
    ignored = [
        f"{column_letters(col)} ({header})" if sheet.kind == "xlsx" else header
        for col, header in unknown
    ]
    table = Table(sheet, row, found, ignored)
    _refuse_merged(table)
    _check_header_row(table, notes)
    return table


def _no_header_row(sheet: RawSheet, required: tuple[str, ...], config: Config | None) -> InputError:
    """No top row names a contract column: say what row one holds, if it looks like headers."""
    # what a file holds is echoed only when it looks like a header row (two or more short
    # names): a file that is not a BOM (a CSV linked to /etc/passwd, a key file) never reaches
    # a CI log
    row_one = sheet.rows[0] if sheet.rows else []
    names = [str(v).strip() for v in row_one if has_value(v)]
    if len(names) >= 2 and all(_HEADER_LIKE.fullmatch(n) for n in names[:8]):
        seen = ", ".join(snippet(n) for n in names[:8]) + (" ..." if len(names) > 8 else "")
    else:
        seen = f"{len(names)} cell{'s' if len(names) != 1 else ''}, not shown"
    missing = ", ".join(required)
    hint = ""
    if config is not None and config.source is None:
        hint = (
            "; if this is an ERP export with its own headers, map them in an rvc.toml beside it "
            "(or pass --config FILE)"
        )
    return InputError(
        f"{sheet.file}: sheet '{sheet.name}'",
        f"has no header row with {missing} in its first {HEADER_SEARCH_ROWS} rows "
        f"(row {sheet.first_row} holds {seen})",
        f"a header row naming the columns, at least {missing}{hint}",
    )


def _header_place(sheet: RawSheet, row: int, col: int) -> str:
    """`D1` in a workbook, `column 4 ('unit cots')` in a CSV file: where a header sits."""
    return f"{column_letters(col)}{row}" if sheet.kind == "xlsx" else f"column {col}"


def _refuse_lookalikes(
    sheet: RawSheet,
    row: int,
    found: dict[str, Column],
    unknown: list[tuple[int, str]],
    config: Config,
    label: str,
) -> None:
    """An unknown header that looks like a contract column the sheet lacks is an error."""
    present = set(found)
    if present & {"parent", "level"}:  # alternatives: either one gives the structure
        present |= {"parent", "level"}
    lacking = [f for f in FIELDS.get(label, ()) if f not in present]
    below = sheet.rows[row + 1 - sheet.first_row : row + 1 + CONTENT_SAMPLE - sheet.first_row]
    for col, header in unknown:
        offset = col - sheet.first_col
        values = [r[offset] if offset < len(r) else None for r in below]
        field = looks_like(header, label, lacking, values)
        if field is not None:
            raise InputError(
                sheet.where(row, col),
                f"header {snippet(header)} is not a contract column",
                f"{field!r} (did you mean it? rename the header, or map it in "
                f"{config.mapping_hint(f'columns.{label}', field, header)})",
            )
    if config.strict and unknown:
        col, header = unknown[0]
        raise InputError(
            sheet.where(row, col),
            f"header {snippet(header)} is not a contract column (--strict)",
            f"one of {', '.join(FIELDS.get(label, ()))}, or delete the column, or run "
            "without --strict to ignore it",
        )


def _missing_column(
    sheet: RawSheet,
    row: int,
    found: dict[str, Column],
    unknown: list[tuple[int, str]],
    required: tuple[str, ...],
    config: Config | None,
    label: str,
) -> InputError:
    """The header row is there (it names contract columns) but a required one is missing."""
    missing = [r for r in required if r not in found]
    field = missing[0]
    lookalike = (
        next((h for _, h in unknown if looks_like(h, label, [field]) == field), None)
        if label
        else None
    )
    nearest = lookalike or closest(field, [header for _, header in unknown])
    names = ", ".join(repr(m) for m in missing)
    problem = f"the header row has no {names} column"
    if nearest is not None:
        col = next(c for c, h in unknown if h == nearest)
        place = _header_place(sheet, row, col)
        problem += f" (the closest header present is {snippet(nearest)} in {place})"
    else:
        problem += f" (its headers: {', '.join(snippet(c.header) for c in found.values())})"
    return InputError(sheet.where(row), problem, _add_column_hint(field, lookalike, config, label))


def _add_column_hint(field: str, lookalike: str | None, config: Config | None, label: str) -> str:
    """How to supply a missing column: rename the header that looks like it, or map one."""
    expected = f"{article(field)} column"
    if lookalike is not None:
        mapping = (
            config.mapping_hint(f"columns.{label}", field, lookalike)
            if config is not None
            else f'rvc.toml: [columns.{label}] {field} = "{lookalike}"'
        )
        return expected + f": rename {snippet(lookalike)} to {field}, or map it in {mapping}"
    if label:
        return expected + f" (add it, or map your own header in rvc.toml: [columns.{label}])"
    return expected


def _check_header_row(table: Table, notes: list[str]) -> None:
    """A header that cannot be read would drop its column without a word: refuse or say so."""
    _refuse_unreadable_headers(table)
    sheet, row = table.sheet, table.header_row
    headers = sheet.rows[row - sheet.first_row]
    sample = sheet.rows[row + 1 - sheet.first_row : row + 1001 - sheet.first_row]
    width = max((len(r) for r in sample), default=0)
    for offset in range(width):
        header = headers[offset] if offset < len(headers) else None
        if has_value(header):
            continue
        if any(offset < len(r) and r[offset] not in (None, "") for r in sample):
            col = sheet.first_col + offset
            where = column_letters(col) if sheet.kind == "xlsx" else str(col)
            notes.append(
                f"{sheet.name}: column {where} holds values but has no header in row {row}; "
                "it was not read (give it a header if it is a contract column)"
            )


def _refuse_unreadable_headers(table: Table) -> None:
    """Header cells merged over columns that are read, Excel errors and unsaved formulas in
    the header row are errors."""
    sheet, row = table.sheet, table.header_row
    read = {c.col for c in table.columns.values()}
    for top, left, bottom, right in sheet.merged:
        if top <= row <= bottom and right > left and any(left <= c <= right for c in read):
            span = f"{column_letters(left)}{top}:{column_letters(right)}{bottom}"
            raise InputError(
                f"{sheet.file}: {sheet.name}!{span}",
                "merges header cells, so the columns under it have no header of their own",
                "one header cell per column (unmerge them)",
            )
    for (r, c), what in sorted(sheet.errors.items()):
        if r == row:
            raise InputError(
                sheet.where(r, c), f"header cell holds the Excel error {what}", "a column name"
            )
    for r, c in sorted(sheet.no_cached_value):
        if r == row:
            raise InputError(
                sheet.where(r, c),
                "header cell is a formula with no saved result",
                "a column name typed as text (or recalculate and save the file)",
            )


def _refuse_merged(table: Table) -> None:
    """A merged range over cells we read hides values in all but its first cell."""
    sheet = table.sheet
    cols = {c.col for c in table.columns.values()}
    for top, left, bottom, right in sheet.merged:
        if bottom <= table.header_row:
            continue
        first_row = max(top, table.header_row + 1)
        inside = [c for c in cols if left <= c <= right]
        count = (bottom - first_row + 1) * len(inside)
        if count > 1 or (count == 1 and (first_row, inside[0]) != (top, left)):
            span = f"{column_letters(left)}{top}:{column_letters(right)}{bottom}"
            raise InputError(
                f"{sheet.file}: {sheet.name}!{span}",
                "is a merged range over cells rvc reads; only its first cell holds a value",
                "unmerged cells, each row with its own value",
            )


def mapping_notes(table: Table, provenance: Provenance) -> None:
    sheet = table.sheet
    for column in table.columns.values():
        if column.via != "contract":
            where = column_letters(column.col) if sheet.kind == "xlsx" else ""
            provenance.mapping.append(
                f"{sheet.name} column {where + ' ' if where else ''}'{column.header}' read as "
                f"{column.field}"
            )
    provenance.ignored_columns.extend(f"{sheet.name}: {name}" for name in table.ignored)


def hidden_note(table: Table, notes: list[str], used_rows: list[int]) -> None:
    hidden = sorted(r for r in table.sheet.hidden_rows if r in set(used_rows))
    if hidden:
        shown = ", ".join(map(str, hidden[:20])) + (" ..." if len(hidden) > 20 else "")
        notes.append(
            f"{table.sheet.name}: {len(hidden)} hidden row{'s' if len(hidden) > 1 else ''} "
            f"read like any other (rows {shown}); unhide them to review"
        )


def refuse_bad_cells(table: Table) -> None:
    """Excel errors and unsaved formulas anywhere rvc reads stop the run at the first one."""
    sheet = table.sheet
    cols = {c.col: name for name, c in table.columns.items()}
    bad = sorted(
        (r, c)
        for (r, c) in (*sheet.errors, *sheet.no_cached_value)
        if c in cols and r > table.header_row
    )
    if bad:
        row, col = bad[0]
        Cell(sheet, row, col, cols[col]).value()
