"""A sheet as read, before interpretation: a grid of cell values plus what the reader noticed.

Both the xlsx and the CSV readers produce `RawSheet`s, so the workbook contract is applied in
one place (`workbook.py`) whatever the file format.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_SEPARATORS = re.compile(r"[\s\-_\u00ad\u180e\u200b-\u200f\u2060-\u2064\ufeff]+")
"""Spaces (NBSP and the other Unicode spaces included), hyphens, underscores, and the invisible
characters a copy from a web page or a PDF leaves in a header: soft hyphen, zero-width space,
non-joiner and joiner, direction marks, word joiner, byte-order mark."""


def normalize_name(name: str) -> str:
    """Sheet and header names compare case-insensitively, ignoring spaces, hyphens, underscores
    and invisible characters.

    Examples:
        >>> normalize_name(" Part-Number "), normalize_name("PART_NUMBER")
        ('partnumber', 'partnumber')
        >>> normalize_name("quantity\u200b"), normalize_name("\ufeffunit\u00a0cost")
        ('quantity', 'unitcost')
    """
    return _SEPARATORS.sub("", name.lower())


def has_value(value: object) -> bool:
    """Whether a cell holds anything: not empty, and not text made of spaces only.

    Examples:
        >>> has_value(0), has_value("  "), has_value(None)
        (True, False, False)
    """
    return value is not None and not (isinstance(value, str) and not value.strip())


def column_letters(number: int) -> str:
    """A 1-based column number to letters: 1 -> A, 28 -> AB."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass(slots=True)
class RawSheet:
    """Cell values by sheet position; row and column numbers are 1-based as users see them."""

    name: str
    file: str
    kind: str  # "xlsx" or "csv"
    rows: list[list[Any]]
    first_row: int = 1
    first_col: int = 1
    hidden: bool = False
    hidden_rows: set[int] = field(default_factory=set)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    no_cached_value: set[tuple[int, int]] = field(default_factory=set)
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    percent_cells: set[tuple[int, int]] = field(default_factory=set)
    """Cells whose number format shows a percentage (0.8 shown as 80%)."""

    @property
    def last_row(self) -> int:
        """The last row number that holds data."""
        return self.first_row + len(self.rows) - 1

    def value(self, row: int, col: int) -> Any:
        """The value at a sheet position, None when empty or outside the data."""
        r = row - self.first_row
        c = col - self.first_col
        if r < 0 or c < 0 or r >= len(self.rows):
            return None
        cells = self.rows[r]
        return cells[c] if c < len(cells) else None

    def where(self, row: int, col: int | None = None, header: str | None = None) -> str:
        """A location users can find: `bom.xlsx: BOM!D14` or `BOM.csv: row 14, column unit_cost`."""
        if self.kind == "xlsx":
            if col is None:
                return f"{self.file}: {self.name} row {row}"
            return f"{self.file}: {self.name}!{column_letters(col)}{row}"
        place = f"row {row}"
        if col is not None:
            place += f", column {header or col}"
        return f"{self.file}: {place}"
