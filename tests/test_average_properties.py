"""Property tests of averaging (hypothesis): whatever the variants and volumes, an average lies
between the smallest and the largest variant figure (vehicle RVC under both readings, LVC
points, each core-part category), the pull-down amounts add up to the group's shortfall, and
the order of the workbooks never changes a figure."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, localcontext
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rvc.engine import evaluate
from rvc.engine.average import Period, Variant, average, period_core, with_figures
from rvc.model import Production
from rvc.results import READINGS, AveragedLvcEvidence, AveragedRvcEvidence, LvcEvidence
from rvc.rulepack import default_rules_dir, load_rule_pack
from tests.conftest import bom, line, lvc_row
from tests.test_properties import CORE, DAYS, trees

PACK = load_rule_pack(default_rules_dir())
PERIOD = Period(dt.date(2024, 1, 1), dt.date(2024, 12, 31), "option", dt.date(2024, 1, 1))
cents = st.decimals(min_value=Decimal("0.01"), max_value=9000, places=2)


@st.composite
def variants(draw: Any) -> dict[str, Any]:
    return {
        "engine": draw(cents),
        "engine_rvc": draw(st.one_of(st.none(), st.decimals(0, 100, places=1))),
        "body": draw(cents),
        "body_rvc": draw(st.one_of(st.none(), st.decimals(0, 100, places=1))),
        "seats": draw(cents),
        "seats_origin": draw(st.booleans()),
        "extra": draw(st.decimals(min_value=0, max_value=5000, places=2)),
        "volume": draw(st.integers(1, 100_000)),
        "material": draw(st.decimals(min_value=0, max_value=3000, places=2)),
    }


def _bill(spec: dict[str, Any]) -> Any:
    net_cost = spec["engine"] + spec["body"] + spec["seats"] + spec["extra"]
    return bom(
        [
            line("ENG", spec["engine"], core_part="engine", rvc_percent=spec["engine_rvc"],
                 originating=None if spec["engine_rvc"] is not None else True),
            line("BODY", spec["body"], core_part="body_chassis", rvc_percent=spec["body_rvc"],
                 originating=None if spec["body_rvc"] is not None else False),
            line("SEATS", spec["seats"], originating=spec["seats_origin"]),
        ],
        net_cost=net_cost,
        lvc=[lvc_row("material", min(spec["material"], net_cost), 30, row=2)],
    )  # fmt: skip


def _variant(n: int, spec: dict[str, Any]) -> Variant:
    bill = _bill(spec)
    report = evaluate(bill, PACK, dt.date(2024, 6, 1), reading="us-cbp")
    return Variant(
        path=f"v{n}.xlsx",
        sha256="",
        vehicle=dict(report.vehicle),
        production=Production(volume=spec["volume"], country="US"),
        net_cost=bill.vehicle.net_cost,
        currency="USD",
        as_of=dt.date(2024, 6, 1),
        requirements=report.requirements,
        readings=report.readings,
    )


def _averaged(specs: list[dict[str, Any]]) -> Any:
    """The variants and their average, with the second pass the command makes: each variant
    whose core parts the period's averages rescue is evaluated again with them."""
    members = [_variant(n, spec) for n, spec in enumerate(specs)]
    forced = period_core(members, PACK, PERIOD, "class", False)
    for n, v in enumerate(members):
        if v.path in forced:
            again = evaluate(_bill(specs[n]), PACK, PERIOD.decides, period_core=forced[v.path])
            members[n] = with_figures(v, again.requirements, None)
    return members, average(
        members, PACK, category="class", period=PERIOD, exported_only=False, reading="us-cbp"
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(variants(), min_size=1, max_size=5))
def test_an_average_lies_between_its_variants(specs: list[dict[str, Any]]) -> None:
    members, result = _averaged(specs)
    (group,) = result.groups
    rvc = group.result("vehicle-rvc")
    assert rvc is not None and isinstance(rvc.evidence, AveragedRvcEvidence)
    for reading in READINGS:
        with localcontext() as context:
            context.prec = 40  # as the engine computes
            figures = [(v.net_cost - v.vnm_in_period()[reading]) * 100 / v.net_cost
                       for v in members]  # fmt: skip
        assert min(figures) <= rvc.evidence.rvcs[reading] <= max(figures), reading
    lvc = group.result("lvc")
    assert lvc is not None and isinstance(lvc.evidence, AveragedLvcEvidence)
    points = []
    for v in members:
        found = v.in_period("lvc")
        assert found is not None and isinstance(found.evidence, LvcEvidence)
        points.append(found.evidence.material_and_manufacturing)
    assert min(points) <= lvc.evidence.material_and_manufacturing <= max(points)
    core = group.result("core-parts")
    assert core is not None
    for category in core.evidence.categories:  # type: ignore[union-attr]
        rvcs = [p.rvc for v in members for c in v.in_period("core-parts").evidence.categories  # type: ignore[union-attr]
                for p in c.parts if p.category == category.category and p.rvc is not None]  # fmt: skip
        if category.value is not None and rvcs:
            assert min(rvcs) <= category.value <= max(rvcs)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(variants(), min_size=1, max_size=4))
def test_pull_down_adds_up_and_order_does_not_matter(specs: list[dict[str, Any]]) -> None:
    _, result = _averaged(specs)
    _, backwards = _averaged(specs[::-1])
    rvc = result.groups[0].result("vehicle-rvc")
    other = backwards.groups[0].result("vehicle-rvc")
    assert rvc is not None and other is not None
    evidence = rvc.evidence
    assert isinstance(evidence, AveragedRvcEvidence)
    total = sum((c.above_allowance["us-cbp"] for c in evidence.contributions), Decimal(0))
    assert total == evidence.vnm_total - evidence.allowed_vnm_total
    assert rvc.value == other.value and rvc.status == other.status


def _quick(report: Any, chosen: frozenset[str]) -> dict[str, Decimal] | None:
    """The VNM with `chosen` rescued, from the report's rescue deltas (None: evaluate again)."""
    from rvc.engine import rescue_deltas

    deltas = rescue_deltas(report)
    if deltas is None:
        return None
    vnm = dict(report.requirements[0].evidence.vnm_by_reading)
    with localcontext() as context:
        context.prec = 40
        for category in chosen:
            for reading, delta in deltas.get(category, {}).items():
                vnm[reading] += delta
    return vnm


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(variants(), st.sets(st.sampled_from(["engine", "body_chassis"])))
def test_the_quick_rescue_is_the_full_evaluation(
    spec: dict[str, Any], categories: set[str]
) -> None:
    """Any subset of categories rescued: the first pass's VNM plus the rescue deltas is the
    VNM a full evaluation with those categories originating gives."""
    bill = _bill(spec)
    chosen = frozenset(categories)
    full = evaluate(bill, PACK, PERIOD.decides, period_core=chosen).requirements[0].evidence
    quick = _quick(evaluate(bill, PACK, PERIOD.decides), chosen)
    assert quick is not None  # every core part here is a top-level line
    assert quick == full.vnm_by_reading  # type: ignore[union-attr]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(trees(), st.sets(st.sampled_from(CORE)), DAYS)
def test_the_rescue_from_line_counts_on_random_trees(
    lines: Any, categories: set[str], on: Any
) -> None:
    """On random BOM trees (core parts with assemblies below them, declared, blank, with
    rvc_percent, unknown): the rescue worked out from the line counts, for any subset of
    categories, is the full evaluation's."""
    bill = bom(lines)
    chosen = frozenset(categories)
    quick = _quick(evaluate(bill, PACK, on), chosen)
    full = evaluate(bill, PACK, on, period_core=chosen).requirements[0].evidence
    if quick is not None:
        assert quick == full.vnm_by_reading  # type: ignore[union-attr]
