"""The BOM sheet: one row per line, with fast paths for the common cell types."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from operator import itemgetter, methodcaller
from typing import Any, get_args

from rvc.errors import InputError
from rvc.model import BomLine, Excluded, Provenance
from rvc.readers import cells
from rvc.readers.cells import EXCEL_ERRORS, MAX_AMOUNT, MAX_QUANTITY, Cell
from rvc.readers.config import Config
from rvc.readers.purchases import Converter
from rvc.readers.raw import RawSheet, normalize_name
from rvc.readers.tables import hidden_note, locate, mapping_notes, refuse_bad_cells
from rvc.rules.schema import CoreCategory
from rvc.text import shorten, snippet

CORE_PARTS = {
    "engine": "engine",
    "engines": "engine",
    "transmission": "transmission",
    "transmissions": "transmission",
    "gearbox": "transmission",
    "bodychassis": "body_chassis",
    "bodyandchassis": "body_chassis",
    "body&chassis": "body_chassis",
    "axle": "axle",
    "axles": "axle",
    "suspension": "suspension",
    "suspensionsystem": "suspension",
    "steering": "steering",
    "steeringsystem": "steering",
    "advancedbattery": "advanced_battery",
    "advancedbatteries": "advanced_battery",
}
_ODD = object()  # a cell the fast path leaves to the strict parser
_HASH = methodcaller("startswith", "#")
NOT_CORE = frozenset(("none", "no", "-", "n/a", "noncore", "notcore"))
CORE_SHOWN = ", ".join(get_args(CoreCategory))


class BomReader:
    """Reads BOM rows; common cell types take a fast path, anything else the strict one."""

    def __init__(
        self,
        sheet: RawSheet,
        config: Config,
        notes: list[str],
        provenance: Provenance,
        converter: Converter,
    ) -> None:
        self.sheet = sheet
        self.notes = notes
        self.provenance = provenance
        self.table = locate(
            sheet,
            config.aliases("BOM"),
            ("part_number", "unit_cost"),
            notes,
            config=config,
            label="BOM",
        )
        mapping_notes(self.table, provenance)
        refuse_bad_cells(self.table)
        self.converter = converter
        values = config.settings.values
        self.yes = {normalize_name(w) for w in values.originating.yes}
        self.no = {normalize_name(w) for w in values.originating.no}
        self.core = dict(CORE_PARTS)
        for category, words in values.core_part.items():
            for word in words:
                self.core[normalize_name(word)] = category
        self.yes |= cells.YES
        self.no |= cells.NO
        self._one = Decimal(1)

    def read(self) -> tuple[list[BomLine], bool]:
        """Every non-blank row as a `BomLine`; the tree is checked before returning."""
        table = self.table
        if table.has("parent") and table.has("level"):
            # the contract's parent column decides; a level column beside it is information
            level = table.columns.pop("level")
            self.notes.append(
                f"{self.sheet.name}: the structure comes from the parent column; the level "
                f"column ({level.header}) beside it was not used"
            )
        sheet = self.sheet
        first = table.header_row + 1
        data = sheet.rows[first - sheet.first_row :]
        width = 1 + max(c.col - sheet.first_col for c in table.columns.values())
        if data and min(map(len, data)) < width:  # CSV rows may be short; xlsx rows never are
            data = [r if len(r) >= width else [*r, *([None] * (width - len(r)))] for r in data]
        columns: dict[str, list[Any]] = {
            name: list(map(itemgetter(column.col - sheet.first_col), data))
            for name, column in table.columns.items()
        }
        keep = self._non_blank(columns, len(data))
        self.provenance.rows_read += len(data)
        self.provenance.blank_rows += len(data) - len(keep)
        parsed = self._parse_columns(columns, first)
        lines: list[BomLine] = []
        seen: dict[str, int] = {}
        levels: list[tuple[int, str]] = []
        by_level = table.has("level")
        used_rows: list[int] = []
        missing = [None] * len(data)
        for i, line in zip(keep, self._lines(keep, first, parsed, missing), strict=True):
            row = first + i
            if by_level:
                depth = self._level(row, columns["level"][i])
                if depth == 0:
                    self.provenance.excluded.append(
                        Excluded(row, "level 0: the finished vehicle itself, not a material")
                    )
                    continue
                line = self._place(row, line, depth, levels)
            elif line.part_number in seen:
                raise InputError(
                    sheet.where(row, table.columns["part_number"].col, "part_number"),
                    f"part_number {snippet(line.part_number)} appears again (first on row "
                    f"{seen[line.part_number]})",
                    "each part number once (use quantity for repeats, or a level column for "
                    "a multi-level export)",
                )
            seen.setdefault(line.part_number, row)
            used_rows.append(row)
            lines.append(line)
        if not lines:
            raise InputError(
                f"{self.sheet.file}: sheet '{self.sheet.name}'",
                "has no BOM lines below its header row",
                "one row per part, with part_number and unit_cost",
            )
        if by_level:
            self.notes.append(
                f"{self.sheet.name}: the structure comes from the level column "
                f"({table.columns['level'].header}): each line goes into the nearest line above "
                "it one level up"
            )
            repeated = len(lines) - len(seen)
            if repeated:
                self.notes.append(
                    f"{self.sheet.name}: {repeated} line"
                    f"{'s repeat' if repeated > 1 else ' repeats'} a part number under another "
                    "assembly (level-coded BOM); each is counted in its place"
                )
        self._check_structure(lines)
        hidden_note(table, self.notes, used_rows)
        return lines, table.has("core_part")

    def _cell(self, row: int, name: str) -> Cell:
        return Cell(self.sheet, row, self.table.columns[name].col, name)

    def _text(self, row: int, name: str, value: Any) -> str | None:
        if value is None:
            return None
        if type(value) is str:
            text = value.strip()
            if not text:
                return None
            if text[0] == "#" and text.upper() in EXCEL_ERRORS:
                return cells.text(self._cell(row, name))
            return text
        return cells.text(self._cell(row, name))

    def _money(self, row: int, name: str, value: Any, currency: str) -> Decimal | None:
        """unit_cost: a float or int fast, anything else through the strict parser."""
        if type(value) is float and (value == 0.0 or 1e-30 <= value <= 1e12):
            return Decimal(repr(value))
        if type(value) is int and 0 <= value <= MAX_AMOUNT:
            return Decimal(value)
        return cells.amount(self._cell(row, name), currency=currency)

    def _quantity(self, row: int, value: Any) -> Decimal:
        """quantity: blank means one; anything else strictly positive."""
        if value is None or value == "":
            return self._one
        number = cells.amount(
            self._cell(row, "quantity"), strictly_positive=True, maximum=MAX_QUANTITY, example="2"
        )
        assert number is not None
        return number

    @staticmethod
    def _non_blank(columns: dict[str, list[Any]], count: int) -> list[int]:
        """Indexes of rows with any value; only rows without a part number need a full look."""
        parts = columns["part_number"]
        keep = []
        for i in range(count):
            v = parts[i]
            if v is not None and v != "" and not (type(v) is str and not v.strip()):
                keep.append(i)
                continue
            for values in columns.values():
                w = values[i]
                if w is not None and w != "" and not (type(w) is str and not w.strip()):
                    keep.append(i)
                    break
        return keep

    def _texts(self, name: str, values: list[Any], first: int) -> list[str | None]:
        try:  # the common column: every cell a string
            out: list[Any] = list(map(str.strip, values))
        except TypeError:  # blanks (None), numbers: cell by cell
            odd = _ODD
            out = [
                (text if (text := v.strip()) and text[0] != "#" else odd)
                if type(v) is str
                else (None if v is None else odd)
                for v in values
            ]
        else:
            if "" not in out and not any(map(_HASH, out)):
                return out
            odd = _ODD
            out = [text if text and text[0] != "#" else odd for text in out]
        if odd in out:  # rare: blanks of spaces, numbers, errors; the list scan runs in C
            for i, got in enumerate(out):
                if got is odd:
                    out[i] = self._text(first + i, name, values[i])
        return out

    @staticmethod
    def _memoized(values: list[Any], parse: Any, first: int) -> list[Any]:
        """Parse each distinct value once (keyed by type too: True is not 1.0 here), in the
        order values first appear, at the row where each first appears (so the first error
        and every note come out as a row-by-row parse gives them)."""
        keys = list(zip(map(type, values), values, strict=True))
        rows = dict(zip(reversed(keys), range(first + len(keys) - 1, first - 1, -1), strict=True))
        parsed = {key: parse(rows[key], key[1]) for key in dict.fromkeys(keys)}
        return list(map(parsed.__getitem__, keys))

    def _parse_columns(self, columns: dict[str, list[Any]], first: int) -> dict[str, list[Any]]:
        """Each column parsed whole (common values fast, the rest through the strict parsers)."""
        out: dict[str, list[Any]] = {}
        for name in ("part_number", "parent", "description", "supplier", "country"):
            if name in columns:
                out[name] = self._texts(name, columns[name], first)
        for name, parse in (
            ("quantity", self._quantity),
            ("hs_code", self._hs),
            ("originating", self._origin),
            ("core_part", self._core),
            ("rvc_percent", self._percent),
        ):
            if name not in columns:
                continue
            if name == "rvc_percent" and self.sheet.percent_cells:
                # a value's meaning depends on its cell's format here: no memo by value
                out[name] = [parse(first + i, v) for i, v in enumerate(columns[name])]
            else:
                out[name] = self._memoized(columns[name], parse, first)
        if "currency" in columns:
            rates = [
                self.converter.rate(self._cell(first + i, "currency"))
                if v not in (None, "")
                else (self.converter.base, None)
                for i, v in enumerate(columns["currency"])
            ]
        else:
            rates = None
        costs = []
        for i, v in enumerate(columns["unit_cost"]):
            code, rate = rates[i] if rates else (self.converter.base, None)
            cost = (
                self._money(first + i, "unit_cost", v, code) if v is not None and v != "" else None
            )
            costs.append(cost if rate is None or cost is None else cost * rate)
        out["unit_cost"] = costs
        if "resourcing_cost" in columns:
            out["resourcing_cost"] = [
                self._money(first + i, "resourcing_cost", v, self.converter.base)
                if v is not None and v != ""
                else None
                for i, v in enumerate(columns["resourcing_cost"])
            ]
        return out

    def _lines(
        self, keep: list[int], first: int, parsed: dict[str, list[Any]], missing: list[None]
    ) -> Iterator[BomLine]:
        parts = parsed["part_number"]
        costs = parsed["unit_cost"]
        one = [self._one] * len(missing)
        quantity = parsed.get("quantity", one)
        parent = parsed.get("parent", missing)
        description = parsed.get("description", missing)
        hs_code = parsed.get("hs_code", missing)
        originating = parsed.get("originating", missing)
        core = parsed.get("core_part", missing)
        percent = parsed.get("rvc_percent", missing)
        supplier = parsed.get("supplier", missing)
        country = parsed.get("country", missing)
        resourcing = parsed.get("resourcing_cost", missing)
        for i in keep:
            part = parts[i]
            if part is None:
                raise self._cell(first + i, "part_number").fail(
                    "is blank", "a part number on every BOM line (or an empty row)"
                )
            cost = costs[i]
            if cost is None:
                raise self._cell(first + i, "unit_cost").fail(
                    "is blank", "the value of one unit, e.g. 1234.50 (0 is allowed)"
                )
            yield BomLine(
                first + i,
                part,
                cost,
                quantity[i],
                parent[i],
                "",
                description[i] or "",
                hs_code[i],
                originating[i],
                core[i],
                percent[i],
                supplier[i] or "",
                country[i] or "",
                resourcing[i],
            )

    def _percent(self, row: int, value: Any) -> Decimal | None:
        if value is None or value == "":
            return None
        cell = self._cell(row, "rvc_percent")
        number = cells.amount(cell, maximum=Decimal(100), percent=True, example="78.5")
        if number is not None and not isinstance(value, str) and cell.percent_formatted:
            self.notes.append(
                f"{cell.where}: rvc_percent is formatted as a percentage ({value!r} shown as "
                f"{number.normalize():f}%); read as {number.normalize():f}"
            )
        elif number is not None and 0 < number <= 1 and not isinstance(value, str):
            self.notes.append(
                f"{cell.where}: rvc_percent {number} read as {number}%; if the cell is formatted "
                f"as a percentage ({number * 100}% shown), type {number * 100} instead"
            )
        return number

    def _hs(self, row: int, value: Any) -> str | None:
        if value is None or value == "":
            return None
        return cells.hs_code(self._cell(row, "hs_code"), self.notes)

    def _origin(self, row: int, value: Any) -> bool | None:
        if value is None or value == "":
            return None
        if isinstance(value, str):
            word = normalize_name(value)
            if not word:
                return None
            if word in self.yes or word in self.no:
                return word in self.yes
        return cells.yes_no(self._cell(row, "originating"))

    def _core(self, row: int, value: Any) -> str | None:
        if value is None or value == "":
            return None
        word = self._text(row, "core_part", value)
        if word is None or normalize_name(word) in NOT_CORE:
            return None
        category = self.core.get(normalize_name(word))
        if category is None:
            raise self._cell(row, "core_part").fail(
                f"is {snippet(word)}", f"blank or one of {CORE_SHOWN}"
            )
        return category

    def _level(self, row: int, value: Any) -> int:
        cell = self._cell(row, "level")
        if value is None:
            raise cell.fail(
                "is blank", "the line's level: 1 for a part of the vehicle, 2 below it ..."
            )
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        text = str(value).strip()
        digits = text.lstrip(".")
        dots = len(text) - len(digits)
        if digits.isdigit():
            level = int(digits)
            if dots and dots != level:
                raise cell.fail(
                    f"is {snippet(text)}: {dots} dots but level {level}", "'.1', '..2', '...3'"
                )
            return level
        if not digits and dots:
            return dots
        raise cell.fail(f"is {snippet(text)}", "a level such as 1, 2, 3 or .1, ..2, ...3")

    def _place(self, row: int, line: BomLine, level: int, stack: list[tuple[int, str]]) -> BomLine:
        if line.parent is not None:
            raise self._cell(row, "level").fail("is given with a parent", "a level or a parent")
        while stack and stack[-1][0] >= level:
            stack.pop()
        expected = stack[-1][0] + 1 if stack else 1
        if level != expected:
            previous = f"level {stack[-1][0]}" if stack else "the top (level 1)"
            raise self._cell(row, "level").fail(
                f"is {level} after {previous}",
                f"level {expected} or less (each line one level below its assembly)",
            )
        key = f"#row{row}"
        # the line was made a moment ago by _lines; placing it completes it
        line.parent = stack[-1][1] if stack else None
        line.key = key
        stack.append((level, key))
        return line

    def _check_structure(self, lines: list[BomLine]) -> None:
        """Parents exist, no cycles, and quantities multiplied down the tree stay plausible."""
        ids = [line.key or line.part_number for line in lines]
        index = {key: i for i, key in enumerate(ids)}
        col = self.table.columns.get("parent")
        parent = [-1] * len(lines)
        for i, line in enumerate(lines):
            if line.parent is not None:
                found = index.get(line.parent)
                if found is None:
                    assert col is not None
                    raise InputError(
                        self.sheet.where(line.row, col.col, "parent"),
                        f"parent {snippet(line.parent)} names no line of the BOM",
                        "the part_number of the assembly this line goes into, or blank for the "
                        "vehicle itself",
                    )
                parent[i] = found
        state = bytearray(len(lines))  # 0 not seen, 1 on the current path, 2 done
        units = [ONE] * len(lines)
        for start in range(len(lines)):
            chain = []
            i = start
            while i >= 0 and state[i] == 0:
                state[i] = 1
                chain.append(i)
                i = parent[i]
            if i >= 0 and state[i] == 1:
                cycle = [lines[k].part_number for k in chain[chain.index(i) :]]
                assert col is not None
                shown = shorten([*cycle, cycle[0]], keep=6, sep=" -> ")
                raise InputError(
                    self.sheet.where(lines[i].row, col.col, "parent"),
                    f"parents form a cycle of {len(cycle):,} part{'s' if len(cycle) > 1 else ''}: "
                    f"{shown}",
                    "a tree: no part may contain itself, directly or through its components",
                )
            total = units[i] if i >= 0 else ONE
            for k in reversed(chain):
                # in Decimal: each quantity is within 1e-30..1e7, so no product under- or
                # overflows before the limit stops it
                total = total * lines[k].quantity
                units[k] = total
                state[k] = 2
                if total > MAX_QUANTITY:
                    path = [lines[k].part_number]
                    up = parent[k]
                    while up >= 0:
                        path.append(lines[up].part_number)
                        up = parent[up]
                    route = shorten(reversed(path), keep=6, sep=" > ")
                    raise self._cell(lines[k].row, "quantity").fail(
                        f"makes {_units(total)} units of {lines[k].part_number} per "
                        f"vehicle (quantities multiplied down {route})",
                        f"at most {MAX_QUANTITY:,.0f} units of a part per vehicle (check the "
                        "quantities' units)",
                    )


ONE = Decimal(1)


def _units(total: Decimal) -> str:
    return f"{total:,.0f}" if total < Decimal("1e15") else f"{total:.3e}"
