"""The workbook contract (shared/spec/workbook.md) applied to raw sheets.

Every cell rvc reads is checked; every failure is an `InputError` naming the file, sheet, cell
or row, what was found and what is expected. What rvc reads on a reasonable assumption (a
header row below row 1, hidden rows, HS codes stored as numbers) is noted for the report.
"""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from rvc import hs
from rvc.errors import InputError
from rvc.hs import HsPattern
from rvc.model import (
    BillOfMaterials,
    BomLine,
    Excluded,
    FxRate,
    LvcEntry,
    MetalPurchase,
    Provenance,
    Vehicle,
)
from rvc.readers import cells, csv_folder, xlsx
from rvc.readers.cells import EXCEL_ERRORS, MAX_AMOUNT, MAX_QUANTITY, Cell
from rvc.readers.config import Config
from rvc.readers.raw import RawSheet, column_letters, normalize_name
from rvc.readers.tables import Table, locate
from rvc.rules.schema import RulePack

VEHICLE_CLASSES = {
    "passengervehicle": "passenger_vehicle",
    "lighttruck": "light_truck",
    "heavytruck": "heavy_truck",
}
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
NOT_CORE = frozenset(("none", "no", "-", "n/a", "noncore", "notcore"))
CORE_SHOWN = "engine, transmission, body_chassis, axle, suspension, steering, advanced_battery"
LVC_FORMULAS = {
    "netcost": "net_cost",
    "annualpurchasevalue": "annual_purchase_value",
    "apv": "annual_purchase_value",
}
MATERIALS = {"steel": "steel", "aluminum": "aluminum", "aluminium": "aluminum"}
LVC_CATEGORIES = {
    "material": "material",
    "materials": "material",
    "labor": "labor",
    "labour": "labor",
    "technology": "technology",
    "assemblyplant": "assembly_plant",
}
ASSEMBLY_TYPES = {
    "engine": "engine",
    "transmission": "transmission",
    "advancedbattery": "advanced_battery",
}


def read_bom(
    path: Path, config: Config | None = None, *, as_of: date | None = None, today: date
) -> BillOfMaterials:
    """Read a workbook (.xlsx, or CSV files) into a `BillOfMaterials`, or raise `InputError`."""
    config = config or Config()
    notes: list[str] = []
    wanted: dict[str, str] = {}
    keys: dict[str, str] = {}
    for sheet in ("Vehicle", "BOM", "SteelAluminum", "LVC", "FX"):
        for name in config.sheet_names(sheet):
            wanted[name] = sheet
            keys[name] = sheet
    if not path.exists():
        raise InputError(str(path), "does not exist", "a path to an .xlsx workbook or CSV files")
    if path.is_dir() or path.suffix.lower() == ".csv":
        found, others = csv_folder.read_sheets(path, wanted, notes)
        digest = _digest_csv(path)
    else:
        found, others = xlsx.read_sheets(path, wanted)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    sheets: dict[str, RawSheet] = {keys[k]: v for k, v in found.items()}
    for label in ("Vehicle", "BOM"):
        if label not in sheets:
            have = ", ".join(repr(s) for s in [*[v.name for v in sheets.values()], *others])
            raise InputError(
                str(path),
                f"has no '{label}' sheet (found: {have or 'none'})",
                f"a sheet named {label} as in the workbook contract (`rvc template` writes one)",
            )
    provenance = Provenance(path=str(path), sha256=digest)
    provenance.ignored_sheets = others
    if config.source is not None:
        provenance.mapping.append(f"settings from {config.label}")
    for sheet in sheets.values():
        provenance.sheets[sheet.name] = sheet.name
        if sheet.hidden:
            notes.append(f"sheet '{sheet.name}' is hidden in the workbook; it was read anyway")
    vehicle, effective, source = _vehicle(
        sheets["Vehicle"], config, notes, provenance, as_of, today
    )
    rates = _fx(sheets.get("FX"), config, notes, provenance, vehicle.currency, effective)
    converter = _Converter(vehicle.currency, rates, "FX" in sheets)
    reader = _BomReader(sheets["BOM"], config, notes, provenance, converter)
    lines, has_core = reader.read()
    metals = (
        _metals(sheets["SteelAluminum"], config, notes, provenance, converter)
        if "SteelAluminum" in sheets
        else None
    )
    lvc = _lvc(sheets["LVC"], config, notes, provenance, converter) if "LVC" in sheets else None
    if converter.used:
        notes.append(
            f"amounts in {', '.join(sorted(converter.used))} converted to {vehicle.currency} at "
            "the FX sheet's rates"
        )
    if lvc is not None:
        _check_lvc_inputs(sheets["Vehicle"], vehicle, lvc, provenance)
    return BillOfMaterials(
        vehicle=vehicle,
        lines=lines,
        has_core_part_column=has_core,
        metals=metals,
        lvc=lvc,
        notes=notes,
        provenance=provenance,
        as_of=effective,
        as_of_source=source,
    )


def _digest_csv(path: Path) -> str:
    digest = hashlib.sha256()
    files = sorted(path.glob("*.csv")) if path.is_dir() else [path]
    for file in files:
        digest.update(file.name.encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()


def _mapping_notes(table: Table, provenance: Provenance) -> None:
    sheet = table.sheet
    for column in table.columns.values():
        if column.via != "contract":
            where = column_letters(column.col) if sheet.kind == "xlsx" else ""
            provenance.mapping.append(
                f"{sheet.name} column {where + ' ' if where else ''}'{column.header}' read as "
                f"{column.field} ({column.via})"
            )
    provenance.ignored_columns.extend(f"{sheet.name}: {name}" for name in table.ignored)


def _hidden_note(table: Table, notes: list[str], used_rows: list[int]) -> None:
    hidden = sorted(r for r in table.sheet.hidden_rows if r in set(used_rows))
    if hidden:
        shown = ", ".join(map(str, hidden[:20])) + (" ..." if len(hidden) > 20 else "")
        notes.append(
            f"{table.sheet.name}: {len(hidden)} hidden row{'s' if len(hidden) > 1 else ''} "
            f"read like any other (rows {shown}); unhide them to review"
        )


def _refuse_bad_cells(table: Table) -> None:
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


# --- Vehicle ------------------------------------------------------------------------------


def _vehicle(
    sheet: RawSheet,
    config: Config,
    notes: list[str],
    provenance: Provenance,
    override: date | None,
    today: date,
) -> tuple[Vehicle, date, str]:
    aliases = {
        header: (name, via)
        for name, headers in config.aliases("Vehicle").items()
        for header, via in headers.items()
    }
    found: dict[str, Cell] = {}
    for row in range(sheet.first_row, sheet.last_row + 1):
        key_cell = Cell(sheet, row, 1, "field name")
        key = cells.text(key_cell)
        if key is None:
            continue
        name = normalize_name(key)
        if (
            name == "field"
            and normalize_name(cells.text(Cell(sheet, row, 2, "value")) or "") == "value"
        ):
            continue
        match = aliases.get(name)
        if match is None:
            provenance.ignored_columns.append(
                f"{sheet.name}: {sheet.where(row, 1).split(': ')[-1]} ({key})"
            )
            continue
        field, via = match
        if field in found:
            first = found[field]
            raise InputError(
                sheet.where(row, 1),
                f"field '{field}' appears a second time (first on row {first.row})",
                "each field once",
            )
        if via != "contract":
            provenance.mapping.append(f"{sheet.name} field '{key}' read as {field} ({via})")
        found[field] = Cell(sheet, row, 2, field)
        provenance.locations[field] = found[field].where
    for r, c in (*sheet.errors, *sheet.no_cached_value):
        for cell in found.values():
            if (cell.row, cell.col) == (r, c):
                cell.value()

    def need(field: str, what: str) -> Cell:
        if field not in found or found[field].value() is None:
            where = found[field].where if field in found else f"{sheet.file}: sheet '{sheet.name}'"
            raise InputError(
                where,
                f"{field} is missing",
                f"a row with '{field}' in column A and {what} in column B",
            )
        return found[field]

    def get(field: str) -> Cell | None:
        return found.get(field)

    model_line = cells.text(need("model_line", "the model line, e.g. Sedan 2.0 AWD")) or ""
    vehicle_class = cells.choice(
        need("vehicle_class", "passenger_vehicle, light_truck or heavy_truck"),
        VEHICLE_CLASSES,
        "passenger_vehicle, light_truck, heavy_truck",
    )
    net_cost = cells.amount(
        need("net_cost", "the net cost of one vehicle, e.g. 31250.00"),
        strictly_positive=True,
        example="31250.00",
    )
    currency = "USD"
    if (cell := get("currency")) is not None and (code := cells.text(cell)) is not None:
        currency = _currency(cell, code)
    hs_subheading = None
    if (cell := get("hs_subheading")) is not None:
        hs_subheading = cells.hs_code(cell, notes)
        if hs_subheading is not None:
            provenance.locations["hs_subheading"] = cell.where
    workbook_date = cells.date(cell) if (cell := get("as_of")) is not None else None
    if override is not None:
        effective, source = override, "option"
    elif workbook_date is not None:
        effective, source = workbook_date, "workbook"
    else:
        effective, source = today, "today"

    def optional_amount(field: str, positive: bool = False) -> Decimal | None:
        cell = get(field)
        if cell is None:
            return None
        return cells.amount(cell, strictly_positive=positive)

    formula = "net_cost"
    if (cell := get("lvc_formula")) is not None:
        formula = cells.choice(cell, LVC_FORMULAS, "net_cost or annual_purchase_value") or formula
    for field in ("total_annual_purchase_value", "production_wages_total"):
        if field in found:
            provenance.locations[field] = found[field].where
    vehicle = Vehicle(
        model_line=model_line,
        vehicle_class=vehicle_class or "",
        net_cost=net_cost or Decimal(0),
        currency=currency,
        hs_subheading=hs_subheading,
        producer=cells.text(cell) if (cell := get("producer")) is not None else None,
        plant=cells.text(cell) if (cell := get("plant")) is not None else None,
        as_of=workbook_date,
        transaction_value=optional_amount("transaction_value"),
        lvc_formula=formula,
        total_annual_purchase_value=optional_amount("total_annual_purchase_value", True),
        production_wages_total=optional_amount("production_wages_total", True),
    )
    return vehicle, effective, source


def _currency(cell: Cell, code: str) -> str:
    code = code.strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise cell.fail(f"is {code!r}", "a three-letter ISO currency code such as USD, CAD, MXN")
    return code


def _check_lvc_inputs(
    sheet: RawSheet, vehicle: Vehicle, rows: list[LvcEntry], provenance: Provenance
) -> None:
    tech = next((r for r in rows if r.category == "technology"), None)
    if tech is not None and vehicle.production_wages_total is None:
        raise InputError(
            provenance.locations.get(
                "production_wages_total", f"{sheet.file}: sheet '{sheet.name}'"
            ),
            f"production_wages_total is missing, but LVC row {tech.row} claims a technology credit",
            "the producer's total annual wages of direct production workers in North America",
        )
    if (
        vehicle.lvc_formula == "annual_purchase_value"
        and vehicle.total_annual_purchase_value is None
    ):
        raise InputError(
            provenance.locations.get(
                "total_annual_purchase_value", f"{sheet.file}: sheet '{sheet.name}'"
            ),
            "total_annual_purchase_value is missing, but lvc_formula is annual_purchase_value",
            "the assembly plant's total annual purchases of parts and materials (TAPV)",
        )


# --- FX -----------------------------------------------------------------------------------


def _fx(
    sheet: RawSheet | None,
    config: Config,
    notes: list[str],
    provenance: Provenance,
    base: str,
    as_of: date,
) -> dict[str, FxRate]:
    if sheet is None:
        return {}
    table = locate(sheet, config.aliases("FX"), ("currency", "rate"), notes)
    _mapping_notes(table, provenance)
    _refuse_bad_cells(table)
    candidates: dict[str, list[FxRate]] = {}
    for row, _ in table.rows():
        code_cell = table.cell(row, "currency")
        assert code_cell is not None
        code = cells.text(code_cell)
        rate_cell = table.cell(row, "rate")
        assert rate_cell is not None
        if code is None and rate_cell.value() is None:
            continue
        if code is None:
            raise code_cell.fail("is blank", "a currency code such as MXN")
        code = _currency(code_cell, code)
        rate = cells.amount(rate_cell, strictly_positive=True, example="0.0587")
        if rate is None:
            raise rate_cell.fail("is blank", f"how many {base} one {code} is worth, e.g. 0.0587")
        on = cells.date(c) if (c := table.cell(row, "date")) is not None else None
        source = cells.text(c) or "" if (c := table.cell(row, "source")) is not None else ""
        candidates.setdefault(code, []).append(FxRate(code, rate, on, source, row))
    rates: dict[str, FxRate] = {}
    for code, options in candidates.items():
        dated = [r for r in options if r.on is not None and r.on <= as_of]
        undated = [r for r in options if r.on is None]
        if len(undated) > 1 or (undated and len(options) > 1):
            raise InputError(
                sheet.where(options[1].row or 0),
                f"currency {code} has several rates and not all are dated",
                "one rate per currency, or a date on each rate",
            )
        if undated:
            chosen = undated[0]
        elif dated:
            latest = max(r.on for r in dated if r.on)
            same = [r for r in dated if r.on == latest]
            if len(same) > 1:
                raise InputError(
                    sheet.where(same[1].row or 0),
                    f"currency {code} has two rates dated {latest}",
                    "one rate per currency and date",
                )
            chosen = same[0]
        else:
            first = min(options, key=lambda r: r.on or as_of)
            raise InputError(
                sheet.where(first.row or 0),
                f"every {code} rate is dated after {as_of} (the date the thresholds apply)",
                f"a rate dated on or before {as_of}",
            )
        rates[code] = chosen
    provenance.fx_rates = sorted(rates.values(), key=lambda r: r.currency)
    return rates


class _Converter:
    """Converts amounts written in a line's currency into the workbook currency."""

    def __init__(self, base: str, rates: dict[str, FxRate], fx_sheet_present: bool) -> None:
        self.base = base
        self.rates = rates
        self.present = fx_sheet_present
        self.used: set[str] = set()

    def rate(self, cell: Cell | None) -> tuple[str, Decimal | None]:
        if cell is None:
            return self.base, None
        code = cells.text(cell)
        if code is None:
            return self.base, None
        code = _currency(cell, code)
        if code == self.base:
            return code, None
        if code not in self.rates:
            raise cell.fail(
                f"is {code}, which has no rate in the FX sheet"
                if self.present
                else f"is {code}, but the workbook has no FX sheet",
                f"an FX row: currency {code}, rate (value of one {code} in {self.base}), date, "
                "source",
            )
        self.used.add(code)
        return code, self.rates[code].rate


# --- BOM ----------------------------------------------------------------------------------


class _BomReader:
    """Reads BOM rows with fast paths for the common cell types (100,000 lines in ~0.3 s)."""

    def __init__(
        self,
        sheet: RawSheet,
        config: Config,
        notes: list[str],
        provenance: Provenance,
        converter: _Converter,
    ) -> None:
        self.sheet = sheet
        self.notes = notes
        self.provenance = provenance
        self.table = locate(sheet, config.aliases("BOM"), ("part_number", "unit_cost"), notes)
        _mapping_notes(self.table, provenance)
        _refuse_bad_cells(self.table)
        self.converter = converter
        values = config.settings.values
        self.yes = {normalize_name(w) for w in values.originating.yes}
        self.no = {normalize_name(w) for w in values.originating.no}
        self.core = dict(CORE_PARTS)
        for category, words in values.core_part.items():
            for word in words:
                self.core[normalize_name(word)] = category

    def read(self) -> tuple[list[BomLine], bool]:
        table = self.table
        if table.has("parent") and table.has("level"):
            parent_col = table.columns["parent"]
            level_col = table.columns["level"]
            raise InputError(
                f"{self.sheet.file}: sheet '{self.sheet.name}'",
                f"has both a parent column ({parent_col.header}) and a level column "
                f"({level_col.header})",
                "one way to give the structure: parent part numbers, or indented levels",
            )
        offsets = {
            name: column.col - self.sheet.first_col for name, column in table.columns.items()
        }
        lines: list[BomLine] = []
        seen: dict[str, int] = {}
        levels: list[tuple[int, str]] = []
        by_level = table.has("level")
        used_rows: list[int] = []
        for row, values in table.rows():
            got = {name: (values[o] if o < len(values) else None) for name, o in offsets.items()}
            self.provenance.rows_read += 1
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in got.values()):
                self.provenance.blank_rows += 1
                continue
            line = self._line(row, got)
            if by_level:
                level = self._level(row, got.get("level"))
                if level == 0:
                    self.provenance.excluded.append(
                        Excluded(row, "level 0: the finished vehicle itself, not a material")
                    )
                    continue
                line = self._place(row, line, level, levels)
            elif line.part_number in seen:
                raise InputError(
                    self.sheet.where(row, table.columns["part_number"].col, "part_number"),
                    f"part_number {line.part_number!r} appears again (first on row "
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
            repeated = len(lines) - len(seen)
            if repeated:
                self.notes.append(
                    f"{self.sheet.name}: {repeated} line{'s' if repeated > 1 else ''} repeat a "
                    "part number under another assembly (level-coded BOM); each is counted in "
                    "its place"
                )
        else:
            self._check_tree(lines)
        _hidden_note(table, self.notes, used_rows)
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

    def _amount(self, row: int, name: str, value: Any, **limits: Any) -> Decimal | None:
        kind = type(value)
        if kind is float and value == value and value not in (float("inf"), float("-inf")):
            number = Decimal(repr(value))
        elif kind is int:
            number = Decimal(value)
        else:
            return cells.amount(self._cell(row, name), **limits)
        if (
            number < 0
            or number > limits.get("maximum", MAX_AMOUNT)
            or (limits.get("strictly_positive") and number <= 0)
        ):
            return cells.amount(self._cell(row, name), **limits)
        return number

    def _line(self, row: int, got: dict[str, Any]) -> BomLine:
        part = self._text(row, "part_number", got.get("part_number"))
        if part is None:
            raise self._cell(row, "part_number").fail(
                "is blank", "a part number on every BOM line (or an empty row)"
            )
        code, rate = self.converter.rate(
            self._cell(row, "currency") if "currency" in self.table.columns else None
        )
        unit_cost = self._amount(row, "unit_cost", got.get("unit_cost"), currency=code)
        if unit_cost is None:
            raise self._cell(row, "unit_cost").fail(
                "is blank", "the value of one unit, e.g. 1234.50 (0 is allowed)"
            )
        if rate is not None:
            unit_cost = unit_cost * rate
        quantity = Decimal(1)
        if (raw := got.get("quantity")) is not None:
            quantity = self._amount(
                row, "quantity", raw, strictly_positive=True, maximum=MAX_QUANTITY, example="2"
            ) or Decimal(1)
        originating = self._origin(row, got.get("originating"))
        core = None
        if (raw := got.get("core_part")) is not None:
            word = self._text(row, "core_part", raw)
            if word is not None and normalize_name(word) not in NOT_CORE:
                core = self.core.get(normalize_name(word))
                if core is None:
                    raise self._cell(row, "core_part").fail(
                        f"is {word!r}", f"blank or one of {CORE_SHOWN}"
                    )
        rvc_percent = None
        if (raw := got.get("rvc_percent")) is not None:
            rvc_percent = self._amount(
                row, "rvc_percent", raw, maximum=Decimal(100), percent=True, example="78.5"
            )
        hs_code = None
        if got.get("hs_code") is not None:
            hs_code = cells.hs_code(self._cell(row, "hs_code"), self.notes)
        parent = self._text(row, "parent", got.get("parent"))
        return BomLine(
            row=row,
            part_number=part,
            unit_cost=unit_cost,
            quantity=quantity,
            parent=parent,
            description=self._text(row, "description", got.get("description")) or "",
            hs_code=hs_code,
            originating=originating,
            core_part=core,
            rvc_percent=rvc_percent,
            supplier=self._text(row, "supplier", got.get("supplier")) or "",
            country=self._text(row, "country", got.get("country")) or "",
        )

    def _origin(self, row: int, value: Any) -> bool | None:
        if value is None:
            return None
        if isinstance(value, str):
            word = normalize_name(value)
            if not word:
                return None
            if word in self.yes:
                return True
            if word in self.no:
                return False
        return cells.yes_no(self._cell(row, "originating"))

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
                    f"is {text!r}: {dots} dots but level {level}", "'.1', '..2', '...3'"
                )
            return level
        if not digits and dots:
            return dots
        raise cell.fail(f"is {text!r}", "a level such as 1, 2, 3 or .1, ..2, ...3")

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
        parent = stack[-1][1] if stack else None
        stack.append((level, key))
        return BomLine(
            row=line.row,
            part_number=line.part_number,
            unit_cost=line.unit_cost,
            quantity=line.quantity,
            parent=parent,
            key=key,
            description=line.description,
            hs_code=line.hs_code,
            originating=line.originating,
            core_part=line.core_part,
            rvc_percent=line.rvc_percent,
            supplier=line.supplier,
            country=line.country,
        )

    def _check_tree(self, lines: list[BomLine]) -> None:
        index = {line.part_number: line for line in lines}
        col = self.table.columns.get("parent")
        for line in lines:
            if line.parent is not None and line.parent not in index:
                assert col is not None
                raise InputError(
                    self.sheet.where(line.row, col.col, "parent"),
                    f"parent {line.parent!r} names no line of the BOM",
                    "the part_number of the assembly this line goes into, or blank for the "
                    "vehicle itself",
                )
        state: dict[str, int] = {}
        for start in lines:
            chain: list[str] = []
            node: str | None = start.part_number
            while node is not None and state.get(node, 0) == 0:
                state[node] = 1
                chain.append(node)
                node = index[node].parent
            if node is not None and state.get(node) == 1:
                cycle = chain[chain.index(node) :] + [node]
                assert col is not None
                first = index[cycle[0]]
                raise InputError(
                    self.sheet.where(first.row, col.col, "parent"),
                    f"parents form a cycle: {' -> '.join(cycle)}",
                    "a tree: no part may contain itself, directly or through its components",
                )
            for name in chain:
                state[name] = 2


# --- SteelAluminum and LVC ------------------------------------------------------------------


def _rows(table: Table, provenance: Provenance, notes: list[str]) -> list[int]:
    """Data rows that are not blank; hidden ones are noted."""
    out = []
    for row, values in table.rows():
        if any(v is not None and not (isinstance(v, str) and not v.strip()) for v in values):
            out.append(row)
    _hidden_note(table, notes, out)
    return out


def _metals(
    sheet: RawSheet,
    config: Config,
    notes: list[str],
    provenance: Provenance,
    converter: _Converter,
) -> list[MetalPurchase]:
    table = locate(
        sheet, config.aliases("SteelAluminum"), ("material", "value", "originating"), notes
    )
    _mapping_notes(table, provenance)
    _refuse_bad_cells(table)
    values = config.settings.values
    out = []
    for row in _rows(table, provenance, notes):

        def cell(name: str, row: int = row) -> Cell | None:
            return table.cell(row, name)

        material_cell = cell("material")
        assert material_cell is not None
        material = cells.choice(material_cell, MATERIALS, "steel or aluminum")
        if material is None:
            if all(c is None or c.value() is None for c in (cell("value"), cell("originating"))):
                continue
            raise material_cell.fail("is blank", "steel or aluminum")
        code, rate = converter.rate(cell("currency"))
        value_cell = cell("value")
        assert value_cell is not None
        value = cells.amount(value_cell, currency=code)
        if value is None:
            raise value_cell.fail("is blank", "the purchase value, e.g. 125000")
        if rate is not None:
            value *= rate
        origin_cell = cell("originating")
        assert origin_cell is not None
        originating = _yes_no(origin_cell, values.originating.yes, values.originating.no)
        if originating is None:
            raise origin_cell.fail("is blank", "Y or N: whether the purchase is originating")
        melted = None
        if (melted_cell := cell("melted_and_poured")) is not None:
            melted = _yes_no(melted_cell, values.melted_and_poured.yes, values.melted_and_poured.no)
        hs_code = cells.hs_code(c, notes) if (c := cell("hs_code")) is not None else None
        out.append(
            MetalPurchase(
                row=row,
                material=material,
                value=value,
                originating=originating,
                melted_and_poured=melted,
                hs_code=hs_code,
                description=cells.text(c) or "" if (c := cell("description")) is not None else "",
                supplier=cells.text(c) or "" if (c := cell("supplier")) is not None else "",
            )
        )
    return out


def _yes_no(cell: Cell, yes: list[str], no: list[str]) -> bool | None:
    value = cell.value()
    if isinstance(value, str):
        word = normalize_name(value)
        if word in {normalize_name(w) for w in yes}:
            return True
        if word in {normalize_name(w) for w in no}:
            return False
    return cells.yes_no(cell)


def _lvc(
    sheet: RawSheet,
    config: Config,
    notes: list[str],
    provenance: Provenance,
    converter: _Converter,
) -> list[LvcEntry]:
    table = locate(sheet, config.aliases("LVC"), ("category",), notes)
    _mapping_notes(table, provenance)
    _refuse_bad_cells(table)
    out = []
    for row in _rows(table, provenance, notes):

        def cell(name: str, row: int = row) -> Cell | None:
            return table.cell(row, name)

        def need(name: str, what: str, category: str, row: int = row) -> Cell:
            found = table.cell(row, name)
            if found is None or found.value() is None:
                where = found.where if found else sheet.where(row)
                raise InputError(where, f"{name} is missing for a {category} row", f"{what}")
            return found

        category_cell = cell("category")
        assert category_cell is not None
        category = cells.choice(
            category_cell, LVC_CATEGORIES, "material, labor, technology or assembly_plant"
        )
        if category is None:
            raise category_cell.fail("is blank", "material, labor, technology or assembly_plant")
        amount = wage = capacity = None
        assembly_type = None
        code, rate = converter.rate(cell("currency"))
        if category in ("material", "labor", "technology"):
            amount = cells.amount(
                need("amount", "the expenditure, e.g. 8250.00", category), currency=code
            )
            if amount is not None and rate is not None:
                amount *= rate
        if category in ("material", "labor", "assembly_plant"):
            wage = cells.amount(
                need(
                    "hourly_wage",
                    "the plant's average base hourly wage in USD, e.g. 18.50",
                    category,
                ),
                maximum=Decimal(10_000),
                example="18.50",
            )
        if category == "assembly_plant":
            assembly_type = cells.choice(
                need("assembly_type", "engine, transmission or advanced_battery", category),
                ASSEMBLY_TYPES,
                "engine, transmission or advanced_battery",
            )
            capacity = cells.amount(
                need(
                    "annual_capacity", "the plant's annual capacity in units, e.g. 150000", category
                ),
                example="150000",
            )
        out.append(
            LvcEntry(
                row=row,
                category=category,
                amount=amount,
                hourly_wage=wage,
                assembly_type=assembly_type,
                annual_capacity=capacity,
                description=cells.text(c) or "" if (c := cell("description")) is not None else "",
                plant=cells.text(c) or "" if (c := cell("plant")) is not None else "",
                country=cells.text(c) or "" if (c := cell("country")) is not None else "",
            )
        )
    return out


# --- Vehicle against the rule pack ----------------------------------------------------------


def check_vehicle(bom: BillOfMaterials, pack: RulePack) -> None:
    """The vehicle class must be one the pack covers, and agree with `hs_subheading`."""
    vehicle = bom.vehicle
    locations = bom.provenance.locations if bom.provenance else {}
    definition = pack.vehicle_class(vehicle.vehicle_class)
    if definition is None:
        raise InputError(
            locations.get("vehicle_class", "Vehicle"),
            f"vehicle_class {vehicle.vehicle_class!r} has no definition in rule pack "
            f"{pack.pack.id}",
            f"one of {', '.join(c.id for c in pack.vehicle_classes)}",
        )
    code = vehicle.hs_subheading
    if code is None:
        return
    where = locations.get("hs_subheading", "Vehicle")
    if len(code) < 6:
        raise InputError(
            where,
            f"hs_subheading {hs.dotted(code)} is only a heading",
            "a six-digit subheading such as 8703.80",
        )
    for excluded in definition.excluded:
        if any(HsPattern.parse(p).matches(code) for p in excluded.hs):
            raise InputError(
                where,
                f"hs_subheading {hs.dotted(code)} is not a {definition.title.lower()}: "
                f"{excluded.reason}",
                "a vehicle this rule pack covers",
            )
    if any(HsPattern.parse(p).matches(code) for group in definition.hs for p in group.hs):
        return
    others = [
        c.title.lower()
        for c in pack.vehicle_classes
        if any(HsPattern.parse(p).matches(code) for group in c.hs for p in group.hs)
    ]
    hint = f" (it is a {' or '.join(others)} subheading)" if others else ""
    allowed = ", ".join(p for group in definition.hs for p in group.hs)
    raise InputError(
        where,
        f"hs_subheading {hs.dotted(code)} does not match vehicle_class "
        f"{vehicle.vehicle_class}{hint}",
        f"for a {definition.title.lower()}: {allowed}",
    )
