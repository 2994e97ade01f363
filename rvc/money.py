"""Decimal helpers: strict parsing of amounts, percentages, and display rounding.

Money never passes through binary floating point in a calculation. Spreadsheet readers hand us
floats for numeric cells; `to_decimal` turns them into the shortest decimal that round-trips
(`repr`), which is exactly the number Excel stored and displays.
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation

HUNDRED = Decimal(100)
ZERO = Decimal(0)

_SYMBOLS = {
    "US$": "USD",
    "CA$": "CAD",
    "C$": "CAD",
    "MX$": "MXN",
    "$": "USD/CAD/MXN/AUD/NZD/SGD/HKD",
    "€": "EUR",
    "£": "GBP",
    "¥": "JPY/CNY",
}
"""Currency symbols and the codes each may stand for ('$' is USD, CAD or MXN...)."""
CURRENCIES = frozenset(
    {
        "USD", "CAD", "MXN", "EUR", "GBP", "JPY", "CNY", "KRW", "CHF", "SEK", "NOK", "DKK",
        "PLN", "CZK", "HUF", "INR", "BRL", "ARS", "CLP", "COP", "PEN", "AUD", "NZD", "SGD",
        "HKD", "TWD", "THB", "MYR", "IDR", "PHP", "VND", "TRY", "ZAR", "ILS", "AED", "SAR",
    }
)  # fmt: skip
"""ISO 4217 codes recognised beside an amount ('USD 99', '99 EUR')."""
_GROUPED = re.compile(r"^\d{1,3}(,\d{3})+(\.\d*)?$")
_PLAIN = re.compile(r"^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_CODE = re.compile(r"^([A-Za-z]{3})\s*(.*?)$|^(.*?)\s*([A-Za-z]{3})$")
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " ", "\t": " "})
_SPACE_GROUPED = re.compile(r"^\d{1,3}( \d{3})+(\.\d*)?$")
_DECIMAL_COMMA = re.compile(r"^\d+(\.\d{3})*,\d+$|^\d{1,3}( \d{3})*,\d+$")
MAX_TEXT = 64
MAX_EXPONENT = 30
"""Numbers are read between 1e-30 and 1e30 in magnitude (or exactly 0): no product or quotient
of a few such numbers can under- or overflow Decimal's range, so no `decimal` signal can
escape from arithmetic on input."""
MAX_DIGITS = 30
"""At most this many significant digits (Excel stores 15-17)."""


class AmountError(ValueError):
    """A value that is not a usable number; the text says why."""


class RangeError(AmountError):
    """A number outside the magnitudes or precision rvc reads."""


def bounded(number: Decimal, shown: str) -> Decimal:
    """The number, refused when its exponent or digits are outside what rvc reads.

    Examples:
        >>> bounded(Decimal("1E-999999"), "'1e-999999'")
        Traceback (most recent call last):
        ...
        rvc.money.RangeError: '1e-999999' is too small to be an amount (not 0, and under 1e-30)
        >>> bounded(Decimal("0E-50"), "'0e-50'")
        Decimal('0')
    """
    if not number.is_finite():
        raise AmountError(f"{shown} is not a finite number")
    if not number:
        return ZERO
    if number.adjusted() > MAX_EXPONENT:
        raise RangeError(f"{shown} is implausibly large (over 1e{MAX_EXPONENT})")
    if number.adjusted() < -MAX_EXPONENT:
        raise RangeError(
            f"{shown} is too small to be an amount (not 0, and under 1e-{MAX_EXPONENT})"
        )
    digits = number.as_tuple().digits
    significant = len(bytes(digits).rstrip(b"\0"))
    if significant > MAX_DIGITS:
        raise RangeError(f"{shown} has {significant} significant digits, more than {MAX_DIGITS}")
    return number


def to_decimal(value: object, *, percent: bool = False) -> tuple[Decimal, str | None]:
    """Read a cell value as a Decimal; return it with the currency written beside it, if any.

    The currency comes back as an ISO code, or codes joined by '/' for a symbol that several
    currencies use ('$' -> 'USD/CAD/MXN/AUD/NZD/SGD/HKD').

    Accepts numbers and text such as ``"$1,234.50"``, ``"1.5E3"``, ``"(12.00)"``,
    ``"USD 10"``, and with ``percent=True`` a trailing ``%``. Rejects booleans, NaN,
    infinities, decimal commas and anything else, with a reason.

    Examples:
        >>> to_decimal("€1,234.50")
        (Decimal('1234.50'), 'EUR')
        >>> to_decimal(0.1)
        (Decimal('0.1'), None)
        >>> to_decimal("MXN 1,000")
        (Decimal('1000'), 'MXN')
    """
    if isinstance(value, bool):
        raise AmountError(f"{value!r} is a true/false value, not a number")
    if isinstance(value, int):
        if abs(value) >= 10 ** (MAX_EXPONENT + 1):
            raise RangeError(f"a {len(str(abs(value)))}-digit integer is implausibly large")
        return bounded(Decimal(value), repr(value)), None
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise AmountError(f"{value!r} is not a finite number")
        return bounded(Decimal(repr(value)), repr(value)), None
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise AmountError(f"{value!r} is not a finite number")
        return bounded(value, repr(value)), None
    if not isinstance(value, str):
        raise AmountError(f"{value!r} is not a number")
    return _parse_text(value, percent)


def _parse_text(raw: str, percent: bool) -> tuple[Decimal, str | None]:
    """Text as a number: sign or parentheses, a currency symbol or code on either side, a
    trailing % (when `percent`), thousands grouped by commas or spaces."""
    if len(raw) > MAX_TEXT:
        raise AmountError(f"{raw[:20]!r}... is {len(raw)} characters long, not a number")
    negative, text = _sign(raw.strip())
    if percent and text.endswith("%"):
        text = text[:-1].strip()
    code, text = _currency(text)
    if text[:1] == "-" and not negative:
        negative, text = True, text[1:].strip()
    compact = _ungrouped(text.translate(_SPACES), raw)
    if not _PLAIN.match(compact):
        raise AmountError(f"{raw!r} is not a number")
    try:
        number = bounded(Decimal(compact), repr(raw))
    except InvalidOperation as exc:  # pragma: no cover - the pattern above guarantees syntax
        raise AmountError(f"{raw!r} is not a number") from exc
    return (number.copy_negate() if negative else number), code


def _sign(text: str) -> tuple[bool, str]:
    """Whether the text is negative, `(12.00)` or `-12`, and the text without its sign."""
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1].strip()
    if text[:1] in "+-":
        negative, text = text[0] == "-", text[1:].strip()
    return negative, text


def _currency(text: str) -> tuple[str | None, str]:
    """The currency written with an amount (`$12`, `USD 12`, `12 EUR`) and the amount's text."""
    for symbol, named in _SYMBOLS.items():
        if text.startswith(symbol):
            return named, text[len(symbol) :].strip()
    match = _CODE.match(text)
    if match:
        code = (match.group(1) or match.group(4)).upper()
        rest = match.group(2) if match.group(1) else match.group(3)
        if rest and code in CURRENCIES:
            return code, rest.strip().removeprefix("$").strip()
    return None, text


def _ungrouped(compact: str, raw: str) -> str:
    """Digits without thousands separators (`1,234.50`, `1 234.50`); a decimal comma is
    refused rather than guessed."""
    if _GROUPED.match(compact):
        return compact.replace(",", "")
    if _SPACE_GROUPED.match(compact):
        return compact.replace(" ", "")
    if _DECIMAL_COMMA.match(compact):
        raise AmountError(
            f"{raw!r} has a decimal comma (write decimals with a dot, e.g. 1234.50; for a CSV "
            "from a comma-decimal locale, save the sheet as .xlsx instead: numbers stay numbers)"
        )
    return compact


def percent(part: Decimal, whole: Decimal) -> Decimal:
    """Return ``part / whole * 100`` at full precision (caller guarantees ``whole != 0``).

    Examples:
        >>> percent(Decimal(720), Decimal(1000))
        Decimal('72')
    """
    return part * HUNDRED / whole


def rvc(value: Decimal, vnm: Decimal) -> Decimal:
    """Return the regional value content ``(value - vnm) / value * 100`` (s. 7(2)-(3)).

    Examples:
        >>> rvc(Decimal(1000), Decimal(280))
        Decimal('72')
        >>> round(rvc(Decimal("2.85"), Decimal("1.50")), 1)
        Decimal('47.4')
    """
    return (value - vnm) * HUNDRED / value


_DISPLAY = Context(prec=200, rounding=ROUND_HALF_UP)
"""Rounding for display: wide enough for any figure of bounded input (a percentage of a tiny
assembly value can reach 1e50), so rounding never signals."""


def quantize(value: Decimal, places: int) -> Decimal:
    """Round half up to ``places`` decimals, for display only."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP, context=_DISPLAY)


def fmt_number(value: Decimal, places: int = 2) -> str:
    """Format with thousands separators and a fixed number of decimals.

    Examples:
        >>> fmt_number(Decimal("1840.456"))
        '1,840.46'
    """
    return f"{quantize(value, places):,.{places}f}"


def fmt_amount(value: Decimal, places: int = 2) -> str:
    """Like `fmt_number`, with more decimals when two would show a non-zero value as 0.00.

    Examples:
        >>> fmt_amount(Decimal("1840.456")), fmt_amount(Decimal("0.0001")), fmt_amount(Decimal(0))
        ('1,840.46', '0.0001', '0.00')
    """
    while value and places < 12 and quantize(value, places) == 0:
        places += 1
    return fmt_number(value, places)


def fmt_percent(value: Decimal, against: Decimal | None = None, places: int = 2) -> str:
    """Format a percentage; add decimals until rounding no longer hides a comparison.

    A value of 74.9999 against 75 prints as ``74.9999%``, never as a misleading ``75.00%``.

    Examples:
        >>> fmt_percent(Decimal("76.1234"))
        '76.12%'
        >>> fmt_percent(Decimal("74.99999"), Decimal(75))
        '74.99999%'
    """
    shown = quantize(value, places)
    if against is not None:
        while places < 24 and (shown >= against) != (value >= against):
            places += 1
            shown = quantize(value, places)
    return f"{shown:,.{places}f}%"


def fmt_threshold(value: Decimal) -> str:
    """Format a legal threshold the way the law writes it (75, 62.5).

    Examples:
        >>> fmt_threshold(Decimal("62.50"))
        '62.5%'
    """
    text = format(value.normalize(), "f")
    return f"{text}%"


def json_text(value: Decimal, places: int = 20) -> str:
    """Plain decimal text for JSON: no exponent, at most `places` decimals, no trailing zeros.

    Examples:
        >>> json_text(Decimal("76.1234")), json_text(Decimal("75.00")), json_text(Decimal("1E-5"))
        ('76.1234', '75', '0.00001')
        >>> json_text(Decimal(2) / Decimal(3))
        '0.66666666666666666667'
    """
    if value == value.to_integral_value():
        return format(value.quantize(Decimal(1), context=_DISPLAY), "f")
    rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP, context=_DISPLAY)
    text = format(rounded, "f").rstrip("0").rstrip(".")
    return text if text not in ("-0", "") else "0"
