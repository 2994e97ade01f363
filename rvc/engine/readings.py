"""The two readings of how core parts count in the vehicle RVC, as small policy objects.

The dispute (format v1.1, "Core parts in the vehicle RVC: two readings"): does an
originating core part count wholly originating in the vehicle (roll-up, s. 14(1)), or does
its own non-originating content still count (the position of U.S. Customs)? Both readings
are computed in the same pass over the BOM; a reading only decides two things:

- what an *originating* core part brings into its parent: nothing, or its own content;
- whether that content is carried up through assemblies that count as originating.

Every other line counts the same under both readings. Heavy trucks have no core parts (s. 15
has no counterpart of s. 14(4)), so both readings give the same figure for them.
"""

from __future__ import annotations

from dataclasses import dataclass

from rvc.results import CoreReading


@dataclass(frozen=True, slots=True)
class Reading:
    """How originating core parts count under one reading."""

    name: CoreReading
    title: str
    core_content_counts: bool
    """An originating core part brings (100 - own RVC)% of its value into its parent's VNM,
    and that content reaches the vehicle even through an originating assembly."""


US_CBP = Reading(
    "us-cbp",
    "U.S. Customs: an originating core part still brings its own non-originating content",
    core_content_counts=True,
)
ROLL_UP = Reading(
    "roll-up",
    "2022 USMCA panel (roll-up): an originating core part counts wholly originating",
    core_content_counts=False,
)
POLICIES: tuple[Reading, ...] = (US_CBP, ROLL_UP)
"""Both readings, the default (U.S. Customs) first."""
