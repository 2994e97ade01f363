"""The audit workbook of an average (`rvc average ... -o average.xlsx`): live formulas.

- **Variants**: one row per workbook averaged, each with its group number and the figures
  `rvc check` gives it (written as inputs): the volume counted, net cost, VNM under each
  reading as counted in the period, each core-part category's value and value x RVC, the LVC
  pieces, each metal's purchases and whether its list counts (a list repeated by another
  variant counts once).
- **Results**: per group, every average as a formula over Variants (`SUMPRODUCT` with the
  group column as the filter): total volume, net cost and VNM, the RVC under each reading,
  each core-part category's and the super-core's RVC and whether it exceeds the threshold,
  the metal shares, the LVC points; each against its threshold with PASS/FAIL, beside rvc's
  own figure and status; the group's verdict.
- **Provenance**: tool, rule pack, category, period, basis, reading, command line, and the
  workbooks left out with the reason.

Every formula result has a defined name (`RVC_USCBP_G1`, `Core_engine_G1`, `Steel_Share_G1`,
`Verdict_G1`, ...). Percentages and LVC points are fractions with a percent format. Text from
the workbooks is written as text (never a formula). The file asks for a full calculation on
load and holds no cached values.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName

from rvc.engine.average import GroupAverage, PeriodAverage, Variant
from rvc.reporters.audit_workbook import READING_TAG
from rvc.results import (
    READINGS,
    AveragedCoreEvidence,
    AveragedLvcEvidence,
    AveragedMetalEvidence,
    AveragedRvcEvidence,
    CorePartsEvidence,
    LvcEvidence,
    MetalEvidence,
    RequirementResult,
)

CATEGORIES = ("engine", "transmission", "body_chassis", "axle", "suspension", "steering",
              "advanced_battery")  # fmt: skip
METALS = ("steel", "aluminum")
INJECTION = ("=", "+", "-", "@", "\t", "\r")
PCT = "0.0000%"


def write_average_workbook(result: PeriodAverage, path: Path, *, command_line: str = "") -> None:
    """Write the audit workbook of `result` to `path` (.xlsx)."""
    _Writer(result, command_line).save(path)


def _text(value: object) -> str:
    return str(ILLEGAL_CHARACTERS_RE.sub("\ufffd", str(value)))


def _fraction(percent: Decimal | None) -> float | str:
    return float(percent / 100) if percent is not None else ""


class _Writer:
    def __init__(self, result: PeriodAverage, command_line: str) -> None:
        self.result = result
        self.command_line = command_line
        self.wb = Workbook()
        self.wb.calculation.fullCalcOnLoad = True
        self.columns: dict[str, str] = {}
        self.categories = [
            c
            for c in CATEGORIES
            if any(self._core(v).get(c) for g in result.groups for v in g.variants)  # fmt: skip
        ]

    def name(self, name: str, ref: str) -> None:
        self.wb.defined_names[name] = DefinedName(name, attr_text=ref)

    def save(self, path: Path) -> None:
        results = self.wb.active
        assert results is not None
        results.title = "Results"
        variants = self.wb.create_sheet("Variants")
        self._variants(variants)
        self._results(results)
        self._provenance(self.wb.create_sheet("Provenance"))
        self.wb.save(path)

    # -- Variants ---------------------------------------------------------------------------

    def _core(self, v: Variant) -> dict[str, tuple[Decimal, Decimal, int]]:
        """Per category: value, value x RVC / 100, and parts not originating on their own."""
        found = v.in_period("core-parts")
        evidence = found.evidence if found is not None else None
        out: dict[str, tuple[Decimal, Decimal, int]] = {}
        if not isinstance(evidence, CorePartsEvidence):
            return out
        for category in evidence.categories:
            for p in category.parts:
                exact = p.originating_value  # None exactly when its RVC is unknown
                if p.own_product_specific_rule or exact is None:
                    continue
                value, weighted, failing = out.get(p.category, (Decimal(0), Decimal(0), 0))
                out[p.category] = (
                    value + p.value_in_vehicle,
                    weighted + exact,
                    failing + (0 if p.originating else 1),
                )
        return out

    def _variant_row(self, n: int, v: Variant, counted: dict[str, bool]) -> list[Any]:
        exported = self.result.exported_only
        vnm = v.vnm_in_period() or {}
        own = v.own_vnm() or {}
        core = self._core(v)
        row: list[Any] = [
            n,
            _text(v.path),
            _text(v.model_line),
            v.vehicle_class,
            _text(v.vehicle.get("plant", "")),
            v.key("country"),
            v.volume(exported),
            float(v.net_cost),
        ]
        row += [float(vnm[r]) if r in vnm else "" for r in READINGS]
        row += [float(own[r]) if r in own else "" for r in READINGS]
        for category in self.categories:
            value, weighted, failing = core.get(category, (Decimal(0), Decimal(0), 0))
            row += [float(value), float(weighted), failing]
        row.append(self._own_rule_failing(v))
        row += self._lvc_cells(v)
        for metal in METALS:
            found = v.in_period(metal)
            evidence = found.evidence if found is not None else None
            if isinstance(evidence, MetalEvidence):
                row += [float(evidence.originating_value), float(evidence.total_value)]
                row.append(1 if counted.get(metal) else 0)
            else:
                row += [0, 0, 0]
        return row

    @staticmethod
    def _own_rule_failing(v: Variant) -> int:
        found = v.in_period("core-parts")
        evidence = found.evidence if found is not None else None
        if not isinstance(evidence, CorePartsEvidence):
            return 0
        return len(
            [
                p
                for c in evidence.categories
                for p in c.parts
                if p.own_product_specific_rule and not p.originating
            ]  # fmt: skip
        )

    @staticmethod
    def _lvc_cells(v: Variant) -> list[Any]:
        found = v.in_period("lvc")
        f = found.evidence if found is not None else None
        if not isinstance(f, LvcEvidence):
            return ["", "", "", "", ""]
        return [
            float(f.high_wage_material + f.high_wage_labor),
            float(f.denominator),
            _fraction(f.material_and_manufacturing),
            _fraction(f.technology),
            _fraction(f.assembly),
        ]

    def _variants(self, ws: Any) -> None:
        heads = ["Group", "Workbook", "Model line", "Class", "Plant", "Country", "Volume",
                 "Net cost", *(f"VNM in the period, {r}" for r in READINGS),
                 *(f"Own VNM, {r}" for r in READINGS)]  # fmt: skip
        keys = ["Group", "Path", "ModelLine", "Class", "Plant", "Country", "Volume", "NetCost",
                *(f"VNM_{READING_TAG[r]}" for r in READINGS),
                *(f"OwnVNM_{READING_TAG[r]}" for r in READINGS)]  # fmt: skip
        for category in self.categories:
            heads += [f"{category}: value", f"{category}: value x RVC", f"{category}: not "
                      "originating alone"]  # fmt: skip
            keys += [f"Core_{category}_V", f"Core_{category}_VR", f"Core_{category}_N"]
        heads.append("Own-rule core parts not originating")
        keys.append("Core_OwnRule_N")
        heads += ["LVC high-wage material + labor", "LVC denominator", "LVC M&M points",
                  "LVC technology", "LVC assembly"]  # fmt: skip
        keys += ["LVC_HW", "LVC_Den", "LVC_MM", "LVC_Tech", "LVC_Assembly"]
        for metal in METALS:
            tag = metal.capitalize()
            heads += [f"{metal} originating", f"{metal} total", f"{metal} list counted"]
            keys += [f"{tag}_Orig", f"{tag}_Total", f"{tag}_Counted"]
        ws.append(heads)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        count = 0
        for n, g in enumerate(self.result.groups, start=1):
            counted = self._counted(g)
            for v in g.variants:
                row = self._variant_row(n, v, counted.get(v.path, {}))
                ws.append(row)
                count += 1
                for column in (2, 3, 5):
                    cell = ws.cell(ws.max_row, column)
                    if str(cell.value).startswith(INJECTION):
                        cell.data_type = "s"
                        cell.quotePrefix = True
        last = max(2, count + 1)
        for i, key in enumerate(keys, start=1):
            letter = get_column_letter(i)
            ref = f"Variants!${letter}$2:${letter}${last}"
            self.columns[key] = f"Var_{key}"
            self.name(f"Var_{key}", ref)
            if key.endswith(("_MM", "_Tech", "_Assembly")):
                for row in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                    row[0].number_format = PCT
        ws.freeze_panes = "C2"
        ws.auto_filter.ref = f"A1:{get_column_letter(len(keys))}{last}"

    @staticmethod
    def _counted(g: GroupAverage) -> dict[str, dict[str, bool]]:
        """Whether each variant's purchase list counts (the first of equal lists does)."""
        out: dict[str, dict[str, bool]] = {}
        for metal in METALS:
            seen: set[str] = set()
            for v in g.variants:
                digest = v.purchases.get(metal, v.path)
                out.setdefault(v.path, {})[metal] = digest not in seen
                seen.add(digest)
        return out

    # -- Results ----------------------------------------------------------------------------

    def _results(self, ws: Any) -> None:
        r = self.result
        ws.append([_text(f"rvc average: {r.category}, period {r.period}, {r.basis} vehicles")])
        ws["A1"].font = Font(bold=True, size=12)
        ws.append(["Figure", "Formula result", "Threshold", "Status", "rvc's figure",
                   "rvc's status", "Agrees"])  # fmt: skip
        for cell in ws[2]:
            cell.font = Font(bold=True)
        for n, g in enumerate(r.groups, start=1):
            ws.append([])
            ws.append([_text(f"Group {n}: {g.label}")])
            ws.cell(ws.max_row, 1).font = Font(bold=True)
            self._group(ws, n, g)
        ws.column_dimensions["A"].width = 48
        for column in "BCDEFG":
            ws.column_dimensions[column].width = 16
        ws.freeze_panes = "A3"

    def _row(
        self,
        ws: Any,
        label: str,
        name: str,
        formula: str,
        *,
        fmt: str = "",
        threshold: Any = None,
        status: str = "",
        engine: Any = None,
        engine_status: str = "",
    ) -> int:
        ws.append([label, formula])
        row: int = ws.max_row
        ws.cell(row, 2).number_format = fmt or "General"
        self.name(name, f"Results!$B${row}")
        if threshold is not None:
            ws.cell(row, 3, threshold).number_format = fmt or "General"
            self.name(f"{name}_Threshold", f"Results!$C${row}")
        if status:
            ws.cell(row, 4, status)
            self.name(f"{name}_Status", f"Results!$D${row}")
        if engine is not None:
            ws.cell(row, 5, engine).number_format = fmt or "General"
        if engine_status:
            ws.cell(row, 6, engine_status)
        if engine is not None or engine_status:
            checks = []
            if engine is not None:
                checks.append(
                    f'IF(E{row}="",B{row}="",ABS(B{row}-E{row})<=0.000000001*MAX(1,ABS(E{row})))'
                )
            if engine_status and status:
                checks.append(f"D{row}=F{row}")
            ws.cell(row, 7, f'=IF(AND({",".join(checks)}),"yes","NO")')
        return row

    def _group(self, ws: Any, n: int, g: GroupAverage) -> None:
        sel, s = self._scope(n, ())
        self._row(ws, "Vehicles", f"Volume{s}", f"=SUMPRODUCT({sel},Var_Volume)",
                  engine=g.volume)  # fmt: skip
        statuses: list[str] = []
        for result in g.requirements:
            evidence = result.evidence
            if isinstance(evidence, AveragedRvcEvidence):
                statuses.append(self._rvc(ws, n, result, evidence))
            elif isinstance(evidence, AveragedCoreEvidence):
                statuses.append(self._core_rows(ws, n, result, evidence))
            elif isinstance(evidence, AveragedMetalEvidence) and evidence.total_value:
                statuses.append(self._metal_rows(ws, n, result, evidence))
            elif isinstance(evidence, AveragedLvcEvidence):
                statuses.append(self._lvc_rows(ws, n, result, evidence))
            else:
                name = f"Status_{result.id.replace('-', '_')}{s}"
                while name in statuses:  # a requirement a group's classes define apart
                    name += "_"
                ws.append([_text(f"{result.id}: {result.message}"), "", "", result.status.label])
                self.name(name, f"Results!$D${ws.max_row}")
                statuses.append(name)
        passes = ",".join(f'{x}="PASS"' for x in statuses)
        fails = ",".join(f'{x}="FAIL"' for x in statuses)
        self._row(ws, "Verdict", f"Verdict{s}",
                  f'=IF(AND({passes}),"PASS",IF(OR({fails}),"FAIL","INCOMPLETE"))',
                  engine_status=g.verdict.value.upper(), status=" ")  # fmt: skip
        ws.cell(ws.max_row, 4, f"=B{ws.max_row}")

    @staticmethod
    def _scope(n: int, classes: tuple[str, ...]) -> tuple[str, str]:
        """The SUMPRODUCT filter of group `n` (and of some of its classes, for a requirement
        they define apart) and the suffix of its defined names (`_G1`, `_G1_light_truck`)."""
        if not classes:
            return f"--(Var_Group={n})", f"_G{n}"
        either = "+".join(f'(Var_Class="{c}")' for c in classes)
        return f"--(Var_Group={n}),--(({either})>0)", f"_G{n}_{'_'.join(classes)}"

    def _rvc(self, ws: Any, n: int, r: RequirementResult, e: AveragedRvcEvidence) -> str:
        sel, s = self._scope(n, e.vehicle_classes)
        self._row(ws, "Net cost x volume", f"NetCost{s}",
                  f"=SUMPRODUCT({sel},Var_Volume,Var_NetCost)", fmt="#,##0.00",
                  engine=float(e.net_cost_total))  # fmt: skip
        threshold = _fraction(r.threshold)
        first = True
        for reading in READINGS:
            tag = READING_TAG[reading]
            self._row(ws, f"VNM x volume, {reading}", f"VNM_{tag}{s}",
                      f"=SUMPRODUCT({sel},Var_Volume,Var_VNM_{tag})", fmt="#,##0.00",
                      engine=float(e.vnm_totals[reading]))  # fmt: skip
            row = ws.max_row + 1
            passed = e.rvcs[reading] >= (r.threshold or 0)
            self._row(
                ws, f"Average vehicle RVC, {reading}", f"RVC_{tag}{s}",
                f"=(NetCost{s}-VNM_{tag}{s})/NetCost{s}", fmt=PCT, threshold=threshold,
                status=f'=IF(B{row}>=C{row},"PASS","FAIL")', engine=float(e.rvcs[reading] / 100),
                engine_status="PASS" if passed else "FAIL",
            )  # fmt: skip
            if first:
                self.name(f"RVC_Threshold{s}", f"Results!$C${row}")
                first = False
        applied = READING_TAG[e.core_part_reading]
        self._row(ws, "Allowed VNM x volume", f"Allowed_VNM{s}",
                  f"=NetCost{s}*(1-RVC_Threshold{s})", fmt="#,##0.00",
                  engine=float(e.allowed_vnm_total))  # fmt: skip
        self._row(ws, "Headroom over the period (reading applied)", f"Headroom{s}",
                  f"=Allowed_VNM{s}-VNM_{applied}{s}", fmt="#,##0.00",
                  engine=float(e.allowed_vnm_total - e.vnm_total))  # fmt: skip
        return f"RVC_{applied}{s}_Status"

    def _core_rows(self, ws: Any, n: int, r: RequirementResult, e: AveragedCoreEvidence) -> str:
        sel, s = self._scope(n, e.vehicle_classes)
        threshold = _fraction(e.threshold)
        found = {c.category: c for c in e.categories}
        numerators, denominators = [], []
        for category in self.categories:
            if category not in found:
                continue
            num = f"SUMPRODUCT({sel},Var_Volume,Var_Core_{category}_VR)"
            den = f"SUMPRODUCT({sel},Var_Volume,Var_Core_{category}_V)"
            numerators.append(num)
            denominators.append(den)
            row = ws.max_row + 1
            self._row(ws, f"Core parts {category}: RVC over the period", f"Core_{category}{s}",
                      f'=IF({den}=0,"",{num}/{den})', fmt=PCT, threshold=threshold,
                      status=f'=IF(AND(B{row}<>"",B{row}>C{row}),"EXCEEDS","no")',
                      engine=_fraction(found[category].value),
                      engine_status="EXCEEDS" if found[category].exceeds else "no")  # fmt: skip
        row = ws.max_row + 1
        num, den = "+".join(numerators) or "0", "+".join(denominators) or "0"
        self._row(ws, "Super-core: RVC over the period", f"Super_Core{s}",
                  f'=IF(({den})=0,"",({num})/({den}))', fmt=PCT, threshold=threshold,
                  status=f'=IF(AND(B{row}<>"",B{row}>C{row}),"EXCEEDS","no")',
                  engine=_fraction(e.super_core.value),
                  engine_status="EXCEEDS" if e.super_core.exceeds else "no")  # fmt: skip
        left = [f"SUMPRODUCT({sel},Var_Core_OwnRule_N)"]
        for category in self.categories:
            if category in found:
                left.append(
                    f'IF(OR(Core_{category}{s}_Status="EXCEEDS",Super_Core{s}_Status="EXCEEDS"),'
                    f"0,SUMPRODUCT({sel},Var_Core_{category}_N))"
                )
        row = ws.max_row + 1
        missing = '"NOT EVALUATED"' if e.no_core_parts else '"PASS"'
        self._row(ws, "Core parts not originating over the period", f"Core_Failing{s}",
                  "=" + "+".join(left), status=f'=IF(B{row}=0,{missing},"FAIL")',
                  engine=len(e.not_originating),
                  engine_status=r.status.label)  # fmt: skip
        return f"Core_Failing{s}_Status"

    def _metal_rows(self, ws: Any, n: int, r: RequirementResult, e: AveragedMetalEvidence) -> str:
        sel, s = self._scope(n, e.vehicle_classes)
        tag = e.material.capitalize()
        self._row(ws, f"{e.material} originating purchases", f"{tag}_Originating{s}",
                  f"=SUMPRODUCT({sel},Var_{tag}_Counted,Var_{tag}_Orig)", fmt="#,##0.00",
                  engine=float(e.originating_value))  # fmt: skip
        self._row(ws, f"{e.material} Table S purchases", f"{tag}_Total{s}",
                  f"=SUMPRODUCT({sel},Var_{tag}_Counted,Var_{tag}_Total)", fmt="#,##0.00",
                  engine=float(e.total_value))  # fmt: skip
        row = ws.max_row + 1
        self._row(ws, f"{e.material} originating share", f"{tag}_Share{s}",
                  f"={tag}_Originating{s}/{tag}_Total{s}", fmt=PCT,
                  threshold=_fraction(r.threshold), status=f'=IF(B{row}>=C{row},"PASS","FAIL")',
                  engine=_fraction(r.value), engine_status=r.status.label)  # fmt: skip
        return f"{tag}_Share{s}_Status"

    def _lvc_rows(self, ws: Any, n: int, r: RequirementResult, e: AveragedLvcEvidence) -> str:
        sel, s = self._scope(n, e.vehicle_classes)
        volume = f"SUMPRODUCT({sel},Var_Volume)"
        if e.formula == "net_cost":
            mm = (
                f"=SUMPRODUCT({sel},Var_Volume,Var_LVC_HW)/SUMPRODUCT({sel},Var_Volume,Var_LVC_Den)"
            )
        else:
            mm = f"=SUMPRODUCT({sel},Var_Volume,Var_LVC_MM)/{volume}"
        row = ws.max_row + 1
        self._row(ws, "LVC material and manufacturing points", f"LVC_MM{s}", mm, fmt=PCT,
                  threshold=_fraction(e.minimum), status=f'=IF(B{row}>=C{row},"PASS","FAIL")',
                  engine=_fraction(e.material_and_manufacturing),
                  engine_status="PASS" if e.material_and_manufacturing >= e.minimum else "FAIL",
                  )  # fmt: skip
        self._row(ws, "LVC technology credit", f"LVC_Tech{s}",
                  f"=SUMPRODUCT({sel},Var_Volume,Var_LVC_Tech)/{volume}", fmt=PCT,
                  engine=_fraction(e.technology))  # fmt: skip
        self._row(ws, "LVC assembly credit", f"LVC_Assembly{s}",
                  f"=SUMPRODUCT({sel},Var_Volume,Var_LVC_Assembly)/{volume}", fmt=PCT,
                  engine=_fraction(e.assembly))  # fmt: skip
        row = ws.max_row + 1
        self._row(ws, "LVC", f"LVC_Total{s}", f"=LVC_MM{s}+LVC_Tech{s}+LVC_Assembly{s}",
                  fmt=PCT, threshold=_fraction(r.threshold),
                  status=f'=IF(AND(B{row}>=C{row},LVC_MM{s}_Status="PASS"),"PASS","FAIL")',
                  engine=_fraction(e.total), engine_status=r.status.label)  # fmt: skip
        return f"LVC_Total{s}_Status"

    # -- Provenance -------------------------------------------------------------------------

    def _provenance(self, ws: Any) -> None:
        r = self.result
        rows: list[tuple[str, str]] = [
            ("tool", f"rvc {r.tool_version}"),
            ("rule pack", f"{r.rules['id']} {r.rules['version']}"),
            ("rule pack sha256", r.rules["sha256"]),
            ("category", r.category),
            ("basis", r.basis),
            ("period", str(r.period)),
            ("period source", r.period.source),
            ("thresholds in force on", r.period.start.isoformat()),
            ("reading applied", r.core_reading),
            ("command line", self.command_line),
        ]
        rows += [("left out", f"{e.path}: {e.reason}") for e in r.excluded]
        rows += [("note", str(n)) for g in r.groups for n in g.notes]
        for key, value in rows:
            ws.append([key, _text(value)])
            cell = ws.cell(ws.max_row, 2)
            if cell.value and str(cell.value).startswith(INJECTION):
                cell.data_type = "s"
                cell.quotePrefix = True
        ws.column_dimensions["A"].width = 24
        ws.column_dimensions["B"].width = 100
