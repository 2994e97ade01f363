"""`rvc diff`: what changed between two evaluated BOMs, and how each requirement moved.

Pure, like the rest of the engine: two (bill, report) pairs evaluated on the same date with
the same rule pack and reading go in, a frozen `BomDiff` comes out; reporters only read it.

**Matching.** Lines are matched by their id: the part number, or, when either BOM is
level-coded (its ids are row keys, which shift when a row is inserted), the path of part
numbers from the top (`ASSY > SUB > PART`, with ` [2]` for a repeat under the same assembly),
so a level-coded export and the same BOM with a `parent` column still match.

**Classes.** A matched line is *re-sourced* when its declared origin, supplier, country,
`rvc_percent` or `core_part` changed (whatever else changed too), else *re-priced* when its
unit cost or quantity changed, else *other* when only its parent, HS code, description or
resourcing cost changed, else unchanged (counted, not listed).

**Effect.** A line's non-originating value in the vehicle is its share of the vehicle's VNM
under the reading applied, as the vehicle RVC's drivers split it (`vehicle_rvc.attribute`):
the amounts of all lines sum to the VNM, content that reaches the vehicle through an
assembly is attributed to the component it comes from. A change can also move lines that did
not change (an assembly crossing its threshold, a parent's quantity): that is the
`knock_on` amount, so the changed lines plus the knock-on add up to the VNM's change.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal

from rvc.engine.tree import Tree
from rvc.engine.vehicle_rvc import attribute
from rvc.model import BillOfMaterials, BomLine, Vehicle
from rvc.money import ZERO
from rvc.results import CoreReading, LineCounts, LineTable, Report, Status, Verdict

ADDED = "added"
REMOVED = "removed"
RESOURCED = "resourced"
REPRICED = "repriced"
OTHER = "other"
KINDS = (ADDED, REMOVED, RESOURCED, REPRICED, OTHER)
RECOUNTED = "recounted"
"""An unchanged line that counts differently now (originating -> non-originating, ...)."""

SOURCING = ("originating", "supplier", "country", "rvc_percent", "core_part")
PRICING = ("unit_cost", "quantity")
DESCRIBING = ("hs_code", "description", "resourcing_cost")
"""With `parent` (compared by the parent's match key), the fields of an `other` change."""
ATTRIBUTION = "attributed"
"""How a line's non-originating value in the vehicle is measured (see the module text)."""

_RANK = {Status.FAIL: 0, Status.NOT_EVALUATED: 1, Status.PASS: 2}


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One field whose value differs: `old` -> `new` (None when blank)."""

    field: str
    old: object
    new: object


@dataclass(frozen=True, slots=True)
class LineSide:
    """One version of a line and how it counts in the vehicle under the reading applied."""

    row: int
    part_number: str
    description: str
    parent: str | None
    """The parent's part number (None for a top-level line)."""
    unit_cost: Decimal
    quantity: Decimal
    quantity_in_vehicle: Decimal
    value_in_vehicle: Decimal
    """Unit cost x quantity in one vehicle."""
    non_originating: Decimal
    """Its attributed share of the vehicle's VNM."""
    own_non_originating: Decimal
    """What it brings into its parent (per unit) x its quantity in the vehicle."""
    origin: str
    """How it counts: originating, non_originating, neither or unknown."""
    declared: bool | None = None
    """Its `originating` column (None when blank)."""
    supplier: str = ""
    country: str = ""


@dataclass(frozen=True, slots=True)
class LineChange:
    """A line added, removed, re-sourced, re-priced or otherwise changed."""

    key: str
    kind: str
    old: LineSide | None
    new: LineSide | None
    changes: tuple[FieldChange, ...] = ()

    @property
    def side(self) -> LineSide:
        """The newest version there is."""
        side = self.new or self.old
        assert side is not None
        return side

    @property
    def value_delta(self) -> Decimal:
        """Change of its value in the vehicle."""
        return _value(self.new, "value_in_vehicle") - _value(self.old, "value_in_vehicle")

    @property
    def non_originating_delta(self) -> Decimal:
        """Change of its non-originating value in the vehicle (attributed)."""
        return _value(self.new, "non_originating") - _value(self.old, "non_originating")


def _value(side: LineSide | None, name: str) -> Decimal:
    return getattr(side, name) if side is not None else ZERO


@dataclass(frozen=True, slots=True)
class RequirementMove:
    """One requirement before and after; a side is None where the requirement is absent."""

    id: str
    title: str
    old_status: Status | None
    new_status: Status | None
    old_value: Decimal | None
    new_value: Decimal | None
    old_threshold: Decimal | None
    new_threshold: Decimal | None

    @property
    def delta(self) -> Decimal | None:
        """Change in points, when both values exist."""
        if self.old_value is None or self.new_value is None:
            return None
        return self.new_value - self.old_value

    @property
    def worse(self) -> bool:
        """Its status went down: pass -> not_evaluated -> fail."""
        if self.old_status is None or self.new_status is None:
            return False
        return _RANK[self.new_status] < _RANK[self.old_status]

    @property
    def better(self) -> bool:
        """Its status went up."""
        if self.old_status is None or self.new_status is None:
            return False
        return _RANK[self.new_status] > _RANK[self.old_status]


@dataclass(frozen=True, slots=True)
class ReadingMove:
    """The vehicle RVC and verdict under one reading of core parts, before and after."""

    reading: CoreReading
    old_rvc: Decimal | None
    new_rvc: Decimal | None
    old_verdict: Verdict
    new_verdict: Verdict


@dataclass(frozen=True, slots=True)
class Side:
    """What identifies one of the two inputs."""

    path: str
    sha256: str
    vehicle: dict[str, str]
    verdict: Verdict
    lines: int
    workbook_as_of: date | None
    vnm: Decimal


@dataclass(frozen=True, slots=True)
class BomDiff:
    """Two BOMs compared on one date, under one rule pack and reading."""

    as_of: date
    as_of_source: str
    """option (--as-of), new (the new workbook's as_of) or today."""
    reading: CoreReading
    currency: str
    rules: dict[str, str]
    old: Side
    new: Side
    lines: tuple[LineChange, ...]
    """Every changed line, largest effect on the VNM first."""
    unchanged: int
    knock_on: Decimal
    """Change of the non-originating value of the unchanged lines in the vehicle."""
    recounted: tuple[LineChange, ...]
    """Unchanged lines whose counted origin changed (a knock-on of the changes)."""
    requirements: tuple[RequirementMove, ...]
    readings: tuple[ReadingMove, ...]
    vehicle_changes: tuple[FieldChange, ...]
    attribution: str = ATTRIBUTION
    tool_version: str = ""

    def of_kind(self, kind: str) -> tuple[LineChange, ...]:
        """The changed lines of one class, in effect order."""
        return tuple(c for c in self.lines if c.kind == kind)

    def counts(self) -> dict[str, int]:
        """How many lines of each class changed."""
        found = Counter(c.kind for c in self.lines)
        return {kind: found.get(kind, 0) for kind in KINDS}

    @property
    def regressed(self) -> bool:
        """Some requirement's status got worse."""
        return any(m.worse for m in self.requirements)

    def exit_code(self, fail_on_regression: bool = False) -> int:
        """1 when the new BOM does not pass (as `rvc check` on it); with `fail_on_regression`
        instead 1 only when a requirement's status got worse, so a BOM that already failed
        can change without blocking a pipeline as long as nothing gets worse."""
        if fail_on_regression:
            return 1 if self.regressed else 0
        return 0 if self.new.verdict is Verdict.PASS else 1


def compare(
    old_bill: BillOfMaterials,
    old: Report,
    new_bill: BillOfMaterials,
    new: Report,
    *,
    as_of_source: str,
) -> BomDiff:
    """Compare two evaluated BOMs (the same date, rule pack and reading)."""
    if old.as_of != new.as_of or old.core_reading != new.core_reading:
        raise ValueError("both BOMs must be evaluated on the same date under the same reading")
    by_path = _level_coded(old) or _level_coded(new)
    before, after = _Version(old, by_path), _Version(new, by_path)
    changes: list[LineChange] = []
    recounted: list[LineChange] = []
    knock_on = ZERO
    unchanged = 0
    for key, i in before.index.items():
        j = after.index.get(key)
        if j is None:
            changes.append(LineChange(key, REMOVED, before.side(i), None))
            continue
        if before.signature(i) == after.signature(j):
            unchanged += 1
            knock_on += after.attributed[j] - before.attributed[i]
            if before.counting.origin[i] != after.counting.origin[j]:
                recounted.append(LineChange(key, RECOUNTED, before.side(i), after.side(j)))
            continue
        diffs = _field_changes(
            before.lines[i], after.lines[j], before.parent_key(i), after.parent_key(j)
        )
        kind = _kind(diffs)
        assert kind is not None, "the signatures differ, so a field does"
        changes.append(LineChange(key, kind, before.side(i), after.side(j), diffs))
    changes.extend(
        LineChange(key, ADDED, None, after.side(j))
        for key, j in after.index.items()
        if key not in before.index
    )
    changes.sort(key=_effect)
    recounted.sort(key=_recount_effect)
    return BomDiff(
        as_of=new.as_of,
        as_of_source=as_of_source,
        reading=new.core_reading,
        currency=new.currency,
        rules=dict(new.rules),
        old=_side(old_bill, old),
        new=_side(new_bill, new),
        lines=tuple(changes),
        unchanged=unchanged,
        knock_on=knock_on,
        recounted=tuple(recounted),
        requirements=_requirements(old, new),
        readings=_readings(old, new),
        vehicle_changes=_vehicle_changes(old_bill.vehicle, new_bill.vehicle),
        tool_version=new.tool_version,
    )


def _effect(change: LineChange) -> tuple[Decimal, Decimal, str]:
    """Largest effect on the VNM first, then on the value, then by key."""
    return (-abs(change.non_originating_delta), -abs(change.value_delta), change.key)


def _recount_effect(change: LineChange) -> tuple[Decimal, str]:
    """Largest change of what the line brings into its parent first."""
    delta = _value(change.new, "own_non_originating") - _value(change.old, "own_non_originating")
    return (-abs(delta), change.key)


def _level_coded(report: Report) -> bool:
    assert report.lines is not None, "the engine fills Report.lines"
    return any(line.key for line in report.lines.lines)


class _Version:
    """One BOM's lines by match key, with their attributed non-originating value; a
    `LineSide` is built only for the lines that are listed (a BOM has up to 100,000)."""

    def __init__(self, report: Report, by_path: bool) -> None:
        table = report.lines
        assert table is not None
        self.table = table
        self.lines = table.lines
        self.keys = match_keys(self.lines, table.parent_index, by_path=by_path)
        self.index = {key: i for i, key in enumerate(self.keys)}
        self.counting = table.counts[report.core_reading]
        self.attributed = _attributed(table, self.counting)

    def parent_key(self, i: int) -> str | None:
        parent = self.table.parent_index[i]
        return self.keys[parent] if parent >= 0 else None

    def signature(self, i: int) -> tuple[object, ...]:
        """Every compared field (blank text as None), to tell unchanged lines apart fast."""
        line = self.lines[i]
        return (
            line.originating,
            line.supplier or None,
            line.country or None,
            line.rvc_percent,
            line.core_part,
            line.unit_cost,
            line.quantity,
            line.hs_code,
            line.description or None,
            line.resourcing_cost,
            self.parent_key(i),
        )

    def side(self, i: int) -> LineSide:
        line = self.lines[i]
        parent = self.table.parent_index[i]
        in_vehicle = self.table.quantity_in_vehicle[i]
        return LineSide(
            row=line.row,
            part_number=line.part_number,
            description=line.description,
            parent=self.lines[parent].part_number if parent >= 0 else None,
            unit_cost=line.unit_cost,
            quantity=line.quantity,
            quantity_in_vehicle=in_vehicle,
            value_in_vehicle=line.unit_cost * in_vehicle,
            non_originating=self.attributed[i],
            own_non_originating=self.counting.n[i] * in_vehicle,
            origin=self.counting.origin[i],
            declared=line.originating,
            supplier=line.supplier,
            country=line.country,
        )


def _attributed(table: LineTable, counting: LineCounts) -> list[Decimal]:
    """Each line's share of the vehicle's VNM, as the vehicle RVC's drivers split it."""
    lines = list(table.lines)
    children: list[list[int]] = [[] for _ in lines]
    roots = []
    for i, parent in enumerate(table.parent_index):
        if parent < 0:
            roots.append(i)
        else:
            children[parent].append(i)
    tree = Tree(lines, children, roots, [], [], list(table.parent_index))
    out = [ZERO] * len(lines)
    for index, amount, _carried in attribute(tree, counting, set(table.core_category)):
        out[index] += amount
    return out


def match_keys(
    lines: Sequence[BomLine], parent_index: Sequence[int], *, by_path: bool = False
) -> list[str]:
    """How a line is recognised in the other BOM: its part number, or in a level-coded BOM
    (or when the other BOM is one: `by_path`) the path of part numbers from the top (a
    repeat under the same assembly gets ` [2]`).

    Examples:
        >>> a, b = BomLine(2, "A", ZERO), BomLine(3, "B", ZERO, parent="A")
        >>> match_keys([a, b], [-1, 0])
        ['A', 'B']
        >>> rows = [BomLine(r, p, ZERO, key=f"#row{r}") for r, p in ((2, "A"), (3, "B"), (4, "B"))]
        >>> match_keys(rows, [-1, 0, 0])
        ['A', 'A > B', 'A > B [2]']
    """
    if not by_path and not any(line.key for line in lines):
        return [line.part_number for line in lines]
    keys: list[str] = []
    seen: Counter[str] = Counter()
    for i, line in enumerate(lines):
        parent = parent_index[i]
        path = f"{keys[parent]} > {line.part_number}" if parent >= 0 else line.part_number
        seen[path] += 1
        keys.append(path if seen[path] == 1 else f"{path} [{seen[path]}]")
    return keys


def _field_changes(
    old: BomLine, new: BomLine, old_parent: str | None, new_parent: str | None
) -> tuple[FieldChange, ...]:
    out = []
    for name in (*SOURCING, *PRICING, *DESCRIBING):
        was, now = getattr(old, name), getattr(new, name)
        if name in ("supplier", "country", "description"):
            was, now = was or None, now or None
        if was != now:
            out.append(FieldChange(name, was, now))
    if old_parent != new_parent:
        out.append(FieldChange("parent", old_parent, new_parent))
    return tuple(out)


def _kind(changes: tuple[FieldChange, ...]) -> str | None:
    names = {c.field for c in changes}
    if names & set(SOURCING):
        return RESOURCED
    if names & set(PRICING):
        return REPRICED
    if names:
        return OTHER
    return None


def _side(bill: BillOfMaterials, report: Report) -> Side:
    table = report.lines
    assert table is not None
    counting = table.counts[report.core_reading]
    vnm = sum(
        (
            table.lines[i].quantity * counting.n[i]
            for i, p in enumerate(table.parent_index)
            if p < 0
        ),
        ZERO,
    )
    return Side(
        path=report.input.get("path", ""),
        sha256=report.input.get("sha256", ""),
        vehicle=dict(report.vehicle),
        verdict=report.verdict,
        lines=len(table.lines),
        workbook_as_of=bill.vehicle.as_of,
        vnm=vnm,
    )


def _requirements(old: Report, new: Report) -> tuple[RequirementMove, ...]:
    before = {r.id: r for r in old.requirements}
    after = {r.id: r for r in new.requirements}
    ids = [r.id for r in new.requirements] + [i for i in before if i not in after]
    out = []
    for rid in ids:
        was, now = before.get(rid), after.get(rid)
        out.append(
            RequirementMove(
                id=rid,
                title=(now or was).title,  # type: ignore[union-attr]
                old_status=was.status if was else None,
                new_status=now.status if now else None,
                old_value=was.value if was else None,
                new_value=now.value if now else None,
                old_threshold=was.threshold if was else None,
                new_threshold=now.threshold if now else None,
            )
        )
    return tuple(out)


def _readings(old: Report, new: Report) -> tuple[ReadingMove, ...]:
    out = []
    for now in new.readings:
        was = old.reading(now.reading)
        out.append(
            ReadingMove(
                reading=now.reading,
                old_rvc=was.vehicle_rvc if was else None,
                new_rvc=now.vehicle_rvc,
                old_verdict=was.verdict if was else old.verdict,
                new_verdict=now.verdict,
            )
        )
    return tuple(out)


def _vehicle_changes(old: Vehicle, new: Vehicle) -> tuple[FieldChange, ...]:
    out = []
    for f in fields(Vehicle):
        if f.name == "as_of":
            continue  # both are evaluated on one date; each side's own as_of is in `Side`
        was, now = getattr(old, f.name), getattr(new, f.name)
        if was != now:
            out.append(FieldChange(f.name, was, now))
    return tuple(out)
