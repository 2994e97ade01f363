"""Telling a misspelled or ERP-named header (or sheet) from a column that is simply extra.

The contract ignores unknown columns, so `orignating` or `qty` would otherwise change the
verdict without a word. A header *looks like* a contract column when, after normalising (case,
spaces, hyphens and underscores ignored), it

* is within a Damerau-Levenshtein distance of 1 of a contract name of 5 to 7 characters, or 2
  of one of 8 or more (`orignating`, `unit cots`, `part_numbr`), or
* is one of the common ERP names in `rvc.contract.HEADER_ALIASES` (`qty`, `hts`, `parent
  part`, `origin`), or
* is one of those once punctuation, a bracketed unit and a plural are set aside
  (`Originating (Y/N)`, `Qty.`, `Quantity (pcs)`, `RVC (%)`, `quantities`), or holds one as a
  word or run of words (`USMCA originating`, `Qty per`, `Parent Assembly`, `Supplier RVC %`,
  `melted & poured`, `Currency code`): such a header counts when its values fit the column.

Only a column the sheet lacks is suggested: with `quantity` present, a `qty` column is just an
extra column. A common name must also hold what its contract column holds (`origin` holding
Y/N is `originating`; `origin` holding US/MX is a country, and stays an ignored column), so a
workbook valid under the contract is refused only for a column that reads as a contract one.
Anything else is ignored and listed, as the contract says.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from rvc.contract import HEADER_ALIASES, NO, SHEET_ALIASES, VEHICLE_CLASSES, YES
from rvc.readers.raw import has_value, normalize_name


def distance(a: str, b: str, limit: int = 3) -> int:
    """Damerau-Levenshtein distance (optimal string alignment), `limit` when at least that.

    Examples:
        >>> distance("orignating", "originating"), distance("unitcots", "unitcost")
        (1, 1)
        >>> distance("colour", "country")
        3
    """
    if abs(len(a) - len(b)) >= limit:
        return limit
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) >= limit:
            return limit
        previous2, previous = previous, current
    return min(previous[-1], limit)


def allowed_distance(name: str) -> int:
    """How far a header may be from a contract name of this (normalised) length and still
    count as a misspelling of it: 0 below 5 characters, 1 up to 7, 2 from 8."""
    if len(name) < 5:
        return 0
    return 1 if len(name) < 8 else 2


_YES_NO = YES | NO
_NUMBER = re.compile(r"^[\s$€£¥(+-]*\d[\d\s,.']*\)?\s*%?\s*$")
_HS = re.compile(r"^\d{2}(\.?\d{2}){1,4}$")
_CLASSES = frozenset(VEHICLE_CLASSES)


def _number(value: object) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int | float) or (isinstance(value, str) and bool(_NUMBER.match(value)))


CONTENT: dict[str, Callable[[object], bool]] = {
    "originating": lambda v: normalize_name(str(v)) in _YES_NO,
    "melted_and_poured": lambda v: normalize_name(str(v)) in _YES_NO,
    "quantity": _number,
    "unit_cost": _number,
    "value": _number,
    "rate": _number,
    "hourly_wage": _number,
    "annual_capacity": _number,
    "rvc_percent": _number,
    "hs_code": lambda v: _number(v) and bool(_HS.match(str(v).strip().replace(" ", ""))),
    "hs_subheading": lambda v: bool(_HS.match(str(v).strip())),
    "vehicle_class": lambda v: normalize_name(str(v)) in _CLASSES,
}
"""What a column holds, for the common names whose meaning varies (`origin`: Y/N or a
country?). A column whose values all fit is read as meaning its contract column."""


def holds(field: str, values: Sequence[object]) -> bool:
    """Whether the non-blank `values` fit what `field` holds (at least one, all of them)."""
    check = CONTENT.get(field)
    present = [v for v in values if has_value(v)]
    if check is None:
        return bool(present)
    return bool(present) and all(check(v) for v in present)


def looks_like(
    header: str, sheet: str, fields: Iterable[str], values: Sequence[object] | None = None
) -> str | None:
    """The contract column (of `fields`) an unknown header looks like, or None.

    `values` (the column's first cells) decide for a common name: it counts only when they fit
    its contract column; a misspelling of the column's own name counts whatever they hold.

    Examples:
        >>> looks_like("Originating (Y/N)", "BOM", ["originating"], ["Y", "N"])
        'originating'
        >>> looks_like("Qty per", "BOM", ["quantity"], [2, 4])
        'quantity'
        >>> looks_like("Supplier country", "BOM", ["originating"], ["US", "MX"]) is None
        True
    """
    key = normalize_name(header)
    if not key:
        return None
    fields = list(fields)
    alias = HEADER_ALIASES.get(sheet, {}).get(key)
    if alias is not None and alias in fields and (values is None or holds(alias, values)):
        return alias
    spelled = _misspelled(key, fields)
    if spelled is not None:
        return spelled
    return _in_other_words(header, sheet, fields, values)


_BRACKETED = re.compile(r"[(\[{][^)\]}]*[)\]}]")
_WORD = re.compile(r"[^\W_]+")


def _singular(word: str) -> str:
    """`quantities` -> `quantity`, `costs` -> `cost` (`hs`, `class` and `status` stay)."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def _names(sheet: str, fields: Sequence[str]) -> dict[str, str]:
    """Every normalised name a field of `fields` goes by: its own, and its common ERP names."""
    names = {normalize_name(f): f for f in fields}
    for alias, field in HEADER_ALIASES.get(sheet, {}).items():
        if field in fields:
            names.setdefault(alias, field)
    return names


def _in_other_words(
    header: str, sheet: str, fields: Sequence[str], values: Sequence[object] | None
) -> str | None:
    """A contract name (or a common one) behind punctuation, a bracketed unit, a plural, or
    among other words; a common name, or one among other words, only when the values fit."""
    names = _names(sheet, fields)
    outside = _WORD.findall(_BRACKETED.sub(" ", header).lower())
    words = outside or _WORD.findall(header.lower())
    whole = _whole("".join(words), normalize_name(header), names, fields, values)
    return whole if whole is not None else _among_words(words, names, values)


def _whole(
    joined: str,
    key: str,
    names: dict[str, str],
    fields: Sequence[str],
    values: Sequence[object] | None,
) -> str | None:
    """`Originating (Y/N)` is `originating`, `quantities` is `quantity`, `Qty.` is `qty`."""
    for candidate in (joined, _singular(joined)):
        field = names.get(candidate)
        if field is not None and (
            candidate == normalize_name(field) or values is None or holds(field, values)
        ):
            return field
        spelled = _misspelled(candidate, fields) if candidate != key else None
        if spelled is not None:
            return spelled
    return None


def _among_words(
    words: list[str], names: dict[str, str], values: Sequence[object] | None
) -> str | None:
    """`USMCA originating`, `Qty per`, `Supplier RVC %`: a name as a word or run of words."""
    found: list[str] = []
    for size in (3, 2, 1):
        for start in range(len(words) - size + 1):
            run = "".join(words[start : start + size])
            for candidate in (run, _singular(run)):
                field = names.get(candidate)
                if field is None or field in INFORMATIONAL or field in found:
                    continue
                if values is None or holds(field, values):
                    found.append(field)
    # `Supplier RVC %` holding numbers is rvc_percent: a field whose values were checked first
    checked = [f for f in found if f in CONTENT]
    ranked = checked or found
    return ranked[0] if ranked else None


INFORMATIONAL = frozenset(("description", "supplier", "country"))
"""Columns that change no figure: a header merely holding one of their names among other
words (`Supplier country`) is not taken for them."""


def _misspelled(key: str, fields: Sequence[str]) -> str | None:
    """The field `key` is a misspelling of (by the distance rule above), or None."""
    best: tuple[int, str] | None = None
    for field in fields:
        target = normalize_name(field)
        allowed = allowed_distance(target)
        if not allowed or len(key) < 4:
            continue
        found = distance(key, target, allowed + 1)
        if found <= allowed and (best is None or found < best[0]):
            best = (found, field)
    return best[1] if best else None


def closest(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate nearest to `name` (normalised), for "the closest header present"."""
    key = normalize_name(name)
    scored = [(distance(key, normalize_name(c), 99), i, c) for i, c in enumerate(candidates) if c]
    return min(scored)[2] if scored else None


def sheet_looks_like(name: str, label: str) -> bool:
    """Whether a sheet name looks like the contract sheet `label` (`BOMs`, `Bill of Materials`)."""
    key = normalize_name(name)
    target = normalize_name(label)
    if SHEET_ALIASES.get(key) == label:
        return True
    words = [w for w in name.replace("_", " ").replace("-", " ").split() if w]
    if len(words) > 1 and "".join(w[0] for w in words).lower() == target:
        return True
    limit = 1 if len(target) < 5 else allowed_distance(target)
    return distance(key, target, limit + 1) <= limit
