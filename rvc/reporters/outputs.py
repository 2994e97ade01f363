"""Where reports go: standard output in the `--format` chosen, and each `-o FILE` in the
format its suffix names.

`FILE_WRITERS` maps a suffix to a writer; the text formats are registered here, and a writer
of another kind (the audit workbook, `.xlsx`) registers itself with `register()` under its
suffix, taking the path and writing bytes as it likes. A suffix in `PLANNED` is a known name
whose writer does not exist yet: naming it is a usage error, never a report in another format
under a misleading name. Suffixes are checked before any input is read (`plan()`).

Bad input (exit 2) goes the same ways: `write_error()` gives every machine format on standard
output and every `-o` file the error document in that format (rvc.reporters.input_error).
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from rvc.errors import RvcError
from rvc.reporters import gate
from rvc.results import Report
from rvc.text import escape

RenderReport = Callable[..., None]  # (report, stream, *, fail_on) -> None
RenderError = Callable[[dict[str, Any], TextIO], None]


def _text_formats() -> dict[str, tuple[RenderReport, RenderError]]:
    """Each text format's report renderer and error renderer; a format's module is imported
    only when its error document is written (a JSON run never imports rich)."""
    from rvc.reporters import RENDERERS

    return {name: (RENDERERS[name], _error_renderer(name)) for name in _ERROR_MODULES}


_ERROR_MODULES = {
    "table": "",
    "json": "json_report",
    "junit": "junit",
    "github": "github",
    "markdown": "markdown",
    "sarif": "sarif",
}


def _error_renderer(name: str) -> RenderError:
    def render(doc: dict[str, Any], stream: TextIO) -> None:
        if not _ERROR_MODULES[name]:
            from rvc.reporters.input_error import line

            stream.write(line(doc) + "\n")
            return
        import importlib

        module = importlib.import_module(f"rvc.reporters.{_ERROR_MODULES[name]}")
        module.render_error(doc, stream)

    return render


STDOUT_FORMATS = ("auto", "table", "json", "junit", "github", "markdown", "sarif")
"""What `--format` accepts. `auto`: `github` inside GitHub Actions (GITHUB_ACTIONS=true), else
the table, or, when `-o` files are written, only the verdict line."""
MACHINE_FORMATS = frozenset(("json", "junit", "github", "markdown", "sarif"))
"""Formats that carry the bad-input document on standard output (the table does not: its
message is the line on standard error)."""
_UTF8 = MACHINE_FORMATS


@dataclass(frozen=True)
class FileWriter:
    """How to write one `-o` file: the report, and the bad-input document.

    `write_error` None: the format cannot carry the error document, so on bad input the file
    is not written, and one left by an earlier run is removed (a pipeline must never pick up
    a stale report as this run's)."""

    format: str
    write: Callable[[Path, Report, str], None]  # (path, report, fail_on)
    write_error: Callable[[Path, dict[str, Any]], None] | None


def _text_writer(name: str) -> FileWriter:
    def write(path: Path, report: Report, fail_on: str) -> None:
        render = _text_formats()[name][0]
        with path.open("w", encoding="utf-8", newline="\n") as stream:
            render(report, stream, fail_on=fail_on)

    def write_error(path: Path, doc: dict[str, Any]) -> None:
        render = _text_formats()[name][1]
        with path.open("w", encoding="utf-8", newline="\n") as stream:
            render(doc, stream)

    return FileWriter(name, write, write_error)


def _audit_workbook() -> FileWriter:
    """`-o report.xlsx`: the audit workbook with live formulas (rvc.reporters.audit_workbook);
    on bad input, no workbook (and no stale one: the file is removed)."""

    def write(path: Path, report: Report, fail_on: str) -> None:
        import shlex

        from rvc.reporters.audit_workbook import write_audit_workbook

        bill = report.source
        mapping = bill.provenance.mapping if bill and bill.provenance else []
        label = next(
            (m.removeprefix("settings from ") for m in mapping if m.startswith("settings from ")),
            "",
        )
        try:
            write_audit_workbook(
                report,
                path,
                command_line=shlex.join(["rvc", *sys.argv[1:]]),
                settings_label=label,
                bill=bill,
            )
        except OSError as exc:
            raise RvcError(str(path), f"cannot be written ({exc.strerror or exc})") from exc

    return FileWriter("xlsx", write, None)


FILE_WRITERS: dict[str, FileWriter] = {
    ".json": _text_writer("json"),
    ".xml": _text_writer("junit"),
    ".md": _text_writer("markdown"),
    ".txt": _text_writer("table"),
    ".sarif": _text_writer("sarif"),
    ".xlsx": _audit_workbook(),
}
PLANNED: dict[str, str] = {}


def register(suffix: str, writer: FileWriter) -> None:
    """Add (or replace) the writer of a suffix, e.g. `.xlsx` for the audit workbook."""
    key = suffix.lower()
    FILE_WRITERS[key] = writer
    PLANNED.pop(key, None)


def suffix_of(path: Path) -> str:
    """The suffix that names a report file's format (`.sarif.json` is `.sarif`)."""
    name = path.name.lower()
    return ".sarif" if name.endswith(".sarif.json") else path.suffix.lower()


def plan(paths: Sequence[Path], bom: Path | None = None) -> list[tuple[Path, FileWriter]]:
    """The writer for each `-o` file, or a usage error (exit 2) before anything is read."""
    expected = "one of " + ", ".join(FILE_WRITERS)
    planned: list[tuple[Path, FileWriter]] = []
    seen: set[Path] = set()
    for path in paths:
        try:
            _check_place(path)
        except PermissionError as exc:
            raise RvcError(
                str(path),
                "cannot be written (permission denied on a folder on its way)",
                "a report file in a folder you may write",
            ) from exc
        key = path.resolve()
        if bom is not None and key == bom.resolve():
            raise RvcError(str(path), "is the BOM itself", "another file for the report (-o)")
        suffix = suffix_of(path)
        if suffix in PLANNED:
            raise RvcError(str(path), f"suffix {suffix!r} names {PLANNED[suffix]}", expected)
        if suffix not in FILE_WRITERS:
            shown = repr(suffix) if suffix else "(none)"
            raise RvcError(str(path), f"suffix {shown} names no report format", expected)
        if key in seen:
            raise RvcError(str(path), "is named twice with -o", "each report file once")
        seen.add(key)
        planned.append((path, FILE_WRITERS[suffix]))
    return planned


def _check_place(path: Path) -> None:
    """Not a folder, in a folder that exists (`PermissionError` when a folder on the way cannot
    be entered: the caller says so)."""
    if path.is_dir():
        raise RvcError(
            str(path), "is a folder", f"a file name for the output, e.g. {path / 'report.txt'}"
        )
    parent = path.absolute().parent
    if not parent.is_dir():
        missing = "is a file, not a folder" if parent.exists() else "does not exist"
        raise RvcError(
            str(path),
            f"cannot be written: folder {path.parent} {missing}",
            "a report file in an existing folder",
        )
    _check_pipe(path)


_PIPES: list[int] = []
"""Write ends of the named pipes checked by `_check_pipe`, held open until rvc exits."""


def _check_pipe(path: Path) -> None:
    """A named pipe no process reads would block the report's writing forever: refused. One
    with a reader is opened here without blocking and held open, so that the reader stays
    attached (closing it would send it end-of-file) while the report is written."""
    import stat

    try:
        if not stat.S_ISFIFO(path.stat().st_mode):
            return
        _PIPES.append(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
    except FileNotFoundError:
        return
    except OSError as exc:
        if exc.errno != errno.ENXIO:
            raise
        raise RvcError(
            str(path),
            "is a named pipe that no process reads (writing the report would wait forever)",
            "a report file, or a pipe with its reader started first",
        ) from None


def stdout_format(name: str, *, files: bool, environ: Mapping[str, str] | None = None) -> str:
    """The format standard output gets; `auto` resolved, `verdict` for the verdict line only."""
    if name != "auto":
        return name
    env = os.environ if environ is None else environ
    if env.get("GITHUB_ACTIONS") == "true":
        return "github"
    return "verdict" if files else "table"


def write_report(
    report: Report,
    fmt: str,
    files: Sequence[tuple[Path, FileWriter]],
    *,
    fail_on: str = gate.DEFAULT,
    environ: Mapping[str, str] | None = None,
    color: bool | None = None,
) -> None:
    """Every `-o` file, then standard output, then the GitHub job summary when due; `color`
    (None: automatic) is the table's on standard output."""
    for path, writer in files:
        try:
            writer.write(path, report, fail_on)
        except OSError as exc:
            raise RvcError(str(path), f"cannot be written ({exc.strerror or exc})") from exc
        sys.stderr.write(f"rvc: wrote {escape(path)} (verdict {report.verdict.value})\n")
    if fmt == "verdict":
        from rvc.reporters.terminal import render_verdict

        to_stdout(fmt, lambda stream: render_verdict(report, stream, fail_on=fail_on, color=color))
    else:
        render = _text_formats()[fmt][0]
        extra = {"color": color} if fmt == "table" else {}
        to_stdout(fmt, lambda stream: render(report, stream, fail_on=fail_on, **extra))
    if fmt == "github":
        from rvc.reporters import markdown

        _job_summary(markdown.text(report, fail_on=fail_on), environ)


def write_error(
    doc: dict[str, Any],
    fmt: str,
    files: Sequence[tuple[Path, FileWriter]],
    *,
    environ: Mapping[str, str] | None = None,
) -> None:
    """Bad input: the error document in each `-o` file and, for machine formats, on stdout.

    A file that cannot be written is reported on standard error and skipped: the input's own
    message (the caller's, on standard error) stays the one that explains the exit code."""
    for path, writer in files:
        try:
            if writer.write_error is not None:
                writer.write_error(path, doc)
            elif path.exists():
                # a format that cannot say "bad input": never leave an earlier run's report
                path.unlink()
                sys.stderr.write(
                    f"rvc: removed {escape(path)}: this run has no {writer.format} report\n"
                )
        except OSError as exc:
            sys.stderr.write(
                f"rvc: error: {escape(path)}: cannot be written ({exc.strerror or exc})\n"
            )
    if fmt in MACHINE_FORMATS:
        render = _text_formats()[fmt][1]
        try:
            to_stdout(fmt, lambda stream: render(doc, stream))
        except RvcError as error:  # as for a file: said, and the input's message still follows
            sys.stderr.write(f"rvc: error: {escape(error.where)}: {escape(error.problem)}\n")
    if fmt == "github":
        from rvc.reporters import markdown

        _job_summary(markdown.error_text(doc), environ)


def _job_summary(text: str, environ: Mapping[str, str] | None) -> None:
    """Append to the file GitHub names in GITHUB_STEP_SUMMARY (it concatenates each step's)."""
    env = os.environ if environ is None else environ
    target = env.get("GITHUB_STEP_SUMMARY")
    if not target:
        return
    try:
        with open(target, "a", encoding="utf-8", newline="\n") as stream:
            stream.write(text if text.endswith("\n") else text + "\n")
    except OSError as exc:
        sys.stderr.write(
            f"rvc: warning: GITHUB_STEP_SUMMARY {target}: cannot be written "
            f"({exc.strerror or exc}); the job summary is missing\n"
        )


def to_stdout(fmt: str, write: Callable[[TextIO], Any]) -> None:
    """Write to standard output; a reader that went away (`| head -1`) is not an error.

    On a closed pipe the rest of the output is dropped and standard output is pointed at
    the null device, so neither this write nor the interpreter's final flush fails: the exit
    code stays the verdict's. Any other failure to write (a full disk) is an `RvcError`."""
    prepare_stdout(fmt)
    try:
        write(sys.stdout)
        sys.stdout.flush()
    except BrokenPipeError:
        silence_stdout()
    except OSError as exc:  # a full disk (`> /dev/full`): the report did not arrive; not a bug
        silence_stdout()
        raise RvcError(
            "standard output",
            f"cannot be written ({exc.strerror or exc})",
            "standard output on a device with room, or -o FILE",
        ) from exc


def silence_stdout() -> None:
    """Point standard output at the null device (after a BrokenPipeError)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass  # not a real file descriptor (tests capture stdout): nothing left to flush


def prepare_stdout(fmt: str) -> None:
    """Machine formats are UTF-8 whatever the console's code page (jq expects it); text
    never crashes on a character the console cannot show."""
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is None:
        return
    if fmt in _UTF8:
        reconfigure(encoding="utf-8")
    else:
        reconfigure(errors="replace")
