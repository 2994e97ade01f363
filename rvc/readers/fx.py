"""Currencies: the FX sheet's rates and the converter every amount in another currency goes
through (BOM unit costs, SteelAluminum values, LVC amounts)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from rvc.contract import REQUIRED
from rvc.errors import InputError
from rvc.model import FxRate, Provenance
from rvc.readers import cells
from rvc.readers.cells import Cell, currency_code
from rvc.readers.config import Config
from rvc.readers.raw import RawSheet
from rvc.readers.tables import Table, locate, mapping_notes, refuse_bad_cells


def read_fx(
    sheet: RawSheet | None,
    config: Config,
    notes: list[str],
    provenance: Provenance,
    base: str,
    as_of: date,
) -> dict[str, FxRate]:
    """The rate of each currency in force on `as_of` (one undated rate, or the latest dated on
    or before it), in `base` units per unit; the rates used are kept in the provenance."""
    if sheet is None:
        return {}
    table = locate(sheet, config.aliases("FX"), REQUIRED["FX"], notes, config=config, label="FX")
    mapping_notes(table, provenance)
    refuse_bad_cells(table)
    candidates: dict[str, list[FxRate]] = {}
    for row, _ in table.rows():
        rate = _fx_row(table, row, base)
        if rate is not None:
            candidates.setdefault(rate.currency, []).append(rate)
    rates = {code: _in_force(sheet, code, options, as_of) for code, options in candidates.items()}
    provenance.fx_rates = sorted(rates.values(), key=lambda r: r.currency)
    return rates


def _fx_row(table: Table, row: int, base: str) -> FxRate | None:
    """One FX row as a rate; None for a row with neither currency nor rate."""
    code_cell = table.cell(row, "currency")
    rate_cell = table.cell(row, "rate")
    assert code_cell is not None and rate_cell is not None
    code = cells.text(code_cell)
    if code is None and rate_cell.value() is None:
        return None
    if code is None:
        raise code_cell.fail("is blank", "a currency code such as MXN")
    code = currency_code(code_cell, code)
    rate = cells.amount(rate_cell, strictly_positive=True, example="0.0587")
    if rate is None:
        raise rate_cell.fail("is blank", f"how many {base} one {code} is worth, e.g. 0.0587")
    on = cells.date(c) if (c := table.cell(row, "date")) is not None else None
    return FxRate(code, rate, on, table.text(row, "source"), row)


def _in_force(sheet: RawSheet, code: str, options: list[FxRate], as_of: date) -> FxRate:
    """The one rate of a currency that applies on `as_of`: its only rate if undated, else the
    latest dated on or before `as_of`; a located error when none or several do."""
    undated = [r for r in options if r.on is None]
    if len(undated) > 1 or (undated and len(options) > 1):
        raise InputError(
            sheet.where(options[1].row or 0),
            f"currency {code} has several rates and not all are dated",
            "one rate per currency, or a date on each rate",
        )
    if undated:
        return undated[0]
    return _latest(sheet, code, options, as_of)


def _latest(sheet: RawSheet, code: str, options: list[FxRate], as_of: date) -> FxRate:
    """The latest of a currency's dated rates on or before `as_of`, which must be one."""
    due = [(r.on, r) for r in options if r.on is not None and r.on <= as_of]
    if not due:
        first = min(options, key=lambda r: r.on or as_of)
        raise InputError(
            sheet.where(first.row or 0),
            f"every {code} rate is dated after {as_of} (the date the thresholds apply)",
            f"a rate dated on or before {as_of}",
        )
    latest = max(on for on, _ in due)
    same = [r for on, r in due if on == latest]
    if len(same) > 1:
        raise InputError(
            sheet.where(same[1].row or 0),
            f"currency {code} has two rates dated {latest}",
            "one rate per currency and date",
        )
    return same[0]


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
        """The currency a `currency` cell names and its rate; no rate (None) for the workbook
        currency or a blank cell."""
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
