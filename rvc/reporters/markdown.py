"""Markdown: a merge-request comment or a GitHub job summary.

The verdict, a summary table (status, value, threshold, margin), the message of each
requirement that did not pass with its citation, and the number of assumptions (listed in a
collapsed block). Every piece of text that comes from the input or the rules is escaped, so
a part description can neither break the table nor inject links, HTML or formatting.
"""

from __future__ import annotations

import re
from typing import Any, TextIO

from rvc.money import fmt_percent, fmt_threshold
from rvc.reporters import gate
from rvc.reporters.terminal import LABEL, SOURCE, _value, summary_margin
from rvc.results import Report, Status, Verdict
from rvc.text import escape as visible

ICON = {Status.PASS: "✅", Status.FAIL: "❌", Status.NOT_EVALUATED: "⚠️"}
VERDICT_ICON = {Verdict.PASS: "✅", Verdict.FAIL: "❌", Verdict.INCOMPLETE: "⚠️"}
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")
_LEADING = re.compile(r"^(\s*)([#+=-]|\d+[.)])")


def escape(text: object, *, line_start: bool = False) -> str:
    """Text as literal Markdown on one line: specials backslashed, & and newlines neutral;
    with `line_start`, also nothing that would open a heading, list or quote there.

    >>> escape("a|b *c* <img>\\nnext & [link](x)")
    'a\\\\|b \\\\*c\\\\* \\\\<img\\\\> next &amp; \\\\[link\\\\](x)'
    >>> escape("# 1. not a heading", line_start=True), escape("3. no list", line_start=True)
    ('\\\\# 1. not a heading', '3\\\\. no list')
    """
    value = str(text).replace("&", "&amp;")
    value = visible(re.sub(r"[\r\n]+", " ", value))  # ESC, NUL, bidi overrides: shown, not sent
    value = _SPECIAL.sub(r"\\\1", value)
    if line_start:
        value = _LEADING.sub(_escape_leading, value)
    return value


def _escape_leading(match: re.Match[str]) -> str:
    space, mark = match.groups()
    return f"{space}{mark[:-1]}\\{mark[-1]}"


def _code(text: object) -> str:
    """Inline code that no backtick in the text can close early."""
    value = visible(re.sub(r"[\r\n]+", " ", str(text)))  # ESC, bidi overrides: shown, not sent
    longest = max((len(run) for run in re.findall(r"`+", value)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if value.startswith("`") or value.endswith("`") or longest else ""
    return f"{fence}{pad}{value}{pad}{fence}"


def render(report: Report, stream: TextIO, *, fail_on: str = gate.DEFAULT) -> None:
    """Write the Markdown report."""
    stream.write(text(report, fail_on=fail_on))


def text(report: Report, *, fail_on: str = gate.DEFAULT) -> str:
    """The Markdown report as a string."""
    return "\n".join(
        [
            *_heading(report, fail_on),
            *_readings(report),
            *_summary_table(report),
            *_not_passed(report),
            *_assumptions(report),
        ]
    )


def _heading(report: Report, fail_on: str) -> list[str]:
    """The verdict, the vehicle, and what the report was computed from."""
    vehicle = report.vehicle
    verdict = report.verdict
    code = gate.exit_code(report, fail_on)
    title = escape(vehicle.get("model_line", ""))
    cls = escape(vehicle.get("vehicle_class", ""))
    source = escape(SOURCE.get(report.as_of_source, report.as_of_source))
    return [
        f"## {VERDICT_ICON[verdict]} rvc: {verdict.label} - {title} ({cls})",
        "",
        f"Input {_code(report.input.get('path', ''))}, rules "
        f"{escape(report.rules['id'])} {escape(report.rules['version'])}, as of "
        f"{report.as_of.isoformat()} ({source}),"
        f" core parts read as {escape(report.core_reading)}; exit {code}"
        + (" (--fail-on fail: incomplete does not fail the run)" if fail_on == "fail" else "")
        + ".",
        "",
    ]


def _summary_table(report: Report) -> list[str]:
    """One row per requirement: status, value, threshold, margin."""
    out = [
        "| Status | Requirement | Value | Required | Margin |",
        "|---|---|--:|--:|--:|",
    ]
    for r in report.requirements:
        threshold = fmt_threshold(r.threshold) if r.threshold is not None else "-"
        margin = summary_margin(r, report.currency)
        out.append(
            f"| {ICON[r.status]} {LABEL[r.status]} | {escape(r.id)} | {escape(_value(r))} | "
            f"{escape(threshold)} | {escape(margin)} |"
        )
    out.append("")
    return out


def _not_passed(report: Report) -> list[str]:
    """The failing, then the not evaluated requirements: message, citation, what it takes."""
    out: list[str] = []
    for status, heading in (
        (Status.FAIL, "Failing requirements"),
        (Status.NOT_EVALUATED, "Not evaluated"),
    ):
        results = [r for r in report.requirements if r.status is status]
        if not results:
            continue
        out += [f"### {heading}", ""]
        for r in results:
            out.append(f"- **{escape(r.id)}**: {escape(r.message)}")
            if r.citation:
                status_text = f" \\[status {escape(r.source_status)}\\]" if r.source_status else ""
                out.append(f"  _{escape(r.citation)}_{status_text}")
            if r.what_it_would_take is not None and not r.what_it_would_take.passes:
                out.append(f"  What it would take: {escape(r.what_it_would_take.summary)}")
        out.append("")
    return out


def _assumptions(report: Report) -> list[str]:
    """The assumptions and notes, in a collapsed block."""
    count = len(report.assumptions)
    if not count:
        return ["No assumptions.", ""]
    plural = "s" if count != 1 else ""
    return [
        f"<details><summary>{count} assumption{plural} and note{plural}</summary>",
        "",
        *(f"- {escape(note, line_start=True)}" for note in report.assumptions),
        "",
        "</details>",
        "",
    ]


def _readings(report: Report) -> list[str]:
    """Both readings of core parts, and a warning when the verdict depends on them."""
    if not report.readings:
        return []
    shown = "; ".join(
        f"{escape(r.reading)}: {r.verdict.value}"
        + (f" (vehicle RVC {fmt_percent(r.vehicle_rvc)})" if r.vehicle_rvc is not None else "")
        for r in report.readings
    )
    lines = [f"Readings of core parts: {shown}.", ""]
    if report.verdict_depends_on_reading:
        lines = [
            "> [!WARNING]",
            "> **The verdict depends on the reading of core parts** "
            "(us-cbp: U.S. Customs; roll-up: the 2022 USMCA panel).",
            "",
            *lines,
        ]
    return lines


def render_error(doc: dict[str, Any], stream: TextIO) -> None:
    """Bad input: an error block naming the file, the place, what was found and expected."""
    stream.write(error_text(doc))


def error_text(doc: dict[str, Any]) -> str:
    """The error block as a string."""
    error = doc["error"]
    out = [
        "## ❌ rvc: bad input (exit 2)",
        "",
        "> [!CAUTION]",
        f"> {escape(error['message'], line_start=True)}",
        "",
        "| | |",
        "|---|---|",
        f"| File | {escape(error['file'])} |",
    ]
    if error["where"]:
        out.append(f"| Where | {escape(error['where'])} |")
    out.append(f"| Found | {escape(error['found'])} |")
    if error["expected"]:
        out.append(f"| Expected | {escape(error['expected'])} |")
    out.append("")
    return "\n".join(out)
