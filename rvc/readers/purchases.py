"""The optional sheets: FX rates, SteelAluminum purchases and LVC expenditures."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from rvc.errors import InputError
from rvc.model import FxRate, LvcRow, MetalPurchase, Provenance
from rvc.readers import cells
from rvc.readers.cells import Cell
from rvc.readers.config import Config
from rvc.readers.raw import RawSheet, has_value, normalize_name
from rvc.readers.tables import Table, hidden_note, locate, mapping_notes, refuse_bad_cells
from rvc.readers.vehicle_sheet import currency_code

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


def read_fx(
    sheet: RawSheet | None,
    config: Config,
    notes: list[str],
    provenance: Provenance,
    base: str,
    as_of: date,
) -> dict[str, FxRate]:
    if sheet is None:
        return {}
    table = locate(
        sheet, config.aliases("FX"), ("currency", "rate"), notes, config=config, label="FX"
    )
    mapping_notes(table, provenance)
    refuse_bad_cells(table)
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
        code = currency_code(code_cell, code)
        rate = cells.amount(rate_cell, strictly_positive=True, example="0.0587")
        if rate is None:
            raise rate_cell.fail("is blank", f"how many {base} one {code} is worth, e.g. 0.0587")
        on = cells.date(c) if (c := table.cell(row, "date")) is not None else None
        source = table.text(row, "source")
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


class Converter:
    """Converts amounts written in a line's currency into the workbook currency.

    The FX sheet is read only when a line needs it: a workbook whose amounts are all in its
    own currency is read as the contract says even if it has a sheet named FX.
    """

    def __init__(self, base: str, load: Callable[[], dict[str, FxRate]] | None) -> None:
        self.base = base
        self._load = load
        self._rates: dict[str, FxRate] | None = None
        self.used: set[str] = set()

    def rate(self, cell: Cell | None) -> tuple[str, Decimal | None]:
        if cell is None:
            return self.base, None
        code = cells.text(cell)
        if code is None:
            return self.base, None
        code = currency_code(cell, code)
        if code == self.base:
            return code, None
        if self._rates is None:
            self._rates = self._load() if self._load else {}
        if code not in self._rates:
            raise cell.fail(
                f"is {code}, which has no rate in the FX sheet"
                if self._load
                else f"is {code}, but the workbook has no FX sheet",
                f"an FX row: currency {code}, rate (value of one {code} in {self.base}), date, "
                "source",
            )
        self.used.add(code)
        return code, self._rates[code].rate


def _rows(table: Table, notes: list[str]) -> list[int]:
    """Data rows that are not blank; hidden ones are noted."""
    out = []
    for row, values in table.rows():
        if any(map(has_value, values)):
            out.append(row)
    hidden_note(table, notes, out)
    return out


def read_metals(
    sheet: RawSheet,
    config: Config,
    notes: list[str],
    provenance: Provenance,
    converter: Converter,
) -> list[MetalPurchase]:
    table = locate(
        sheet,
        config.aliases("SteelAluminum"),
        ("material", "value", "originating"),
        notes,
        config=config,
        label="SteelAluminum",
    )
    mapping_notes(table, provenance)
    refuse_bad_cells(table)
    values = config.settings.values
    out = []
    for row in _rows(table, notes):

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
                description=table.text(row, "description"),
                supplier=table.text(row, "supplier"),
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


def read_lvc(
    sheet: RawSheet,
    config: Config,
    notes: list[str],
    provenance: Provenance,
    converter: Converter,
) -> list[LvcRow]:
    table = locate(sheet, config.aliases("LVC"), ("category",), notes, config=config, label="LVC")
    mapping_notes(table, provenance)
    refuse_bad_cells(table)
    out = []
    for row in _rows(table, notes):

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
        currency_cell = cell("currency")
        explicit = code if currency_cell is not None and cells.text(currency_cell) else None
        wage_currency = _wage_currency(cell("wage_currency"), explicit)
        wage_cell = cell("wage_currency")
        if explicit in ("CAD", "MXN") and (wage_cell is None or not cells.text(wage_cell)):
            notes.append(
                f"{sheet.where(row)}: hourly_wage read in {explicit}, the row's currency "
                "(no wage_currency given); it is compared with that country's own figure"
            )
        if category in ("material", "labor", "assembly_plant"):
            wage = cells.amount(
                need(
                    "hourly_wage",
                    f"the plant's average base hourly wage in {wage_currency}, e.g. 18.50",
                    category,
                ),
                maximum=Decimal(100_000),
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
            LvcRow(
                row=row,
                category=category,
                amount=amount,
                hourly_wage=wage,
                wage_currency=wage_currency,
                assembly_type=assembly_type,
                annual_capacity=capacity,
                description=table.text(row, "description"),
                plant=table.text(row, "plant"),
                country=table.text(row, "country"),
            )
        )
    return out


WAGE_CURRENCIES = ("USD", "CAD", "MXN")


def _wage_currency(cell: Cell | None, row_currency: str | None) -> str:
    """The currency of a row's hourly wage: `wage_currency` (USD, CAD or MXN), else the row's
    own `currency` when it is one of those three, else USD (the contract's default)."""
    value = cell.value() if cell is not None else None
    if value is None or (isinstance(value, str) and not value.strip()):
        if row_currency in WAGE_CURRENCIES:
            return row_currency
        return "USD"
    assert cell is not None
    text = str(value).strip().upper()
    if text not in WAGE_CURRENCIES:
        raise cell.fail(
            f"is {str(value)!r}",
            "USD, CAD or MXN (the currencies of the s. 12 high-wage figures)",
        )
    return text
