"""Vehicle regional value content (s. 13): net cost method, roll-up through the BOM tree."""

from __future__ import annotations

from decimal import Decimal

from rvc import schedule
from rvc.engine import lvc
from rvc.engine.analysis import Analysis, analyse
from rvc.engine.common import not_in_force, since, status_of
from rvc.engine.context import Context
from rvc.engine.rollup import PARTIAL, WHOLE, RollUp, attribute
from rvc.errors import NotInForce
from rvc.money import (
    HUNDRED,
    ZERO,
    fmt_amount,
    fmt_number,
    fmt_percent,
    fmt_threshold,
    percent,
    rvc,
)
from rvc.results import Driver, RequirementResult
from rvc.rules.schema import VehicleRvc

TOP_DRIVERS = 10


def evaluate(ctx: Context, req: VehicleRvc) -> RequirementResult:
    """RVC = (net cost - VNM) / net cost x 100 against the threshold in force."""
    try:
        entry = schedule.at(req.thresholds, ctx.as_of)
    except NotInForce as error:
        return not_in_force(req, error)
    vehicle = ctx.bom.vehicle
    analysis = analyse(ctx)
    chosen = analysis.chosen(ctx.reading)
    net_cost = vehicle.net_cost
    vnm = chosen.vnm(analysis.tree)
    value = rvc(net_cost, vnm)
    threshold = entry.min_percent
    passed = value >= threshold
    currency = vehicle.currency
    allowed = net_cost * (HUNDRED - threshold) / HUNDRED
    headroom = allowed - vnm
    details: dict[str, object] = {
        "method": "net_cost",
        "net_cost": net_cost,
        "vnm": vnm,
        "originating_value": net_cost - vnm,
        "allowed_vnm": allowed,
        "bom_value": analysis.tree.top_level_value(),
        "core_part_reading": ctx.reading,
    }
    if analysis.disputed:
        details["other_readings"] = {
            name: rvc(net_cost, roll.vnm(analysis.tree))
            for name, roll in analysis.rollups.items()
            if name != ctx.reading
        }
    if "transaction_value" in req.methods and vehicle.transaction_value and entry.min_percent_tv:
        tv_value = rvc(vehicle.transaction_value, vnm)
        details["transaction_value_method"] = {"value": tv_value, "threshold": entry.min_percent_tv}
        passed = passed or tv_value >= entry.min_percent_tv
    de_minimis = (
        not passed
        and req.de_minimis_percent is not None
        and vnm <= net_cost * req.de_minimis_percent / HUNDRED
    )
    if de_minimis:
        details["de_minimis"] = True
        passed = True
    if headroom >= 0:
        money = f"{fmt_amount(headroom)} {currency} of headroom"
    else:
        money = f"{fmt_amount(-headroom)} {currency} of non-originating content too much"
    relation = ">=" if value >= threshold else "<"
    message = (
        f"RVC {fmt_percent(value, threshold)} {relation} {fmt_threshold(threshold)} required "
        f"{since(entry)}: {money} (net cost {fmt_number(net_cost)}, non-originating "
        f"{fmt_number(vnm)})"
    )
    if de_minimis:
        message += (
            f"; it passes all the same: its non-originating value is at most "
            f"{fmt_threshold(req.de_minimis_percent)} of the net cost (de minimis, s. 5(4))"
        )
    credit = _lvc_credit(ctx, req, value, threshold, passed)
    if credit:
        details["lvc_credit_option"] = credit
        if credit.get("would_pass"):
            message += (
                f"; it could pass with the s. 18(22) credit of {fmt_number(credit['points'])} "
                "LVC points (an option the producer must claim; not applied)"
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
        margin_amount=headroom,
        details=details,
        drivers=tuple(drivers(analysis, chosen, vnm)),
    )


def drivers(analysis: Analysis, roll: RollUp, vnm: Decimal) -> list[Driver]:
    """The lines that bring the most non-originating value, largest first."""
    if not vnm:
        return []
    pieces = attribute(analysis.tree, roll)
    pieces.sort(key=lambda a: (-a.amount, analysis.tree.lines[a.index].row))
    out = []
    for piece in pieces[:TOP_DRIVERS]:
        line = analysis.tree.lines[piece.index]
        out.append(
            Driver(
                part_number=line.part_number,
                row=line.row,
                description=line.description,
                amount=piece.amount,
                share_percent=percent(piece.amount, vnm),
                reason=_reason(analysis, roll, piece.index),
            )
        )
    return out


def _reason(analysis: Analysis, roll: RollUp, i: int) -> str:
    line = analysis.tree.lines[i]
    mode = roll.mode[i]
    if i in roll.decided:
        _, threshold = roll.decided[i]
        assert threshold is not None
        own = roll.own_rvc.get(i, line.rvc_percent)
        shown = fmt_percent(own) if own is not None else "unknown"
        return f"below its threshold: RVC {shown} < {fmt_threshold(threshold.percent)}"
    if mode == PARTIAL:
        return f"core part's non-originating share (RVC {fmt_percent(line.rvc_percent or ZERO)})"
    if mode == WHOLE and line.originating is None:
        return "unknown origin (counted as non-originating)"
    return "non-originating"


def _lvc_credit(
    ctx: Context, req: VehicleRvc, value: Decimal, threshold: Decimal, passed: bool
) -> dict[str, object] | None:
    """The heavy-truck option of s. 18(22), reported when it could matter; never applied."""
    if not req.lvc_credit or passed:
        return None
    try:
        credit = schedule.at(req.lvc_credit, ctx.as_of)
    except NotInForce:
        return None
    if not credit.available or credit.min_rvc_percent is None or credit.points_above is None:
        return None
    points = lvc.material_and_manufacturing_points(ctx)
    if points is None:
        return None
    extra = max(points - credit.points_above, ZERO)
    eligible = value >= credit.min_rvc_percent
    return {
        "points": extra,
        "eligible": eligible,
        "would_pass": eligible and extra > 0 and value + extra >= threshold,
        "citation": credit.citation,
    }
