"""What an evaluation returns: plain, frozen data that reporters only read.

No reporter computes anything: every figure a report shows is in these objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal, get_args

CoreReading = Literal["contract", "us_cbp", "panel_2022"]
READINGS: tuple[str, ...] = get_args(CoreReading)
"""How core parts count in the vehicle RVC: the workbook contract's roll-up (default), the
U.S. Customs reading (their own non-originating content always counts), the 2022 USMCA panel
reading (a qualifying core part counts wholly originating)."""


class Status(StrEnum):
    """Outcome of one requirement."""

    PASS = "pass"
    FAIL = "fail"
    NOT_EVALUATED = "not_evaluated"


class Verdict(StrEnum):
    """Outcome of the whole vehicle."""

    PASS = "pass"
    FAIL = "fail"
    INCOMPLETE = "incomplete"


@dataclass(frozen=True, slots=True)
class Driver:
    """A BOM line that adds non-originating value, ranked by how much."""

    part_number: str
    row: int
    description: str
    amount: Decimal
    share_percent: Decimal
    reason: str


@dataclass(frozen=True, slots=True)
class RequirementResult:
    """One requirement's outcome with the figures behind it."""

    id: str
    title: str
    status: Status
    message: str
    value: Decimal | None = None
    threshold: Decimal | None = None
    citation: str = ""
    source_status: str = ""
    in_force_from: date | None = None
    margin_points: Decimal | None = None
    margin_amount: Decimal | None = None
    details: dict[str, Any] = field(default_factory=dict)
    drivers: tuple[Driver, ...] = ()


@dataclass(frozen=True, slots=True)
class Report:
    """A vehicle's evaluation against a rule pack on one date."""

    rules: dict[str, str]
    input: dict[str, str]
    vehicle: dict[str, str]
    as_of: date
    as_of_source: str
    core_reading: str
    requirements: tuple[RequirementResult, ...]
    assumptions: tuple[str, ...]
    reconciliation: dict[str, Any]
    currency: str
    tool_version: str

    @property
    def verdict(self) -> Verdict:
        """pass only when every requirement passes; fail when any fails; else incomplete."""
        statuses = {r.status for r in self.requirements}
        if Status.FAIL in statuses:
            return Verdict.FAIL
        if Status.NOT_EVALUATED in statuses or not statuses:
            return Verdict.INCOMPLETE
        return Verdict.PASS

    @property
    def exit_code(self) -> int:
        """0 pass, 1 fail or incomplete (the JSON contract's exit codes)."""
        return 0 if self.verdict is Verdict.PASS else 1
