"""What each command does, between the CLI's options and the library's layers."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from rvc.errors import RvcError
from rvc.reporters import outputs
from rvc.results import DEFAULT_READING, Report
from rvc.rulepack import default_rules_dir, load_rule_pack
from rvc.text import escape, snippet

if TYPE_CHECKING:
    from rvc.engine.average import Variant
    from rvc.engine.diff import BomDiff
    from rvc.model import BillOfMaterials, Provenance
    from rvc.readers.config import Config
    from rvc.readers.source import MemoryFile
    from rvc.results import Report
    from rvc.rulepack.schema import RulePack


def run_check(
    *,
    bom: Path,
    rules: Path | None,
    as_of: date | None,
    today: date,
    output_format: str | None,
    outputs: Sequence[Path] = (),
    core_reading: str | None,
    config: Path | None,
    verbose: bool,
    fail_on: str = "incomplete",
    strict: bool = False,
    quiet: bool = False,
    color: bool | None = None,
) -> int:
    """Read, evaluate, report; return the exit code (0 pass, 1 fail or incomplete).

    Reports go to standard output in `output_format` and to each of `outputs` in the format
    its suffix names; bad input writes the error document to them all, then raises.
    `output_format` None and no `outputs` take `format` and `output` from the settings file.
    `quiet` prints only the verdict line on standard output."""
    from rvc.reporters import gate, input_error
    from rvc.reporters import outputs as out

    files = out.plan(outputs, bom)
    fmt = "verdict" if quiet else out.stdout_format(output_format or "auto", files=bool(files))
    with _collector_paused():
        try:
            settings = _check_settings(bom, config, rules, strict)
            if not outputs and (configured := settings.output_path()) is not None:
                files = out.plan([configured], bom)
            chosen = output_format or _setting_format(settings)
            fmt = "verdict" if quiet else out.stdout_format(chosen, files=bool(files))
            pack = load_rule_pack(rules or settings.rules_dir() or default_rules_dir())
            bill, report = evaluate_bom(
                bom, settings, pack, as_of=as_of, today=today, core_reading=core_reading
            )
        except RvcError as error:
            out.write_error(input_error.document(error, str(bom)), fmt, files)
            raise
        if verbose and bill.provenance:
            _list_mapping(bill.provenance)
        out.write_report(report, fmt, files, fail_on=fail_on, color=color)
        return gate.exit_code(report, fail_on)


def _check_settings(bom: Path, config: Path | None, rules: Path | None, strict: bool) -> Config:
    """The paths given checked before anything is read, then the settings: the file given,
    else the nearest one above the BOM, else the defaults."""
    from rvc.readers import config as settings_file
    from rvc.readers import paths

    paths.check_input(bom)
    if config is not None:
        paths.check_settings_file(config)
    if rules is not None:
        paths.check_rules_folder(rules)
    settings = settings_file.load(config) if config else settings_file.discover(bom)
    settings.strict = strict
    return settings


def _list_mapping(provenance: Provenance) -> None:
    """`--verbose`: how sheets and columns were mapped, and what was ignored, on stderr."""
    for line in provenance.mapping:
        sys.stderr.write(f"rvc: {escape(line)}\n")
    for name in provenance.ignored_sheets:
        sys.stderr.write(f"rvc: ignored sheet: {escape(name)}\n")
    for name in provenance.ignored_columns:
        sys.stderr.write(f"rvc: ignored column: {escape(name)}\n")


def _setting_format(settings: Config) -> str:
    """`format` from the settings file, checked against the formats standard output takes."""
    from rvc.reporters.outputs import STDOUT_FORMATS

    name = settings.settings.format
    if name is None:
        return "auto"
    if name not in STDOUT_FORMATS:
        raise RvcError(
            f"{settings.label}: format",
            f"{snippet(name)} is not a report format",
            f"one of {', '.join(STDOUT_FORMATS)}",
        )
    return name


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


def read_variant(
    source: Path | MemoryFile,
    settings: Config,
    pack: RulePack,
    *,
    as_of: date | None,
    today: date,
    reading: str,
    required: frozenset[str],
    period_core: frozenset[str] = frozenset(),
) -> Variant:
    """One workbook of `rvc average`: read with its period fields (those in `required` must be
    there), evaluated as `rvc check` evaluates it (on `as_of`, else its own as_of, else its
    period_end, else `today`), kept as the figures the average needs (never the BOM).
    `period_core`: the core-part categories the period's average makes originating (a second
    pass). Raises `RvcError` on bad input."""
    import hashlib
    from dataclasses import replace

    from rvc.engine import evaluate, rescue_deltas
    from rvc.engine.average import Variant
    from rvc.readers import check_vehicle, read_bom
    from rvc.reporters.json_report import dumps_data, requirement_document

    bill = read_bom(source, settings, as_of=as_of, today=today, production=required)
    check_vehicle(bill, pack)
    assert bill.as_of is not None and bill.vehicle.production is not None
    report = evaluate(
        bill, pack, bill.as_of, as_of_source=bill.as_of_source, reading=reading,
        period_core=period_core,
    )  # fmt: skip
    purchases = {}
    for material in ("steel", "aluminum"):
        rows = [
            (r.value, r.originating, r.melted_and_poured, r.hs_code, r.description, r.supplier)
            for r in bill.metals or []
            if r.material == material
        ]
        if rows:
            purchases[material] = hashlib.sha256(repr(rows).encode()).hexdigest()
    provenance = bill.provenance
    rendered = dumps_data([requirement_document(r) for r in report.requirements])
    kept = tuple(replace(r, drivers=(), what_it_would_take=None) for r in report.requirements)
    return Variant(
        path=str(source),
        sha256=provenance.sha256 if provenance else "",
        vehicle=dict(report.vehicle),
        production=bill.vehicle.production,
        net_cost=bill.vehicle.net_cost,
        currency=bill.vehicle.currency,
        as_of=bill.as_of,
        requirements=kept,
        readings=report.readings,
        as_of_source=bill.as_of_source,
        requirements_json=rendered,
        rescue=rescue_deltas(report),
        purchases=purchases,
        notes=len(report.notes),
        locations=dict(provenance.locations) if provenance else {},
    )


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


def write_templates(path: Path | None, csv_dir: Path | None, *, force: bool) -> list[str]:
    """`rvc template`: the template workbook at `path` and/or its CSV files in `csv_dir`,
    after checking that both can be written (existing files only with `force`); returns
    what was written."""
    from rvc.reporters.template import write_template, write_template_csv

    if path is None and csv_dir is None:
        raise RvcError(
            "rvc template", "needs a file name or --csv DIR", "e.g. rvc template bom.xlsx"
        )
    if path is not None:
        _check_template_file(path, force)
    if csv_dir is not None:
        _check_template_folder(csv_dir, force)
    written = []
    for target, write in ((path, write_template), (csv_dir, write_template_csv)):
        if target is None:
            continue
        try:
            write(target)
        except OSError as exc:
            raise RvcError(str(target), f"cannot be written ({exc.strerror or exc})") from exc
        written.append(str(target))
    return written


def _check_template_file(path: Path, force: bool) -> None:
    from rvc.readers import paths

    paths.check_output(path)
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise RvcError(str(path), "is not an .xlsx name", "a file name ending in .xlsx")
    if path.exists() and not force:
        raise RvcError(str(path), "already exists", "a new file name, or --force")


def _check_template_folder(folder: Path, force: bool) -> None:
    from rvc.reporters.template import csv_names

    if folder.exists() and not folder.is_dir():
        raise RvcError(str(folder), "is a file", "a folder for the CSV files (--csv DIR)")
    taken = [n for n in csv_names() if (folder / n).exists()]
    if taken and not force:
        raise RvcError(str(folder), f"already holds {', '.join(taken)}", "a new folder, or --force")


def list_rules(rules: Path | None, as_of: date, output_format: str = "table") -> None:
    """Print each class's requirements with the threshold in force on `as_of`."""
    from rvc.reporters import outputs, rules_report

    folder = rules or default_rules_dir()
    document = rules_report.list_document(load_rule_pack(folder), folder, as_of)
    render = rules_report.render_json if output_format == "json" else rules_report.render_list
    outputs.to_stdout(output_format, lambda stream: render(document, stream))


def show_rule(
    rules: Path | None, requirement: str, as_of: date, output_format: str = "table"
) -> None:
    """Print a requirement's description and every dated entry with citation and status."""
    from rvc.reporters import outputs, rules_report

    folder = rules or default_rules_dir()
    pack = load_rule_pack(folder)
    if not any(r.id == requirement for r in pack.requirements):
        known = ", ".join(sorted({r.id for r in pack.requirements}))
        raise RvcError(
            f"rule pack {pack.pack.id}", f"has no requirement {requirement!r}", f"one of {known}"
        )
    document = rules_report.show_document(pack, folder, requirement, as_of)
    render = rules_report.render_json if output_format == "json" else rules_report.render_show
    outputs.to_stdout(output_format, lambda stream: render(document, stream))


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
            outputs.to_stdout(output_format, lambda stream: render(diff, stream))
        else:
            try:
                with output.open("w", encoding="utf-8") as stream:
                    render(diff, stream)
            except OSError as exc:
                raise RvcError(str(output), f"cannot be written ({exc.strerror or exc})") from exc
            sys.stderr.write(
                f"rvc: wrote {escape(output)} (new verdict {diff.new.verdict.value})\n"
            )
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


def explain_requirement(
    rules: Path | None, requirement: str, as_of: date, vehicle_class: str | None = None
) -> None:
    """Print what a requirement asks, its formula, thresholds and a worked example, the
    example evaluated by the engine on `as_of` (one per definition of the requirement)."""
    from rvc.engine import evaluate
    from rvc.examples import example_bom
    from rvc.reporters import explain, outputs

    folder = rules or default_rules_dir()
    pack = load_rule_pack(folder)
    definitions = [r for r in pack.requirements if r.id == requirement]
    if vehicle_class is not None:
        definitions = [r for r in definitions if vehicle_class in r.applies_to]
    if not definitions:
        known = ", ".join(
            sorted(
                {r.id for r in pack.requirements_for(vehicle_class)}
                if vehicle_class
                else {r.id for r in pack.requirements}
            )
        )
        for_class = f" for {vehicle_class}" if vehicle_class else ""
        raise RvcError(
            f"rule pack {pack.pack.id}",
            f"has no requirement {requirement!r}{for_class}",
            f"one of {known}",
        )
    examples = []
    for definition in definitions:
        cls = vehicle_class or definition.applies_to[0]
        examples.append((definition, evaluate(example_bom(cls), pack, as_of)))
    outputs.to_stdout(
        "table",
        lambda stream: explain.render(requirement, pack, folder, as_of, examples, stream),
    )
