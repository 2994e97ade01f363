"""Steel and aluminum purchases (s. 17): originating share of each metal >= 70%."""

from __future__ import annotations

from rvc import schedule
from rvc.engine.common import missing_sheet, not_in_force, since, status_of
from rvc.engine.context import Context
from rvc.errors import NotInForce
from rvc.hs import HsPattern, dotted
from rvc.money import ZERO, fmt_amount, fmt_number, fmt_percent, fmt_threshold, percent
from rvc.results import RequirementResult, Status
from rvc.rules.schema import MetalShare


def evaluate(ctx: Context, req: MetalShare) -> RequirementResult:
    """Originating purchases / all purchases of the metal, against the threshold in force."""
    try:
        entry = schedule.at(req.thresholds, ctx.as_of)
    except NotInForce as error:
        return not_in_force(req, error)
    if ctx.bom.metals is None:
        return missing_sheet(
            req, entry, "SteelAluminum", "the producer's steel and aluminum purchases"
        )
    rows = [r for r in ctx.bom.metals if r.material == req.material]
    total = sum((r.value for r in rows), ZERO)
    if not total:
        return RequirementResult(
            id=req.id,
            title=req.title,
            status=Status.NOT_EVALUATED,
            threshold=entry.min_percent,
            message=(
                f"not evaluated: the SteelAluminum sheet lists no {req.material} purchases "
                "of any value; list them to evaluate this requirement"
            ),
            citation=entry.citation,
            source_status=entry.status.value,
            in_force_from=entry.from_,
        )
    table = [HsPattern.parse(h) for h in req.table_s]
    originating = ZERO
    not_shown: list[int] = []
    for r in rows:
        counts = r.originating
        if counts and entry.melted_and_poured_required and r.melted_and_poured is not True:
            counts = False
            if r.melted_and_poured is None:
                not_shown.append(r.row)
        if counts:
            originating += r.value
        if r.hs_code and not any(p.matches(r.hs_code) for p in table):
            ctx.notes.append(
                f"SteelAluminum row {r.row}: HS {dotted(r.hs_code)} is not in Table S for "
                f"{req.material}; counted as listed (check whether it belongs in the calculation)"
            )
    if not_shown:
        value = sum((r.value for r in rows if r.row in set(not_shown)), ZERO)
        ctx.notes.append(
            f"SteelAluminum rows {', '.join(map(str, not_shown))}: originating steel with "
            f"melted_and_poured blank counted as non-originating ({fmt_number(value)}), as "
            f"required {since(entry)} (s. 17(5)(b))"
        )
    value = percent(originating, total)
    threshold = entry.min_percent
    passed = value >= threshold
    needed = total * threshold / 100 - originating
    relation = ">=" if passed else "<"
    message = (
        f"{req.material.capitalize()} {fmt_percent(value, threshold)} originating "
        f"{relation} {fmt_threshold(threshold)} required {since(entry)} "
        f"({fmt_number(originating)} of {fmt_number(total)}"
    )
    if entry.melted_and_poured_required:
        message += ", counting only steel melted and poured in North America"
    message += ")"
    if not passed:
        message += (
            f": {fmt_amount(needed)} of the non-originating {req.material} purchases would have "
            "to be originating"
        )
    return RequirementResult(
        id=req.id,
        title=req.title,
        status=status_of(passed),
        message=message,
        value=value,
        threshold=threshold,
        citation=entry.citation,
        source_status=entry.status.value,
        in_force_from=entry.from_,
        margin_points=value - threshold,
        margin_amount=-needed,
        details={
            "originating_value": originating,
            "total_value": total,
            "rows": len(rows),
            "melted_and_poured_required": entry.melted_and_poured_required,
            "rows_not_shown_melted_and_poured": not_shown,
        },
    )
