"""User-facing errors: each one says where, what was found and what is expected.

Every subclass of `RvcError` ends a command with exit code 2 and one message, no traceback.
Anything else that escapes is a bug and keeps its traceback.
"""

from __future__ import annotations


class RvcError(Exception):
    """An input or usage problem the user can fix; exit code 2."""

    def __init__(self, where: str, problem: str, expected: str = "") -> None:
        self.where = where
        self.problem = problem
        self.expected = expected
        super().__init__(self.message)

    @property
    def message(self) -> str:
        text = f"{self.where}: {self.problem}" if self.where else self.problem
        if self.expected:
            text += f"; expected {self.expected}"
        return text

    def __str__(self) -> str:
        return self.message


class RuleFileError(RvcError):
    """A rule file is missing, malformed or inconsistent."""


class InputError(RvcError):
    """A BOM workbook, CSV folder or mapping file cannot be read as the contract says."""


class UnsafeInputError(InputError):
    """A file refused before parsing because reading it could exhaust memory or time."""


class NotInForce(Exception):
    """A dated schedule has no value on the requested date (before its first entry)."""

    def __init__(self, first: object, requested: object) -> None:
        self.first = first
        self.requested = requested
        super().__init__(f"not in force on {requested} (first in force {first})")
