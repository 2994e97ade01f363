"""What each command does, between the CLI's options and the library's layers."""

from __future__ import annotations

import gc
import shlex
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from rvc import schedule
from rvc.engine import ORDER
from rvc.errors import NotInForce, RvcError
from rvc.model import BillOfMaterials
from rvc.results import DEFAULT_READING, Report
from rvc.rules import default_rules_dir, load_rule_pack

if TYPE_CHECKING:
    from rvc.engine.diff import BomDiff
    from rvc.model import BillOfMaterials
    from rvc.readers.config import Config
    from rvc.readers.source import MemoryFile
    from rvc.results import Report
    from rvc.rules.schema import RulePack


def run_check(
    *,
    bom: Path,
    rules: Path | None,
    as_of: date | None,
    today: date,
    output_format: str,
    output: Path | None,
    core_reading: str | None,
    config: Path | None,
    verbose: bool,
) -> int:
    """Read, evaluate, report; return the exit code (0 pass, 1 fail or incomplete)."""
    with _collector_paused():
        from rvc.readers import config as settings_file
        from rvc.reporters import RENDERERS

        if output is not None and output.resolve() == bom.resolve():
            raise RvcError(str(output), "is the BOM itself", "another file for the report (-o)")
        settings = settings_file.load(config) if config else settings_file.discover(bom)
        pack = load_rule_pack(rules or settings.rules_dir() or default_rules_dir())
        bill, report = evaluate_bom(
            bom, settings, pack, as_of=as_of, today=today, core_reading=core_reading
        )
        if verbose and bill.provenance:
            for line in bill.provenance.mapping:
                sys.stderr.write(f"rvc: {line}\n")
            for name in bill.provenance.ignored_sheets:
                sys.stderr.write(f"rvc: ignored sheet: {name}\n")
            for name in bill.provenance.ignored_columns:
                sys.stderr.write(f"rvc: ignored column: {name}\n")
        render = RENDERERS[output_format]
        if output is not None and output.suffix.lower() == ".xlsx":
            # until the -o registry of writers by suffix lands (issue 9, CI)
            _write_audit_workbook(report, output, bill, settings.label)
            return report.exit_code
        if output is None:
            _prepare_stdout(output_format)
            render(report, sys.stdout)
        else:
            try:
                with output.open("w", encoding="utf-8") as stream:
                    render(report, stream)
            except OSError as exc:
                raise RvcError(str(output), f"cannot be written ({exc.strerror or exc})") from exc
            sys.stderr.write(f"rvc: wrote {output} (verdict {report.verdict.value})\n")
        return report.exit_code


def _write_audit_workbook(report: Report, output: Path, bill: BillOfMaterials, label: str) -> None:
    from rvc.reporters.audit_workbook import write_audit_workbook

    command_line = shlex.join(["rvc", *sys.argv[1:]])
    try:
        write_audit_workbook(
            report, output, command_line=command_line, settings_label=label, bill=bill
        )
    except OSError as exc:
        raise RvcError(str(output), f"cannot be written ({exc.strerror or exc})") from exc
    sys.stderr.write(f"rvc: wrote {output} (audit workbook, verdict {report.verdict.value})\n")


def evaluate_bom(
    bom: Path | MemoryFile,
    settings: Config,
    pack: RulePack,
    *,
    as_of: date | None,
    today: date,
    core_reading: str | None,
) -> tuple[BillOfMaterials, Report]:
    """Read, check and evaluate one vehicle, writing nothing: the core of `rvc check`, shared
    by the single run and the batch (locally or on Dask). Raises `RvcError` on bad input."""
    from rvc.engine import evaluate
    from rvc.readers import check_vehicle, read_bom

    bill = read_bom(bom, settings, as_of=as_of, today=today)
    check_vehicle(bill, pack)
    reading = core_reading or settings.reading() or DEFAULT_READING
    assert bill.as_of is not None
    report = evaluate(bill, pack, bill.as_of, as_of_source=bill.as_of_source, reading=reading)
    return bill, report


@contextmanager
def _collector_paused() -> Iterator[None]:
    """A check allocates millions of short-lived objects and no reference cycles to speak of:
    the cyclic garbage collector only costs time here (10-20% at 100,000 lines)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _prepare_stdout(output_format: str) -> None:
    """JSON is UTF-8 whatever the console's code page (jq expects it); text never crashes
    on a character the console cannot show."""
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is None:
        return
    if output_format in ("json", "junit"):
        reconfigure(encoding="utf-8")
    else:
        reconfigure(errors="replace")


def list_rules(rules: Path | None, today: date) -> None:
    """Print each class's requirements with the threshold in force today."""
    pack = load_rule_pack(rules or default_rules_dir())
    print(f"{pack.pack.id} {pack.pack.version}: {pack.pack.title}")
    for cls in pack.vehicle_classes:
        print(f"\n{cls.title} ({cls.id})")
        for req in sorted(pack.requirements_for(cls.id), key=lambda r: ORDER.index(r.kind)):
            try:
                entry = schedule.at(req.thresholds, today)
                now = _figure(entry)
                since = f"since {entry.from_.isoformat()}"
            except NotInForce as exc:
                now, since = "not yet in force", f"from {exc.first}"
            print(f"  {req.id:<12} {now:<28} {since}  [{req.kind}] {req.title}")


def _figure(entry: object) -> str:
    for name in ("min_percent", "min_total_percent"):
        value = getattr(entry, name, None)
        if value is not None:
            return f"{value.normalize():f}%"
    return ""


def show_rule(rules: Path | None, requirement: str) -> None:
    """Print a requirement's description and every dated entry with citation and status."""
    pack = load_rule_pack(rules or default_rules_dir())
    found = [r for r in pack.requirements if r.id == requirement]
    if not found:
        known = ", ".join(sorted({r.id for r in pack.requirements}))
        raise RvcError(
            f"rule pack {pack.pack.id}", f"has no requirement {requirement!r}", f"one of {known}"
        )
    for req in found:
        print(f"{req.id} ({', '.join(req.applies_to)}): {req.title}")
        if req.description:
            print(f"  {req.description}")
        for entry in req.thresholds:
            values = {
                k: v
                for k, v in entry.model_dump(
                    exclude={"from_", "citation", "status", "note"}
                ).items()
                if v is not None
            }
            shown = ", ".join(f"{k}={_plain(v)}" for k, v in values.items())
            print(f"  from {entry.from_.isoformat()}: {shown}")
            print(f"      {entry.citation} [status {entry.status.value}]")
            if entry.note:
                print(f"      note: {entry.note}")
        print()


def _plain(value: object) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_plain(v)}" for k, v in value.items()) + "}"
    if hasattr(value, "normalize"):
        return f"{value.normalize():f}"  # type: ignore[union-attr]
    return str(value)


def run_diff(
    *,
    old: Path,
    new: Path,
    rules: Path | None,
    as_of: date | None,
    today: date,
    output_format: str,
    output: Path | None,
    core_reading: str | None,
    config: Path | None,
    fail_on_regression: bool,
) -> int:
    """Read and evaluate two BOMs on one date, report what moved; return the exit code."""
    with _collector_paused():
        from rvc.reporters.diff import DIFF_RENDERERS

        for path in (old, new):
            if output is not None and output.resolve() == path.resolve():
                raise RvcError(
                    str(output), "is one of the BOMs", "another file for the report (-o)"
                )
        diff = compare_boms(
            old=old,
            new=new,
            rules=rules,
            as_of=as_of,
            today=today,
            core_reading=core_reading,
            config=config,
        )
        render = DIFF_RENDERERS[output_format]
        if output is None:
            _prepare_stdout(output_format)
            render(diff, sys.stdout)
        else:
            try:
                with output.open("w", encoding="utf-8") as stream:
                    render(diff, stream)
            except OSError as exc:
                raise RvcError(str(output), f"cannot be written ({exc.strerror or exc})") from exc
            sys.stderr.write(f"rvc: wrote {output} (new verdict {diff.new.verdict.value})\n")
        return diff.exit_code(fail_on_regression)


def compare_boms(
    *,
    old: Path,
    new: Path,
    rules: Path | None,
    as_of: date | None,
    today: date,
    core_reading: str | None,
    config: Path | None,
) -> BomDiff:
    """Read both BOMs with their settings, evaluate them on one date and compare them.

    The new BOM decides the date (--as-of, else its as_of, else today), the rule pack and the
    reading (options, else its settings file); the old one is evaluated the same way, so
    only the BOMs differ.
    """
    from rvc.engine import evaluate
    from rvc.engine.diff import compare
    from rvc.readers import check_vehicle, read_bom
    from rvc.readers import config as settings_file

    new_settings = settings_file.load(config) if config else settings_file.discover(new)
    old_settings = settings_file.load(config) if config else settings_file.discover(old)
    pack = load_rule_pack(rules or new_settings.rules_dir() or default_rules_dir())
    new_bill = read_bom(new, new_settings, as_of=as_of, today=today)
    assert new_bill.as_of is not None
    source = {"workbook": "new"}.get(new_bill.as_of_source, new_bill.as_of_source)
    old_bill = read_bom(old, old_settings, as_of=new_bill.as_of, today=today)
    for path, bill in ((old, old_bill), (new, new_bill)):
        try:
            check_vehicle(bill, pack)
        except RvcError as error:
            if not error.where.startswith(str(path)):
                error.where = f"{path}: {error.where}"
            raise
    if old_bill.vehicle.currency != new_bill.vehicle.currency:
        raise RvcError(
            f"{new}: Vehicle: currency",
            f"is {new_bill.vehicle.currency} but {old} is in {old_bill.vehicle.currency}",
            "both workbooks in one currency, so their amounts can be compared",
        )
    reading = core_reading or new_settings.reading() or DEFAULT_READING
    before, after = (
        evaluate(bill, pack, new_bill.as_of, as_of_source="option", reading=reading)
        for bill in (old_bill, new_bill)
    )
    return compare(old_bill, before, new_bill, after, as_of_source=source)
