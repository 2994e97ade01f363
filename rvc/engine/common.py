"""Small pieces every evaluator uses."""

from __future__ import annotations

from rvc.errors import NotInForce
from rvc.results import RequirementResult, Status
from rvc.rules.schema import Entry, Requirement


def not_in_force(req: Requirement, error: NotInForce) -> RequirementResult:
    """A requirement whose first threshold starts after the date asked: never a zero threshold."""
    first = req.thresholds[0]  # type: ignore[attr-defined]
    return RequirementResult(
        id=req.id,
        title=req.title,
        status=Status.NOT_EVALUATED,
        message=(
            f"no threshold in force on {error.requested}: the first applies from "
            f"{error.first}; use --as-of {error.first} or later"
        ),
        citation=first.citation,
        source_status=first.status.value,
    )


def missing_sheet(
    req: Requirement, entry: Entry, sheet: str, what: str, empty: bool = False
) -> RequirementResult:
    """A requirement whose optional sheet is absent or empty: not evaluated, never passed."""
    problem = f"the {sheet} sheet lists no rows" if empty else f"the workbook has no {sheet} sheet"
    return RequirementResult(
        id=req.id,
        title=req.title,
        status=Status.NOT_EVALUATED,
        message=f"not evaluated: {problem} ({what})",
        threshold=getattr(entry, "min_percent", None) or getattr(entry, "min_total_percent", None),
        citation=entry.citation,
        source_status=entry.status.value,
        in_force_from=entry.from_,
    )


def since(entry: Entry) -> str:
    """'required from 2023-07-01' for messages."""
    return f"from {entry.from_.isoformat()}"


def status_of(passed: bool) -> Status:
    """PASS or FAIL."""
    return Status.PASS if passed else Status.FAIL
