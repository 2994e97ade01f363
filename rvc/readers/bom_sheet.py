"""The BOM sheet: one row per line, with fast paths for the common cell types."""

from __future__ import annotations

import math
from collections.abc import Iterator
from decimal import Decimal
from itertools import repeat
from operator import itemgetter
from typing import Any, get_args

from rvc.contract import CORE_PARTS, NO, NOT_CORE, REQUIRED, YES
from rvc.errors import InputError
from rvc.model import BomLine, Excluded, Provenance
from rvc.readers import cells
from rvc.readers.cells import EXCEL_ERRORS, MAX_AMOUNT, MAX_QUANTITY, Cell
from rvc.readers.config import Config
from rvc.readers.fx import Converter
from rvc.readers.raw import RawSheet, normalize_name
from rvc.readers.tables import hidden_note, locate, mapping_notes, refuse_bad_cells
from rvc.rulepack.schema import CoreCategory
from rvc.text import shorten, snippet

_ODD = object()  # a cell the fast path leaves to the strict parser
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
            REQUIRED["BOM"],
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
        self.yes |= YES
        self.no |= NO
        self._one = Decimal(1)
        self.parent_index: list[int] = []
        """After `read`: each line's parent position (-1 at the top), as the tree check built it."""

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
        first = table.header_row + 1
        columns, count = self._columns(first)
        keep = self._non_blank(columns, count)
        self.provenance.rows_read += count
        self.provenance.blank_rows += count - len(keep)
        parsed = self._parse_columns(columns, first)
        if table.has("level"):
            lines, used_rows = self._level_lines(keep, first, parsed, columns["level"], count)
        else:
            lines = self._flat_lines(keep, first, parsed, count)
            used_rows = [line.row for line in lines]
        if not lines:
            raise InputError(
                f"{self.sheet.file}: sheet '{self.sheet.name}'",
                "has no BOM lines below its header row",
                "one row per part, with part_number and unit_cost",
            )
        self._check_structure(lines)
        hidden_note(table, self.notes, used_rows)
        return lines, table.has("core_part")

    def _columns(self, first: int) -> tuple[dict[str, list[Any]], int]:
        """Each contract column's cells below the header row, and the number of rows."""
        sheet = self.sheet
        data = sheet.rows[first - sheet.first_row :]
        width = 1 + max(c.col - sheet.first_col for c in self.table.columns.values())
        if data and min(map(len, data)) < width:  # CSV rows may be short; xlsx rows never are
            data = [r if len(r) >= width else [*r, *([None] * (width - len(r)))] for r in data]
        columns = {
            name: list(map(itemgetter(column.col - sheet.first_col), data))
            for name, column in self.table.columns.items()
        }
        return columns, len(data)

    def _level_lines(
        self,
        keep: list[int],
        first: int,
        parsed: dict[str, list[Any]],
        levels_column: list[Any],
        count: int,
    ) -> tuple[list[BomLine], list[int]]:
        """A level-coded BOM: each line goes into the nearest line above it one level up."""
        lines: list[BomLine] = []
        seen: set[str] = set()
        levels: list[tuple[int, str]] = []
        used_rows: list[int] = []
        for i, line in zip(keep, self._lines(keep, first, parsed, [None] * count), strict=True):
            row = first + i
            depth = self._level(row, levels_column[i])
            if depth == 0:
                self.provenance.excluded.append(
                    Excluded(row, "level 0: the finished vehicle itself, not a material")
                )
                continue
            lines.append(self._place(row, line, depth, levels))
            seen.add(line.part_number)
            used_rows.append(row)
        if lines:
            self.notes.append(
                f"{self.sheet.name}: the structure comes from the level column "
                f"({self.table.columns['level'].header}): each line goes into the nearest line "
                "above it one level up"
            )
        repeated = len(lines) - len(seen)
        if repeated:
            self.notes.append(
                f"{self.sheet.name}: {repeated} line"
                f"{'s repeat' if repeated > 1 else ' repeats'} a part number under another "
                "assembly (level-coded BOM); each is counted in its place"
            )
        return lines, used_rows

    def _flat_lines(
        self, keep: list[int], first: int, parsed: dict[str, list[Any]], count: int
    ) -> list[BomLine]:
        """A BOM with a parent column (or none): every kept row a line, built in one C-level
        map once the rows are known to hold a part number, a unit cost and no repeat."""
        every = len(keep) == count

        def kept(name: str) -> list[Any]:
            values = parsed.get(name)
            if values is None:
                return [None] * len(keep)
            return values if every else [values[i] for i in keep]

        parts, costs = kept("part_number"), kept("unit_cost")
        self._refuse_first_gap(keep, first, parts, costs)
        texts = {
            name: [v or "" for v in values] if None in values else values
            for name in ("description", "supplier", "country")
            for values in (kept(name),)
        }
        quantity = kept("quantity") if "quantity" in parsed else [self._one] * len(keep)
        return list(
            map(
                BomLine,
                [first + i for i in keep],
                parts,
                costs,
                quantity,
                kept("parent"),
                repeat(""),
                texts["description"],
                kept("hs_code"),
                kept("originating"),
                kept("core_part"),
                kept("rvc_percent"),
                texts["supplier"],
                texts["country"],
                kept("resourcing_cost"),
            )
        )

    def _refuse_first_gap(
        self, keep: list[int], first: int, parts: list[Any], costs: list[Any]
    ) -> None:
        """The first row (as a row-by-row read meets it) without a part number, without a
        unit cost or repeating a part number, refused."""
        end = len(parts)
        blank_part = parts.index(None) if None in parts else end
        blank_cost = costs.index(None) if None in costs else end
        repeat_at, first_row = end, 0
        if len(set(parts)) < end:
            seen: dict[str, int] = {}
            for k, part in enumerate(parts):
                if part in seen:
                    repeat_at, first_row = k, seen[part]
                    break
                seen[part] = first + keep[k]
        at = min(blank_part, blank_cost, repeat_at)
        if at == end:
            return
        row = first + keep[at]
        if at == blank_part:
            raise self._cell(row, "part_number").fail(
                "is blank", "a part number on every BOM line (or an empty row)"
            )
        if at == blank_cost:
            raise self._cell(row, "unit_cost").fail(
                "is blank", "the value of one unit, e.g. 1234.50 (0 is allowed)"
            )
        raise InputError(
            self.sheet.where(row, self.table.columns["part_number"].col, "part_number"),
            f"part_number {snippet(parts[at])} appears again (first on row {first_row})",
            "each part number once (use quantity for repeats, or a level column for "
            "a multi-level export)",
        )

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
        try:  # the common sheet: a part number (text) on every row, looked at in C
            if "" not in map(str.strip, parts):
                return list(range(count))
        except TypeError:  # a blank (None) or a number somewhere: row by row
            pass
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
        out = _plain_texts(values)
        if _ODD in out:  # rare: blanks of spaces, numbers, errors; the list scan runs in C
            for i, got in enumerate(out):
                if got is _ODD:
                    out[i] = self._text(first + i, name, values[i])
        return out

    @staticmethod
    def _memoized(values: list[Any], parse: Any, first: int) -> list[Any]:
        """Parse each distinct value once, in the order the values first appear (so the first
        error is the first bad row's), then look every cell up in C."""
        if len(_NUMBERS.intersection(map(type, values))) > 1:
            return _memoized_by_type(values, parse, first)  # True == 1 == 1.0: keyed by type
        try:
            first_at = dict(zip(reversed(values), range(len(values) - 1, -1, -1), strict=True))
        except TypeError:  # an unhashable value (never from a reader): one by one
            return _memoized_by_type(values, parse, first)
        # the value at its first row (0.0 and -0.0 are one key, spelled as first written)
        memo = {
            v: parse(first + i, values[i]) for v, i in sorted(first_at.items(), key=itemgetter(1))
        }
        return list(map(memo.__getitem__, values))

    def _parse_columns(self, columns: dict[str, list[Any]], first: int) -> dict[str, list[Any]]:
        """Each column parsed whole (common values fast, the rest through the strict parsers),
        in this order, so the first error is the one a column-by-column read meets."""
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
        out["unit_cost"] = self._costs(columns, first)
        if "resourcing_cost" in columns:
            out["resourcing_cost"] = self._memoized(
                columns["resourcing_cost"], self._amount("resourcing_cost"), first
            )
        return out

    def _amount(self, name: str) -> Any:
        """The parser of an amount column in the workbook's currency (blank: None)."""
        base = self.converter.base

        def parse(row: int, value: Any) -> Decimal | None:
            if value is None or value == "":
                return None
            return self._money(row, name, value, base)

        return parse

    def _costs(self, columns: dict[str, list[Any]], first: int) -> list[Decimal | None]:
        """unit_cost, converted at its row's rate when the BOM has a currency column."""
        values = columns["unit_cost"]
        if "currency" not in columns:
            if _plain_floats(values):
                return list(map(Decimal, map(repr, values)))  # what _money makes of each
            base = self.converter.base
            money = self._money
            return [
                money(first + i, "unit_cost", v, base) if v is not None and v != "" else None
                for i, v in enumerate(values)
            ]
        rates = [
            self.converter.rate(self._cell(first + i, "currency"))
            if v not in (None, "")
            else (self.converter.base, None)
            for i, v in enumerate(columns["currency"])
        ]
        costs = []
        for i, v in enumerate(values):
            code, rate = rates[i]
            cost = (
                self._money(first + i, "unit_cost", v, code) if v is not None and v != "" else None
            )
            costs.append(cost if rate is None or cost is None else cost * rate)
        return costs

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
        parent = self._parent_indexes(lines)
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
                self._refuse_cycle(lines, chain[chain.index(i) :])
            total = units[i] if i >= 0 else ONE
            for k in reversed(chain):
                # in Decimal: each quantity is within 1e-30..1e7, so no product under- or
                # overflows before the limit stops it
                total = total * lines[k].quantity
                units[k] = total
                state[k] = 2
                if total > MAX_QUANTITY:
                    self._refuse_units(lines, parent, k, total)
        self.parent_index = parent

    def _parent_indexes(self, lines: list[BomLine]) -> list[int]:
        """Each line's parent (its index; -1 at the top); a parent naming no line is refused."""
        index = {line.key or line.part_number: i for i, line in enumerate(lines)}
        parent = [-1] * len(lines)
        for i, line in enumerate(lines):
            if line.parent is not None:
                found = index.get(line.parent)
                if found is None:
                    col = self.table.columns.get("parent")
                    assert col is not None
                    raise InputError(
                        self.sheet.where(line.row, col.col, "parent"),
                        f"parent {snippet(line.parent)} names no line of the BOM",
                        "the part_number of the assembly this line goes into, or blank for the "
                        "vehicle itself",
                    )
                parent[i] = found
        return parent

    def _refuse_cycle(self, lines: list[BomLine], members: list[int]) -> None:
        col = self.table.columns.get("parent")
        assert col is not None
        cycle = [lines[k].part_number for k in members]
        shown = shorten([*cycle, cycle[0]], keep=6, sep=" -> ")
        raise InputError(
            self.sheet.where(lines[members[0]].row, col.col, "parent"),
            f"parents form a cycle of {len(cycle):,} part{'s' if len(cycle) > 1 else ''}: {shown}",
            "a tree: no part may contain itself, directly or through its components",
        )

    def _refuse_units(
        self, lines: list[BomLine], parent: list[int], k: int, total: Decimal
    ) -> None:
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


def _plain_texts(values: list[Any]) -> list[Any]:
    """Each cell's stripped text, or `_ODD` where the strict parser must look (a blank of
    spaces, a number, an Excel error's text); None for an empty cell."""
    try:  # the common column: text in every cell, none blank, none starting with "#"
        stripped = list(map(str.strip, values))
    except TypeError:  # an empty cell (None) or a number: cell by cell
        pass
    else:
        if "" not in stripped and "\0#" not in "\0".join(["", *stripped]):
            return stripped
    return [
        (text if (text := v.strip()) and text[0] != "#" else _ODD)
        if type(v) is str
        else (None if v is None else _ODD)
        for v in values
    ]


def _memoized_by_type(values: list[Any], parse: Any, first: int) -> list[Any]:
    """`BomReader._memoized` keyed by type too, for a column mixing True, 1 and 1.0."""
    memo: dict[tuple[type, Any], Any] = {}
    out: list[Any] = []
    append = out.append
    for i, v in enumerate(values):
        key = (type(v), v)
        if key in memo:
            append(memo[key])
        else:
            memo[key] = result = parse(first + i, v)
            append(result)
    return out


_NUMBERS = frozenset((bool, int, float))


def _plain_floats(values: list[Any]) -> bool:
    """Whether every value is a float that `BomReader._money` takes as it is (0, or within
    1e-30..1e12), decided in C: no other type, no NaN or infinity (their sum would be one)."""
    if not values or set(map(type, values)) != {float}:
        return False
    total = sum(values)
    if total != total or total in (math.inf, -math.inf) or max(values) > 1e12:
        return False
    smallest = min(filter(None, values), default=1.0)  # filter(None) drops 0.0 (and -0.0)
    return smallest >= 1e-30


def _units(total: Decimal) -> str:
    return f"{total:,.0f}" if total < Decimal("1e15") else f"{total:.3e}"
