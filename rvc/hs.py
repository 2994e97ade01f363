"""Harmonized System codes: normalisation and the patterns the rule files use.

A BOM code is kept as its digits (``"8708.40.75"`` -> ``"87084075"``). Rule files write
headings (``"87.06"``), subheadings (``"8708.40"``), ranges of subheadings
(``"8407.31-8407.34"``) and "ex" entries (``"ex 8708.29"``: only some goods of that code, so a
match is a guess that the report must show as one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CODE = re.compile(r"^\d{4}(\.?\d{2}){0,3}$")
_PATTERN = re.compile(r"^(ex\s+)?(\d{2}\.\d{2}|\d{4}\.\d{2})(?:\s*-\s*(\d{4}\.\d{2}))?$")


def normalize(text: str) -> str | None:
    """Return the digits of an HS code written with optional dots, or None if it is not one.

    Examples:
        >>> normalize("8708.40.75"), normalize("870840"), normalize(" 8708.4 ")
        ('87084075', '870840', None)
    """
    compact = text.strip().replace(" ", "")
    if not _CODE.match(compact):
        return None
    digits = compact.replace(".", "")
    return digits if 4 <= len(digits) <= 10 and len(digits) % 2 == 0 else None


def from_number(value: float) -> str | None:
    """Read an HS code that a spreadsheet stored as a number (8708.4 was typed as 8708.40).

    Examples:
        >>> from_number(8708.4), from_number(870840.0), from_number(8407.34)
        ('870840', '870840', '840734')
    """
    text = repr(value)
    if "e" in text or value < 0:
        return None
    whole, _, frac = text.partition(".")
    frac = frac.rstrip("0")
    if len(whole) not in (3, 4, 5, 6, 7, 8, 9, 10):
        return None
    if len(whole) in (3, 5, 7, 9):  # a leading zero was lost: 101.21 is 0101.21
        whole = "0" + whole
    if frac:
        if len(whole) != 4 or len(frac) > 6:
            return None
        frac += "0" * (len(frac) % 2)
    return normalize(whole + frac)


def dotted(digits: str) -> str:
    """Print digits the usual way: ``87084075`` -> ``8708.40.75``."""
    parts = [digits[:4]] + [digits[i : i + 2] for i in range(4, len(digits), 2)]
    return ".".join(parts)


@dataclass(frozen=True, slots=True)
class HsPattern:
    """One rule-file entry: a heading, a subheading or a range of subheadings, maybe "ex"."""

    text: str
    low: str
    high: str
    ex: bool

    @classmethod
    def parse(cls, text: str) -> HsPattern:
        """Parse ``"ex 8708.29"``, ``"87.06"`` or ``"8407.31-8407.34"``; ValueError otherwise."""
        match = _PATTERN.match(text.strip())
        if not match:
            raise ValueError(
                f"{text!r} is not an HS pattern; write a heading '87.06', a subheading "
                "'8708.40', a range '8407.31-8407.34', or prefix 'ex ' for part of a code"
            )
        ex, first, last = match.groups()
        low = first.replace(".", "")
        high = last.replace(".", "") if last else low
        if last and (len(low) != 6 or high < low):
            raise ValueError(f"{text!r}: a range runs from a lower to a higher subheading")
        return cls(text=text.strip(), low=low, high=high, ex=bool(ex))

    def matches(self, digits: str) -> bool:
        """True if a normalised code falls under this pattern (it must be at least as precise)."""
        width = len(self.low)
        if len(digits) < width:
            return False
        return self.low <= digits[:width] <= self.high
