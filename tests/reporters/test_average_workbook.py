"""The audit workbook of an average (`rvc average ... -o average.xlsx`): its structure, input
text never a formula, and (slow) LibreOffice recalculating every SUMPRODUCT to rvc's figures."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.reporters.test_audit_workbook import Values, recalculate
from tests.reporters.test_average_golden import write_period
from tests.test_average import variant

ARGS = ("--category", "model-line-plant", "--period", "2024-01-01..2024-12-31", "-j", "1")


@pytest.fixture
def exported(tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Any]:
    monkeypatch.chdir(tmp_path)
    write_period(Path("variants"))
    target = tmp_path / "average.xlsx"
    done = cli("average", "variants", *ARGS, "-o", target, "-o", tmp_path / "average.json")
    assert done.exit_code == 1
    document = json.loads((tmp_path / "average.json").read_text(), parse_float=Decimal)
    return target, document


def test_sheets_names_and_formulas(exported: tuple[Path, Any]) -> None:
    target, _ = exported
    wb = load_workbook(target)
    assert wb.sheetnames == ["Results", "Variants", "Provenance"]
    assert wb.calculation.fullCalcOnLoad
    for name in ("Var_Volume", "Var_NetCost", "Var_VNM_USCBP", "Var_VNM_ROLLUP", "RVC_USCBP_G1",
                 "RVC_ROLLUP_G2", "Core_engine_G1", "Super_Core_G1", "Steel_Share_G1",
                 "LVC_Total_G1", "Verdict_G1", "Verdict_G2"):  # fmt: skip
        assert name in wb.defined_names, name
    results = {row[0].value: row[1].value for row in wb["Results"].iter_rows() if row[0].value}
    assert results["Net cost x volume"] == "=SUMPRODUCT(--(Var_Group=2),Var_Volume,Var_NetCost)"
    assert results["Average vehicle RVC, us-cbp"] == "=(NetCost_G2-VNM_USCBP_G2)/NetCost_G2"
    provenance = {r[0].value: r[1].value for r in wb["Provenance"].iter_rows()}
    assert provenance["period"] == "2024-01-01..2024-12-31"
    assert provenance["left out"].startswith("variants/aster_2023.xlsx: outside the period")


def test_workbook_text_is_never_a_formula(tmp_path: Path, cli: Any) -> None:
    folder = tmp_path / "v"
    variant(folder, "a.xlsx", [("ENG", 3000, "Y", "engine", None)], model_line="+1+1",
            plant="@SUM(A1)")  # fmt: skip
    target = tmp_path / "x.xlsx"
    assert cli("average", folder, "--category", "model-line-plant", "-o", target).exit_code == 1
    ws = load_workbook(target)["Variants"]
    for cell in (ws["C2"], ws["E2"]):
        assert cell.data_type == "s" and cell.quotePrefix


@pytest.mark.slow
def test_libreoffice_recalculates_every_average_to_rvc(
    exported: tuple[Path, Any], tmp_path: Path
) -> None:
    target, document = exported
    values = Values(recalculate([target], tmp_path / "out")[target])
    assert values.errors() == []
    for n, group in enumerate(document["groups"], start=1):
        readings = group["readings"]
        for reading, tag in (("us-cbp", "USCBP"), ("roll-up", "ROLLUP")):
            expected = Decimal(str(readings[reading]["vehicle_rvc"])) / 100
            assert abs(Decimal(repr(values(f"RVC_{tag}_G{n}"))) - expected) < Decimal("1e-12")
        assert values(f"Verdict_G{n}") == group["verdict"].upper()
        for requirement in group["requirements"]:
            details = requirement["details"]
            if requirement["id"] == "steel" and details.get("total_value"):
                share = Decimal(str(details["originating_value"])) / Decimal(
                    str(details["total_value"])
                )
                assert abs(Decimal(repr(values(f"Steel_Share_G{n}"))) - share) < Decimal("1e-12")
            if requirement["id"] == "core-parts":
                for category, figure in details["categories"].items():
                    found = Decimal(repr(values(f"Core_{category}_G{n}")))
                    assert abs(found - Decimal(str(figure["value"])) / 100) < Decimal("1e-12")
    # the two readings differ in group 1 (the hybrid's rescued engine and body, roll-up)
    assert values("RVC_USCBP_G1") != values("RVC_ROLLUP_G1")
    ws = values.wb["Results"]
    agrees = [row[6].value for row in ws.iter_rows(min_row=3) if row[6].value is not None]
    assert agrees and set(agrees) == {"yes"}
    lvc = Decimal(repr(values("LVC_Total_G1")))
    assert abs(lvc - Decimal("0.45")) < Decimal("1e-12")  # 4,500 of 10,000 in every variant


@pytest.mark.slow
def test_a_dask_cluster_gives_the_same_average(tmp_path: Path, cli: Any, monkeypatch: Any) -> None:
    distributed = pytest.importorskip(
        "distributed", reason="the Dask extra is not installed: pip install -e '.[dask]'"
    )
    monkeypatch.chdir(tmp_path)
    write_period(Path("variants"))
    local = cli("average", "variants", *ARGS, "-f", "json")
    with distributed.LocalCluster(
        n_workers=2, processes=True, dashboard_address=None, host="127.0.0.1"
    ) as cluster:
        remote = cli("average", "variants", *ARGS[:4], "-f", "json", "--dask-scheduler",
                     cluster.scheduler_address)  # fmt: skip
    assert (remote.exit_code, remote.stdout) == (local.exit_code, local.stdout)
    assert local.exit_code == 1 and json.loads(local.stdout)["kind"] == "average"


@pytest.mark.slow
def test_a_requirement_two_classes_define_apart_has_its_own_rows(tmp_path: Path, cli: Any) -> None:
    """A model line of passenger vans (LVC 50 points, 100 units) and cargo vans (light trucks,
    LVC 30 points, 300 units): one vehicle-RVC average, two LVC averages: 50% against 40 and
    30% against 45, each over its class's vehicles only (a group-wide SUMPRODUCT would give
    (100 x 5,000 + 300 x 3,000) / 4,000,000 = 35%)."""
    folder = tmp_path / "v"
    lines = [("ENG", 3000, "Y", "engine", None), ("SEATS", 2000, "N", None, None)]
    head = ("category", "amount", "hourly_wage")
    variant(folder, "pv.xlsx", lines, sheets={"LVC": [head, ("material", 5000, 30)]})
    variant(folder, "lt.xlsx", lines, vehicle_class="light_truck", volume=300,
            sheets={"LVC": [head, ("material", 3000, 30)]})  # fmt: skip
    target = tmp_path / "two.xlsx"
    done = cli("average", folder, "--category", "model-line", "-o", target, "-j", "1")
    assert done.exit_code == 1  # the light trucks' LVC fails
    names = load_workbook(target).defined_names
    assert "LVC_Total_G1_passenger_vehicle" in names and "LVC_Total_G1_light_truck" in names
    values = Values(recalculate([target], tmp_path / "out")[target])
    assert values.errors() == []
    assert values("LVC_Total_G1_passenger_vehicle") == pytest.approx(0.50, abs=1e-12)
    assert values("LVC_Total_G1_light_truck") == pytest.approx(0.30, abs=1e-12)
    assert values("LVC_Total_G1_light_truck_Status") == "FAIL"
    assert values("Verdict_G1") == "FAIL"
