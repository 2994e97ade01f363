"""The optional purchase sheets: SteelAluminum purchases and LVC expenditures."""

from __future__ import annotations

from decimal import Decimal

from rvc.contract import ASSEMBLY_TYPES, LVC_CATEGORIES, MATERIALS, REQUIRED, WAGE_CURRENCIES
from rvc.errors import InputError
from rvc.model import LvcRow, MetalPurchase, Provenance
from rvc.readers import cells
from rvc.readers.cells import Cell
from rvc.readers.config import Config
from rvc.readers.fx import Converter
from rvc.readers.raw import RawSheet, has_value, normalize_name
from rvc.readers.tables import Table, hidden_note, locate, mapping_notes, refuse_bad_cells
from rvc.text import article


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
        REQUIRED["SteelAluminum"],
        notes,
        config=config,
        label="SteelAluminum",
    )
    mapping_notes(table, provenance)
    refuse_bad_cells(table)
    values = config.settings.values
    origin_words = _words(values.originating.yes), _words(values.originating.no)
    melted_words = _words(values.melted_and_poured.yes), _words(values.melted_and_poured.no)
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
        originating = _yes_no(origin_cell, *origin_words)
        if originating is None:
            raise origin_cell.fail("is blank", "Y or N: whether the purchase is originating")
        melted = None
        if (melted_cell := cell("melted_and_poured")) is not None:
            melted = _yes_no(melted_cell, *melted_words)
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


def _yes_no(cell: Cell, yes: frozenset[str], no: frozenset[str]) -> bool | None:
    """Y/N in the words of the settings (`yes` and `no` normalised), else the strict parser."""
    value = cell.value()
    if isinstance(value, str):
        word = normalize_name(value)
        if word in yes:
            return True
        if word in no:
            return False
    return cells.yes_no(cell)


def _words(words: list[str]) -> frozenset[str]:
    return frozenset(map(normalize_name, words))


def read_lvc(
    sheet: RawSheet,
    config: Config,
    notes: list[str],
    provenance: Provenance,
    converter: Converter,
) -> list[LvcRow]:
    table = locate(sheet, config.aliases("LVC"), REQUIRED["LVC"], notes, config=config, label="LVC")
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
                raise InputError(where, f"{name} is missing for {article(category)} row", f"{what}")
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
