"""Property tests of format v1.1, on the oracle and on `rvc check` alike:
- the roll-up reading's vehicle RVC is never below the us-cbp reading's;
- declaring a line originating never lowers the vehicle RVC under either reading;
- a passing super-core makes every averaged core part (every category) originating."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from . import oracle_v11 as oracle
from .test_differential_v11 import TOL, Case, cases, outcome, requirement, run_rvc

PROPS = settings(settings.get_profile("oracle-ci"), max_examples=40)


def declared_y(case: Case, index: int) -> Case:
    lines = [dataclasses.replace(ln) for ln in case.lines]
    lines[index].originating = "Y"
    return dataclasses.replace(case, lines=lines)


def rvc_values(report_by_reading: dict[str, dict]) -> dict[str, Decimal]:
    return {r: Decimal(str(requirement(rep, "vehicle-rvc")["value"]))
            for r, rep in report_by_reading.items()}


def rvc_reports(case: Case) -> dict[str, dict]:
    return {r: run_rvc(case, r) for r in oracle.READINGS}


# ---- oracle ---------------------------------------------------------------------------------

@settings(settings.get_profile("oracle-ci"), max_examples=300)
@given(cases())
def test_oracle_roll_up_never_below_us_cbp(case: Case) -> None:
    out = outcome(case)
    assert out.rvc["roll-up"] >= out.rvc["us-cbp"]


@settings(settings.get_profile("oracle-ci"), max_examples=300)
@given(cases(), st.data())
def test_oracle_declaring_originating_never_lowers(case: Case, data) -> None:
    index = data.draw(st.integers(0, len(case.lines) - 1))
    before, after = outcome(case), outcome(declared_y(case, index))
    for r in oracle.READINGS:
        assert after.rvc[r] >= before.rvc[r], r


@settings(settings.get_profile("oracle-ci"), max_examples=300)
@given(cases(vehicle_class="passenger_vehicle"))
def test_oracle_passing_super_core_makes_every_averaged_part_originate(case: Case) -> None:
    out = outcome(case)
    if out.core.super_core.status != "pass":
        return
    for pn, line in out.lines.items():
        if line.core and not line.ev_battery:
            assert line.origin["roll-up"] in ("Y", "by-rvc", "averaged"), pn


# ---- rvc, through the CLI -------------------------------------------------------------------

@PROPS
@given(cases())
def test_rvc_roll_up_never_below_us_cbp(case: Case) -> None:
    got = rvc_values(rvc_reports(case))
    assert got["roll-up"] >= got["us-cbp"] - TOL, f"{case!r}\n{got}"


@PROPS
@given(cases(), st.data())
def test_rvc_declaring_originating_never_lowers(case: Case, data) -> None:
    index = data.draw(st.integers(0, len(case.lines) - 1))
    before = rvc_values(rvc_reports(case))
    changed = declared_y(case, index)
    after = rvc_values(rvc_reports(changed))
    for r in oracle.READINGS:
        assert after[r] >= before[r] - TOL, (
            f"{r}: declaring {case.lines[index].part_number} Y lowers the RVC "
            f"{before[r]} -> {after[r]}\n{case!r}")


@PROPS
@given(cases(vehicle_class="passenger_vehicle"))
def test_rvc_passing_super_core_makes_every_category_originate(case: Case) -> None:
    out = outcome(case)
    ev_categories = {line.core for line in out.lines.values() if line.ev_battery}
    for reading in oracle.READINGS:
        core = requirement(run_rvc(case, reading), "core-parts")
        assert core is not None
        details = core.get("details") or {}
        if (details.get("super_core") or {}).get("status") != "pass":
            continue
        for cat, entry in details.items():
            if cat == "super_core" or cat in ev_categories or not isinstance(entry, dict):
                continue
            assert entry.get("status") == "pass", f"[{reading}] {cat}: {entry}\n{case!r}"
