"""Core parts: each part's RVC from its evidence, categories, super-core, both readings."""

from __future__ import annotations

from decimal import Decimal

from rvc.results import Status
from tests.conftest import bom, div, line, result

CORE = [
    line("ENG", 5000, core_part="engine"),  # blank: RVC from components
    line("BLK", 1000, parent="ENG", originating=False),
    line("PST", 100, parent="ENG", quantity=4, originating=True),
    line("TRN", 3000, core_part="transmission", originating=True, rvc_percent=70),
    line("BODY", 4000, core_part="body_chassis", originating=True),
    line("AXL", 1000, core_part="axle", originating=False),
    line("OTHER", 2000, originating=False),
]


def test_each_core_part_rvc_from_its_evidence(run):
    details = result(run(bom(CORE, net_cost=30000)), "core-parts").details
    parts = {
        p["part_number"]: p
        for c in details.values()
        if "parts" in c and isinstance(c["parts"], list)
        for p in c["parts"]
    }
    assert parts["ENG"]["rvc"] == Decimal(80)  # (5,000 - 1,000) / 5,000
    assert parts["ENG"]["rvc_source"] == "components"
    assert parts["TRN"]["rvc"] == Decimal(70)
    assert parts["TRN"]["rvc_source"] == "rvc_percent"
    assert parts["BODY"]["rvc"] == Decimal(100)
    assert parts["BODY"]["rvc_source"] == "declared originating"
    assert parts["AXL"]["rvc"] == Decimal(0)
    assert parts["AXL"]["rvc_source"] == "declared non-originating"


def test_super_core_rescues_weak_parts(run):
    # super-core = (5,000x80 + 3,000x70 + 4,000x100 + 1,000x0) / 13,000 = 77.6923...% >= 75
    core = result(run(bom(CORE, net_cost=30000)), "core-parts")
    assert core.status is Status.PASS
    assert core.value == div(1010000, 13000)
    assert core.details["super_core"]["status"] == "pass"
    assert core.details["transmission"]["status"] == "fail"
    assert core.details["axle"]["status"] == "fail"
    assert core.details["engine"] == {
        **core.details["engine"],
        "value": Decimal(80),
        "status": "pass",
    }
    assert "super-core" in core.message


def test_super_core_failing_fails_the_requirement(run):
    lines = [*CORE[:5], line("AXL", 3000, core_part="axle", originating=False)]
    # (400,000 + 210,000 + 400,000 + 0) / 15,000 = 67.333...% < 75
    core = result(run(bom(lines, net_cost=30000)), "core-parts")
    assert core.status is Status.FAIL
    assert core.value == div(1010000, 15000)
    assert "transmission" in core.message and "axle" in core.message


def test_vehicle_rvc_under_each_reading(run):
    # Contract (default): ENG blank, RVC 80% >= 75 -> originating; TRN, BODY declared Y -> 0;
    # AXL declared N -> 1,000; OTHER 2,000. VNM 3,000 -> (30,000 - 3,000) / 30,000 = 90%.
    # U.S. Customs: ENG traced 1,000 + TRN 30% of 3,000 = 900 + AXL 1,000 + OTHER 2,000 = 4,900.
    # Panel: the super-core qualifies, so every core part (AXL too) counts as originating: 2,000.
    contract = result(run(bom(CORE, net_cost=30000)), "vehicle-rvc")
    cbp = result(run(bom(CORE, net_cost=30000), reading="us_cbp"), "vehicle-rvc")
    panel = result(run(bom(CORE, net_cost=30000), reading="panel_2022"), "vehicle-rvc")
    assert contract.details["vnm"] == Decimal(3000)
    assert contract.value == Decimal(90)
    assert cbp.details["vnm"] == Decimal(4900)
    assert panel.details["vnm"] == Decimal(2000)
    assert contract.details["other_readings"] == {"us_cbp": cbp.value, "panel_2022": panel.value}
    assert [r.details["core_part_reading"] for r in (contract, cbp, panel)] == [
        "contract",
        "us_cbp",
        "panel_2022",
    ]


def test_panel_reading_only_clears_qualifying_core_parts(run):
    # No super-core pass: super-core (4,000 + 0) / 8,000 = 50%; only ENG qualifies alone.
    lines = [
        line("ENG", 4000, core_part="engine", rvc_percent=100),
        line("AXL", 4000, core_part="axle", rvc_percent=0),
    ]
    panel = result(run(bom(lines, net_cost=20000), reading="panel_2022"), "vehicle-rvc")
    assert panel.details["vnm"] == Decimal(4000)
    contract = result(run(bom(lines, net_cost=20000)), "vehicle-rvc")
    # the contract counts every blank leaf as unknown, core parts too: 4,000 + 4,000
    assert contract.details["vnm"] == Decimal(8000)


def test_ev_battery_follows_its_own_rule(run):
    lines = [
        line(
            "BAT",
            8000,
            core_part="advanced_battery",
            hs_code="850760",
            originating=True,
            rvc_percent=40,
        ),
        line("BODY", 2000, core_part="body_chassis", originating=True),
    ]
    core = result(run(bom(lines, net_cost=20000)), "core-parts")
    assert core.details["advanced_battery"]["status"] == "pass"  # declared originating decides
    assert core.details["advanced_battery"]["parts"][0]["own_product_specific_rule"] is True
    lines[0] = line("BAT", 8000, core_part="advanced_battery", hs_code="850760", originating=False)
    core = result(run(bom(lines, net_cost=20000)), "core-parts")
    assert core.details["advanced_battery"]["status"] == "fail"
    # The battery is under its own rule, so it is left out of the super-core average:
    # (100 x 2,000) / 2,000 = 100% >= 75 covers BODY, but the battery stays non-originating.
    assert core.value == Decimal(100)
    assert core.details["super_core"]["status"] == "pass"
    assert core.details["super_core"]["parts"] == 1
    assert core.status is Status.FAIL
    assert (
        "BAT (advanced_battery) is non-originating under its own product-specific" in core.message
    )
    assert "covers the parts under the RVC rule only" in core.message


def test_no_core_parts_is_not_evaluated(run):
    core = result(run(bom([line("A", 100, originating=True)])), "core-parts")
    assert core.status is Status.NOT_EVALUATED
    assert "no core parts" in core.message


def test_core_parts_inferred_from_hs_without_column(run):
    lines = [
        line("ENG", 5000, hs_code="840734", originating=True),
        line("BLOCK", 800, parent="ENG", hs_code="840991", originating=True),
    ]
    report = run(bom(lines, core_column=False))
    core = result(report, "core-parts")
    assert list(core.details) == ["engine", "super_core"]
    assert [p["part_number"] for p in core.details["engine"]["parts"]] == ["ENG"]
    assert any("inferred core part 'engine' from HS 8407.34" in n for n in report.assumptions)


def test_nested_core_part_is_a_material_of_its_parent(run):
    lines = [
        line("ENG", 5000, core_part="engine", originating=True),
        line("TRN", 900, parent="ENG", core_part="transmission", originating=True),
    ]
    report = run(bom(lines))
    assert list(result(report, "core-parts").details) == ["engine", "super_core"]
    assert any("inside another core part" in n for n in report.assumptions)


def test_core_stage_boundary(run):
    lines = [line("ENG", 1000, core_part="engine", rvc_percent=73)]
    assert result(run(bom(lines), "2023-06-30"), "core-parts").status is Status.PASS  # 72
    assert result(run(bom(lines), "2023-07-01"), "core-parts").status is Status.FAIL  # 75


def test_heavy_truck_engine_gearbox_chassis_table_d(run):
    lines = [
        line("ENG", 20000, core_part="engine", originating=True, rvc_percent=65),
        line("TRN", 9000, core_part="transmission", originating=True, rvc_percent=80),
        line("AXL", 5000, core_part="axle", originating=True),  # not an s. 15(4) part
    ]
    now = run(bom(lines, vehicle_class="heavy_truck", net_cost=100000), "2026-01-01")
    core = result(now, "core-parts")
    assert core.status is Status.PASS  # 65 >= 64
    assert core.details["super_core"]["status"] == "not_evaluated"  # no super-core for trucks
    assert core.value == Decimal(65)  # the weakest part
    assert any("'axle' has no requirement" in n for n in now.assumptions)
    later = result(
        run(bom(lines, vehicle_class="heavy_truck", net_cost=100000), "2027-07-01"), "core-parts"
    )
    assert later.status is Status.FAIL  # 65 < 70
    assert later.threshold == Decimal(70)


def test_blank_core_part_that_does_not_qualify_counts_wholly(run):
    # ENG blank, components give (1,000 - 600) / 1,000 = 40% < 75 and no super-core rescue:
    # it is non-originating, so its whole 1,000 counts (not only its 600 of content).
    lines = [
        line("ENG", 1000, core_part="engine"),
        line("P", 600, parent="ENG", originating=False),
    ]
    rvc = result(run(bom(lines, net_cost=10000)), "vehicle-rvc")
    assert rvc.details["vnm"] == Decimal(1000)
    assert rvc.drivers[0].part_number == "ENG"


def test_declared_non_originating_core_part_counts_wholly_whatever_its_components(run):
    # BAT declared N with components worth 700 of 1,000: wholly non-originating (1,000) in the
    # vehicle; its own RVC for the core-part test still comes from its components (30%).
    lines = [
        line("BAT", 1000, core_part="advanced_battery", hs_code="850760", originating=False),
        line("CELLS", 700, parent="BAT", originating=False),
    ]
    report = run(bom(lines, net_cost=10000))
    assert result(report, "vehicle-rvc").details["vnm"] == Decimal(1000)
    part = result(report, "core-parts").details["advanced_battery"]["parts"][0]
    assert part["rvc"] == Decimal(30)


MODULE = [
    line("PT", 6000, hs_code="870899"),  # blank powertrain module, Table A.1 ex 8708.99 (75%)
    line("E1", 3000, parent="PT", core_part="engine", originating=True, rvc_percent=90),
    line("T1", 2000, parent="PT", core_part="transmission"),
    line("T1a", 600, parent="T1", originating=False),
    line("PTx", 500, parent="PT", originating=False),
]


def test_us_reading_carries_core_content_through_an_originating_module(run):
    # Core RVCs: E1 90%, T1 (2,000 - 600) / 2,000 = 70%; super-core (3,000x90 + 2,000x70) /
    # 5,000 = 82% >= 75, so both qualify. PT's own RVC: (6,000 - 300 - 600 - 500) / 6,000 =
    # 76.67% >= 75: PT counts as originating, so PTx's 500 rolls up; but under the U.S.
    # reading there is no roll-up across core parts: E1's 300 and T1's 600 still count.
    report = run(bom(MODULE, net_cost=10000), reading="us_cbp")
    rvc = result(report, "vehicle-rvc")
    assert rvc.details["vnm"] == Decimal(900)
    assert {d.part_number: d.amount for d in rvc.drivers} == {"T1a": 600, "E1": 300}
    assert any(
        "PT): counts as originating, but under the U.S. Customs" in n for n in report.assumptions
    )
    panel = result(run(bom(MODULE, net_cost=10000), reading="panel_2022"), "vehicle-rvc")
    assert panel.details["vnm"] == Decimal(0)  # (6,000 - 500) / 6,000 = 91.7% >= 75: originating
    # The contract's roll-up: T1 (70% < 75, blank) is non-originating, 2,000; PT's own RVC is
    # (6,000 - 2,000 - 500) / 6,000 = 58.3% < 75, so PT counts wholly non-originating.
    contract = result(run(bom(MODULE, net_cost=10000)), "vehicle-rvc")
    assert contract.details["vnm"] == Decimal(6000)


def test_panel_reading_follows_the_contract_for_declared_core_parts(run):
    # TRN declared Y with rvc_percent 60 does not qualify (60 < 75, super-core
    # (1,000x60 + 1,000x70) / 2,000 = 65 < 75), but the contract counts a declared-originating
    # line wholly originating: nothing under the panel reading; 40% of it under the U.S. one.
    lines = [
        line("TRN", 1000, core_part="transmission", originating=True, rvc_percent=60),
        line("AXL", 1000, core_part="axle", originating=True, rvc_percent=70),
    ]
    panel = result(run(bom(lines, net_cost=10000), reading="panel_2022"), "vehicle-rvc")
    cbp = result(run(bom(lines, net_cost=10000), reading="us_cbp"), "vehicle-rvc")
    assert panel.details["vnm"] == Decimal(0)
    assert cbp.details["vnm"] == Decimal(700)  # 400 + 300
