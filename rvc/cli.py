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
    """Output formats of `rvc check`."""

    table = "table"
    json = "json"
    junit = "junit"
    github = "github"


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
    sys.stderr.write(f"rvc: error: {error.message}\n")
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
        Format, typer.Option("--format", "-f", help="Report format.")
    ] = Format.table,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write the report to this file instead of stdout.",
            dir_okay=False,
        ),
    ] = None,
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

    Several workbooks (a batch) exit 2 if any input was bad, else 1 if any fails or is
    incomplete, else 0.
    """
    from rvc.batch import collect, run_batch
    from rvc.commands import run_check

    try:
        paths, batch = collect(bom)
        common = {
            "rules": rules,
            "as_of": as_of.date() if as_of else None,
            "today": date.today(),
            "output_format": output_format.value,
            "output": output,
            "core_reading": _reading(core_reading, core_roll_up),
            "config": config,
            "verbose": verbose,
        }
        if batch or output_dir is not None or dask_scheduler is not None:
            code = run_batch(
                paths=paths,
                single=not batch,
                jobs=jobs,
                output_dir=output_dir,
                dask_scheduler=dask_scheduler,
                **common,  # type: ignore[arg-type]
            )
        else:
            code = run_check(bom=paths[0], **common)  # type: ignore[arg-type]
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


@rules_app.command("list")
def rules_list(rules: RulesOption = None) -> None:
    """List requirements per vehicle class with the threshold in force today."""
    from rvc.commands import list_rules

    try:
        list_rules(rules, date.today())
    except RvcError as error:
        raise _fail(error) from None


@rules_app.command("show")
def rules_show(
    requirement: Annotated[str, typer.Argument(help="Requirement id, e.g. vehicle-rvc.")],
    rules: RulesOption = None,
) -> None:
    """Show a requirement: text, every dated threshold, citation and source status."""
    from rvc.commands import show_rule

    try:
        show_rule(rules, requirement)
    except RvcError as error:
        raise _fail(error) from None


@rules_app.command("schema")
def rules_schema() -> None:
    """Print the JSON Schema of rule files (rules/schema.json is this output)."""
    from rvc.rules.json_schema import schema_text

    sys.stdout.write(schema_text())


def main() -> None:
    """Entry point of the `rvc` script."""
    app()
