"""Averaging over a period (`rvc average`; SOR/2020-155 s. 16): pure, as the rest of the engine.

A producer may qualify its vehicles on averages rather than one by one. The input is the
variants of a period, each one workbook evaluated as `rvc check` evaluates it (its own
requirements under both readings of core parts, on its own `as_of`) with the units of it
produced (or exported) in the period. The output is one average per group of the category
chosen, each with its verdict:

* **Categories** (s. 16(1), 18(15)): `model-line-plant` (the same model line and class in the
  same plant), `class-plant` (the same class in the same plant), `model-line` (the same model
  line in one country), `class` (the same class in one country). A model line's vehicles
  subject to different vehicle-RVC requirements are averaged separately (s. 16(2)): passenger
  vehicles and light trucks share one (they are one group), heavy trucks have their own. In a
  group of two classes, a requirement the classes define apart (the LVC: 40% and 45%) is
  averaged over each class's vehicles.
* **Vehicle RVC** (s. 16(1), (8)): (sum of volume x net cost - sum of volume x VNM) / sum of
  volume x net cost, under each reading, against the threshold in force for the period.
* **Core parts** (s. 14(12), 16(10)): each category's RVC over the period (the parts' own RVCs
  weighted by value x volume) and the super-core's; once one *exceeds* the threshold every
  part averaged in it counts as originating, in every variant. Parts that thereby originate
  change the VNM of their variant: the caller re-evaluates those variants with the categories
  of `period_core(...)` and hands the figures back (`with_figures`).
* **Steel and aluminum** (s. 17(1), (7), (9)): the producer's Table S purchases over the
  period. They are the producer's, not a vehicle's, so they are summed, not weighted by
  volume; a purchase list that several variants repeat (the producer's list copied into each
  workbook) counts once.
* **LVC** (s. 18(15), (18)): with the net cost formula, sum of volume x (high-wage material +
  labor) over sum of volume x net cost; the technology and assembly credits (the producer's,
  annual) weighted by volume. With the annual purchase value formula the figures are annual
  already: each variant's points weigh by its volume. Variants of one group must use one
  formula.

**The thresholds in force for the period are those of its last day** (`Period.decides`).
Thresholds change on July 1, and the first and transitional periods of s. 16(4), (5) are
aligned on July 1, so for every period the regulation names but one the thresholds are the same
on each of its days, and the last day is as good as the first. The exception is the s. 16(4)
first period (July 2020 to the end of a fiscal year beginning before July 2021), and any period
a producer chooses across a July 1: there the thresholds rise inside the period, and the last
day's are the strictest (every figure of the rule pack only rises), so an average never claims
origin that a stage of its period would deny. The report names each change inside the period
and how the average fares against the earlier stage. A variant whose own `as_of` has other
thresholds than the period's last day is evaluated again on that day for the average.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal, localcontext

from rvc import __version__
from rvc.errors import RvcError
from rvc.model import Production
from rvc.money import HUNDRED, ZERO, fmt_amount, fmt_number, fmt_percent, fmt_threshold
from rvc.results import (
    READINGS,
    AveragedCoreEvidence,
    AveragedLvcEvidence,
    AveragedMetalEvidence,
    AveragedRvcEvidence,
    CategoryAverage,
    Contribution,
    CoreGap,
    CorePartFigure,
    CorePartsEvidence,
    CoreReading,
    LvcEvidence,
    MetalEvidence,
    Note,
    ReadingOutcome,
    RequirementResult,
    Status,
    VehicleRvcEvidence,
    Verdict,
    verdict_of,
)
from rvc.rulepack.in_force import ORDER
from rvc.rulepack.schema import AnyRequirement, Entry, LvcEntry, MetalEntry, RulePack, RvcEntry

CATEGORIES: dict[str, tuple[str, ...]] = {
    "model-line-plant": ("country", "plant", "model_line", "vehicle_class"),
    "class-plant": ("country", "plant", "vehicle_class"),
    "model-line": ("country", "model_line"),
    "class": ("country", "vehicle_class"),
}
"""Each category (s. 16(1)(a)-(c)) and the fields its vehicles share."""
CATEGORY_CITATION = {
    "model-line-plant": "s. 16(1)(a)",
    "class-plant": "s. 16(1)(b)",
    "model-line": "s. 16(1)(c)",
    "class": "s. 16(1)(c)",
}
ELECTION_CITATION = {
    "model-line-plant": "s. 16(3)(a), 18(16)(a)(i)",
    "class-plant": "s. 16(3)(b), 18(16)(a)(ii)",
    "model-line": "s. 16(3)(c), 18(16)(a)(iii)",
    "class": "s. 16(3)(c), 18(16)(a)(iii)",
}
AVERAGING_CITATION = {
    "vehicle_rvc": "averaged under SOR/2020-155 s. 16(1), (8)",
    "core_parts": "averaged under SOR/2020-155 s. 14(12), 16(10)",
    "metal_share": "over the period under SOR/2020-155 s. 17(7), (9)",
    "lvc": "averaged under SOR/2020-155 s. 18(15), (18)",
}
TRANSITIONAL: dict[str, tuple[tuple[date, date | None, str], ...]] = {
    "passenger_vehicle": (
        (date(2020, 7, 1), date(2021, 6, 30), "s. 16(5)(a)(i)"),
        (date(2021, 7, 1), date(2022, 6, 30), "s. 16(5)(a)(ii)"),
        (date(2022, 7, 1), date(2023, 6, 30), "s. 16(5)(a)(iii)"),
        (date(2023, 7, 1), None, "s. 16(5)(a)(iv)"),
    ),
    "heavy_truck": (
        (date(2023, 7, 1), date(2024, 6, 30), "s. 16(5)(b)(i)"),
        (date(2024, 7, 1), date(2025, 6, 30), "s. 16(5)(b)(ii)"),
        (date(2025, 7, 1), date(2026, 6, 30), "s. 16(5)(b)(iii)"),
        (date(2026, 7, 1), date(2027, 6, 30), "s. 16(5)(b)(iv)"),
        (date(2027, 7, 1), None, "s. 16(5)(b)(v)"),
    ),
}
"""The optional transitional periods of s. 16(5); `None`: until the end of the fiscal year.
Light trucks share the passenger vehicles' periods (s. 16(5)(a))."""
TRANSITIONAL["light_truck"] = TRANSITIONAL["passenger_vehicle"]
FIRST_PERIOD_START = date(2020, 7, 1)
"""s. 16(4): a fiscal year beginning after July 1, 2020 and before July 1, 2021 may be
averaged from July 1, 2020 to its end."""
TOP_CONTRIBUTIONS = 10


# --- input --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Variant:
    """One workbook of a period: a variant as `rvc check` evaluates it, with its volume."""

    path: str
    sha256: str
    vehicle: dict[str, str]
    production: Production
    net_cost: Decimal
    currency: str
    as_of: date
    requirements: tuple[RequirementResult, ...]
    readings: tuple[ReadingOutcome, ...]
    as_of_source: str = "workbook"
    """Where `as_of` comes from: the workbook's as_of (`workbook`), its period_end (`period`),
    or neither (`today`: --period's last day, else today)."""
    purchases: dict[str, str] = field(default_factory=dict)
    """Each metal's purchase rows, as a digest: a list repeated in several workbooks is the
    producer's list, counted once."""
    notes: int = 0
    locations: dict[str, str] = field(default_factory=dict)
    """Where each Vehicle field was read (`a.xlsx: Vehicle!B9`), for located errors."""
    figures: tuple[RequirementResult, ...] | None = None
    """The requirements evaluated for the period (on its last day, with the core-part
    categories its averages make originating), when they differ from the variant's own
    (`requirements`, on its own `as_of`, as `rvc check` gives them)."""
    rescue: dict[str, dict[str, Decimal]] | None = None
    """What making each core-part category originate changes in its VNM, per reading
    (`rvc.engine.rescue_deltas`): what an average over the period that rescues some of its
    categories gives, without evaluating the variant again. None: evaluate it again."""
    period_vnm: dict[str, Decimal] | None = None
    """The VNM under each reading as the period counts it, when worked out from `rescue`."""
    requirements_json: str = ""
    """Its requirements as `rvc check`'s JSON report writes them (with their drivers and
    "what it would take", which `requirements` leaves out), rendered where the workbook was
    read: the process that writes the average only splices them in."""

    @property
    def model_line(self) -> str:
        """The model line (also the model name of the election)."""
        return self.vehicle.get("model_line", "")

    @property
    def vehicle_class(self) -> str:
        """passenger_vehicle, light_truck or heavy_truck."""
        return self.vehicle.get("vehicle_class", "")

    def key(self, name: str) -> str:
        """A category field: model_line, vehicle_class, plant or country."""
        if name == "country":
            return self.production.country or ""
        return self.vehicle.get(name, "")

    def volume(self, exported_only: bool) -> int:
        """The units counted: produced, or only those exported."""
        production = self.production
        if exported_only:
            return production.volume_exported or 0
        return production.volume or 0

    def result(self, requirement: str) -> RequirementResult | None:
        """The variant's own result of a requirement id."""
        return next((r for r in self.requirements if r.id == requirement), None)

    def in_period(self, requirement: str) -> RequirementResult | None:
        """The result of a requirement id as the period counts it (what is averaged)."""
        found = self.figures if self.figures is not None else self.requirements
        return next((r for r in found if r.id == requirement), None)

    @property
    def verdict(self) -> Verdict:
        """The variant's own verdict (as `rvc check` gives it)."""
        return verdict_of([r.status for r in self.requirements])

    def own_vnm(self) -> dict[str, Decimal] | None:
        """The VNM of one vehicle under each reading, on its own."""
        return _vnm(self.result("vehicle-rvc"))

    def vnm_in_period(self) -> dict[str, Decimal] | None:
        """The VNM of one vehicle under each reading, as the period counts it."""
        if self.period_vnm is not None:
            return dict(self.period_vnm)
        return _vnm(self.in_period("vehicle-rvc"))

    def where(self, name: str) -> str:
        """Where a Vehicle field is (or would be) in the workbook."""
        return self.locations.get(name) or f"{self.path}: sheet 'Vehicle'"


def _vnm(found: RequirementResult | None) -> dict[str, Decimal] | None:
    evidence = found.evidence if found is not None else None
    if isinstance(evidence, VehicleRvcEvidence) and evidence.vnm_by_reading:
        return dict(evidence.vnm_by_reading)
    return None


def with_figures(
    v: Variant,
    figures: tuple[RequirementResult, ...],
    rescue: dict[str, dict[str, Decimal]] | None,
) -> Variant:
    """The variant with its requirements as the period counts them, and what rescuing its
    core parts changes then."""
    return replace(v, figures=figures, rescue=rescue)


def rescued(v: Variant, categories: frozenset[str]) -> Variant | None:
    """The variant with the VNM the period counts when its average rescues `categories`,
    worked out from `Variant.rescue`; None when the variant must be evaluated again."""
    base = v.vnm_in_period()
    if v.rescue is None or base is None:
        return None
    vnm = dict(base)
    with localcontext() as context:
        context.prec = 40
        for category in categories:
            for reading, delta in v.rescue.get(category, {}).items():
                vnm[reading] += delta
    return replace(v, period_vnm=vnm)


# --- output -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Period:
    """The averaging period and where it comes from (`option`: --period; `workbooks`: their
    period_start and period_end)."""

    start: date
    end: date
    source: str
    fiscal_year_start: date | None = None

    def __str__(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    @property
    def decides(self) -> date:
        """The day whose thresholds apply: the period's last (see the module's docstring)."""
        return self.end


@dataclass(frozen=True, slots=True)
class Excluded:
    """A workbook left out of every average, and why."""

    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class Election:
    """What the producer files to average (s. 16(3), 18(16)), from the same workbooks."""

    category: str
    citation: str
    basis: str
    period_start: date
    period_end: date
    producers: tuple[str, ...]
    model_lines: tuple[str, ...]
    vehicle_classes: tuple[str, ...]
    hs_subheadings: tuple[str, ...]
    plants: tuple[tuple[str, str], ...]
    """(plant, country) of each plant: the location the election states."""
    estimated_lvc: Decimal | None
    missing: tuple[str, ...]
    """What the election must state and the workbooks do not give."""


@dataclass(frozen=True, slots=True)
class GroupAverage:
    """One group of the category (one model line in one plant, one class in one country...)
    over the period: its variants, the averaged requirements and its verdict."""

    key: dict[str, str]
    label: str
    vehicle_classes: tuple[str, ...]
    variants: tuple[Variant, ...]
    volume: int
    currency: str
    requirements: tuple[RequirementResult, ...]
    readings: tuple[ReadingOutcome, ...]
    period_kind: str
    period_citation: str
    election: Election
    notes: tuple[Note, ...]

    @property
    def verdict(self) -> Verdict:
        """pass only when every averaged requirement passes."""
        return verdict_of([r.status for r in self.requirements])

    @property
    def verdict_depends_on_reading(self) -> bool:
        """Whether the two readings of core parts give different verdicts."""
        return len({r.verdict for r in self.readings}) > 1

    def result(self, requirement: str) -> RequirementResult | None:
        """The averaged result of a requirement id."""
        return next((r for r in self.requirements if r.id == requirement), None)


@dataclass(frozen=True, slots=True)
class PeriodAverage:
    """Every group's average over the period, the workbooks left out, and the choices made."""

    category: str
    exported_only: bool
    period: Period
    core_reading: CoreReading
    rules: dict[str, str]
    groups: tuple[GroupAverage, ...]
    excluded: tuple[Excluded, ...]
    notes: tuple[Note, ...]
    tool_version: str = __version__

    @property
    def verdict(self) -> Verdict:
        """The worst group's verdict; incomplete when no workbook could be averaged."""
        if not self.groups:
            return Verdict.INCOMPLETE
        verdicts = {g.verdict for g in self.groups}
        for worst in (Verdict.FAIL, Verdict.INCOMPLETE):
            if worst in verdicts:
                return worst
        return Verdict.PASS

    @property
    def basis(self) -> str:
        """`all` vehicles of the category, or only those `exported` (s. 16(1))."""
        return "exported" if self.exported_only else "all"

    @property
    def variants(self) -> int:
        """Workbooks averaged, over every group."""
        return sum(len(g.variants) for g in self.groups)


# --- the period -----------------------------------------------------------------------------


def resolve_period(variants: Sequence[Variant], option: tuple[date, date] | None) -> Period:
    """The period: `--period`, else the one every workbook states (period_start, period_end).

    Raises a located `RvcError` when there is neither, or when workbooks state different
    periods without `--period`. The fiscal year is the included workbooks' (`with_fiscal_year`).
    """
    fiscal = None
    if option is not None:
        return Period(option[0], option[1], "option", fiscal)
    first: Variant | None = None
    for v in variants:
        start, end = v.production.period_start, v.production.period_end
        if start is None or end is None:
            name = "period_start" if start is None else "period_end"
            raise RvcError(
                v.where(name),
                f"{name} is missing and no --period is given",
                "period_start and period_end on every Vehicle sheet, or --period FROM..TO",
            )
        if first is None:
            first = v
            continue
        if (start, end) != (first.production.period_start, first.production.period_end):
            raise RvcError(
                v.where("period_start"),
                f"the period is {start.isoformat()}..{end.isoformat()} but {first.path} states "
                f"{_period_text(first.production)}",
                "one period for every workbook, or --period FROM..TO to average workbooks "
                "of shorter periods inside it",
            )
    if first is None:
        raise RvcError("rvc average", "no workbook to average", "one or more workbooks")
    assert first.production.period_start is not None and first.production.period_end is not None
    return Period(first.production.period_start, first.production.period_end, "workbooks", fiscal)


def _period_text(production: Production) -> str:
    start, end = production.period_start, production.period_end
    return f"{start.isoformat() if start else '?'}..{end.isoformat() if end else '?'}"


def with_fiscal_year(period: Period, variants: Sequence[Variant]) -> Period:
    """The period with the producer's fiscal year, which every workbook averaged that states
    it must agree on (a located `RvcError` otherwise)."""
    return replace(period, fiscal_year_start=_fiscal_year_start(variants))


def _fiscal_year_start(variants: Sequence[Variant]) -> date | None:
    """The producer's fiscal year start, which every workbook that states it must agree on."""
    first: Variant | None = None
    for v in variants:
        stated = v.production.fiscal_year_start
        if stated is None:
            continue
        if first is None:
            first = v
        elif (stated.month, stated.day) != _month_day(first.production.fiscal_year_start):
            raise RvcError(
                v.where("fiscal_year_start"),
                f"fiscal_year_start is {stated.isoformat()} but {first.path} states "
                f"{first.production.fiscal_year_start}",
                "the producer's one fiscal year in every workbook",
            )
    return first.production.fiscal_year_start if first is not None else None


def _month_day(day: date | None) -> tuple[int, int]:
    return (day.month, day.day) if day is not None else (0, 0)


def fiscal_year_of(fiscal_start: date, day: date) -> tuple[date, date]:
    """The producer's fiscal year containing `day`, from the first day of any fiscal year.

    >>> fiscal_year_of(date(2024, 1, 1), date(2023, 7, 1))
    (datetime.date(2023, 1, 1), datetime.date(2023, 12, 31))
    >>> fiscal_year_of(date(2020, 7, 1), date(2024, 6, 30))
    (datetime.date(2023, 7, 1), datetime.date(2024, 6, 30))
    """

    def anniversary(year: int) -> date:
        day_of_month = min(fiscal_start.day, 28 if fiscal_start.month == 2 else 31)
        return date(year, fiscal_start.month, day_of_month)

    start = anniversary(day.year)
    if start > day:
        start = anniversary(day.year - 1)
    return start, anniversary(start.year + 1) - timedelta(days=1)


def classify(period: Period, vehicle_class: str) -> tuple[str, str]:
    """What kind of averaging period this is for a class, and its citation; ("", "") when it
    is none that s. 16 names for the vehicle RVC (the fiscal year; s. 16(4), (5))."""
    start, end, fiscal = period.start, period.end, period.fiscal_year_start
    if fiscal is not None and fiscal_year_of(fiscal, start) == (start, end):
        return "the producer's fiscal year", "s. 16(1)"
    for first, last, citation in TRANSITIONAL.get(vehicle_class, ()):
        if start == first:
            kind = _transitional(period, last)
            if kind:
                return kind, citation
    if fiscal is not None and start == FIRST_PERIOD_START:
        begins, ends = fiscal_year_of(fiscal, start + timedelta(days=366))
        if FIRST_PERIOD_START < begins < date(2021, 7, 1) and end == ends:
            return "first period, to the end of the fiscal year beginning after July 1, 2020", (
                "s. 16(4)"
            )
    return "", ""


def _transitional(period: Period, last: date | None) -> str:
    """Whether a period that starts as a transitional one of s. 16(5) is one ("" if not)."""
    end, fiscal = period.end, period.fiscal_year_start
    if last is not None:
        return "transitional period" if end == last else ""
    if fiscal is None:
        return (
            f"transitional period to the end of the fiscal year (if {end.isoformat()} ends it: "
            "no fiscal_year_start given)"
        )
    if fiscal_year_of(fiscal, period.start)[1] == end:
        return "transitional period to the end of the fiscal year"
    return ""


def changes(
    pack: RulePack, classes: Iterable[str], requirement: AnyRequirement | None = None
) -> list[tuple[date, str]]:
    """The dates on which a requirement's figures change for some classes, with what changes;
    for the vehicle RVC also the core-part and part-table thresholds that decide its VNM;
    without a requirement, every change of the classes' rules."""
    sources: dict[int, tuple[str, Sequence[Entry]]] = {}
    for cls in classes:
        for r in pack.requirements_for(cls):
            if (
                requirement is None
                or r is requirement
                or (requirement.kind == "vehicle_rvc" and r.kind == "core_parts")
            ):
                sources[id(r)] = (r.id, r.thresholds)
        if requirement is None or requirement.kind == "vehicle_rvc":
            for table in pack.tables_for(cls):
                sources[id(table)] = (table.title, table.thresholds)
    found: set[tuple[date, str]] = set()
    for name, entries in sources.values():
        for before, after in zip(entries, entries[1:], strict=False):
            if _figures(before) != _figures(after):
                found.add((after.from_, f"{name} {_shown(before)} -> {_shown(after)}"))
    return sorted(found)


def same_rules(pack: RulePack, vehicle_class: str, one: date, other: date) -> bool:
    """Whether a class's thresholds are the same on two dates (no change between them)."""
    low, high = min(one, other), max(one, other)
    return not any(low < day <= high for day, _ in changes(pack, [vehicle_class]))


def _figures(entry: Entry) -> dict[str, object]:
    return entry.model_dump(exclude={"from_", "citation", "status", "note"})


def _shown(entry: Entry) -> str:
    if isinstance(entry, LvcEntry):
        return (
            f"{fmt_threshold(entry.min_total_percent)} "
            f"({fmt_number(entry.min_material_and_manufacturing_points, 0)} points)"
        )
    if isinstance(entry, MetalEntry) and entry.melted_and_poured_required:
        return f"{fmt_threshold(entry.min_percent)} melted and poured"
    percent = getattr(entry, "min_percent", None)
    return fmt_threshold(percent) if isinstance(percent, Decimal) else entry.from_.isoformat()


def straddled(period: Period, found: Iterable[tuple[date, str]]) -> list[tuple[date, str]]:
    """The changes inside the period (after its first day, up to its last)."""
    return [(day, text) for day, text in found if period.start < day <= period.end]


# --- which workbooks ------------------------------------------------------------------------


def select(
    variants: Sequence[Variant],
    period: Period,
    exported_only: bool,
    only: dict[str, str],
) -> tuple[list[Variant], list[Excluded]]:
    """The variants in the period and the category asked for; the others, with the reason.

    A workbook is in the period when its own period lies inside it; one without a period when
    its as_of does (without either, it is taken to cover the period, and said so); `only`
    holds category fields asked for (`--plant Oshawa`)."""
    kept: list[Variant] = []
    left: list[Excluded] = []
    for v in variants:
        reason = _outside(v, period, exported_only, only)
        if reason:
            left.append(Excluded(v.path, reason))
        else:
            kept.append(v)
    return kept, left


OPTION = {"model_line": "--model-line", "plant": "--plant", "vehicle_class": "--class",
          "country": "--country"}  # fmt: skip


def check_only(category: str, only: dict[str, str]) -> None:
    """The fields asked for must be ones the category's groups share: leaving some vehicles of
    a group out of its average is not allowed (all vehicles of the category count, s. 16(8))."""
    allowed = CATEGORIES[category]
    for name in only:
        if name not in allowed:
            raise RvcError(
                OPTION[name],
                f"does not name a {category} group (its vehicles need not share the "
                f"{name.replace('_', ' ')}), and an average must include every vehicle of the "
                "category (s. 16(8))",
                f"only {', '.join(OPTION[f] for f in allowed)} with --category {category}",
            )


def _outside(v: Variant, period: Period, exported_only: bool, only: dict[str, str]) -> str:
    start, end = v.production.period_start, v.production.period_end
    if start is None and v.as_of_source == "workbook" and not period.start <= v.as_of <= period.end:
        return (
            f"outside the period {period}: its as_of is {v.as_of.isoformat()} (it gives no "
            "period_start and period_end)"
        )
    if start is not None and end is not None and not (period.start <= start <= end <= period.end):
        overlaps = start <= period.end and end >= period.start
        return (
            f"{'partly ' if overlaps else ''}outside the period {period}: its volume is for "
            f"{_period_text(v.production)}"
        )
    for name, wanted in only.items():
        if _same(v.key(name), wanted):
            continue
        return f"not in the category asked for: {name} is {v.key(name)!r}, not {wanted!r}"
    if exported_only and not v.volume(True):
        return "no vehicle exported in the period (volume_exported 0; --exported-only)"
    return ""


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def group(variants: Sequence[Variant], category: str, pack: RulePack) -> list[list[Variant]]:
    """The variants by the fields their category shares (text compared ignoring case and
    repeated spaces), in sorted order. Without the class among the fields (`model-line`), the
    vehicles subject to different vehicle-RVC requirements are apart (s. 16(2)): passenger
    vehicles and light trucks share theirs, heavy trucks have their own."""
    fields = CATEGORIES[category]
    groups: dict[tuple[str, ...], list[Variant]] = {}
    for v in variants:
        key = tuple(" ".join(v.key(f).split()).casefold() for f in fields)
        if "vehicle_class" not in fields:
            key += (_rvc_requirement(pack, v.vehicle_class),)
        groups.setdefault(key, []).append(v)
    return [groups[k] for k in sorted(groups)]


def _rvc_requirement(pack: RulePack, vehicle_class: str) -> str:
    """The classes that share a class's vehicle-RVC requirement (its rule's `applies_to`)."""
    for req in pack.requirements_for(vehicle_class):
        if req.kind == "vehicle_rvc":
            return ",".join(sorted(req.applies_to))
    return vehicle_class


def check_currency(variants: Sequence[Variant]) -> None:
    """Every workbook of an average in one currency: their amounts are summed."""
    if not variants:
        return
    first = variants[0]
    for v in variants[1:]:
        if v.currency != first.currency:
            raise RvcError(
                v.where("currency"),
                f"currency is {v.currency} but {first.path} is in {first.currency}",
                "every workbook of an average in one currency, so that their amounts add up",
            )


# --- core parts over the period ------------------------------------------------------------


def _core_evidence(v: Variant) -> CorePartsEvidence | None:
    found = v.in_period("core-parts")
    evidence = found.evidence if found is not None else None
    return evidence if isinstance(evidence, CorePartsEvidence) else None


def core_averages(
    variants: Sequence[Variant], threshold: Decimal, exported_only: bool
) -> tuple[list[CategoryAverage], CategoryAverage, set[str]]:
    """Each category's RVC over the period and the super-core's: every part's own RVC weighted
    by its value x the variant's volume (the EV battery under its own rule stays out, as in
    one BOM); the categories whose parts all originate because an average exceeds it."""
    sums: dict[str, list[Decimal]] = {}
    counts: dict[str, int] = {}
    for v in variants:
        evidence = _core_evidence(v)
        if evidence is None:
            continue
        volume = Decimal(v.volume(exported_only))
        for category in evidence.categories:
            for part in category.parts:
                exact = part.originating_value  # None exactly when its RVC is unknown
                if part.own_product_specific_rule or exact is None:
                    continue
                total = sums.setdefault(part.category, [ZERO, ZERO])
                total[0] += volume * HUNDRED * exact
                total[1] += volume * part.value_in_vehicle
                counts[part.category] = counts.get(part.category, 0) + 1
    averages = [
        _category_average(name, num, den, counts[name], threshold)
        for name, (num, den) in sums.items()
    ]
    numerator = sum((s[0] for s in sums.values()), ZERO)
    denominator = sum((s[1] for s in sums.values()), ZERO)
    super_core = _category_average(
        "super_core", numerator, denominator, sum(counts.values()), threshold
    )
    rescued = {a.category for a in averages if a.exceeds}
    if super_core.exceeds:
        rescued = set(sums)
    return averages, super_core, rescued


def _category_average(
    name: str, numerator: Decimal, denominator: Decimal, parts: int, threshold: Decimal
) -> CategoryAverage:
    value = numerator / denominator if denominator else None
    return CategoryAverage(name, value, denominator, parts, value is not None and value > threshold)


def period_core(
    variants: Sequence[Variant],
    pack: RulePack,
    period: Period,
    category: str,
    exported_only: bool,
) -> dict[str, frozenset[str]]:
    """For each variant that has a core part not originating on its own in a category the
    period's average rescues, those categories: the caller re-evaluates the variant with
    them (`evaluate(..., period_core=...)`) and hands its figures back (`with_figures`)."""
    out: dict[str, frozenset[str]] = {}
    with localcontext() as context:
        context.prec = 40
        for members in group(variants, category, pack):
            entry = _core_entry(pack, period, members[0].vehicle_class)
            if entry is None:
                continue
            _, _, rescued = core_averages(members, entry.min_percent, exported_only)
            for v in members:
                evidence = _core_evidence(v)
                if evidence is None:
                    continue
                needed = {
                    p.category
                    for c in evidence.categories
                    for p in c.parts
                    if not p.originating and not p.own_product_specific_rule
                    and p.category in rescued
                }  # fmt: skip
                if needed:
                    out[v.path] = frozenset(needed)
    return out


def _core_entry(pack: RulePack, period: Period, vehicle_class: str) -> RvcEntry | None:
    """The core-part threshold for the period (on its last day), if the class has one."""
    core = pack.at(period.decides, vehicle_class).core
    return core.entry if core is not None else None


# --- the averages ---------------------------------------------------------------------------


@dataclass(slots=True)
class _Context:
    """What every requirement of one group is averaged with."""

    pack: RulePack
    period: Period
    variants: list[Variant]
    exported_only: bool
    reading: CoreReading
    currency: str
    notes: list[Note]

    def volume(self, v: Variant) -> Decimal:
        return Decimal(v.volume(self.exported_only))

    @property
    def total_volume(self) -> int:
        return sum(v.volume(self.exported_only) for v in self.variants)


Averager = Callable[[_Context, AnyRequirement, Entry], RequirementResult]


def average(
    variants: Sequence[Variant],
    pack: RulePack,
    *,
    category: str,
    period: Period,
    exported_only: bool,
    reading: CoreReading,
    excluded: Sequence[Excluded] = (),
    notes: Sequence[Note] = (),
) -> PeriodAverage:
    """Average the variants of the period by category: one `GroupAverage` per group."""
    with localcontext() as context:
        context.prec = 40
        groups = tuple(
            _group(members, pack, category, period, exported_only, reading)
            for members in group(variants, category, pack)
        )
    return PeriodAverage(
        category=category,
        exported_only=exported_only,
        period=period,
        core_reading=reading,
        rules={"id": pack.pack.id, "version": pack.pack.version, "sha256": pack.sha256},
        groups=groups,
        excluded=tuple(excluded),
        notes=tuple(notes),
    )


CLASS_ORDER = ("passenger_vehicle", "light_truck", "heavy_truck")
AVERAGED = (AveragedRvcEvidence, AveragedCoreEvidence, AveragedMetalEvidence, AveragedLvcEvidence)


def _group(
    members: list[Variant],
    pack: RulePack,
    category: str,
    period: Period,
    exported_only: bool,
    reading: CoreReading,
) -> GroupAverage:
    first = members[0]
    present = {v.vehicle_class for v in members}
    classes = tuple(c for c in (*CLASS_ORDER, *sorted(present)) if c in present)
    classes = tuple(dict.fromkeys(classes))
    notes = _group_notes(pack, period, members, exported_only)
    kind, citation = classify(period, first.vehicle_class)
    results = []
    for req, entry, subset in _definitions(pack, period, members):
        if entry is None:
            results.append(_not_in_force(req, period))
            continue
        ctx = _Context(pack, period, subset, exported_only, reading, first.currency, notes)
        result = AVERAGERS[req.kind](ctx, req, entry)
        inside = straddled(period, changes(pack, {v.vehicle_class for v in subset}, req))
        if inside:
            result = _straddling(result, req, period, inside)
        if len(subset) < len(members):
            apart: tuple[str, ...] = tuple(c for c in classes if c in req.applies_to)
            shown = ", ".join(apart)
            evidence = result.evidence
            if isinstance(evidence, AVERAGED):
                evidence = replace(evidence, vehicle_classes=apart)
            result = replace(
                result,
                title=f"{result.title} ({shown})",
                message=f"{shown}: {result.message}",
                evidence=evidence,
            )
        results.append(result)
    key = {name: first.key(name) for name in CATEGORIES[category]}
    return GroupAverage(
        key=key,
        label=_label(key, classes),
        vehicle_classes=classes,
        variants=tuple(members),
        volume=sum(v.volume(exported_only) for v in members),
        currency=first.currency,
        requirements=tuple(results),
        readings=_readings(results),
        period_kind=kind,
        period_citation=citation,
        election=_election(members, category, period, exported_only, results),
        notes=tuple(notes),
    )


def _definitions(
    pack: RulePack, period: Period, members: list[Variant]
) -> list[tuple[AnyRequirement, Entry | None, list[Variant]]]:
    """Each requirement the group's classes have, with its entry in force on the period's
    last day and the variants it applies to (all of them, unless the classes define it apart,
    as the LVC of passenger vehicles and of light trucks)."""
    seen: set[int] = set()
    out: list[tuple[AnyRequirement, Entry | None, list[Variant]]] = []
    for cls in sorted({v.vehicle_class for v in members}, key=_class_rank):
        for resolved in pack.at(period.decides, cls).requirements:
            req = resolved.requirement
            if id(req) in seen:
                continue
            seen.add(id(req))
            subset = [v for v in members if v.vehicle_class in req.applies_to]
            out.append((req, resolved.entry, subset))
    out.sort(key=lambda item: ORDER.index(item[0].kind))
    return out


def _class_rank(name: str) -> int:
    return CLASS_ORDER.index(name) if name in CLASS_ORDER else len(CLASS_ORDER)


def _group_notes(
    pack: RulePack, period: Period, members: list[Variant], exported_only: bool
) -> list[Note]:
    vehicle_class = members[0].vehicle_class
    notes: list[Note] = []
    kind, _ = classify(period, vehicle_class)
    if not kind:
        notes.append(
            Note(
                "period-not-named",
                "",
                f"the period {period} is not one s. 16 names for averaging the vehicle RVC "
                "(the producer's fiscal year, s. 16(1), with fiscal_year_start; the first and "
                "transitional periods of s. 16(4), (5)): the average is shown, but a producer "
                "can elect only those periods",
            )
        )
    for v in members:
        if v.production.period_start is None or v.production.period_end is None:
            notes.append(
                Note(
                    "no-period-in-workbook",
                    v.path,
                    f"no period_start or period_end: its volume ({v.volume(exported_only):,}) "
                    f"is taken to be the units of the period {period}",
                )
            )
        if v.figures is not None and not same_rules(pack, v.vehicle_class, v.as_of, period.decides):
            notes.append(
                Note(
                    "evaluated-on-the-period",
                    v.path,
                    f"its own figures are on its as_of {v.as_of.isoformat()}, whose thresholds "
                    f"differ from the period's: the average counts it as evaluated on "
                    f"{period.decides.isoformat()}, the period's last day",
                )
            )
    return notes


def _label(key: dict[str, str], classes: tuple[str, ...]) -> str:
    parts = []
    if key.get("model_line"):
        parts.append(f"model line {key['model_line']}")
    parts.append(" and ".join(classes))
    if key.get("plant"):
        parts.append(f"plant {key['plant']}")
    if key.get("country"):
        parts.append(key["country"])
    return ", ".join(parts)


def _straddling(
    result: RequirementResult, req: AnyRequirement, period: Period, inside: list[tuple[date, str]]
) -> RequirementResult:
    """A requirement whose thresholds change inside the period: the last day's apply (the
    strictest); the message says so and how the average fares against each earlier stage."""
    changed = "; ".join(f"{day.isoformat()}: {text}" for day, text in inside)
    text = (
        f"{result.message}; the period straddles a change ({changed}): the thresholds of its "
        f"last day, {period.decides.isoformat()}, apply (the strictest)"
    )
    for first, last, figure in _stages(req, period)[:-1]:
        if result.value is None or figure is None:
            continue
        meets = "meets" if result.value >= figure else "misses"
        text += (
            f"; the average {meets} the {fmt_threshold(figure)} of {first.isoformat()}.."
            f"{last.isoformat()}"
        )
    return replace(result, message=text)


def _stages(req: AnyRequirement, period: Period) -> list[tuple[date, date, Decimal | None]]:
    """The requirement's stages inside the period, each with its main figure."""
    out = []
    entries = list(req.thresholds)
    for n, entry in enumerate(entries):
        ends = entries[n + 1].from_ - timedelta(days=1) if n + 1 < len(entries) else date.max
        first, last = max(entry.from_, period.start), min(ends, period.end)
        if first <= last:
            figure = getattr(entry, "min_percent", None) or getattr(
                entry, "min_total_percent", None
            )
            out.append((first, last, figure))
    return out


def _result(
    req: AnyRequirement,
    entry: Entry | None,
    *,
    status: Status,
    message: str,
    value: Decimal | None = None,
    threshold: Decimal | None = None,
    margin_amount: Decimal | None = None,
    evidence: (
        AveragedRvcEvidence | AveragedCoreEvidence | AveragedMetalEvidence | AveragedLvcEvidence
    )
    | None = None,
) -> RequirementResult:
    citation = entry.citation if entry is not None else req.thresholds[0].citation
    return RequirementResult(
        id=req.id,
        kind=req.kind,
        title=req.title,
        status=status,
        message=message,
        value=value,
        threshold=threshold,
        citation=f"{citation}; {AVERAGING_CITATION.get(req.kind, 'averaged under s. 16')}",
        source_status=entry.status.value if entry is not None else "",
        in_force_from=entry.from_ if entry is not None else None,
        margin_points=(value - threshold) if value is not None and threshold is not None else None,
        margin_amount=margin_amount,
        evidence=evidence,
    )


def _not_in_force(req: AnyRequirement, period: Period) -> RequirementResult:
    first = req.thresholds[0].from_
    return _result(
        req,
        None,
        status=Status.NOT_EVALUATED,
        message=f"not evaluated: no threshold in force on {period.decides.isoformat()} (the "
        f"period's last day); the first applies from {first.isoformat()}",
    )


def _readings(results: list[RequirementResult]) -> tuple[ReadingOutcome, ...]:
    """The group's verdict under each reading (only the vehicle RVC can differ)."""
    out = []
    for name in READINGS:
        statuses = []
        value: Decimal | None = None
        status: Status | None = None
        for r in results:
            evidence = r.evidence
            if isinstance(evidence, AveragedRvcEvidence) and r.threshold is not None:
                value = evidence.rvcs[name]
                status = Status.PASS if value >= r.threshold else Status.FAIL
                statuses.append(status)
            else:
                statuses.append(r.status)
        out.append(ReadingOutcome(name, value, status, verdict_of(statuses)))
    return tuple(out)


# --- vehicle RVC ----------------------------------------------------------------------------


def _vehicle_rvc(ctx: _Context, req: AnyRequirement, entry: Entry) -> RequirementResult:
    """(sum of volume x net cost - sum of volume x VNM) / sum of volume x net cost (s. 16(8))."""
    assert isinstance(entry, RvcEntry)
    threshold = entry.min_percent
    missing = [v.path for v in ctx.variants if v.vnm_in_period() is None]
    if missing:
        return _result(
            req,
            entry,
            status=Status.NOT_EVALUATED,
            threshold=threshold,
            message=f"not evaluated: the vehicle RVC of {_paths(missing)} was not evaluated",
        )
    contributions = [_contribution(ctx, v, threshold) for v in ctx.variants]
    net_cost = sum((c.net_cost_total for c in contributions), ZERO)
    vnms: dict[str, Decimal] = {
        r: sum((c.vnm_total[r] for c in contributions), ZERO) for r in READINGS
    }
    rvcs: dict[str, Decimal] = {r: (net_cost - vnms[r]) * HUNDRED / net_cost for r in READINGS}
    allowed = net_cost * (HUNDRED - threshold) / HUNDRED
    reading = ctx.reading
    value, vnm = rvcs[reading], vnms[reading]
    contributions.sort(key=lambda c: (-c.above_allowance[reading], c.path))
    passed = value >= threshold
    headroom = allowed - vnm
    evidence = AveragedRvcEvidence(
        volume=ctx.total_volume,
        net_cost_total=net_cost,
        vnm_total=vnm,
        allowed_vnm_total=allowed,
        core_part_reading=reading,
        vnm_totals=vnms,
        rvcs=rvcs,
        contributions=tuple(contributions),
    )
    return _result(
        req,
        entry,
        status=Status.PASS if passed else Status.FAIL,
        message=_rvc_message(ctx, entry, evidence, headroom),
        value=value,
        threshold=threshold,
        margin_amount=headroom,
        evidence=evidence,
    )


def _contribution(ctx: _Context, v: Variant, threshold: Decimal) -> Contribution:
    vnm = v.vnm_in_period()
    assert vnm is not None
    own = v.own_vnm() or vnm
    volume = ctx.volume(v)
    allowed = v.net_cost * (HUNDRED - threshold) / HUNDRED
    return Contribution(
        path=v.path,
        model_line=v.model_line,
        volume=v.volume(ctx.exported_only),
        net_cost=v.net_cost,
        vnm={r: vnm[r] for r in READINGS},
        rvc={r: (v.net_cost - vnm[r]) * HUNDRED / v.net_cost for r in READINGS},
        own_rvc={r: (v.net_cost - own[r]) * HUNDRED / v.net_cost for r in READINGS},
        net_cost_total=volume * v.net_cost,
        vnm_total={r: volume * vnm[r] for r in READINGS},
        above_allowance={r: volume * (vnm[r] - allowed) for r in READINGS},
    )


def _rvc_message(ctx: _Context, entry: RvcEntry, e: AveragedRvcEvidence, headroom: Decimal) -> str:
    threshold = entry.min_percent
    value = e.rvcs[ctx.reading]
    relation = ">=" if value >= threshold else "<"
    currency = ctx.currency
    if headroom >= 0:
        money = f"{fmt_amount(headroom)} {currency} of headroom over the period"
    else:
        money = f"{fmt_amount(-headroom)} {currency} of non-originating content too much"
    text = (
        f"average RVC {fmt_percent(value, threshold)} {relation} {fmt_threshold(threshold)} "
        f"required from {entry.from_.isoformat()} over {len(ctx.variants)} variant"
        f"{'s' if len(ctx.variants) != 1 else ''} and {e.volume:,} vehicles: {money} (net cost "
        f"{fmt_number(e.net_cost_total)} {currency}, non-originating {fmt_number(e.vnm_total)} "
        f"{currency}; core parts read as {ctx.reading})"
    )
    worst = e.contributions[0] if e.contributions else None
    if worst is not None and worst.above_allowance[ctx.reading] > 0:
        text += (
            f"; pulled down most by {worst.path} ({fmt_amount(worst.above_allowance[ctx.reading])}"
            f" {currency} of non-originating content above what {fmt_threshold(threshold)} "
            f"allows its {worst.volume:,} vehicles)"
        )
    alone = [c for c in e.contributions if c.own_rvc[ctx.reading] < threshold]
    if alone and value >= threshold:
        many = len(alone) != 1
        text += (
            f"; {len(alone)} variant{'s' if many else ''} below {fmt_threshold(threshold)} on "
            f"{'their' if many else 'its'} own pass{'' if many else 'es'} through the average"
        )
    return text


# --- core parts -----------------------------------------------------------------------------


def _core_parts(ctx: _Context, req: AnyRequirement, entry: Entry) -> RequirementResult:
    """Every core part of every variant originates: on its own, or through the period's
    category or super-core average exceeding the threshold (s. 14(12), 16(10))."""
    assert isinstance(entry, RvcEntry)
    threshold = entry.min_percent
    categories, super_core, rescued = core_averages(ctx.variants, threshold, ctx.exported_only)
    gaps: list[CoreGap] = []
    none_found: list[str] = []
    through: set[str] = set()
    for v in ctx.variants:
        own = _core_evidence(v)
        if own is None:
            none_found.append(v.path)
            continue
        gaps.extend(_gaps(v, own, rescued))
        through |= {p.category for c in own.categories for p in c.parts
                    if p.how == "period_average" or _averaged_away(p, rescued)}  # fmt: skip
    evidence = AveragedCoreEvidence(
        threshold=threshold,
        categories=tuple(sorted(categories, key=lambda c: c.category)),
        super_core=super_core,
        rescued=tuple(sorted(rescued)),
        not_originating=tuple(gaps),
        no_core_parts=tuple(none_found),
    )
    if gaps:
        status = Status.FAIL
    elif none_found:
        status = Status.NOT_EVALUATED
    else:
        status = Status.PASS
    return _result(
        req,
        entry,
        status=status,
        message=_core_message(evidence, entry, status, sorted(through)),
        value=super_core.value,
        threshold=threshold,
        evidence=evidence,
    )


def _averaged_away(part: CorePartFigure, rescued: set[str]) -> bool:
    """A part not originating on its own that the period's average makes originating."""
    return not part.originating and part.category in rescued and not part.own_product_specific_rule


def _gaps(v: Variant, evidence: CorePartsEvidence, rescued: set[str]) -> list[CoreGap]:
    out = []
    for category in evidence.categories:
        for p in category.parts:
            if p.originating or (p.category in rescued and not p.own_product_specific_rule):
                continue
            reason = (
                "under its own product-specific rule (s. 14(6)): its declaration decides and no "
                "average covers it"
                if p.own_product_specific_rule
                else "not originating and its category's average over the period does not "
                "exceed the threshold, nor the super-core's"
            )
            out.append(CoreGap(v.path, p.part_number, p.row, p.category, p.rvc, reason))
    return out


def _core_message(
    e: AveragedCoreEvidence, entry: RvcEntry, status: Status, through: list[str]
) -> str:
    shown = fmt_threshold(e.threshold)
    sc = e.super_core
    figures = "; ".join(
        f"{c.category} {fmt_percent(c.value, e.threshold) if c.value is not None else 'n/a'}"
        for c in e.categories
    )
    head = (
        f"over the period (threshold {shown} from {entry.from_.isoformat()}, an average must "
        f"exceed it): {figures}; super-core "
        f"{fmt_percent(sc.value, e.threshold) if sc.value is not None else 'n/a'}"
    )
    if status is Status.FAIL:
        first = e.not_originating[0]
        more = len(e.not_originating) - 1
        return f"{head}; not originating: {first.path} {first.part_number} ({first.category})" + (
            f" and {more} more" if more else ""
        )
    if status is Status.NOT_EVALUATED:
        return f"not evaluated: no core parts found in {_paths(list(e.no_core_parts))}; {head}"
    return f"every core part originates; {head}" + (
        f"; some {', '.join(through)} parts only through the period's average" if through else ""
    )


# --- steel and aluminum ---------------------------------------------------------------------


def _metal(ctx: _Context, req: AnyRequirement, entry: Entry) -> RequirementResult:
    """The originating share of the producer's Table S purchases over the period: each
    distinct purchase list counted once, unweighted (purchases are the producer's, s. 17(1))."""
    assert isinstance(entry, MetalEntry)
    material = getattr(req, "material", req.id)
    seen: dict[str, str] = {}
    repeated: list[str] = []
    without: list[str] = []
    originating = total = ZERO
    for v in ctx.variants:
        found = v.in_period(req.id)
        evidence = found.evidence if found is not None else None
        if not isinstance(evidence, MetalEvidence):
            without.append(v.path)
            continue
        digest = v.purchases.get(material, v.path)
        if digest in seen:
            repeated.append(v.path)
            continue
        seen[digest] = v.path
        originating += evidence.originating_value
        total += evidence.total_value
    threshold = entry.min_percent
    evidence_out = AveragedMetalEvidence(
        material=material,
        originating_value=originating,
        total_value=total,
        lists=len(seen),
        repeated=tuple(repeated),
        without=tuple(without),
        melted_and_poured_required=entry.melted_and_poured_required,
        currency=ctx.currency,
    )
    if not total:
        return _result(
            req,
            entry,
            status=Status.NOT_EVALUATED,
            threshold=threshold,
            evidence=evidence_out,
            message=f"not evaluated: no variant lists Table S {material} purchases of any value",
        )
    value = originating * HUNDRED / total
    passed = value >= threshold
    text = (
        f"{material.capitalize()} {fmt_percent(value, threshold)} originating "
        f"{'>=' if passed else '<'} {fmt_threshold(threshold)} required from "
        f"{entry.from_.isoformat()} ({fmt_number(originating)} of {fmt_number(total)} "
        f"{ctx.currency}, {len(seen)} purchase list{'s' if len(seen) != 1 else ''}"
    )
    if repeated:
        text += f"; the list of {_paths(repeated)} repeats another's and counts once"
    if without:
        text += f"; {_paths(without)} list{'s' if len(without) == 1 else ''} none"
    return _result(
        req,
        entry,
        status=Status.PASS if passed else Status.FAIL,
        message=text + ")",
        value=value,
        threshold=threshold,
        margin_amount=originating - total * threshold / HUNDRED,
        evidence=evidence_out,
    )


# --- LVC ------------------------------------------------------------------------------------


def _lvc(ctx: _Context, req: AnyRequirement, entry: Entry) -> RequirementResult:
    """The LVC over the period (s. 18(15), (18)); see the module's docstring for the weights."""
    assert isinstance(entry, LvcEntry)
    figures: list[tuple[Variant, LvcEvidence]] = []
    missing: list[str] = []
    for v in ctx.variants:
        found = v.in_period(req.id)
        if found is not None and isinstance(found.evidence, LvcEvidence):
            figures.append((v, found.evidence))
        else:
            missing.append(v.path)
    required = entry.min_total_percent
    problem = ""
    if missing:
        problem = f"the LVC of {_paths(missing)} was not evaluated (no LVC sheet)"
    elif len({f.formula for _, f in figures}) > 1:
        problem = "the variants use different LVC formulas; an average needs one (s. 18(6))"
    if problem:
        return _result(
            req,
            entry,
            status=Status.NOT_EVALUATED,
            threshold=required,
            message=f"not evaluated: {problem}",
        )
    evidence = _lvc_figures(ctx, figures, entry)
    mm_ok = evidence.material_and_manufacturing >= evidence.minimum
    total_ok = evidence.total >= required
    text = (
        f"average LVC {fmt_percent(evidence.total, required)} {'>=' if total_ok else '<'} "
        f"{fmt_threshold(required)} required from {entry.from_.isoformat()} (material and "
        f"manufacturing {fmt_number(evidence.material_and_manufacturing)} "
        f"{'>=' if mm_ok else '<'} {fmt_number(evidence.minimum, 0)} points, technology "
        f"{fmt_number(evidence.technology)}, assembly {fmt_number(evidence.assembly)}; "
        f"{evidence.formula.replace('_', ' ')} formula, weighted by {evidence.weighting})"
    )
    return _result(
        req,
        entry,
        status=Status.PASS if mm_ok and total_ok else Status.FAIL,
        message=text,
        value=evidence.total,
        threshold=required,
        evidence=evidence,
    )


def _lvc_figures(
    ctx: _Context, figures: list[tuple[Variant, LvcEvidence]], entry: LvcEntry
) -> AveragedLvcEvidence:
    volume = sum((ctx.volume(v) for v, _ in figures), ZERO)
    formula = figures[0][1].formula
    if len({(f.technology, f.assembly) for _, f in figures}) > 1:
        ctx.notes.append(
            Note(
                "lvc-credits-differ",
                "",
                "the variants state different technology or assembly credits (the producer's, "
                "annual: normally the same in every workbook); the average weighs each by its "
                "volume",
            )
        )
    tech = sum((ctx.volume(v) * f.technology for v, f in figures), ZERO) / volume
    assembly = sum((ctx.volume(v) * f.assembly for v, f in figures), ZERO) / volume
    high_wage: Decimal | None = None
    denominator: Decimal | None = None
    if formula == "net_cost":
        high_wage = sum(
            (ctx.volume(v) * (f.high_wage_material + f.high_wage_labor) for v, f in figures), ZERO
        )
        denominator = sum((ctx.volume(v) * f.denominator for v, f in figures), ZERO)
        points = high_wage * HUNDRED / denominator
        weighting = "volume x net cost"
    else:
        points = sum((ctx.volume(v) * f.material_and_manufacturing for v, f in figures), ZERO)
        points /= volume
        weighting = "volume"
    return AveragedLvcEvidence(
        formula=formula,
        weighting=weighting,
        high_wage_total=high_wage,
        denominator_total=denominator,
        material_and_manufacturing=points,
        minimum=entry.min_material_and_manufacturing_points,
        technology=tech,
        technology_cap=entry.technology_cap_points,
        assembly=assembly,
        assembly_cap=entry.assembly_cap_points,
    )


AVERAGERS: dict[str, Averager] = {
    "vehicle_rvc": _vehicle_rvc,
    "core_parts": _core_parts,
    "metal_share": _metal,
    "lvc": _lvc,
}


# --- the election ---------------------------------------------------------------------------


def _election(
    members: list[Variant],
    category: str,
    period: Period,
    exported_only: bool,
    results: list[RequirementResult],
) -> Election:
    """What s. 16(3) (and s. 18(16) for the LVC) asks the producer to state, from the
    workbooks themselves, and what they do not give."""
    missing = _missing(members, category)
    lvc = next((r for r in results if r.kind == "lvc"), None)
    return Election(
        category=category,
        citation=ELECTION_CITATION[category],
        basis=(
            "only the vehicles of the category exported to another CUSMA country"
            if exported_only
            else "all vehicles of the category"
        ),
        period_start=period.start,
        period_end=period.end,
        producers=_distinct(v.vehicle.get("producer", "") for v in members),
        model_lines=_distinct(v.model_line for v in members),
        vehicle_classes=_distinct(v.vehicle_class for v in members),
        hs_subheadings=_distinct(v.vehicle.get("hs_subheading", "") for v in members),
        plants=tuple(
            sorted(
                {(v.vehicle["plant"], v.key("country")) for v in members if v.vehicle.get("plant")}
            )
        ),  # fmt: skip
        estimated_lvc=lvc.value if lvc is not None else None,
        missing=tuple(missing),
    )


def _missing(members: list[Variant], category: str) -> list[str]:
    """What the election states and a workbook does not give."""
    wanted = ["hs_subheading", "producer"]
    if "plant" not in CATEGORIES[category]:
        wanted.append("plant")
    what = {"hs_subheading": "tariff classification (hs_subheading)"}
    return [f"{what.get(name, name)} of {v.path}" for name in wanted for v in members
            if not v.vehicle.get(name)]  # fmt: skip


def _distinct(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted({v for v in values if v}))


def _paths(paths: list[str]) -> str:
    shown = ", ".join(paths[:3])
    return shown + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
