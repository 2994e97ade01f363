"""Reading single cells strictly: each failure names the cell, what it holds, what is expected."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from rvc import hs
from rvc.contract import NO, YES
from rvc.errors import InputError
from rvc.money import AmountError, RangeError, to_decimal
from rvc.readers.raw import RawSheet, normalize_name
from rvc.text import snippet

MAX_AMOUNT = Decimal("1e12")
MAX_QUANTITY = Decimal("1e7")
EXCEL_ERRORS = frozenset(
    (
        "#N/A",
        "#REF!",
        "#VALUE!",
        "#DIV/0!",
        "#NAME?",
        "#NUM!",
        "#NULL!",
        "#SPILL!",
        "#CALC!",
        "#GETTING_DATA",
        "#FIELD!",
        "#BLOCKED!",
        "#CONNECT!",
        "#BUSY!",
        "#UNKNOWN!",
    )
)
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class Cell:
    """One cell of a raw sheet, with the words to locate it in messages."""

    __slots__ = ("sheet", "row", "col", "field", "raw")

    def __init__(self, sheet: RawSheet, row: int, col: int, field: str) -> None:
        self.sheet = sheet
        self.row = row
        self.col = col
        self.field = field
        self.raw: Any = sheet.value(row, col)

    @property
    def where(self) -> str:
        """`bom.xlsx: BOM!D14`."""
        return self.sheet.where(self.row, self.col, self.field)

    @property
    def percent_formatted(self) -> bool:
        """Whether the workbook shows this cell as a percentage (0.8 shown as 80%)."""
        return (self.row, self.col) in self.sheet.percent_cells

    def fail(self, problem: str, expected: str) -> InputError:
        """An error about this cell."""
        return InputError(self.where, f"{self.field} {problem}", expected)

    def value(self) -> Any:
        """The cell's value, or None when empty; refuses Excel errors and unsaved formulas."""
        key = (self.row, self.col)
        if key in self.sheet.errors:
            raise self.fail(
                f"holds the Excel error {self.sheet.errors[key]}",
                "a value (fix the formula or type the value)",
            )
        if key in self.sheet.no_cached_value:
            raise self.fail(
                "is a formula with no saved result (the file was written by a program that "
                "does not calculate)",
                "a value: open the file in Excel or LibreOffice, recalculate and save, "
                "or paste values",
            )
        value = self.raw
        if isinstance(value, str):
            text = value.strip()
            if not text:
                return None
            if text.upper() in EXCEL_ERRORS:
                raise self.fail(f"holds the Excel error {text}", "a value")
            return text
        return value


def text(cell: Cell) -> str | None:
    """Free text; numbers print without a spurious '.0'."""
    value = cell.value()
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def amount(
    cell: Cell,
    *,
    minimum: Decimal | None = Decimal(0),
    strictly_positive: bool = False,
    maximum: Decimal = MAX_AMOUNT,
    percent: bool = False,
    currency: str | None = None,
    example: str = "1234.50",
) -> Decimal | None:
    """A number (text such as '$1,234.50' allowed); None when empty."""
    value = cell.value()
    if value is None:
        return None
    if isinstance(value, dt.date | dt.datetime | dt.time | dt.timedelta):
        raise cell.fail(f"holds a date or time ({value})", f"a number, e.g. {example}")
    try:
        number, code = to_decimal(value, percent=percent)
    except RangeError as exc:
        raise cell.fail(
            f"{exc}", f"a number of at most {maximum:,.0f}, e.g. {example} (check units)"
        ) from exc
    except AmountError as exc:
        raise cell.fail(f"is not a number: {exc}", f"a number, e.g. {example}") from exc
    if percent and not isinstance(value, str) and cell.percent_formatted:
        number = number * 100  # Excel stores 80% as 0.8 and shows it as 80%
    if code and currency and currency not in code.split("/"):
        raise cell.fail(
            f"is written in {code} but this line's currency is {currency}",
            "an amount in the line's currency, or a currency column and an FX sheet",
        )
    _check_range(cell, number, minimum, strictly_positive, maximum, example)
    return number


def _check_range(
    cell: Cell,
    number: Decimal,
    minimum: Decimal | None,
    strictly_positive: bool,
    maximum: Decimal,
    example: str,
) -> None:
    """An amount above 0 (when `strictly_positive`), at least `minimum`, at most `maximum`."""
    if strictly_positive and number <= 0:
        raise cell.fail(f"is {_show(number)}", f"a number greater than 0, e.g. {example}")
    if minimum is not None and number < minimum:
        raise cell.fail(f"is negative ({_show(number)})", f"a number >= {minimum}, e.g. {example}")
    if abs(number) > maximum:
        raise cell.fail(
            f"is implausibly large ({_show(number)})",
            f"at most {maximum:,.0f} (check units and decimal separators)",
        )


def _show(number: Decimal) -> str:
    return format(number, "f") if abs(number.adjusted()) < 20 else str(number)


def yes_no(cell: Cell) -> bool | None:
    """Y/N, yes/no, true/false, 1/0 (any case); None when empty."""
    value = cell.value()
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    word = str(value).strip().lower()
    if word in YES:
        return True
    if word in NO:
        return False
    raise cell.fail(f"is {snippet(value)}", "Y or N (also yes/no, true/false, 1/0)")


def date(cell: Cell) -> dt.date | None:
    """A date cell or ISO text YYYY-MM-DD; None when empty."""
    value = cell.value()
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _ISO.match(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError as exc:
            raise cell.fail(
                f"is {snippet(value)}, not a real date", "a date such as 2027-07-01"
            ) from exc
    if isinstance(value, dt.time):
        raise cell.fail(
            f"is the time of day {value.isoformat()}, not a date",
            "a date cell or text YYYY-MM-DD, e.g. 2027-07-01",
        )
    if isinstance(value, dt.timedelta):
        raise cell.fail(
            f"is a duration ({value}), not a date",
            "a date cell or text YYYY-MM-DD, e.g. 2027-07-01",
        )
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise cell.fail(
            f"is the number {snippet(value)}, not a date",
            "a date cell or text YYYY-MM-DD (format the cell as a date)",
        )
    raise cell.fail(f"is {snippet(value)}", "a date cell or text YYYY-MM-DD, e.g. 2027-07-01")


def hs_code(cell: Cell, notes: list[str]) -> str | None:
    """An HS code of 4 to 10 digits, dots optional; a number is read with care and noted."""
    value = cell.value()
    if value is None:
        return None
    if isinstance(value, float | int) and not isinstance(value, bool):
        digits = hs.from_number(float(value))
        if digits is None:
            raise cell.fail(
                f"is the number {snippet(value)}", "an HS code such as 8708.40 (as text)"
            )
        if len(digits) > 4 and not float(value).is_integer():
            notes.append(
                f"{cell.where}: HS code stored as the number {snippet(value)}, read as "
                f"{hs.dotted(digits)} (store HS codes as text to keep trailing zeros)"
            )
        return digits
    digits = hs.normalize(str(value))
    if digits is None:
        raise cell.fail(
            f"is {snippet(value)}",
            "an HS code of 4 to 10 digits, dots optional, e.g. 8708.40 or 870840",
        )
    return digits


def choice(cell: Cell, options: dict[str, str], shown: str) -> str | None:
    """One of a fixed set of words (compared ignoring case, spaces, hyphens, underscores)."""
    value = text(cell)
    if value is None:
        return None
    key = normalize_name(value)
    if key not in options:
        raise cell.fail(f"is {snippet(value)}", f"one of {shown}")
    return options[key]


def currency_code(cell: Cell, code: str) -> str:
    """A three-letter ISO currency code, upper-cased."""
    code = code.strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise cell.fail(
            f"is {snippet(code)}", "a three-letter ISO currency code such as USD, CAD, MXN"
        )
    return code
