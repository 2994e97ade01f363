"""The audit workbook: structure, formula injection, the CLI hook, and the guard that matters:
LibreOffice recalculates every exported example and each formula equals the engine's figure
(money to the cent, percentages to 1e-9 of a percent)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from rvc.engine import evaluate
from rvc.readers import check_vehicle, read_bom
from rvc.readers import config as settings_file
from rvc.reporters.audit_workbook import INJECTION, write_audit_workbook
from rvc.results import READINGS, CorePartsEvidence, LvcEvidence, MetalEvidence, Report
from rvc.results import VehicleRvcEvidence as VehicleEvidence
from tests.conftest import EXAMPLES, bom, line, lvc_row, metal

CENT = Decimal("0.01")
PERCENT_TOLERANCE = 1e-9
TAGS = {"us-cbp": "USCBP", "roll-up": "ROLLUP"}
LABEL = {"pass": "PASS", "fail": "FAIL", "not_evaluated": "NOT EVALUATED"}
SHIPPED = sorted(EXAMPLES.glob("*.xlsx")) + sorted(EXAMPLES.glob("*/*.xlsx"))


def _report(path: Path, reading: str, pack: Any) -> tuple[Report, Any]:
    settings = settings_file.discover(path)
    bill = read_bom(path, settings, as_of=None, today=dt.date(2026, 12, 1))
    check_vehicle(bill, pack)
    assert bill.as_of is not None
    report = evaluate(bill, pack, bill.as_of, as_of_source=bill.as_of_source, reading=reading)
    return report, bill


# --- LibreOffice ---------------------------------------------------------------------------


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def recalculate(files: list[Path], out: Path) -> dict[Path, Path]:
    """Open each workbook in LibreOffice headless (which computes every formula: the files
    carry no cached values and ask for a full calculation on load) and save it again."""
    soffice = _soffice()
    if soffice is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) is not installed: .ci/run installs it as root")
        pytest.skip("LibreOffice (soffice) is not installed; CI installs it and runs this test")
    out.mkdir(exist_ok=True)
    profile = out / "profile"
    subprocess.run(
        [soffice, "--headless", "--norestore", f"-env:UserInstallation=file://{profile}",
         "--convert-to", "xlsx", "--outdir", str(out), *map(str, files)],
        check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    result = {f: out / f.name for f in files}
    missing = [str(f) for f in result.values() if not f.exists()]
    assert not missing, f"LibreOffice wrote no {missing}"
    return result


class Values:
    """A recalculated workbook read back: values by defined name."""

    def __init__(self, path: Path) -> None:
        self.wb = load_workbook(path, data_only=True)

    def __call__(self, name: str) -> Any:
        defined = self.wb.defined_names[name]
        ((sheet, ref),) = list(defined.destinations)
        return self.wb[sheet][ref.replace("$", "")].value

    def has(self, name: str) -> bool:
        return name in self.wb.defined_names

    def errors(self) -> list[str]:
        """Cells whose formula failed (LibreOffice writes the error text as the value)."""
        found = []
        for ws in self.wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if cell.data_type == "e":
                        found.append(f"{ws.title}!{cell.coordinate}={cell.value}")
        return found


def money_equal(cell: Any, engine: Decimal, what: str) -> None:
    assert isinstance(cell, int | float), f"{what}: {cell!r} is not a number"
    assert abs(Decimal(repr(cell)) - engine) <= CENT / 2, f"{what}: {cell} != {engine}"


def percent_equal(cell: Any, engine: Decimal | None, what: str) -> None:
    """A fraction in the workbook against the engine's 0-100 percentage."""
    if engine is None:
        assert cell in (None, ""), f"{what}: {cell!r}, the engine has none"
        return
    assert isinstance(cell, int | float), f"{what}: {cell!r} is not a number"
    assert abs(cell * 100 - float(engine)) <= PERCENT_TOLERANCE, f"{what}: {cell * 100} != {engine}"


def vnm(report: Report, reading: str) -> Decimal:
    table = report.lines
    assert table is not None
    n = table.counts[reading].n
    return sum(
        (ln.quantity * n[i] for i, ln in enumerate(table.lines) if table.parent_index[i] < 0),
        Decimal(0),
    )


def assert_agrees(values: Values, report: Report) -> None:
    """Every formula result equals the engine's figure."""
    assert values.errors() == []
    for outcome in report.readings:
        tag = TAGS[outcome.reading]
        if outcome.vehicle_rvc is not None:
            percent_equal(values(f"RVC_{tag}"), outcome.vehicle_rvc, f"RVC {outcome.reading}")
            money_equal(values(f"VNM_{tag}"), vnm(report, outcome.reading), f"VNM {tag}")
            assert values(f"RVC_Pass_{tag}") is (outcome.vehicle_rvc_status.value == "pass")
        assert values(f"Verdict_{tag}") == outcome.verdict.value.upper(), outcome.reading
    assert values("Verdict") == report.verdict.value.upper()
    for r in report.requirements:
        key = r.id.replace("-", "_")
        assert values(f"Status_{key}") == LABEL[r.status.value], r.id
        if r.value is not None:
            percent_equal(values(f"Value_{key}"), r.value, r.id)
        ev = r.evidence
        if isinstance(ev, VehicleEvidence):
            money_equal(values("VNM_Applied"), ev.vnm, "VNM")
            percent_equal(values("RVC_Applied"), r.value, "RVC applied")
            money_equal(values("Allowed_VNM"), ev.allowed_vnm, "allowed VNM")
            assert r.margin_amount is not None
            money_equal(values("RVC_Headroom"), r.margin_amount, "headroom")
        elif isinstance(ev, CorePartsEvidence):
            for c in ev.categories:
                percent_equal(values(f"Core_{c.category}"), c.value, c.category)
            percent_equal(values("Super_Core"), ev.super_core.value, "super-core")
            assert values("Super_Core_Pass") is (ev.super_core.status.value == "pass")
        elif isinstance(ev, MetalEvidence):
            tag = ev.material.capitalize()
            money_equal(values(f"{tag}_Total"), ev.total_value, f"{tag} total")
            money_equal(values(f"{tag}_Originating"), ev.originating_value, f"{tag} orig")
            percent_equal(values(f"{tag}_Share"), r.value, f"{tag} share")
        elif isinstance(ev, LvcEvidence):
            money_equal(values("LVC_Material"), ev.high_wage_material, "LVC material")
            money_equal(values("LVC_Labor"), ev.high_wage_labor, "LVC labor")
            money_equal(values("LVC_Denominator"), ev.denominator, "LVC denominator")
            percent_equal(values("LVC_MM"), ev.material_and_manufacturing, "LVC M&M")
            percent_equal(values("LVC_Tech_Uncapped"), ev.technology_uncapped, "tech uncapped")
            percent_equal(values("LVC_Tech"), ev.technology, "technology")
            percent_equal(values("LVC_Assembly"), ev.assembly, "assembly")
            percent_equal(values("LVC_Total"), ev.total, "LVC")
    assert_lines_agree(values, report)


def assert_lines_agree(values: Values, report: Report) -> None:
    """Each line's own RVC and non-originating value, computed by formula from its
    children, equals the engine's, under each reading."""
    table = report.lines
    assert table is not None
    ws = values.wb["Inputs"]
    heads = [c.value for c in ws[1]]
    by_row = {row[3]: row for row in ws.iter_rows(min_row=2, values_only=True)}
    for reading in READINGS:
        c = table.counts[reading]
        n_col = heads.index(f"{reading}: Non-originating value, per unit")
        rvc_col = heads.index(f"{reading}: Own RVC")
        for i, ln in enumerate(table.lines):
            row = by_row[ln.row]
            money_equal(row[n_col], c.n[i], f"{reading} n of {ln.part_number}")
            percent_equal(row[rvc_col], c.own_rvc[i], f"{reading} own RVC of {ln.part_number}")


@pytest.mark.slow
def test_every_shipped_example_recalculates_to_the_engine(pack: Any, tmp_path: Path) -> None:
    exported: dict[Path, Report] = {}
    for source in SHIPPED:
        for reading in READINGS:
            report, bill = _report(source, reading, pack)
            target = tmp_path / f"{source.stem}-{reading}.xlsx"
            write_audit_workbook(report, target, command_line="test", bill=bill)
            exported[target] = report
    assert len(exported) == 2 * len(SHIPPED) >= 8
    recalculated = recalculate(list(exported), tmp_path / "out")
    for target, report in exported.items():
        values = Values(recalculated[target])
        try:
            assert_agrees(values, report)
        except AssertionError as exc:
            raise AssertionError(f"{target.name}: {exc}") from exc


# --- a small BOM worked out by hand --------------------------------------------------------


def hand_bom() -> Any:
    """Net cost 10,000. ENG (engine core part, blank origin) holds PISTON (N, 800) and BLOCK
    (Y, 1,200) and costs 4,000: own RVC (4,000 - 800) / 4,000 = 80% >= 75%: originating.
    SEAT declared N: 1,000 whole. TRIM unknown, 2 x 150 = 300. GLASS blank with rvc_percent 40:
    accumulated 60% of 500 = 300.
    roll-up VNM = 1,000 + 300 + 300 = 1,600: RVC 84%. us-cbp adds the engine's own content
    800: VNM 2,400, RVC 76%. Super-core = the engine alone, 80%."""
    return bom(
        [
            line("ENG", 4000, core_part="engine"),
            line("PISTON", 200, quantity=4, parent="ENG", originating=False),
            line("BLOCK", 1200, parent="ENG", originating=True),
            line("SEAT", 1000, originating=False),
            line("TRIM", 150, quantity=2),
            line("GLASS", 500, rvc_percent=40, hs_code="8708.29"),
        ],
        net_cost=10000,
        metals=[
            metal("steel", 700, True, True, row=2),
            metal("steel", 300, False, row=3),
            metal("aluminum", 100, True, row=4),
        ],
        lvc=[
            lvc_row("material", 2000, 20, row=2),
            lvc_row("labor", 1800, 25, row=3),
            lvc_row("material", 900, 10, row=4),
        ],
    )


@pytest.mark.slow
def test_a_small_bom_worked_by_hand(run: Any, tmp_path: Path) -> None:
    bill = hand_bom()
    exported = {}
    for reading in READINGS:
        report = run(bill, "2025-03-01", reading=reading)
        target = tmp_path / f"hand-{reading}.xlsx"
        write_audit_workbook(report, target, bill=bill)
        exported[target] = report
    recalculated = recalculate(list(exported), tmp_path / "out")
    for target, report in exported.items():
        values = Values(recalculated[target])
        assert values("VNM_ROLLUP") == pytest.approx(1600, abs=0.005)
        assert values("VNM_USCBP") == pytest.approx(2400, abs=0.005)
        assert values("RVC_ROLLUP") == pytest.approx(0.84, abs=1e-12)
        assert values("RVC_USCBP") == pytest.approx(0.76, abs=1e-12)
        assert values("Super_Core") == pytest.approx(0.80, abs=1e-12)
        assert values("Steel_Share") == pytest.approx(0.70, abs=1e-12)
        assert values("Aluminum_Share") == pytest.approx(1.0, abs=1e-12)
        assert values("LVC_MM") == pytest.approx(0.38, abs=1e-12)  # (2,000 + 1,800) / 10,000
        assert_agrees(values, report)


@pytest.mark.slow
def test_carried_core_content_is_capped_at_every_level(run: Any, tmp_path: Path) -> None:
    """P0 (Y, 100) > P1 (Y, 1) > P2 (N engine, 100), net cost 100: under the U.S. reading P2
    brings 100 into P1, which brings at most its own 1 into P0: VNM 1, RVC 99%. Roll-up: 0,
    RVC 100%. The workbook's formulas must cap at each level as the engine does."""
    bill = bom(
        [
            line("P0", 100, originating=True),
            line("P1", 1, parent="P0", originating=True),
            line("P2", 100, parent="P1", originating=False, core_part="engine", hs_code="840734"),
        ],
        net_cost=100,
    )
    exported = {}
    for reading in READINGS:
        report = run(bill, "2020-07-01", reading=reading)
        target = tmp_path / f"carried-{reading}.xlsx"
        write_audit_workbook(report, target, bill=bill)
        exported[target] = report
    recalculated = recalculate(list(exported), tmp_path / "out")
    for target, report in exported.items():
        values = Values(recalculated[target])
        assert values("VNM_USCBP") == pytest.approx(1, abs=0.005)
        assert values("RVC_USCBP") == pytest.approx(0.99, abs=1e-12)
        assert values("VNM_ROLLUP") == pytest.approx(0, abs=0.005)
        assert_agrees(values, report)


# --- fast tests: structure, injection, the CLI -----------------------------------------------


def test_sheets_names_and_formulas(run: Any, tmp_path: Path) -> None:
    bill = hand_bom()
    target = tmp_path / "hand.xlsx"
    write_audit_workbook(run(bill, "2025-03-01"), target, command_line="rvc check x", bill=bill)
    wb = load_workbook(target)
    assert wb.sheetnames == [
        "Results", "Calculation", "Parameters", "Inputs", "SteelAluminum", "LVC", "Drivers",
        "Provenance",
    ]  # fmt: skip
    for name in ("RVC_Threshold", "CorePart_Threshold", "Steel_Threshold", "LVC_Total_Required",
                 "LVC_MM_Minimum", "Tech_Cap", "Assembly_Credit", "Net_Cost"):  # fmt: skip
        assert name in wb.defined_names, name
    assert wb.calculation.fullCalcOnLoad
    calc = wb["Calculation"]
    formulas = {
        row[0].value: row[1].value
        for row in calc.iter_rows(min_row=2)
        if len(row) > 1 and row[0].value
    }
    assert formulas["VNM, us-cbp reading"] == (
        "=SUMPRODUCT(--(Line_Parent=0),Line_Quantity,Line_N_USCBP)"
    )
    assert formulas["RVC, roll-up reading"].startswith("=")
    assert formulas["Steel originating share"].startswith("=")
    results = wb["Results"]
    assert results["E3"].value.startswith("=IF(")  # PASS/FAIL by formula
    assert len(results._charts) == 1 and len(wb["Drivers"]._charts) == 1
    assert results.freeze_panes == "A3"
    inputs = wb["Inputs"]
    assert inputs.auto_filter.ref and inputs.freeze_panes == "F2"
    heads = [c.value for c in inputs[1]]
    own = heads.index("us-cbp: Own RVC") + 1
    eng = next(r for r in inputs.iter_rows(min_row=2) if r[4].value == "ENG")
    assert eng[own - 1].value.startswith("=IF(")  # the engine's own RVC from its children
    assert "SUMIFS(" in eng[own].value
    assert eng[8].number_format.endswith('"USD"') and eng[own - 1].number_format == "0.0000%"
    provenance = {r[0].value: r[1].value for r in wb["Provenance"].iter_rows() if r[0].value}
    assert provenance["command line"] == "rvc check x"


@pytest.mark.parametrize("text", ["=1+1", "+SUM(A1)", "-2+3", "@SUM(A1:A2)", "\t=1", "\r=1",
                                  '=HYPERLINK("http://x","y")'])  # fmt: skip
def test_input_text_is_never_a_formula(run: Any, tmp_path: Path, text: str) -> None:
    assert text.startswith(INJECTION)
    bill = bom([line(text, 100, originating=False, description=text, supplier=text)])
    bill.vehicle = dataclasses.replace(bill.vehicle, model_line=text)
    target = tmp_path / "inject.xlsx"
    write_audit_workbook(run(bill), target, bill=bill)
    wb = load_workbook(target)
    inputs = wb["Inputs"]
    part, description = inputs["E2"], inputs["G2"]
    stored = text.replace("\r", "\n")  # XML reads a bare carriage return as a line feed
    for cell in (part, description):
        assert cell.data_type == "s" and cell.value == stored
        assert cell.quotePrefix
    drivers = wb["Drivers"]
    assert drivers["A2"].data_type == "s" and drivers["A2"].value == stored
    title = wb["Results"]["A1"]
    assert title.data_type == "s" and title.value.startswith(stored)


def test_cli_writes_the_audit_workbook(cli: Any, tmp_path: Path) -> None:
    target = tmp_path / "report.xlsx"
    result = cli("check", EXAMPLES / "sedan_pass.xlsx", "-o", target)
    assert result.exit_code == 0
    assert f"rvc: wrote {target} (verdict pass)" in result.stderr
    wb = load_workbook(target)
    assert wb.sheetnames[0] == "Results"
    assert "RVC_USCBP" in wb.defined_names
    provenance = {r[0].value: r[1].value for r in wb["Provenance"].iter_rows() if r[0].value}
    assert provenance["input sha256"]
    # the process's own command line (under the test runner, no rvc arguments)
    assert provenance["command line"].startswith("rvc")


def test_cli_fails_the_run_as_the_verdict_does(cli: Any, tmp_path: Path) -> None:
    target = tmp_path / "ev.xlsx"
    result = cli("check", EXAMPLES / "ev_crossover_fail_battery.xlsx", "-o", target)
    assert result.exit_code == 1
    assert "(verdict fail)" in result.stderr
    assert load_workbook(target)["Results"]["A1"].value.startswith("Volta")


def test_provenance_names_the_settings_file_and_mapping(cli: Any, tmp_path: Path) -> None:
    target = tmp_path / "sap.xlsx"
    result = cli("check", EXAMPLES / "sap_export" / "ZCS12_export.xlsx", "-o", target)
    assert result.exit_code == 1  # incomplete: no SteelAluminum or LVC sheet
    rows = [(r[0].value, r[1].value) for r in load_workbook(target)["Provenance"].iter_rows()]
    fields = dict(rows)
    assert fields["settings file"].endswith("rvc.toml")
    assert any(key == "mapping applied" for key, _ in rows)
    assert fields["rule pack sha256"] and fields["as of source"] == "workbook"
