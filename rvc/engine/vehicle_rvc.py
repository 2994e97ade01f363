"""Vehicle regional value content (s. 13): net cost method over the counted BOM lines.

RVC = (net cost - VNM) / net cost x 100, where VNM is what the top-level lines bring (see
`rollup`), under the reading of core parts applied; the other reading's RVC is shown beside.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from rvc.engine import lvc, what_it_would_take
from rvc.engine.common import Envelope, since, status_of
from rvc.engine.facts import Facts
from rvc.engine.rollup import (
    CARRIED,
    CONTENT,
    CORE_CONTENT,
    NOTHING,
    UNKNOWN,
    WHOLE,
    vnm_of,
)
from rvc.engine.tree import Tree
from rvc.money import HUNDRED, ZERO, fmt_amount, fmt_number, fmt_percent, fmt_threshold, percent
from rvc.money import rvc as rvc_of
from rvc.results import Driver, LvcCreditOption, RequirementResult, VehicleRvcEvidence
from rvc.results import LineCounts as Counting
from rvc.rulepack.schema import RvcEntry, VehicleRvc

TOP_DRIVERS = 10


@dataclass(frozen=True, slots=True)
class Outcome:
    """The vehicle RVC under one reading."""

    vnm: Decimal
    value: Decimal
    passed: bool
    de_minimis: bool
    transaction_value: dict[str, Decimal] | None


def outcome(facts: Facts, envelope: Envelope, reading: str) -> Outcome:
    """The RVC and whether it passes under a reading (net cost method; TV where allowed)."""
    req = envelope.requirement
    entry = envelope.entry
    assert isinstance(req, VehicleRvc) and isinstance(entry, RvcEntry)
    vehicle = facts.bom.vehicle
    net_cost = vehicle.net_cost
    vnm = vnm_of(facts.tree, facts.counting(reading))
    value = rvc_of(net_cost, vnm)
    passed = value >= entry.min_percent
    tv = None
    if "transaction_value" in req.methods and vehicle.transaction_value and entry.min_percent_tv:
        tv_value = rvc_of(vehicle.transaction_value, vnm)
        tv = {"value": tv_value, "threshold": entry.min_percent_tv}
        passed = passed or tv_value >= entry.min_percent_tv
    de_minimis = (
        not passed
        and req.de_minimis_percent is not None
        and vnm <= net_cost * req.de_minimis_percent / HUNDRED
    )
    return Outcome(vnm, value, passed or de_minimis, de_minimis, tv)


def evaluate(facts: Facts, envelope: Envelope) -> RequirementResult:
    """RVC = (net cost - VNM) / net cost x 100 against the threshold in force."""
    req, entry = envelope.requirement, envelope.entry
    assert isinstance(req, VehicleRvc) and isinstance(entry, RvcEntry)
    reading = facts.reading
    chosen = outcome(facts, envelope, reading)
    vehicle = facts.bom.vehicle
    net_cost, vnm, value = vehicle.net_cost, chosen.vnm, chosen.value
    threshold = entry.min_percent
    currency = vehicle.currency
    allowed = net_cost * (HUNDRED - threshold) / HUNDRED
    headroom = allowed - vnm
    if headroom >= 0:
        money = f"{fmt_amount(headroom)} {currency} of headroom"
    else:
        money = f"{fmt_amount(-headroom)} {currency} of non-originating content too much"
    relation = ">=" if value >= threshold else "<"
    message = (
        f"RVC {fmt_percent(value, threshold)} {relation} {fmt_threshold(threshold)} required "
        f"{since(entry)}: {money} (net cost {fmt_number(net_cost)} {currency}, non-originating "
        f"{fmt_number(vnm)} {currency}; core parts read as {reading})"
    )
    if chosen.de_minimis:
        message += (
            f"; it passes all the same: its non-originating value is at most "
            f"{fmt_threshold(req.de_minimis_percent or ZERO)} of the net cost (de minimis, "
            "s. 5(4))"
        )
    credit = _lvc_credit(facts, value, threshold, chosen.passed)
    if credit is not None and credit.would_pass:
        message += (
            f"; it could pass with the s. 18(22) credit of {fmt_number(credit.points)} LVC "
            "points (an option the producer must claim; not applied)"
        )
    vnms = {name: vnm_of(facts.tree, counting) for name, counting in facts.counts.items()}
    others = {name: rvc_of(net_cost, v) for name, v in vnms.items() if name != reading}
    evidence = VehicleRvcEvidence(
        net_cost=net_cost,
        vnm=vnm,
        allowed_vnm=allowed,
        bom_value=facts.tree.top_level_value(),
        core_part_reading=reading,  # type: ignore[arg-type]
        other_readings=others,
        de_minimis=chosen.de_minimis,
        transaction_value=chosen.transaction_value,
        lvc_credit_option=credit,
        vnm_by_reading=vnms,
    )
    return envelope.result(
        status=status_of(chosen.passed),
        message=message,
        value=value,
        margin_points=value - threshold,
        margin_amount=headroom,
        evidence=evidence,
        drivers=tuple(drivers(facts, facts.counting(reading), vnm)),
        what_it_would_take=what_it_would_take.vehicle_rvc(
            facts, value, threshold, vnm, chosen.passed
        ),
    )


def drivers(facts: Facts, counting: Counting, vnm: Decimal) -> list[Driver]:
    """The lines that bring the most non-originating value, largest first."""
    if not vnm:
        return []
    tree = facts.tree
    pieces = attribute(tree, counting, facts.core_lines)
    pieces.sort(key=lambda a: (-a[1], tree.lines[a[0]].row))
    out = []
    for index, amount, carried in pieces[:TOP_DRIVERS]:
        line = tree.lines[index]
        out.append(
            Driver(
                part_number=line.part_number,
                row=line.row,
                description=line.description,
                amount=amount,
                share_percent=percent(amount, vnm),
                reason=_reason(counting, index, carried, line.originating is False),
            )
        )
    return out


def attribute(
    tree: Tree, counting: Counting, core_lines: set[int]
) -> list[tuple[int, Decimal, bool]]:
    """Split the vehicle's VNM over the lines it comes from: (line, amount, carried?).

    The amounts sum to the VNM: a line whose content is its children's is split further, and
    the core-part content carried through an originating assembly is traced to its core part.
    """
    lines = tree.lines
    n, mode = counting.n, counting.mode
    out: list[tuple[int, Decimal, bool]] = []
    stack = [(i, lines[i].quantity, False) for i in reversed(tree.roots)]
    while stack:
        i, multiplier, only_carried = stack.pop()
        if only_carried and i not in core_lines:
            if _children_sum(tree, counting.carried, i) == counting.carried[i]:
                stack.extend(_below(tree, i, multiplier, counting.carried, True))
            else:  # capped at the line's own value: the line itself is the source
                out.append((i, multiplier * counting.carried[i], True))
            continue
        split = _split(tree, counting, i)
        if split is not None:
            stack.extend(_below(tree, i, multiplier, *split))
        elif mode[i] != NOTHING:
            out.append((i, multiplier * n[i], only_carried))
    return out


def _split(tree: Tree, c: Counting, i: int) -> tuple[list[Decimal], bool] | None:
    """Whether a line's amount is exactly its children's (their n, or their carried content),
    so that it is attributed to them rather than to the line itself."""
    if not tree.children[i]:
        return None
    m = c.mode[i]
    if m in (CONTENT, CORE_CONTENT) and c.n[i] == c.traced[i]:
        return c.n, False
    if m == CARRIED and c.n[i] == _children_sum(tree, c.carried, i):  # not capped
        return c.carried, True
    return None


def _children_sum(tree: Tree, amounts: list[Decimal], i: int) -> Decimal:
    lines = tree.lines
    return sum((lines[k].quantity * amounts[k] for k in tree.children[i] if amounts[k]), ZERO)


def _below(
    tree: Tree, i: int, multiplier: Decimal, amounts: list[Decimal], carried: bool
) -> list[tuple[int, Decimal, bool]]:
    lines = tree.lines
    return [
        (k, multiplier * lines[k].quantity, carried)
        for k in reversed(tree.children[i])
        if amounts[k]
    ]


def _reason(counting: Counting, i: int, carried: bool, declared_non_originating: bool) -> str:
    m = counting.mode[i]
    rvc = counting.own_rvc[i]
    shown = fmt_percent(rvc) if rvc is not None else "unknown"
    threshold = counting.threshold[i]
    if carried:
        return (
            "core-part content carried through an originating assembly (U.S. reading; at most "
            "each assembly's own value)"
        )
    if m == CORE_CONTENT:
        return f"core part's own non-originating content (RVC {shown}; U.S. reading)"
    if m == CONTENT:
        if threshold is not None:
            return (
                f"origin blank, RVC {shown} < {fmt_threshold(threshold.percent)}: its "
                "non-originating content counts"
            )
        return (
            f"origin blank, no threshold applies: its non-originating content counts (RVC {shown})"
        )
    if m == WHOLE and counting.origin[i] == UNKNOWN:
        return "unknown origin (counted as non-originating)"
    if m == WHOLE and not declared_non_originating and counting.source[i] == "components":
        return "its components' non-originating value exceeds its own value"
    return "declared non-originating"


def _lvc_credit(
    facts: Facts, value: Decimal, threshold: Decimal, passed: bool
) -> LvcCreditOption | None:
    """The heavy-truck option of s. 18(22), reported only when its precondition holds.

    Until 2027-07-01, a producer that certifies a heavy truck's LVC higher than 45% by raising
    its high-wage material and manufacturing points above 30 may credit the points above 30
    toward the vehicle RVC, provided that RVC is not below 60%. An option the producer claims:
    rvc reports it, never applies it.
    """
    credit = facts.rules.lvc_credit
    if passed or credit is None or not credit.available:
        return None
    if credit.min_rvc_percent is None or credit.points_above is None:
        return None
    basis = lvc.credit_basis(facts)
    if basis is None or basis.material_and_manufacturing <= credit.points_above:
        return None
    if credit.lvc_above_percent is not None and basis.total <= credit.lvc_above_percent:
        return None
    extra = basis.material_and_manufacturing - credit.points_above
    eligible = value >= credit.min_rvc_percent
    if not eligible:  # "provided that the RVC percentage is not below 60%"
        return None
    return LvcCreditOption(
        points=extra,
        eligible=eligible,
        would_pass=eligible and value + extra >= threshold,
        citation=credit.citation,
    )
