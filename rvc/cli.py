"""The command line: options in, calls out, an exit code back. No business logic here."""

from __future__ import annotations

import sys
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from rvc import __version__
from rvc.errors import RvcError
from rvc.results import READING_ALIASES
from rvc.text import escape

app = typer.Typer(
    name="rvc",
    help="USMCA automotive rules-of-origin calculator: RVC, core parts, steel, aluminum, LVC.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
rules_app = typer.Typer(help="Inspect and validate rule packs.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")


class Reading(StrEnum):
    """Readings of core parts in the vehicle RVC, as typed on the command line."""

    us_cbp = "us-cbp"
    roll_up = "roll-up"
    panel = "panel"


def _reading(reading: Reading | None, roll_up: bool) -> str | None:
    if roll_up and reading not in (None, Reading.roll_up, Reading.panel):
        raise typer.BadParameter(
            "--core-roll-up means --core-reading roll-up", param_hint="--core-roll-up"
        )
    if roll_up:
        return "roll-up"
    return READING_ALIASES[reading.value] if reading is not None else None


class Format(StrEnum):
    """What `rvc check` writes on standard output (rvc.reporters.outputs.STDOUT_FORMATS)."""

    auto = "auto"
    table = "table"
    json = "json"
    junit = "junit"
    github = "github"
    markdown = "markdown"
    sarif = "sarif"


class FailOn(StrEnum):
    """What fails the run (rvc.reporters.gate)."""

    incomplete = "incomplete"
    fail = "fail"


RulesOption = Annotated[
    Path | None,
    typer.Option(
        "--rules", help="Rule pack folder (default: the shipped USMCA pack).", file_okay=False
    ),
]


def _fail(error: RvcError) -> typer.Exit:
    reconfigure = getattr(sys.stderr, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(errors="replace")
    sys.stderr.write(f"rvc: error: {escape(error.message)}\n")
    return typer.Exit(2)


def _version(value: bool) -> None:
    if value:
        print(f"rvc {__version__}")
        raise typer.Exit(0)


@app.callback()
def main_options(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """USMCA automotive rules-of-origin calculator."""


@app.command()
def check(
    bom: Annotated[
        list[Path],
        typer.Argument(
            help="BOM workbooks (.xlsx), CSV files or folders of CSVs; several paths, globs or a "
            "folder of workbooks are checked as a batch.",
            show_default=False,
        ),
    ],
    rules: RulesOption = None,
    as_of: Annotated[
        datetime | None,
        typer.Option(
            "--as-of",
            formats=["%Y-%m-%d"],
            help="Date whose thresholds apply (default: the workbook's as_of, else today).",
        ),
    ] = None,
    output_format: Annotated[
        Format,
        typer.Option(
            "--format",
            "-f",
            help="What standard output gets. auto (default): github inside GitHub Actions, "
            "else the table, or only the verdict line when -o is given.",
        ),
    ] = Format.auto,
    output: Annotated[
        list[Path] | None,
        typer.Option(
            "--output",
            "-o",
            help="Also write a report file, in the format its suffix names: .json, .xml "
            "(JUnit), .md (Markdown), .txt (table), .sarif. Repeatable.",
            dir_okay=False,
            metavar="FILE",
        ),
    ] = None,
    fail_on: Annotated[
        FailOn,
        typer.Option(
            "--fail-on",
            help="incomplete (default): exit 1 when a requirement fails or is not evaluated; "
            "fail: exit 1 only when one fails (an incomplete verdict exits 0).",
        ),
    ] = FailOn.incomplete,
    core_reading: Annotated[
        Reading | None,
        typer.Option(
            "--core-reading",
            help="How core parts count in the vehicle RVC: us-cbp (default, the U.S. Customs "
            "position: a core part's own non-originating content always counts) or roll-up "
            "(the 2022 USMCA panel's reading: an originating core part counts wholly "
            "originating; 'panel' is an alias). Both are always computed and shown.",
        ),
    ] = None,
    core_roll_up: Annotated[
        bool,
        typer.Option("--core-roll-up", help="Short for --core-reading roll-up."),
    ] = False,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            help="Settings file (rvc.toml or pyproject.toml); default: "
            "the nearest one above the BOM.",
            dir_okay=False,
        ),
    ] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Also list ignored sheets and columns.")
    ] = False,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            help="Batch: workbooks checked in parallel, in processes (default: the CPU count; "
            "1 checks them in this process).",
            show_default=False,
        ),
    ] = None,
    output_dir: Annotated[
        Path | None,
        typer.Option(
            "--output-dir",
            help="Also write each workbook's JSON report (or error document) to DIR/<name>.json.",
            file_okay=False,
        ),
    ] = None,
    dask_scheduler: Annotated[
        str | None,
        typer.Option(
            "--dask-scheduler",
            help="Check the workbooks on this Dask cluster (tcp://host:8786; "
            "needs usmca-rvc[dask]).",
        ),
    ] = None,
) -> None:
    """Check vehicle BOMs against the rules; exit 0 pass, 1 fail or incomplete, 2 bad input.

    Bad input also writes an error document to every -o file and, in the machine formats
    (json, junit, github, markdown, sarif), to standard output. Several workbooks (a batch)
    exit 2 if any input was bad, else 1 if any fails or is incomplete, else 0.
    """
    from rvc.batch import collect, run_batch
    from rvc.commands import run_check

    try:
        paths, batch = collect(bom)
        common = {
            "rules": rules,
            "as_of": as_of.date() if as_of else None,
            "today": date.today(),
            "core_reading": _reading(core_reading, core_roll_up),
            "config": config,
            "verbose": verbose,
        }
        if batch or output_dir is not None or dask_scheduler is not None:
            if output and len(output) > 1:
                raise RvcError(
                    "-o", f"is given {len(output)} times for a batch", "one report file a batch"
                )
            fmt = output_format.value
            code = run_batch(
                paths=paths,
                single=not batch,
                jobs=jobs,
                output_dir=output_dir,
                dask_scheduler=dask_scheduler,
                output_format="table" if fmt == "auto" else fmt,
                output=output[0] if output else None,
                **common,  # type: ignore[arg-type]
            )
        else:
            code = run_check(
                bom=paths[0],
                output_format=output_format.value,
                outputs=output or [],
                fail_on=fail_on.value,
                **common,  # type: ignore[arg-type]
            )
    except RvcError as error:
        raise _fail(error) from None
    raise typer.Exit(code)


class DiffFormat(StrEnum):
    """Output formats of `rvc diff`."""

    table = "table"
    json = "json"
    markdown = "markdown"


@app.command()
def diff(
    old: Annotated[Path, typer.Argument(help="The BOM before the change (.xlsx, CSV or folder).")],
    new: Annotated[Path, typer.Argument(help="The BOM after the change.")],
    rules: RulesOption = None,
    as_of: Annotated[
        datetime | None,
        typer.Option(
            "--as-of",
            formats=["%Y-%m-%d"],
            help="Date whose thresholds apply to both (default: NEW's as_of, else today).",
        ),
    ] = None,
    output_format: Annotated[
        DiffFormat, typer.Option("--format", "-f", help="Report format.")
    ] = DiffFormat.table,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the report to this file.", dir_okay=False),
    ] = None,
    core_reading: Annotated[
        Reading | None,
        typer.Option("--core-reading", help="us-cbp (default) or roll-up, as in check."),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            help="Settings file for both (default: the nearest one above each BOM).",
            dir_okay=False,
        ),
    ] = None,
    fail_on_regression: Annotated[
        bool,
        typer.Option(
            "--fail-on-regression",
            help="Exit 1 only when a requirement's status got worse (pass > not evaluated > "
            "fail), 0 otherwise, whatever NEW's verdict.",
        ),
    ] = False,
) -> None:
    """Compare two BOMs on one date: lines changed and how each requirement moved.

    Exit 0 when NEW passes, 1 when it fails or is incomplete, 2 on bad input (either file).
    """
    from rvc.commands import run_diff

    try:
        code = run_diff(
            old=old,
            new=new,
            rules=rules,
            as_of=as_of.date() if as_of else None,
            today=date.today(),
            output_format=output_format.value,
            output=output,
            core_reading=_reading(core_reading, False),
            config=config,
            fail_on_regression=fail_on_regression,
        )
    except RvcError as error:
        raise _fail(error) from None
    raise typer.Exit(code)


class Category(StrEnum):
    """Averaging categories of s. 16(1) (rvc.engine.average.CATEGORIES)."""

    model_line_plant = "model-line-plant"
    class_plant = "class-plant"
    model_line = "model-line"
    class_ = "class"


class AverageFormat(StrEnum):
    """What `rvc average` writes on standard output."""

    auto = "auto"
    table = "table"
    json = "json"
    junit = "junit"
    github = "github"
    markdown = "markdown"


def _period(text: str | None) -> tuple[date, date] | None:
    """`FROM..TO` (ISO dates, FROM <= TO) as two dates; a usage error otherwise."""
    if text is None:
        return None
    start, sep, end = text.partition("..")
    try:
        if not sep:
            raise ValueError
        first, last = date.fromisoformat(start.strip()), date.fromisoformat(end.strip())
    except ValueError:
        raise RvcError(
            "--period", f"is {text!r}", "FROM..TO as two dates, e.g. 2024-07-01..2025-06-30"
        ) from None
    if last < first:
        raise RvcError("--period", f"ends ({last}) before it starts ({first})", "FROM <= TO")
    return first, last


@app.command()
def average(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="The variants of the period: workbooks (.xlsx), CSV folders, globs or folders "
            "of them, each with volume and country on its Vehicle sheet.",
            show_default=False,
        ),
    ],
    category: Annotated[
        Category,
        typer.Option(
            "--category",
            help="model-line-plant (same model line and class in one plant), class-plant, "
            "model-line (same model line in one country), class (same class in one country); "
            "SOR/2020-155 s. 16(1).",
            show_default=False,
        ),
    ],
    period: Annotated[
        str | None,
        typer.Option(
            "--period",
            metavar="FROM..TO",
            help="The averaging period, e.g. 2024-07-01..2025-06-30 (default: the period every "
            "workbook states in period_start and period_end). Its first day's thresholds apply.",
        ),
    ] = None,
    exported_only: Annotated[
        bool,
        typer.Option(
            "--exported-only",
            help="Only the vehicles exported to another CUSMA country (volume_exported).",
        ),
    ] = False,
    model_line: Annotated[
        str | None, typer.Option("--model-line", help="Only this model line's group.")
    ] = None,
    plant: Annotated[str | None, typer.Option("--plant", help="Only this plant's group.")] = None,
    vehicle_class: Annotated[
        VehicleClass | None, typer.Option("--class", help="Only this class's group.")
    ] = None,
    country: Annotated[
        str | None, typer.Option("--country", help="Only this country's group (US, CA, MX).")
    ] = None,
    rules: RulesOption = None,
    output_format: Annotated[
        AverageFormat,
        typer.Option(
            "--format",
            "-f",
            help="What standard output gets (auto: github inside GitHub Actions, else the "
            "table, or only the verdict line when -o is given).",
        ),
    ] = AverageFormat.auto,
    output: Annotated[
        list[Path] | None,
        typer.Option(
            "--output",
            "-o",
            help="Also write a report file by suffix: .json, .xml (JUnit), .md, .txt, .xlsx "
            "(the audit workbook). Repeatable.",
            dir_okay=False,
            metavar="FILE",
        ),
    ] = None,
    fail_on: Annotated[
        FailOn,
        typer.Option("--fail-on", help="incomplete (default) or fail, as for check."),
    ] = FailOn.incomplete,
    core_reading: Annotated[
        Reading | None,
        typer.Option("--core-reading", help="us-cbp (default) or roll-up; both are computed."),
    ] = None,
    core_roll_up: Annotated[
        bool, typer.Option("--core-roll-up", help="Short for --core-reading roll-up.")
    ] = False,
    config: Annotated[
        Path | None,
        typer.Option("--config", help="Settings file for every workbook.", dir_okay=False),
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            help="Workbooks read in parallel (default: CPUs).",
            show_default=False,
        ),  # fmt: skip
    ] = None,
    dask_scheduler: Annotated[
        str | None,
        typer.Option("--dask-scheduler", help="Read the workbooks on this Dask cluster."),
    ] = None,
) -> None:
    """Average variants over a period by category, as section 16 allows; exit 0 every average
    passes, 1 one fails or is incomplete, 2 bad input (each workbook's message on stderr).

    One average per group of the category (e.g. per model line and plant), each with its
    verdict; the exit code is the worst. Workbooks outside the period or the group asked for
    are listed and left out."""
    from rvc.batch import collect, run_average

    only = {
        name: value
        for name, value in (
            ("model_line", model_line),
            ("plant", plant),
            ("vehicle_class", vehicle_class.value if vehicle_class else None),
            ("country", country.upper() if country else None),
        )
        if value is not None
    }
    try:
        found, _ = collect(paths)
        code = run_average(
            paths=found,
            rules=rules,
            config=config,
            category=category.value,
            period=_period(period),
            exported_only=exported_only,
            only=only,
            core_reading=_reading(core_reading, core_roll_up),
            today=date.today(),
            output_format=output_format.value,
            outputs=output or [],
            fail_on=fail_on.value,
            jobs=jobs,
            dask_scheduler=dask_scheduler,
        )
    except RvcError as error:
        raise _fail(error) from None
    raise typer.Exit(code)


@app.command()
def template(
    path: Annotated[
        Path, typer.Argument(help="Where to write the template workbook.", dir_okay=False)
    ],
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write an example workbook in the input format, ready to fill in."""
    from rvc.readers.template import write_template

    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise _fail(RvcError(str(path), "is not an .xlsx name", "a file name ending in .xlsx"))
    if path.exists() and not force:
        raise _fail(RvcError(str(path), "already exists", "a new file name, or --force"))
    try:
        write_template(path)
    except OSError as exc:
        raise _fail(RvcError(str(path), f"cannot be written ({exc.strerror or exc})")) from None
    print(f"wrote {path}")


class VehicleClass(StrEnum):
    """Vehicle classes, as typed on the command line."""

    passenger_vehicle = "passenger_vehicle"
    light_truck = "light_truck"
    heavy_truck = "heavy_truck"


@app.command()
def explain(
    requirement: Annotated[
        str, typer.Argument(help="Requirement id: vehicle-rvc, core-parts, steel, aluminum, lvc.")
    ],
    rules: RulesOption = None,
    as_of: Annotated[
        datetime | None,
        typer.Option(
            "--as-of",
            formats=["%Y-%m-%d"],
            help="Date of the thresholds marked and of the worked example (default: today).",
        ),
    ] = None,
    vehicle_class: Annotated[
        VehicleClass | None,
        typer.Option("--class", help="Only this vehicle class (default: every class)."),
    ] = None,
) -> None:
    """Explain a requirement: what it asks, the formula, the thresholds by date with citation
    and status, and a worked example computed by rvc."""
    from rvc.commands import explain_requirement

    try:
        explain_requirement(
            rules,
            requirement,
            as_of.date() if as_of else date.today(),
            vehicle_class.value if vehicle_class else None,
        )
    except RvcError as error:
        raise _fail(error) from None


@rules_app.command("validate")
def rules_validate(
    directory: Annotated[
        Path | None,
        typer.Argument(help="Rule pack folder (default: the shipped pack).", file_okay=False),
    ] = None,
) -> None:
    """Check a rule pack folder; exit 0 when valid, 2 with the first problem otherwise."""
    from rvc.rules import default_rules_dir, load_rule_pack

    try:
        folder = directory or default_rules_dir()
        pack = load_rule_pack(folder)
    except RvcError as error:
        raise _fail(error) from None
    print(
        f"{folder}: valid rule pack {pack.pack.id} {pack.pack.version} "
        f"({len(pack.files)} files, {len(pack.requirements)} requirements, "
        f"{len(pack.part_tables)} part tables)"
    )


class RulesFormat(StrEnum):
    """Output formats of `rvc rules list|show`."""

    table = "table"
    json = "json"


AsOfOption = Annotated[
    datetime | None,
    typer.Option(
        "--as-of", formats=["%Y-%m-%d"], help="Date whose thresholds are shown (default: today)."
    ),
]
RulesFormatOption = Annotated[
    RulesFormat, typer.Option("--format", "-f", help="table, or json (rules-output.schema.json).")
]


@rules_app.command("list")
def rules_list(
    rules: RulesOption = None,
    as_of: AsOfOption = None,
    output_format: RulesFormatOption = RulesFormat.table,
) -> None:
    """List requirements per vehicle class with the threshold in force on a date."""
    from rvc.commands import list_rules

    try:
        list_rules(rules, as_of.date() if as_of else date.today(), output_format.value)
    except RvcError as error:
        raise _fail(error) from None


@rules_app.command("show")
def rules_show(
    requirement: Annotated[str, typer.Argument(help="Requirement id, e.g. vehicle-rvc.")],
    rules: RulesOption = None,
    as_of: AsOfOption = None,
    output_format: RulesFormatOption = RulesFormat.table,
) -> None:
    """Show a requirement: text, every dated threshold (the one in force marked), citation
    and source status, and the rule pack it comes from."""
    from rvc.commands import show_rule

    try:
        show_rule(rules, requirement, as_of.date() if as_of else date.today(), output_format.value)
    except RvcError as error:
        raise _fail(error) from None


@rules_app.command("schema")
def rules_schema() -> None:
    """Print the JSON Schema of rule files (rules/schema.json is this output)."""
    from rvc.rules.json_schema import schema_text

    sys.stdout.write(schema_text())


def main() -> None:
    """Entry point of the `rvc` script: a crash never looks like a verdict.

    Exit codes: 0 pass, 1 fail or incomplete, 2 bad input or usage, 3 an internal error of
    rvc (one line asking for a report; the traceback only with ``--debug``), 130 interrupted,
    141 standard output closed before a command other than a check finished writing.
    """
    from rvc.crash import run

    sys.exit(run(app))
