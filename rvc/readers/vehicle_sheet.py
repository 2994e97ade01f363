"""The Vehicle sheet: field / value pairs in columns A and B, and checks against the rule pack."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from decimal import Decimal

from rvc import hs
from rvc.contract import COUNTRIES, FIELDS, LVC_FORMULAS, PERIOD_FIELDS, VEHICLE_CLASSES
from rvc.errors import InputError
from rvc.hs import HsPattern
from rvc.model import BillOfMaterials, LvcRow, Production, Provenance, Vehicle
from rvc.money import ZERO, fmt_number
from rvc.readers import cells
from rvc.readers.cells import Cell, currency_code
from rvc.readers.config import Config
from rvc.readers.raw import RawSheet, column_letters, normalize_name
from rvc.readers.suggest import looks_like
from rvc.rulepack.schema import RulePack, VehicleClassDef
from rvc.text import snippet


def _refuse_lookalikes(
    sheet: RawSheet, found: dict[str, Cell], unknown: list[tuple[int, str]], config: Config
) -> None:
    """A field name that looks like a contract field the sheet lacks (`vehicle clas`, `class`)
    stops the run; with --strict, any unknown field name does."""
    lacking = [f for f in FIELDS["Vehicle"] if f not in found]
    for row, key in unknown:
        field = looks_like(key, "Vehicle", lacking, [sheet.value(row, 2)])
        if field is not None:
            raise InputError(
                sheet.where(row, 1),
                f"field name {snippet(key)} is not a contract field",
                f"{field!r} (did you mean it? rename it, or map it in "
                f"{config.mapping_hint('columns.Vehicle', field, key)})",
            )
    if config.strict and unknown:
        row, key = unknown[0]
        raise InputError(
            sheet.where(row, 1),
            f"field name {snippet(key)} is not a contract field (--strict)",
            f"one of {', '.join(FIELDS['Vehicle'])}, or delete the row, or run without --strict",
        )


def read_vehicle(
    sheet: RawSheet,
    config: Config,
    notes: list[str],
    provenance: Provenance,
    override: date | None,
    today: date,
    production: frozenset[str] | None = None,
) -> tuple[Vehicle, date, str]:
    """The Vehicle sheet as a `Vehicle`, with the date whose thresholds apply and where that
    date comes from (`option`: --as-of, `workbook`: its as_of, `period`: its period_end (`rvc
    average`), else `today`). With `production` (the fields a command needs, e.g. `volume`),
    also the period fields of `rvc average`, each checked, those named required."""
    _note_extra_columns(sheet, provenance)
    found, unknown = _find_fields(sheet, config, provenance)
    _refuse_lookalikes(sheet, found, unknown, config)
    fields = _Fields(sheet, found)
    fields.refuse_bad_cells()
    vehicle = _vehicle(fields, notes)
    period = read_production(found, sheet, production)
    if period is not None:
        vehicle = replace(vehicle, production=period)
    effective, source = _effective_date(override, vehicle.as_of, today, period)
    return vehicle, effective, source


def _note_extra_columns(sheet: RawSheet, provenance: Provenance) -> None:
    """Only columns A (field) and B (value) are read: any others are listed as ignored."""
    width = max((len(r) for r in sheet.rows), default=0) + sheet.first_col - 1
    if width > 2:
        extra = ", ".join(column_letters(c) for c in range(3, width + 1))
        provenance.ignored_columns.append(f"{sheet.name}: columns {extra} (only A and B are read)")


def _find_fields(
    sheet: RawSheet, config: Config, provenance: Provenance
) -> tuple[dict[str, Cell], list[tuple[int, str]]]:
    """The value cell of each field named in column A (contract names, or as mapped), and the
    rows whose name is no field (row, name); a field named twice is an error."""
    aliases = {
        header: (name, via)
        for name, headers in config.aliases("Vehicle").items()
        for header, via in headers.items()
    }
    found: dict[str, Cell] = {}
    unknown: list[tuple[int, str]] = []
    for row in range(sheet.first_row, sheet.last_row + 1):
        key = cells.text(Cell(sheet, row, 1, "field name"))
        if key is None or _is_header_row(sheet, row, key):
            continue
        match = aliases.get(normalize_name(key))
        if match is None:
            unknown.append((row, key))
            provenance.ignored_columns.append(
                f"{sheet.name}: {sheet.where(row, 1).split(': ')[-1]} ({key})"
            )
            continue
        field, via = match
        if field in found:
            raise InputError(
                sheet.where(row, 1),
                f"field '{field}' appears a second time (first on row {found[field].row})",
                "each field once",
            )
        if via != "contract":
            provenance.mapping.append(f"{sheet.name} field '{key}' read as {field}")
        found[field] = Cell(sheet, row, 2, field)
        provenance.locations[field] = found[field].where
    return found, unknown


def _is_header_row(sheet: RawSheet, row: int, key: str) -> bool:
    """A `field` / `value` row (the template's header) names no field."""
    if normalize_name(key) != "field":
        return False
    return normalize_name(cells.text(Cell(sheet, row, 2, "value")) or "") == "value"


class _Fields:
    """The Vehicle sheet's value cells by field, read strictly."""

    def __init__(self, sheet: RawSheet, found: dict[str, Cell]) -> None:
        self.sheet = sheet
        self.found = found

    def refuse_bad_cells(self) -> None:
        """An Excel error or an unsaved formula in a value cell stops the run."""
        at = {(cell.row, cell.col): cell for cell in self.found.values()}
        for position in (*self.sheet.errors, *self.sheet.no_cached_value):
            if position in at:
                at[position].value()

    def get(self, field: str) -> Cell | None:
        """The field's value cell, None when the sheet does not name the field."""
        return self.found.get(field)

    def need(self, field: str, what: str) -> Cell:
        """The value cell of a required field; a located error when it is missing or blank."""
        cell = self.found.get(field)
        if cell is None or cell.value() is None:
            where = (
                cell.where if cell is not None else f"{self.sheet.file}: sheet '{self.sheet.name}'"
            )
            raise InputError(
                where,
                f"{field} is missing",
                f"a row with '{field}' in column A and {what} in column B",
            )
        return cell

    def text(self, field: str) -> str | None:
        """An optional free-text field."""
        cell = self.found.get(field)
        return cells.text(cell) if cell is not None else None

    def amount(self, field: str, positive: bool = False) -> Decimal | None:
        """An optional amount (> 0 when `positive`)."""
        cell = self.found.get(field)
        return cells.amount(cell, strictly_positive=positive) if cell is not None else None


def _vehicle(fields: _Fields, notes: list[str]) -> Vehicle:
    """Each field parsed, in the order the sheet's errors are reported in: the required ones
    first (model_line, vehicle_class, net_cost), then the optional ones."""
    model_line = cells.text(fields.need("model_line", "the model line, e.g. Sedan 2.0 AWD")) or ""
    vehicle_class = cells.choice(
        fields.need("vehicle_class", "passenger_vehicle, light_truck or heavy_truck"),
        VEHICLE_CLASSES,
        "passenger_vehicle, light_truck, heavy_truck",
    )
    net_cost = cells.amount(
        fields.need("net_cost", "the net cost of one vehicle, e.g. 31250.00"),
        strictly_positive=True,
        example="31250.00",
    )
    currency = "USD"
    if (cell := fields.get("currency")) is not None and (code := cells.text(cell)) is not None:
        currency = currency_code(cell, code)
    cell = fields.get("hs_subheading")
    hs_subheading = cells.hs_code(cell, notes) if cell is not None else None
    workbook_date = cells.date(cell) if (cell := fields.get("as_of")) is not None else None
    formula = "net_cost"
    if (cell := fields.get("lvc_formula")) is not None:
        formula = cells.choice(cell, LVC_FORMULAS, "net_cost or annual_purchase_value") or formula
    return Vehicle(
        model_line=model_line,
        vehicle_class=vehicle_class or "",
        net_cost=net_cost or Decimal(0),
        currency=currency,
        hs_subheading=hs_subheading,
        producer=fields.text("producer"),
        plant=fields.text("plant"),
        as_of=workbook_date,
        transaction_value=fields.amount("transaction_value"),
        lvc_formula=formula,
        total_annual_purchase_value=fields.amount("total_annual_purchase_value", True),
        production_wages_total=fields.amount("production_wages_total", True),
    )


def _effective_date(
    override: date | None, workbook_date: date | None, today: date, period: Production | None
) -> tuple[date, str]:
    """The date whose thresholds apply and its source: --as-of, else the workbook's as_of,
    else (`rvc average`) its period's last day, else today."""
    if override is not None:
        return override, "option"
    if workbook_date is not None:
        return workbook_date, "workbook"
    if period is not None and period.period_end is not None:
        return period.period_end, "period"
    return today, "today"


MAX_VOLUME = 10**9
_WHAT = {
    "volume": "the units of this variant produced in the period, e.g. 12000",
    "volume_exported": "the units of them exported to another CUSMA country, e.g. 9000",
    "period_start": "the first day of the period the volume covers, e.g. 2024-07-01",
    "period_end": "the last day of the period the volume covers, e.g. 2025-06-30",
    "fiscal_year_start": "the first day of the producer's fiscal year, e.g. 2024-01-01",
    "country": "the plant's country: US, CA or MX",
    "plant": "the plant the variant is produced in, e.g. Oshawa",
}


def read_production(
    found: dict[str, Cell], sheet: RawSheet, required: frozenset[str] | None
) -> Production | None:
    """The period fields (s. 16): volumes as whole numbers, dates, the plant's country; None
    when not asked for (`rvc check` ignores them)."""
    if required is None:
        return None
    _require(found, sheet, required)
    volume = _units(found.get("volume"), positive=True)
    exported = _units(found.get("volume_exported"), positive=False)
    if volume is not None and exported is not None and exported > volume:
        raise found["volume_exported"].fail(
            f"is {exported:,}, more than the volume produced ({volume:,})",
            "at most the volume: the exported units are some of the units produced",
        )
    start, end, fiscal = (_date(found.get(f)) for f in ("period_start", "period_end",
                                                        "fiscal_year_start"))  # fmt: skip
    if start is not None and end is not None and end < start:
        raise found["period_end"].fail(
            f"is {end.isoformat()}, before period_start {start.isoformat()}",
            "a last day on or after the first",
        )
    country = found.get("country")
    return Production(
        volume=volume,
        volume_exported=exported,
        period_start=start,
        period_end=end,
        fiscal_year_start=fiscal,
        country=(
            cells.choice(country, COUNTRIES, "US, CA or MX (a CUSMA country)")
            if country is not None
            else None
        ),
    )


def _require(found: dict[str, Cell], sheet: RawSheet, required: frozenset[str]) -> None:
    """Each field asked for is there with a value, or a located error names the first missing."""
    for field in (f for f in (*PERIOD_FIELDS, "plant") if f in required):
        cell = found.get(field)
        if cell is None or cell.value() is None:
            where = cell.where if cell is not None else f"{sheet.file}: sheet '{sheet.name}'"
            raise InputError(
                where,
                f"{field} is missing (rvc average needs it)",
                f"a row with '{field}' in column A and {_WHAT[field]} in column B",
            )


def _date(cell: Cell | None) -> date | None:
    return cells.date(cell) if cell is not None else None


def _units(cell: Cell | None, *, positive: bool) -> int | None:
    """A count of vehicles: a whole number (> 0 for the volume produced, else >= 0)."""
    if cell is None:
        return None
    number = cells.amount(
        cell, strictly_positive=positive, maximum=Decimal(MAX_VOLUME), example="12000"
    )
    if number is None:
        return None
    if number != number.to_integral_value():
        raise cell.fail(f"is {fmt_number(number)}", "a whole number of vehicles, e.g. 12000")
    return int(number)


def check_lvc_inputs(
    sheet: RawSheet, vehicle: Vehicle, rows: list[LvcRow], provenance: Provenance
) -> None:
    """The Vehicle fields the LVC rows need are there, and the LVC amounts fit the formula:
    at most the plant's annual purchases, or (per vehicle) at most the net cost."""
    _check_lvc_fields(sheet, vehicle, rows, provenance)
    material = sum((r.amount or ZERO for r in rows if r.category == "material"), ZERO)
    labor = sum((r.amount or ZERO for r in rows if r.category == "labor"), ZERO)
    if vehicle.lvc_formula == "annual_purchase_value":
        tapv = vehicle.total_annual_purchase_value or ZERO
        if material > tapv:
            raise InputError(
                f"{sheet.file}: sheet 'LVC'",
                f"material amounts total {fmt_number(material)}, more than "
                f"total_annual_purchase_value {fmt_number(tapv)}: the high-wage purchases are "
                "part of the plant's total purchases",
                "annual amounts for the annual purchase value formula (check their units)",
            )
    elif material + labor > vehicle.net_cost:
        raise InputError(
            f"{sheet.file}: sheet 'LVC'",
            f"material and labor amounts total {fmt_number(material + labor)}, more than the "
            f"net cost {fmt_number(vehicle.net_cost)} "
            f"({provenance.locations.get('net_cost', 'Vehicle')}): with the net cost formula "
            "they are per vehicle",
            "amounts per vehicle, or lvc_formula annual_purchase_value for annual amounts",
        )


def _check_lvc_fields(
    sheet: RawSheet, vehicle: Vehicle, rows: list[LvcRow], provenance: Provenance
) -> None:
    """A technology credit needs production_wages_total; the annual purchase value formula
    needs total_annual_purchase_value."""
    sheet_place = f"{sheet.file}: sheet '{sheet.name}'"
    tech = next((r for r in rows if r.category == "technology"), None)
    if tech is not None and vehicle.production_wages_total is None:
        raise InputError(
            provenance.locations.get("production_wages_total", sheet_place),
            f"production_wages_total is missing, but LVC row {tech.row} claims a technology credit",
            "the producer's total annual wages of direct production workers in North America",
        )
    apv = vehicle.lvc_formula == "annual_purchase_value"
    if apv and vehicle.total_annual_purchase_value is None:
        raise InputError(
            provenance.locations.get("total_annual_purchase_value", sheet_place),
            "total_annual_purchase_value is missing, but lvc_formula is annual_purchase_value",
            "the assembly plant's total annual purchases of parts and materials (TAPV)",
        )


def check_bom_value(bom_value: Decimal, vehicle: Vehicle, provenance: Provenance) -> None:
    """Materials are part of the net cost: a BOM worth twice the net cost means wrong units."""
    if bom_value > 2 * vehicle.net_cost:
        raise InputError(
            provenance.locations.get("net_cost", "Vehicle"),
            f"net_cost {fmt_number(vehicle.net_cost)} is less than half the value of the "
            f"top-level BOM lines ({fmt_number(bom_value)}), which are part of it",
            "the net cost of one vehicle in the workbook currency (check its units)",
        )


def check_vehicle(bom: BillOfMaterials, pack: RulePack) -> None:
    """The vehicle class must be one the pack covers, and agree with `hs_subheading`."""
    vehicle = bom.vehicle
    locations = bom.provenance.locations if bom.provenance else {}
    definition = pack.vehicle_class(vehicle.vehicle_class)
    if definition is None:
        raise InputError(
            locations.get("vehicle_class", "Vehicle"),
            f"vehicle_class {snippet(vehicle.vehicle_class)} has no definition in rule pack "
            f"{pack.pack.id}",
            f"one of {', '.join(c.id for c in pack.vehicle_classes)}",
        )
    if vehicle.hs_subheading is not None:
        where = locations.get("hs_subheading", "Vehicle")
        _check_subheading(vehicle.hs_subheading, definition, pack, where)


def _matches(code: str, patterns: Iterable[str]) -> bool:
    return any(HsPattern.parse(p).matches(code) for p in patterns)


def _check_subheading(code: str, definition: VehicleClassDef, pack: RulePack, where: str) -> None:
    """`hs_subheading` is a six-digit subheading of the class, not one it excludes; when it is
    another class's, the error says which."""
    if len(code) < 6:
        raise InputError(
            where,
            f"hs_subheading {hs.dotted(code)} is only a heading",
            "a six-digit subheading such as 8703.80",
        )
    for excluded in definition.excluded:
        if _matches(code, excluded.hs):
            raise InputError(
                where,
                f"hs_subheading {hs.dotted(code)} is not a {definition.title.lower()}: "
                f"{excluded.reason}",
                "a vehicle this rule pack covers",
            )
    if _matches(code, (p for group in definition.hs for p in group.hs)):
        return
    others = [
        c.title.lower()
        for c in pack.vehicle_classes
        if _matches(code, (p for group in c.hs for p in group.hs))
    ]
    hint = f" (it is a {' or '.join(others)} subheading)" if others else ""
    allowed = ", ".join(p for group in definition.hs for p in group.hs)
    raise InputError(
        where,
        f"hs_subheading {hs.dotted(code)} does not match vehicle_class {definition.id}{hint}",
        f"for a {definition.title.lower()}: {allowed}",
    )
