"""What it would take: the smallest change that passes, worked out by hand in each test."""

from __future__ import annotations

from decimal import Decimal

from tests.conftest import bom, div, line, lvc_row, metal, result

SIMPLE = [
    line("A", 2000, originating=True),
    line("B", 1500, originating=False),
    line("C", 500, quantity=3),  # unknown leaf: 1,500 in the vehicle
]


def test_vehicle_rvc_lists_the_largest_switch_that_passes(run):
    # VNM 1,500 (B) + 1,500 (C) = 3,000 of 10,000: 70% < 75; allowed 2,500, so 500 too much.
    # B and C bring 1,500 each; B comes first (row order on a tie): without it VNM 1,500,
    # RVC 85% >= 75 -> one switch passes.
    wit = result(run(bom(SIMPLE, net_cost=10000)), "vehicle-rvc").what_it_would_take
    assert wit is not None and not wit.passes
    assert wit.amount == Decimal(500)
    assert wit.points == Decimal(5)
    assert [(s.part_number, s.amount, s.value_after, s.passes) for s in wit.steps] == [
        ("B", Decimal(1500), Decimal(85), True)
    ]
    assert wit.ordered_by == "largest" and wit.exact
    assert "remove 500.00 USD" in wit.summary and "re-sourcing B" in wit.summary


def test_resourcing_cost_orders_the_switches_cheapest_first(run):
    lines = [
        line("A", 2000, originating=True),
        line("B", 1500, originating=False, resourcing_cost=Decimal(900)),
        line("C", 500, quantity=3, resourcing_cost=Decimal(100)),
    ]
    wit = result(run(bom(lines, net_cost=10000)), "vehicle-rvc").what_it_would_take
    assert wit.ordered_by == "resourcing_cost"
    assert [s.part_number for s in wit.steps] == ["C"]
    assert wit.steps[0].resourcing_cost == Decimal(100)


def test_several_switches_until_it_passes(run):
    # VNM 1,000 + 900 + 800 = 2,700 of a 6,000 net cost (55%); allowed 1,500.
    lines = [
        line("X", 1000, originating=False),
        line("Y", 900, originating=False),
        line("Z", 800, originating=False),
    ]
    wit = result(run(bom(lines, net_cost=6000)), "vehicle-rvc").what_it_would_take
    # net cost 6,000: allowed 1,500; X -> 1,700 (71.67%), Y -> 800 (86.67%) passes
    assert [s.part_number for s in wit.steps] == ["X", "Y"]
    assert wit.steps[0].value_after == div(430000, 6000)
    assert not wit.steps[0].passes and wit.steps[1].passes


def test_passing_vehicle_rvc_shows_its_headroom(run):
    lines = [line("A", 1000, originating=False), line("B", 5000, originating=True)]
    wit = result(run(bom(lines, net_cost=10000)), "vehicle-rvc").what_it_would_take
    # allowed 2,500 - 1,000 = 1,500 could be added
    assert wit.passes and wit.amount == Decimal(1500)
    assert "1,500.00 USD of non-originating content could be added" in wit.summary


def test_core_part_gap_and_the_super_core_alternative(run):
    # ENG blank: (1,000 - 600) / 1,000 = 40% < 75; content to remove for 75%:
    # 1,000 x (75 - 40) / 100 = 350; the super-core (ENG alone) needs the same 350.
    lines = [line("ENG", 1000, core_part="engine"), line("P", 600, parent="ENG", originating=False)]
    wit = result(run(bom(lines, net_cost=10000)), "core-parts").what_it_would_take
    assert not wit.passes and wit.amount == Decimal(350)
    assert len(wit.parts) == 1
    gap = wit.parts[0]
    assert (gap.part_number, gap.content_to_remove) == ("ENG", Decimal(350))
    assert gap.top_lines == (("P", 3, Decimal(600)),)
    assert wit.headline == "ENG not originating"


def test_metal_share_to_switch(run):
    # steel 600 Y / 400 N: 60%; 70% of 1,000 = 700: switch 100
    metals = [metal("steel", 600, True), metal("steel", 400, False), metal("aluminum", 10, True)]
    report = run(bom([line("E", 1, core_part="engine", originating=True)], metals=metals))
    wit = result(report, "steel").what_it_would_take
    assert not wit.passes and wit.amount == Decimal(100)
    assert "switch 100.00 USD of steel purchases" in wit.summary
    assert result(report, "aluminum").what_it_would_take.amount == Decimal(3)  # 10 - 7


def test_lvc_spend_still_needed(run):
    # material 2,000 at a high wage / net cost 10,000 = 20 points: 5 short of the 25
    # minimum and 20 short of the 40 total -> 20 points = 2,000 USD more
    rows = [lvc_row("material", 2000, 20)]
    lines = [line("E", 1, core_part="engine", originating=True)]
    wit = result(run(bom(lines, net_cost=10000, lvc=rows)), "lvc").what_it_would_take
    assert not wit.passes
    assert (wit.points, wit.amount) == (Decimal(20), Decimal(2000))


# --- the switches re-counted incrementally give the full re-evaluation's VNM ----------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tests.test_differential_v11 import cases  # noqa: E402


def _bill(case):  # type: ignore[no-untyped-def]
    lines = [
        line(
            ln.part_number,
            ln.unit_cost,
            quantity=ln.quantity,
            parent=ln.parent,
            originating={"Y": True, "N": False}.get(ln.originating or ""),
            core_part=ln.core_part if case.core_column else None,
            hs_code=ln.hs_code.replace(".", "") if ln.hs_code else None,
            rvc_percent=ln.rvc_percent,
        )
        for ln in case.lines
    ]
    return bom(
        lines,
        vehicle_class=case.vehicle_class,
        net_cost=case.net_cost,
        core_column=case.core_column,
    )


@settings(max_examples=150, deadline=None)
@given(cases(), st.sampled_from(["us-cbp", "roll-up"]), st.data())
def test_incremental_switches_equal_the_full_re_evaluation(pack, case, reading, data):
    from decimal import localcontext

    from rvc.engine import what_it_would_take as wit
    from rvc.engine.facts import gather

    bill = _bill(case)
    with localcontext() as context:
        context.prec = 40
        facts = gather(bill, pack.at(case.as_of, case.vehicle_class), reading)
        order = data.draw(st.permutations(range(len(bill.lines))))
        again = wit._Recount(facts)
        switched: list[int] = []
        for i in order[:6]:
            switched.append(i)
            assert again.switch(i, switched) == wit._vnm_with_originating(facts, switched)
