"""`rvc explain`: the rule pack's thresholds, and a worked example whose figures are the
engine's on the example BOM (and agree with the example's inputs worked by hand)."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal

import pytest

from rvc.engine import evaluate
from rvc.examples import example_bom
from rvc.money import fmt_amount, fmt_percent, fmt_threshold
from tests.conftest import ROOT, div, result

REQUIREMENTS = ["vehicle-rvc", "core-parts", "steel", "aluminum", "lvc"]
ON = "2026-11-01"


@pytest.mark.parametrize("requirement", REQUIREMENTS)
def test_explain_shows_every_dated_entry_of_the_pack(cli, pack, requirement):
    done = cli("explain", requirement, "--as-of", ON)
    assert done.exit_code == 0, done.stderr
    text = done.stdout
    assert f"sha256 {pack.sha256}" in text
    for definition in (r for r in pack.requirements if r.id == requirement):
        assert f"== {', '.join(definition.applies_to)}" in text
        for entry in definition.thresholds:
            assert f"from {entry.from_.isoformat()}: " in text
            assert f"{entry.citation} [status {entry.status.value}]" in text
    assert text.count(f"<- in force on {ON}") == sum(
        1 for r in pack.requirements if r.id == requirement
    )
    assert "Worked example: the built-in example" in text and "rvc says: " in text


def test_vehicle_rvc_example_matches_the_engine_and_the_inputs(cli, pack):
    on = dt.date.fromisoformat(ON)
    bill = example_bom("passenger_vehicle")
    report = evaluate(bill, pack, on)
    rvc, core = result(report, "vehicle-rvc"), result(report, "core-parts")
    # the same figures by hand from the example's inputs (format v1.1 readings):
    lines = {line.part_number: line for line in bill.lines}
    engine, transmission = lines["ENG-1"], lines["TRN-1"]
    engine_nom = sum(c.value for c in bill.lines if c.parent == "ENG-1" and c.originating is False)
    engine_rvc = (engine.value - engine_nom) * 100 / engine.value
    assert engine_rvc >= core.threshold  # the blank engine originates on its own RVC
    # the transmission (RVC 72 from its supplier) originates through the super-core
    super_core = (engine_rvc * engine.value + transmission.rvc_percent * transmission.value) / (
        engine.value + transmission.value
    )
    assert transmission.rvc_percent < core.threshold <= super_core
    others = sum(
        line.value
        for line in bill.lines
        if line.parent is None and not line.core_part and not line.originating
    )
    transmission_nom = transmission.value * (100 - transmission.rvc_percent) / 100
    nc = bill.vehicle.net_cost
    us_cbp_vnm = others + engine_nom + transmission_nom  # own content of core parts counts
    roll_up_vnm = others  # originating core parts count wholly originating
    assert rvc.evidence.net_cost == nc and rvc.evidence.vnm == us_cbp_vnm
    assert rvc.value == div((nc - us_cbp_vnm) * 100, nc)
    assert rvc.evidence.other_readings["roll-up"] == div((nc - roll_up_vnm) * 100, nc)
    assert sum(d.amount for d in rvc.drivers) == us_cbp_vnm
    text = cli("explain", "vehicle-rvc", "--as-of", ON, "--class", "passenger_vehicle").stdout
    expected = (
        f"RVC = ({fmt_amount(nc)} - {fmt_amount(us_cbp_vnm)}) / {fmt_amount(nc)} x 100 = "
        f"{fmt_percent(rvc.value, rvc.threshold)} >= {fmt_threshold(rvc.threshold)}: pass"
    )
    assert expected in text
    roll_up = (nc - roll_up_vnm) * 100 / nc
    assert f"under the roll-up reading: RVC {fmt_percent(roll_up, rvc.threshold)}" in text
    assert f"rvc says: {rvc.message}" in text
    for driver in rvc.drivers:
        assert f"{driver.part_number} ({driver.description}): {fmt_amount(driver.amount)}" in text
    shown = cli("explain", "core-parts", "--as-of", ON).stdout
    assert f"super-core of 2 core parts: {fmt_percent(super_core, core.threshold)}" in shown


@pytest.mark.parametrize("requirement", REQUIREMENTS)
@pytest.mark.parametrize("vehicle_class", ["passenger_vehicle", "light_truck", "heavy_truck"])
def test_every_example_line_is_the_engines(cli, pack, requirement, vehicle_class):
    found = [r for r in pack.requirements if r.id == requirement and vehicle_class in r.applies_to]
    done = cli("explain", requirement, "--as-of", ON, "--class", vehicle_class)
    if not found:
        assert done.exit_code == 2 and "has no requirement" in done.stderr
        return
    outcome = result(
        evaluate(example_bom(vehicle_class), pack, dt.date.fromisoformat(ON)), requirement
    )
    assert f"rvc says: {outcome.message}" in done.stdout
    if outcome.value is not None:
        assert fmt_percent(outcome.value, outcome.threshold) in done.stdout
        assert f": {outcome.status.value}" in done.stdout


def test_steel_example_shows_the_melted_and_poured_date(cli):
    before = cli("explain", "steel", "--as-of", "2027-06-30").stdout
    after = cli("explain", "steel", "--as-of", "2027-07-01").stdout
    assert "= 75.00% >= 70%: pass" in before
    assert "= 60.00% < 70%: fail" in after
    assert "purchase row 3 is originating but not shown melted and poured" in after


def test_explain_follows_the_rule_pack_never_a_pasted_number(cli, tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    text = (rules / "vehicle-rvc.yaml").read_text()
    stricter = text.replace(
        "        status: C\n        note: a rise to 85%",
        "        status: C\n      - from: 2026-01-01\n        min_percent: 85\n"
        "        citation: internal stricter policy\n        status: R\n        note: a rise to 85%",
    )
    (rules / "vehicle-rvc.yaml").write_text(stricter)
    done = cli("explain", "vehicle-rvc", "--rules", rules, "--as-of", ON, "--class", "light_truck")
    assert "from 2026-01-01: 85%   <- in force on 2026-11-01" in done.stdout
    assert "internal stricter policy [status R]" in done.stdout
    from rvc.rulepack import load_rule_pack

    stricter_rvc = result(
        evaluate(example_bom("light_truck"), load_rule_pack(rules), dt.date.fromisoformat(ON)),
        "vehicle-rvc",
    )
    assert stricter_rvc.threshold == 85 and stricter_rvc.status.value == "fail"
    assert f"{fmt_percent(stricter_rvc.value, stricter_rvc.threshold)} < 85%: fail" in done.stdout
    assert str(rules.resolve()) in done.stdout


def test_explain_before_the_first_threshold(cli):
    done = cli("explain", "lvc", "--as-of", "2020-01-01", "--class", "passenger_vehicle")
    assert done.exit_code == 0
    assert "none in force on 2020-01-01" in done.stdout
    assert "not evaluated on this date" in done.stdout


def test_example_bom_is_plain_input():
    bill = example_bom("passenger_vehicle")
    assert bill.vehicle.net_cost == Decimal(30000) and bill.has_core_part_column
    assert {line.parent for line in bill.lines} == {None, "ENG-1"}
