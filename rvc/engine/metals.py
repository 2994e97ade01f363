"""Steel and aluminum purchases (s. 17): originating share of each metal's Table S purchases.

Only Table S purchases count (s. 17(1)): a row whose `hs_code` is outside Table S is left out
of both shares and listed; a row without `hs_code` counts. From 2027-07-01 an originating
steel row counts only when melted and poured in North America (s. 17(5)(b)).
"""

from __future__ import annotations

from decimal import Decimal

from rvc.engine import what_it_would_take
from rvc.engine.common import Envelope, since, status_of
from rvc.engine.facts import Facts
from rvc.hs import dotted
from rvc.model import MetalPurchase
from rvc.money import HUNDRED, ZERO, fmt_amount, fmt_number, fmt_percent, fmt_threshold, percent
from rvc.results import MetalEvidence, Note, RequirementResult
from rvc.rulepack.schema import MetalEntry, MetalShare


def _table_s(
    facts: Facts, req: MetalShare, currency: str
) -> tuple[list[MetalPurchase], list[int], Decimal]:
    """The metal's Table S rows; rows whose HS code is outside Table S are left out and noted."""
    table = facts.rules.table_s[req.material]
    rows: list[MetalPurchase] = []
    outside: list[int] = []
    outside_value = ZERO
    for r in facts.bom.metals or []:
        if r.material != req.material:
            continue
        if r.hs_code and not any(p.matches(r.hs_code) for p in table):
            outside.append(r.row)
            outside_value += r.value
            facts.notes.append(
                Note(
                    "outside-table-s",
                    f"SteelAluminum row {r.row}",
                    f"HS {dotted(r.hs_code)} is not in Table S for {req.material}: left out of "
                    f"the {req.material} share ({fmt_number(r.value)} {currency}; s. 17(1))",
                    r.value,
                )
            )
            continue
        rows.append(r)
    return rows, outside, outside_value


def _originating(
    rows: list[MetalPurchase], entry: MetalEntry
) -> tuple[Decimal, list[int], Decimal]:
    """Originating purchases (melted and poured when required), and the rows not shown so."""
    originating = not_shown_value = ZERO
    not_shown: list[int] = []
    for r in rows:
        counts = r.originating
        if counts and entry.melted_and_poured_required and r.melted_and_poured is not True:
            counts = False
            if r.melted_and_poured is None:
                not_shown.append(r.row)
                not_shown_value += r.value
        if counts:
            originating += r.value
    return originating, not_shown, not_shown_value


def evaluate(facts: Facts, envelope: Envelope) -> RequirementResult:
    """Originating Table S purchases / all Table S purchases of the metal, against 70%."""
    req, entry = envelope.requirement, envelope.entry
    assert isinstance(req, MetalShare) and isinstance(entry, MetalEntry)
    if facts.bom.metals is None:
        return envelope.missing_sheet(
            "SteelAluminum", "the producer's steel and aluminum purchases"
        )
    currency = facts.bom.vehicle.currency
    rows, outside, outside_value = _table_s(facts, req, currency)
    total = sum((r.value for r in rows), ZERO)
    if not total:
        left = f" ({len(outside)} rows outside Table S left out)" if outside else ""
        return envelope.not_evaluated(
            f"not evaluated: the SteelAluminum sheet lists no Table S {req.material} purchases "
            f"of any value{left}; list them to evaluate this requirement"
        )
    originating, not_shown, not_shown_value = _originating(rows, entry)
    if not_shown:
        facts.notes.append(
            Note(
                "melted-and-poured-not-shown",
                f"SteelAluminum rows {_rows(not_shown)}",
                f"originating steel with melted_and_poured blank counted as non-originating "
                f"({fmt_number(not_shown_value)} {currency}), as required {since(entry)} "
                "(s. 17(5)(b))",
                not_shown_value,
            )
        )
    value = percent(originating, total)
    threshold = entry.min_percent
    passed = value >= threshold
    needed = total * threshold / HUNDRED - originating
    relation = ">=" if passed else "<"
    message = (
        f"{req.material.capitalize()} {fmt_percent(value, threshold)} originating "
        f"{relation} {fmt_threshold(threshold)} required {since(entry)} "
        f"({fmt_number(originating)} of {fmt_number(total)} {currency}"
    )
    if entry.melted_and_poured_required:
        message += ", counting only steel melted and poured in North America"
    if outside:
        message += f"; {len(outside)} rows outside Table S left out"
    message += ")"
    if not passed:
        message += (
            f": {fmt_amount(needed)} {currency} of the non-originating {req.material} purchases "
            "would have to be originating"
        )
    return envelope.result(
        status=status_of(passed),
        message=message,
        value=value,
        margin_points=value - threshold,
        margin_amount=-needed,
        what_it_would_take=what_it_would_take.metal(
            req.material,
            originating,
            total,
            threshold,
            currency,
            melted_and_poured=bool(entry.melted_and_poured_required),
        ),
        evidence=MetalEvidence(
            material=req.material,
            originating_value=originating,
            total_value=total,
            rows=len(rows),
            melted_and_poured_required=entry.melted_and_poured_required,
            rows_not_shown_melted_and_poured=tuple(not_shown),
            rows_outside_table_s=tuple(outside),
            value_outside_table_s=outside_value,
            currency=currency,
        ),
    )


def _rows(rows: list[int]) -> str:
    shown = ", ".join(map(str, rows[:20]))
    return shown + (f" and {len(rows) - 20} more" if len(rows) > 20 else "")
