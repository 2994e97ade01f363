"""An independent calculator ("oracle") for the vehicle RVC and core-parts rules of the BOM
workbook contract, format v1.1 ("How BOM lines count"), written from the public contract only
(workbook.md, report-json.md, the domain notes), never from rvc's engine.

Scope: vehicle RVC under both core-part readings (`us-cbp`, `roll-up`), the core-parts
requirement of passenger vehicles and light trucks (super-core, category averages, the 8507.60
battery), heavy-truck lines decided at their Table D / E thresholds. Not covered: steel,
aluminum, LVC, the s. 18(22) credit, de minimis, the TV method, Table A.2 column 2.

Everything is `Decimal`. Where the contract leaves a point open, the reading a customs auditor
would take is chosen and marked `AMBIGUITY:` (also listed in ../notes/oracle-ambiguities.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from typing import Literal

READINGS = ("us-cbp", "roll-up")
Reading = Literal["us-cbp", "roll-up"]
D = Decimal
HUNDRED = D(100)

# --------------------------------------------------------------------------------------------
# Thresholds (own table, from the regulation's staging; stages start on July 1).

PV_LT = ("passenger_vehicle", "light_truck")

VEHICLE_RVC = {
    "pv": [(dt.date(2020, 7, 1), D(66)), (dt.date(2021, 7, 1), D(69)),
           (dt.date(2022, 7, 1), D(72)), (dt.date(2023, 7, 1), D(75))],
    "ht": [(dt.date(2020, 7, 1), D(60)), (dt.date(2024, 7, 1), D(64)),
           (dt.date(2027, 7, 1), D(70))],
}
CORE = [(dt.date(2020, 7, 1), D(66)), (dt.date(2021, 7, 1), D(69)),
        (dt.date(2022, 7, 1), D(72)), (dt.date(2023, 7, 1), D(75))]
TABLE_B = [(dt.date(2020, 7, 1), D("62.5")), (dt.date(2021, 7, 1), D(65)),
           (dt.date(2022, 7, 1), D("67.5")), (dt.date(2023, 7, 1), D(70))]
TABLE_C = [(dt.date(2020, 7, 1), D(62)), (dt.date(2021, 7, 1), D(63)),
           (dt.date(2022, 7, 1), D(64)), (dt.date(2023, 7, 1), D(65))]
TABLE_D = [(dt.date(2020, 7, 1), D(60)), (dt.date(2024, 7, 1), D(64)),
           (dt.date(2027, 7, 1), D(70))]
TABLE_E = [(dt.date(2020, 7, 1), D(50)), (dt.date(2024, 7, 1), D(54)),
           (dt.date(2027, 7, 1), D(60))]

# A handful of HS subheadings, each in exactly one table for its vehicle class (checked
# against rules/part-tables.yaml). Codes are compared on their first 6 digits.
HS_TABLE_B = {"841330", "870870", "841350", "848210"}  # PV/LT principal parts
HS_TABLE_C = {"850110", "851220"}  # PV/LT complementary parts
HS_TABLE_D = {"841330", "870870", "870850", "870880", "870894"}  # HT principal parts
HS_TABLE_E = {"841350", "848210", "850760"}  # HT complementary parts
# s. 15(4): heavy-truck engines (headings 84.07, 84.08), gear boxes, 8708.99 chassis: Table D.
HT_S15_4_PREFIXES = ("8407", "8408", "870840", "870899")

# Table A.2 column 1, for inferring core parts when the BOM has no core_part column.
INFER_CORE = {
    "840733": "engine", "840734": "engine", "840820": "engine",
    "870840": "transmission",
    "870710": "body_chassis", "870790": "body_chassis", "870829": "body_chassis",
    "870899": "body_chassis",
    "870850": "axle", "870880": "suspension", "870894": "steering",
    "850760": "advanced_battery", "850780": "advanced_battery",
}
EV_BATTERY = "850760"  # s. 14(6): its declared origin decides, out of the averages


def in_force(stages: list[tuple[dt.date, Decimal]], as_of: dt.date) -> Decimal | None:
    found = None
    for start, value in stages:
        if as_of >= start:
            found = value
    return found


def hs6(code: str | None) -> str:
    return "".join(ch for ch in (code or "") if ch.isdigit())[:6]


# --------------------------------------------------------------------------------------------
# Input


@dataclass
class Line:
    part_number: str
    unit_cost: Decimal
    quantity: Decimal = D(1)
    parent: str | None = None
    originating: str | None = None  # "Y", "N" or None (blank)
    core_part: str | None = None
    hs_code: str | None = None
    rvc_percent: Decimal | None = None


@dataclass
class Vehicle:
    vehicle_class: str
    net_cost: Decimal


# --------------------------------------------------------------------------------------------
# Output


@dataclass
class LineResult:
    own_rvc: dict[str, Decimal | None]  # per reading (differs only through us-cbp core content)
    origin: dict[str, str]  # per reading: Y, N, by-rvc, below, neither, unknown, averaged
    nonorig_in_parent: dict[str, Decimal]
    value_in_vehicle: Decimal
    core: str | None  # core-part category (PV/LT only, outermost core parts only)
    ev_battery: bool = False


@dataclass
class Category:
    value: Decimal | None  # value-weighted average own RVC (None: no averaged part)
    status: str  # pass when every part originates on its own or by the category average


@dataclass
class CoreResult:
    threshold: Decimal
    status: str | None  # pass / fail; None when the BOM has no core part (not compared)
    categories: dict[str, Category]
    super_core: Category  # status: pass when the value-weighted average >= threshold


@dataclass
class Outcome:
    vehicle_class: str
    rvc: dict[str, Decimal]
    rvc_threshold: Decimal
    rvc_status: dict[str, str]
    core: CoreResult | None  # None for heavy trucks (no core-parts requirement)
    verdict: dict[str, str]  # of vehicle-rvc + core-parts only: fail, else incomplete
    lines: dict[str, LineResult] = field(default_factory=dict)
    vnm: dict[str, Decimal] = field(default_factory=dict)


# --------------------------------------------------------------------------------------------
# The calculator


def evaluate(vehicle: Vehicle, lines: list[Line], as_of: dt.date,
             has_core_column: bool = True) -> Outcome:
    with localcontext() as ctx:
        ctx.prec = 50
        return _Calc(vehicle, lines, as_of, has_core_column).run()


class _Calc:
    def __init__(self, vehicle: Vehicle, lines: list[Line], as_of: dt.date,
                 has_core_column: bool) -> None:
        self.vehicle = vehicle
        self.pv = vehicle.vehicle_class in PV_LT
        self.as_of = as_of
        self.by_pn = {ln.part_number: ln for ln in lines}
        self.children: dict[str | None, list[Line]] = {}
        for ln in lines:
            self.children.setdefault(ln.parent or None, []).append(ln)
        self.core_threshold = in_force(CORE, as_of)
        # Core parts (PV/LT only): the outermost lines marked (or inferred) as core parts;
        # "lines inside a core part's subtree are its materials, not core parts of their own".
        self.core: dict[str, str] = {}
        self.qty_in_vehicle: dict[str, Decimal] = {}
        self._walk(None, D(1), inside_core=False, has_core_column=has_core_column)
        # Averaging, decided once (core parts' own RVC does not depend on the reading: their
        # subtrees hold no core part).
        self.averaged: set[str] = set()

    def _walk(self, parent: str | None, factor: Decimal, inside_core: bool,
              has_core_column: bool) -> None:
        for ln in self.children.get(parent, []):
            qty = factor * ln.quantity
            self.qty_in_vehicle[ln.part_number] = qty
            category = None
            if self.pv and not inside_core:
                if has_core_column:
                    category = ln.core_part or None
                else:
                    category = INFER_CORE.get(hs6(ln.hs_code))
            if category:
                self.core[ln.part_number] = category
            self._walk(ln.part_number, qty, inside_core or bool(category), has_core_column)

    # ---- thresholds -------------------------------------------------------------------------

    def threshold(self, ln: Line) -> Decimal | None:
        """The RVC a blank-origin line must reach to originate (None: no threshold applies)."""
        if ln.part_number in self.core:
            return self.core_threshold
        code = hs6(ln.hs_code)
        if not code:
            return None
        if self.pv:
            if code in HS_TABLE_B:
                return in_force(TABLE_B, self.as_of)
            if code in HS_TABLE_C:
                return in_force(TABLE_C, self.as_of)
            # AMBIGUITY: a non-core line of a PV/LT with a Table A.1 code (e.g. 8708.40 with a
            # blank core_part cell): the contract names Tables B and C only -> no threshold.
            return None
        if code.startswith(HT_S15_4_PREFIXES) or code in HS_TABLE_D:
            return in_force(TABLE_D, self.as_of)
        if code in HS_TABLE_E:
            return in_force(TABLE_E, self.as_of)
        return None

    def is_ev_battery(self, ln: Line) -> bool:
        # AMBIGUITY: any advanced-battery core part of 8507.60 is taken to propel the vehicle
        # (the workbook has no field saying the vehicle is electric).
        return self.core.get(ln.part_number) == "advanced_battery" and hs6(ln.hs_code) == EV_BATTERY

    # ---- one line ---------------------------------------------------------------------------

    def own_rvc(self, ln: Line, reading: str) -> Decimal | None:
        """Per unit: children win, else rvc_percent, else 100 / 0 by declaration."""
        kids = self.children.get(ln.part_number, [])
        if kids:
            # AMBIGUITY: the children's quantities are per ONE unit of this line, so its RVC is
            # (unit_cost - non-originating value of the children) / unit_cost; a zero-cost
            # assembly has no RVC (None). The RVC is not clipped (it may be below 0).
            if ln.unit_cost == 0:
                return None
            vnm = sum((self.nonorig(k, reading) for k in kids), D(0))
            return (ln.unit_cost - vnm) / ln.unit_cost * HUNDRED
        if ln.rvc_percent is not None:
            return ln.rvc_percent
        return HUNDRED if ln.originating == "Y" else D(0)

    def has_known_content(self, ln: Line) -> bool:
        return bool(self.children.get(ln.part_number)) or ln.rvc_percent is not None

    def own_origin(self, ln: Line, reading: str) -> str:
        """Origin before averaging: Y, N, by-rvc, below, neither, unknown."""
        if (ln.originating == "Y" and not self.pv and self.has_known_content(ln)
                and hs6(ln.hs_code).startswith(HT_S15_4_PREFIXES)):
            # AMBIGUITY: a heavy truck's engine, gear box or 8708.99 chassis "is originating
            # only when it meets the Table D threshold" (s. 15(4)): with a known own RVC that
            # specific rule overrides a declared Y (the auditor's reading); without one, the Y
            # stands (own RVC 100 by declaration). Identified by HS code only, not core_part.
            rvc = self.own_rvc(ln, "roll-up")
            thr = self.threshold(ln)
            return "by-rvc" if rvc is not None and rvc >= thr else "below"
        if ln.originating == "Y":
            return "Y"
        if ln.originating == "N":
            return "N"
        if not self.has_known_content(ln):
            return "unknown"
        if self.is_ev_battery(ln):
            # AMBIGUITY: s. 14(6) "its declared origin decides": a blank 8507.60 battery is not
            # originating, whatever its RVC; its known content still counts as blank-below.
            return "below"
        thr = self.threshold(ln)
        if thr is None:
            return "neither"
        rvc = self.own_rvc(ln, reading)
        if rvc is None:
            return "neither"  # zero-cost assembly: no RVC, counts its (zero) content
        return "by-rvc" if rvc >= thr else "below"

    def origin(self, ln: Line, reading: str) -> str:
        base = self.own_origin(ln, reading)
        if ln.part_number in self.averaged and base not in ("Y", "by-rvc"):
            return "averaged"
        return base

    def content(self, ln: Line, reading: str) -> Decimal:
        """(100 - own RVC)% of the value, never more than the value (nor below 0)."""
        value = ln.quantity * ln.unit_cost
        kids = self.children.get(ln.part_number, [])
        if kids:
            if ln.unit_cost == 0:
                return D(0)
            per_unit = sum((self.nonorig(k, reading) for k in kids), D(0))
            figure = ln.quantity * per_unit
        else:
            rvc = self.own_rvc(ln, reading)
            figure = value * (HUNDRED - rvc) / HUNDRED
        return max(D(0), min(value, figure))

    def nonorig(self, ln: Line, reading: str) -> Decimal:
        """Non-originating value of `quantity` units of this line in its parent."""
        value = ln.quantity * ln.unit_cost
        origin = self.origin(ln, reading)
        is_core = ln.part_number in self.core
        us = reading == "us-cbp" and self.pv
        if origin in ("Y", "by-rvc", "averaged"):
            if is_core:
                # us-cbp: a core part brings its own content even when it originates (a core
                # part declared Y without children or rvc_percent has own RVC 100: brings 0).
                return self.content(ln, reading) if us else D(0)
            # Roll-up: 0; under us-cbp the core parts inside still bring theirs (AMBIGUITY:
            # never more than the assembly's own value, as for a line's content).
            return min(value, ln.quantity * self.leak(ln, reading)) if us else D(0)
        if origin in ("below", "neither"):
            return self.content(ln, reading)
        return value  # declared N, or unknown

    def leak(self, ln: Line, reading: str) -> Decimal:
        """us-cbp: per unit of an originating (non-core) assembly, what the core parts inside
        it bring into the vehicle's VNM. AMBIGUITY: every outermost core part in the subtree
        counts, whatever the origin of the assemblies between (all are rolled up by the
        originating one), each with its own non-originating value as a line (its content when
        originating or blank-below, its whole value when declared N or unknown)."""
        total = D(0)
        for kid in self.children.get(ln.part_number, []):
            if kid.part_number in self.core:
                total += self.nonorig(kid, reading)
            else:
                kid_value = kid.quantity * kid.unit_cost
                total += min(kid_value, kid.quantity * self.leak(kid, reading))
        return total

    # ---- the vehicle ------------------------------------------------------------------------

    def run(self) -> Outcome:
        cls = self.vehicle.vehicle_class
        core_result = self.core_parts() if self.pv else None
        rvc_thr = in_force(VEHICLE_RVC["pv" if self.pv else "ht"], self.as_of)
        nc = self.vehicle.net_cost
        rvc, status, verdict, vnm = {}, {}, {}, {}
        for reading in READINGS:
            total = sum((self.nonorig(ln, reading) for ln in self.children.get(None, [])), D(0))
            vnm[reading] = total
            rvc[reading] = (nc - total) / nc * HUNDRED
            status[reading] = "pass" if rvc[reading] >= rvc_thr else "fail"
            failed = status[reading] == "fail" or (core_result is not None
                                                   and core_result.status == "fail")
            # Steel, aluminum and LVC are not evaluated (no sheets): never "pass".
            verdict[reading] = "fail" if failed else "incomplete"
        lines = {}
        for pn, ln in self.by_pn.items():
            lines[pn] = LineResult(
                own_rvc={r: self.own_rvc(ln, r) for r in READINGS},
                origin={r: self.origin(ln, r) for r in READINGS},
                nonorig_in_parent={r: self.nonorig(ln, r) for r in READINGS},
                value_in_vehicle=self.qty_in_vehicle[pn] * ln.unit_cost,
                core=self.core.get(pn),
                ev_battery=self.is_ev_battery(ln),
            )
        return Outcome(cls, rvc, rvc_thr, status, core_result, verdict, lines, vnm)

    def core_parts(self) -> CoreResult:
        thr = self.core_threshold
        parts = [self.by_pn[pn] for pn in self.core]
        averaged = [p for p in parts if not self.is_ev_battery(p)]

        def average(group: list[Line]) -> Decimal | None:
            # Value-weighted own RVC, weights = value in the vehicle (quantities multiplied
            # down the tree). AMBIGUITY: uncapped own RVC (s. 14(10) sums the VNM as it is).
            weight = sum((self.qty_in_vehicle[p.part_number] * p.unit_cost for p in group), D(0))
            if not group or weight == 0:
                return None
            total = D(0)
            for p in group:
                rvc = self.own_rvc(p, "roll-up")
                total += self.qty_in_vehicle[p.part_number] * p.unit_cost * (rvc or D(0))
            return total / weight

        sc_value = average(averaged)
        sc_pass = sc_value is not None and sc_value >= thr  # s. 14(10): meets
        if sc_pass:
            self.averaged.update(p.part_number for p in averaged)
        by_cat: dict[str, list[Line]] = {}
        for p in parts:
            by_cat.setdefault(self.core[p.part_number], []).append(p)
        cat_avg = {}
        for cat, group in by_cat.items():
            members = [p for p in group if not self.is_ev_battery(p)]
            cat_avg[cat] = average(members)
            if cat_avg[cat] is not None and cat_avg[cat] > thr:  # s. 14(12): exceeds
                self.averaged.update(p.part_number for p in members)

        def originates(p: Line) -> bool:
            return self.origin(p, "roll-up") in ("Y", "by-rvc", "averaged")

        def category_passes(cat: str, group: list[Line]) -> bool:
            # AMBIGUITY: a category's status is the category on its own (each part originates
            # by itself, or the category average exceeds the threshold), not the super-core's
            # effect, which shows in the super_core entry and the requirement's status.
            if cat_avg[cat] is not None and cat_avg[cat] > thr and all(
                    not self.is_ev_battery(p) or self.own_origin(p, "roll-up") == "Y"
                    for p in group):
                return True
            return all(self.own_origin(p, "roll-up") in ("Y", "by-rvc") for p in group)

        categories = {
            cat: Category(cat_avg[cat], "pass" if category_passes(cat, group) else "fail")
            for cat, group in by_cat.items()
        }
        if not parts:
            # AMBIGUITY: a PV/LT BOM with no core part at all: left uncompared.
            status = None
        else:
            status = "pass" if all(originates(p) for p in parts) else "fail"
        return CoreResult(thr, status, categories,
                          Category(sc_value, "pass" if sc_pass else "fail"))
