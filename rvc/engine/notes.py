"""Assumptions the counting made about the BOM, and the reconciliation totals.

Every line whose origin was assumed (unknown), traced (its components' content counted),
accumulated (its supplier's RVC used) or decided by its threshold is listed with the figure
used. Nothing is capped here: reporters decide how much a medium shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from rvc.engine.facts import Facts
from rvc.engine.rollup import (
    CARRIED,
    CONTENT,
    CORE_CONTENT,
    DECLARED_BELOW,
    MEETS,
    NO_THRESHOLD,
    ORIGINATING,
    UNKNOWN,
)
from rvc.money import ZERO, fmt_number, fmt_percent, fmt_threshold
from rvc.results import LineCounts as Counting
from rvc.results import Note, Threshold


def relevant(facts: Facts) -> list[bool]:
    """Lines whose own origin matters: not hidden under a declared (Y/N) assembly."""
    tree = facts.tree
    core = facts.core_lines
    lines, parent_of = tree.lines, tree.parent_of
    flags = [False] * len(lines)
    for i in tree.top_down:
        parent = parent_of[i]
        if parent < 0:
            flags[i] = True
        elif flags[parent]:
            flags[i] = lines[parent].originating is None or parent in core
    return flags


def bom_notes(facts: Facts, counting: Counting) -> list[Note]:
    """Unknown origins, traced and accumulated lines, decided assemblies, suspicious values."""
    tree = facts.tree
    lines = tree.lines
    flags = relevant(facts)
    currency = facts.bom.vehicle.currency
    core = facts.core_lines
    notes: list[Note] = []
    extended = facts.extended

    def in_vehicle(i: int) -> Decimal:
        return extended[i] * lines[i].unit_cost

    unknown = sorted(
        (i for i in range(len(lines)) if flags[i] and counting.origin[i] == UNKNOWN),
        key=lambda i: (-in_vehicle(i), lines[i].row),
    )
    if unknown:
        total = sum((in_vehicle(i) for i in unknown), ZERO)
        notes.append(
            Note(
                "unknown-origin-total",
                "BOM",
                f"{len(unknown)} line{'s' if len(unknown) != 1 else ''} with unknown origin "
                f"(originating left blank) treated as non-originating: {fmt_number(total)} "
                f"{currency} in the vehicle",
                total,
            )
        )
        notes.extend(
            Note(
                "unknown-origin",
                _where(facts, i),
                f"unknown origin, treated as non-originating: value {fmt_number(lines[i].value)} "
                f"{currency}",
                in_vehicle(i),
            )
            for i in unknown
        )
    rows = [line.row for line in lines]
    for i in sorted(range(len(lines)), key=rows.__getitem__):
        if flags[i] and (note := _line_note(facts, counting, i, i in core)) is not None:
            notes.append(note)
    notes.extend(_value_notes(facts))
    return notes


def _where(facts: Facts, i: int) -> str:
    line = facts.tree.lines[i]
    return f"BOM row {line.row} ({line.part_number})"


@dataclass(frozen=True, slots=True)
class _Line:
    """What the notes of one line say about it."""

    i: int
    where: str
    rvc: Decimal | None
    shown: str
    threshold: Threshold | None
    amount: Decimal
    money: str

    @property
    def below(self) -> bool:
        t = self.threshold
        return t is not None and self.rvc is not None and self.rvc < t.percent


def _says_nothing(c: Counting, i: int, originating: bool | None, is_core: bool) -> bool:
    """Whether `_line_note` would find nothing to say of a line, decided on its counts alone
    (most lines: no figure is formatted for them)."""
    mode = c.mode[i]
    if is_core or mode in (CARRIED, CORE_CONTENT):
        return False
    if originating is True:
        threshold, rvc = c.threshold[i], c.own_rvc[i]
        return threshold is None or rvc is None or not rvc < threshold.percent
    if originating is None:
        return mode != CONTENT and not (c.how[i] == MEETS and c.threshold[i] is not None)
    return True


def _line_note(facts: Facts, c: Counting, i: int, is_core: bool) -> Note | None:
    """The assumption behind one line's count, if it needs saying."""
    line = facts.tree.lines[i]
    if _says_nothing(c, i, line.originating, is_core):
        return None
    rvc = c.own_rvc[i]
    amount = c.n[i] * line.quantity
    it = _Line(
        i=i,
        where=_where(facts, i),
        rvc=rvc,
        shown=fmt_percent(rvc) if rvc is not None else "unknown",
        threshold=c.threshold[i],
        amount=amount,
        money=f"{fmt_number(amount)} {facts.bom.vehicle.currency}",
    )
    if c.mode[i] in (CARRIED, CORE_CONTENT) or is_core:
        note = _core_note(c, it, is_core)
        if note is not None:
            return note
    if line.originating is True:
        return _declared_note(c, it, is_core)
    if line.originating is None:
        return _blank_note(c, it)
    return None


def _core_note(c: Counting, it: _Line, is_core: bool) -> Note | None:
    """Core-part content under the U.S. reading: carried, counted, or unknown."""
    i = it.i
    if c.mode[i] == CARRIED:
        return Note(
            "core-content-carried",
            it.where,
            "counts as originating, but under the U.S. reading the core parts inside it still "
            f"bring their own non-originating content ({it.money})",
            it.amount,
        )
    if c.mode[i] == CORE_CONTENT:
        return Note(
            "core-part-content",
            it.where,
            f"core part originating ({c.how[i].replace('_', ' ')}); under the U.S. reading its "
            f"own non-originating content counts: RVC {it.shown}, {it.money}",
            it.amount,
        )
    declared_leaf = c.source[i] == "declared originating"
    if is_core and c.core_content_counts and c.origin[i] == ORIGINATING and declared_leaf:
        return Note(
            "core-part-content-unknown",
            it.where,
            "core part declared originating with no components and no rvc_percent: nothing "
            "is known of its content, so it brings 0 under the U.S. reading",
        )
    return None


def _declared_note(c: Counting, it: _Line, is_core: bool) -> Note | None:
    """A declared-Y line whose own figures miss its threshold."""
    i, threshold = it.i, it.threshold
    if threshold is None or not it.below:
        return None
    limit = f"{fmt_threshold(threshold.percent)} ({threshold.source})"
    if c.how[i] == DECLARED_BELOW:
        return Note(
            "declared-below-threshold",
            it.where,
            f"declared originating, but its RVC {it.shown} is below the {limit} it must meet "
            f"('originating only if', s. 15(4)): not originating, its non-originating content "
            f"counts: {it.money}",
            it.amount,
        )
    if is_core and c.source[i] in ("components", "rvc_percent"):
        return Note(
            "declared-contradicts-rvc",
            it.where,
            f"declared originating, but {_basis(c, i)} RVC {it.shown} < {limit}: counted as "
            "declared (the workbook contract); check the declaration, which its own figures "
            "do not support",
        )
    return None


def _blank_note(c: Counting, it: _Line) -> Note | None:
    """A blank line traced, accumulated, or decided originating by its own RVC."""
    i, threshold = it.i, it.threshold
    basis = f"{_basis(c, i)} RVC {it.shown}"
    if c.mode[i] == CONTENT:
        if threshold is not None and it.below:
            why = f"< {fmt_threshold(threshold.percent)} ({threshold.source})"
        elif c.how[i] == NO_THRESHOLD:
            why = "and no part table gives it a threshold"
        else:
            why = "and it is not originating"
        if c.source[i] == "components":
            kind = "traced"
            tail = (
                "the producer's choice not to designate it an intermediate material, s. 7(5), 8(10)"
            )
        else:
            kind, tail = "accumulated", "accumulation, s. 9(2): keep the supplier's statement"
        return Note(
            kind,
            it.where,
            f"origin left blank; {basis} {why}, so only its non-originating content counts: "
            f"{it.money} ({tail})",
            it.amount,
        )
    if c.how[i] == MEETS and threshold is not None:
        return Note(
            "originating-by-rvc",
            it.where,
            f"origin left blank; {basis} >= {fmt_threshold(threshold.percent)} "
            f"({threshold.source}), so it counts as originating",
        )
    return None


def _basis(c: Counting, i: int) -> str:
    """'its components give' or 'its supplier's rvc_percent gives', for a line's own RVC."""
    if c.source[i] == "components":
        return "its components give"
    return "its supplier's rvc_percent gives"


def _value_notes(facts: Facts) -> list[Note]:
    """Assemblies worth less than their components, lines with both components and an
    rvc_percent, and a BOM that does not add up to the net cost."""
    tree = facts.tree
    lines = tree.lines
    currency = facts.bom.vehicle.currency
    notes = []
    for i, line in enumerate(lines):
        kids = tree.children[i]
        if not kids:
            continue
        where = _where(facts, i)
        if line.rvc_percent is not None:
            notes.append(
                Note(
                    "components-over-rvc-percent",
                    where,
                    "has both components and rvc_percent; its RVC is computed from its "
                    "components (children win)",
                )
            )
        inside = sum((lines[k].value for k in kids), ZERO)
        if inside > line.unit_cost:
            notes.append(
                Note(
                    "components-exceed-value",
                    where,
                    f"its components are worth {fmt_number(inside)} {currency}, more than its "
                    f"unit cost {fmt_number(line.unit_cost)}; likely a data error (it counts at "
                    "most its own value in its parent)",
                )
            )
    bom_value = tree.top_level_value()
    net_cost = facts.bom.vehicle.net_cost
    if bom_value > net_cost:
        notes.append(
            Note(
                "bom-over-net-cost",
                "BOM",
                f"the top-level BOM lines are worth {fmt_number(bom_value)} {currency}, more "
                f"than the net cost {fmt_number(net_cost)}; check net_cost and the BOM",
            )
        )
    elif bom_value * 2 < net_cost:
        notes.append(
            Note(
                "bom-under-net-cost",
                "BOM",
                f"the top-level BOM lines are worth {fmt_number(bom_value)} {currency}, "
                f"{fmt_percent(bom_value * 100 / net_cost)} of the net cost "
                f"{fmt_number(net_cost)}; everything not listed counts as originating value "
                "(labor, overhead, unlisted materials): check that the BOM is complete",
            )
        )
    return notes


def reconciliation(facts: Facts, counting: Counting) -> dict[str, Any]:
    """Line counts and totals so that a user can tie the report back to the source."""
    tree = facts.tree
    lines = tree.lines
    flags = relevant(facts)
    provenance = facts.bom.provenance
    unknown = [i for i in range(len(lines)) if flags[i] and counting.origin[i] == UNKNOWN]
    top_level = tree.top_level_value()
    result: dict[str, Any] = {
        "lines": len(lines),
        "top_level_lines": len(tree.roots),
        "component_lines": len(lines) - len(tree.roots),
        "lines_under_declared_assemblies": flags.count(False),
        "lines_unknown_origin": len(unknown),
        "unknown_origin_value": sum(
            (facts.extended[i] * lines[i].unit_cost for i in unknown), ZERO
        ),
        "sum_of_line_values": sum((line.value for line in lines), ZERO),
        "top_level_value": top_level,
        "currency": facts.bom.vehicle.currency,
    }
    if provenance is not None:
        result["rows_read"] = provenance.rows_read
        result["blank_rows_skipped"] = provenance.blank_rows
        if provenance.mapping:
            result["mapping"] = list(provenance.mapping)
        result["rows_excluded"] = [{"row": e.row, "reason": e.reason} for e in provenance.excluded]
        if provenance.fx_rates:
            result["fx_rates"] = [
                {
                    "currency": r.currency,
                    "rate": r.rate,
                    "date": r.on.isoformat() if r.on else None,
                    "source": r.source,
                }
                for r in provenance.fx_rates
            ]
    return result
