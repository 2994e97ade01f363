"""Dated values in the OpenFisca style: each entry is in force from its date until the next.

A schedule is a list of entries sorted by their ``from`` date. Asking for a date before the
first entry raises `NotInForce`; it never falls back to zero.

Examples:
    >>> from datetime import date
    >>> from types import SimpleNamespace as E
    >>> stages = [E(from_=date(2020, 7, 1), v=66), E(from_=date(2023, 7, 1), v=75)]
    >>> at(stages, date(2023, 6, 30)).v, at(stages, date(2023, 7, 1)).v
    (66, 75)
    >>> at(stages, date(2020, 6, 30))
    Traceback (most recent call last):
    ...
    rvc.errors.NotInForce: not in force on 2020-06-30 (first in force 2020-07-01)
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from datetime import date
from typing import Protocol, TypeVar

from rvc.errors import NotInForce


class Dated(Protocol):
    """Anything with a start date."""

    @property
    def from_(self) -> date: ...


T = TypeVar("T", bound=Dated)


def check_order(entries: Sequence[T]) -> None:
    """Raise ValueError unless there is at least one entry and the dates strictly increase."""
    if not entries:
        raise ValueError("a schedule needs at least one dated entry")
    for before, after in zip(entries, entries[1:], strict=False):
        if after.from_ <= before.from_:
            word = "repeats" if after.from_ == before.from_ else "comes before"
            raise ValueError(
                f"date {after.from_.isoformat()} {word} {before.from_.isoformat()}; "
                "list entries in increasing date order, one per date"
            )


def at(entries: Sequence[T], when: date) -> T:
    """Return the entry in force on ``when``: the one with the latest start date <= ``when``."""
    index = bisect_right([entry.from_ for entry in entries], when)
    if index == 0:
        raise NotInForce(entries[0].from_.isoformat(), when.isoformat())
    return entries[index - 1]


def next_change(entries: Sequence[T], when: date) -> T | None:
    """Return the first entry that starts after ``when``, if any (for "from ... changes to")."""
    for entry in entries:
        if entry.from_ > when:
            return entry
    return None
