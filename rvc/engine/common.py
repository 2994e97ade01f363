"""The envelope every requirement result is built in, as sqlfluff's rule base wraps `_eval`.

An evaluator receives the facts and an `Envelope` (the requirement and its entry in force)
and returns `envelope.result(...)` or `envelope.not_evaluated(...)`; the envelope fills in id,
kind, title, threshold, citation, status of the source and in-force date. Requirements with no
entry in force never reach an evaluator (`not_in_force`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from rvc.errors import NotInForce
from rvc.results import Driver, Evidence, RequirementResult, Status, WhatItWouldTake
from rvc.rulepack.schema import AnyRequirement, Entry


@dataclass(frozen=True, slots=True)
class Envelope:
    """A requirement with its entry in force, building results with the common fields."""

    requirement: AnyRequirement
    entry: Entry

    @property
    def threshold(self) -> Decimal | None:
        """The entry's main figure: a minimum percentage or the total LVC required."""
        entry = self.entry
        return getattr(entry, "min_percent", None) or getattr(entry, "min_total_percent", None)

    def result(
        self,
        *,
        status: Status,
        message: str,
        value: Decimal | None = None,
        margin_points: Decimal | None = None,
        margin_amount: Decimal | None = None,
        evidence: Evidence | None = None,
        drivers: tuple[Driver, ...] = (),
        what_it_would_take: WhatItWouldTake | None = None,
    ) -> RequirementResult:
        """A result with the requirement's and the entry's fields filled in."""
        req, entry = self.requirement, self.entry
        return RequirementResult(
            id=req.id,
            kind=req.kind,
            title=req.title,
            status=status,
            message=message,
            value=value,
            threshold=self.threshold,
            citation=entry.citation,
            source_status=entry.status.value,
            in_force_from=entry.from_,
            margin_points=margin_points,
            margin_amount=margin_amount,
            evidence=evidence,
            drivers=drivers,
            what_it_would_take=what_it_would_take,
        )

    def not_evaluated(self, message: str) -> RequirementResult:
        """A requirement that the input does not let rvc evaluate: never a pass."""
        return self.result(status=Status.NOT_EVALUATED, message=message)

    def missing_sheet(self, sheet: str, what: str, empty: bool = False) -> RequirementResult:
        """A requirement whose optional sheet is absent or empty."""
        problem = (
            f"the {sheet} sheet lists no rows" if empty else f"the workbook has no {sheet} sheet"
        )
        return self.not_evaluated(f"not evaluated: {problem} ({what})")


def not_in_force(req: AnyRequirement, error: NotInForce) -> RequirementResult:
    """A requirement whose first threshold starts after the date asked: never a zero threshold."""
    first = req.thresholds[0]
    return RequirementResult(
        id=req.id,
        kind=req.kind,
        title=req.title,
        status=Status.NOT_EVALUATED,
        message=(
            f"no threshold in force on {error.requested}: the first applies from "
            f"{error.first}; use --as-of {error.first} or later"
        ),
        citation=first.citation,
        source_status=first.status.value,
    )


def since(entry: Entry) -> str:
    """'from 2023-07-01' for messages."""
    return f"from {entry.from_.isoformat()}"


def status_of(passed: bool) -> Status:
    """PASS or FAIL."""
    return Status.PASS if passed else Status.FAIL
