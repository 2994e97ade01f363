"""What makes a run fail: `--fail-on incomplete` (default) or `--fail-on fail`.

One place decides, so the exit code, the JUnit file, the GitHub annotations, SARIF levels and
the verdict lines always agree:

* `incomplete` (default): a failing requirement and a requirement not evaluated both fail
  the run (exit 1): missing data is never a pass.
* `fail`: only a failing requirement fails the run; an `incomplete` verdict exits 0 and its
  not-evaluated requirements are reported as warnings or skipped tests.
"""

from __future__ import annotations

from typing import Literal, get_args

from rvc.results import Report, Status, Verdict

FailOn = Literal["incomplete", "fail"]
FAIL_ON: tuple[str, ...] = get_args(FailOn)
DEFAULT: FailOn = "incomplete"


def blocking(status: Status, fail_on: str = DEFAULT) -> bool:
    """Whether a requirement with this status fails the run."""
    if status is Status.FAIL:
        return True
    return status is Status.NOT_EVALUATED and fail_on == "incomplete"


def exit_code(report: Report, fail_on: str = DEFAULT) -> int:
    """0 when the run passes under `fail_on`, else 1 (bad input, exit 2, never gets here)."""
    if fail_on not in FAIL_ON:
        raise ValueError(f"unknown --fail-on {fail_on!r}")
    verdict = report.verdict
    if verdict is Verdict.PASS:
        return 0
    if verdict is Verdict.INCOMPLETE and fail_on == "fail":
        return 0
    return 1


def not_evaluated_text(message: str) -> str:
    """A not-evaluated requirement's message, said once to start with "not evaluated:".

    Most engine messages already start so ("not evaluated: no core parts found ..."); some do
    not ("no threshold in force on ..."). JUnit and SARIF add the words only when missing.
    """
    prefix = "not evaluated:"
    return message if message.startswith(prefix) else f"{prefix} {message}"
