"""The command line: options in, calls out, an exit code back. No business logic here."""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from rvc import __version__
from rvc.errors import RvcError
from rvc.results import READING_ALIASES
from rvc.text import escape


class RvcGroup(TyperGroup):
    """Usage errors in rvc's own format (`rvc: error: <where>: <found>; expected <what>`),
    never the option parser's block of usage text."""

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except _UsageError as error:
            if type(error).__name__ == "NoArgsIsHelpError":
                shown: Any = error
                shown.show()
                code = shown.exit_code
            else:
                _usage_error(error)
                code = 2
        except typer.Abort:
            sys.stderr.write("rvc: aborted\n")
            code = 1
        else:
            code = result if isinstance(result, int) else 0
        if standalone_mode:
            sys.exit(code)
        return code


class RvcCommand(TyperCommand):
    """Plain metavars in the usage line: `rvc check [OPTIONS] BOM`, not `{bom}`."""

    def get_help(self, ctx: Any) -> str:
        """Help without the parser's type placeholders (`BOM <list[Path]>`, `[x>=1]`)."""
        text: str = super().get_help(ctx)
        return re.sub(r" <list\[Path\]>|  \[x>=1\]", "", text)

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces: list[str] = super().collect_usage_pieces(ctx)
        return [re.sub(r"^\{(.*)\}", r"\1", p) for p in pieces]


# typer's click (vendored from typer 0.22 on) raises its own classes: find them through typer
_UsageError: type[Exception] = next(
    c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError"
)


def _usage_error(error: Any) -> None:
    """`rvc: error: --format: 'xml' is not one of ...; expected what `rvc check -h` describes`."""
    ctx = getattr(error, "ctx", None)
    command = ctx.command_path if ctx is not None else "rvc"
    message = re.sub(r"^(Value error, )", "", error.format_message()).rstrip(".")
    where, expected = command, f"what `{command} -h` describes"
    param = getattr(error, "param", None)
    kind = type(error).__name__
    if kind == "MissingParameter" and param is not None:
        name = (getattr(param, "metavar", None) or param.name or "").upper()
        message = f"the {name} argument is missing"
        expected = f"{command} {name} (see `{command} -h`)"
    elif kind == "NoSuchOption":
        where, message, expected = _no_such_option(error, command)
    elif kind == "BadOptionUsage" and "requires an argument" in message:
        option = getattr(error, "option_name", "") or command
        where, message = option, "needs a value"
        expected = f"a value after {option} (see `{command} -h`)"
    elif isinstance(error, typer.BadParameter) and param is not None:
        where, message = _bad_value(param, message)
    elif message.startswith("No such command"):
        message = message.replace("No such command", "no such command").replace(
            ". Did you mean", " (did you mean"
        )
        message += ")" if "(did you mean" in message else ""
        expected = f"one of the commands `{command} -h` lists"
    sys.stderr.write(f"rvc: error: {where}: {message}; expected {expected}\n")


def _no_such_option(error: Any, command: str) -> tuple[str, str, str]:
    """`rvc check --frmat: is not an option (did you mean --format?)`."""
    option = getattr(error, "option_name", "")
    possibilities = getattr(error, "possibilities", None)
    message = "is not an option" + (
        f" (did you mean {', '.join(possibilities)}?)" if possibilities else ""
    )
    return f"{command} {option}".strip(), message, f"an option listed by `{command} -h`"


def _bad_value(param: Any, message: str) -> tuple[str, str]:
    """`--format: 'xml' is not one of ...`: the option (or argument) and the parser's words
    without their prefix."""
    opts = getattr(param, "opts", None) or []
    where = opts[0] if opts and opts[0].startswith("-") else (param.name or "").upper()
    message = re.sub(r"^Invalid value( for [^:]+)?: ", "", message)
    return where, re.sub(r"^(Value error, )", "", message)


app = typer.Typer(
    name="rvc",
    help="USMCA automotive rules-of-origin calculator: RVC, core parts, steel, aluminum, LVC.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    cls=RvcGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
)
rules_app = typer.Typer(help="Inspect and validate rule packs.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")


class Reading(StrEnum):
    """Readings of core parts in the vehicle RVC, as typed on the command line: the spellings
    of `results.ReadingName` (a test keeps them equal), each meaning `READING_ALIASES[...]`."""

    us_cbp = "us-cbp"
    roll_up = "roll-up"
    panel = "panel"


def _reading(reading: Reading | None, roll_up: bool) -> str | None:
    """The reading asked for: --core-reading (an alias read as its reading), --core-roll-up."""
    chosen = READING_ALIASES[reading.value] if reading is not None else None
    if roll_up and chosen not in (None, "roll-up"):
        raise RvcError(
            "--core-roll-up",
            f"means --core-reading roll-up, but --core-reading {chosen} was given too",
            "one of the two options",
        )
    return "roll-up" if roll_up else chosen


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


class Color(StrEnum):
    """When the table report is coloured."""

    auto = "auto"
    always = "always"
    never = "never"


RulesOption = Annotated[
    Path | None,
    typer.Option(
        "--rules", metavar="DIR", help="Rule pack folder (default: the shipped USMCA pack)."
    ),
]

DATE_FORMAT = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_date(text: str, option: str = "--as-of") -> date:
    """`--as-of`: only YYYY-MM-DD, with rvc's own message for anything else.

    Examples:
        >>> parse_date("2025-09-01")
        datetime.date(2025, 9, 1)
    """
    shown = text.strip()
    if DATE_FORMAT.fullmatch(shown):
        try:
            return date.fromisoformat(shown)
        except ValueError as exc:
            raise RvcError(
                option,
                f"{text!r} is not a date ({exc})",
                "a real date as YYYY-MM-DD, for example 2025-09-01",
            ) from None
    raise RvcError(
        option,
        f"{text!r} is not a date in the form YYYY-MM-DD",
        "YYYY-MM-DD, for example 2025-09-01",
    )


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
        bool,
        typer.Option(
            "--version", "-V", callback=_version, is_eager=True, help="Print the version."
        ),
    ] = False,
) -> None:
    """USMCA automotive rules-of-origin calculator."""


@app.command(cls=RvcCommand)
def check(
    bom: Annotated[
        list[Path],
        typer.Argument(
            metavar="BOM",
            readable=False,  # rvc says so in its own words (readers.paths)
            help="BOM workbooks (.xlsx), CSV files or folders of CSVs; several paths, globs or a "
            "folder of workbooks are checked as a batch.",
            show_default=False,
        ),
    ],
    rules: RulesOption = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar="YYYY-MM-DD",
            help="Date whose thresholds apply (default: the workbook's as_of, else today).",
        ),
    ] = None,
    output_format: Annotated[
        Format | None,
        typer.Option(
            "--format",
            "-f",
            help="What standard output gets. auto (default, or format in the settings file): "
            "github inside GitHub Actions, else the table, or only the verdict line when -o "
            "is given.",
        ),
    ] = None,
    output: Annotated[
        list[Path] | None,
        typer.Option(
            "--output",
            "-o",
            help="Also write a report file, in the format its suffix names: .json, .xml "
            "(JUnit), .md (Markdown), .txt (table), .sarif, .xlsx (audit workbook). "
            "Repeatable. Default: output in the settings file, if any.",
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
            metavar="FILE",
            help="Settings file (rvc.toml or pyproject.toml); default: "
            "the nearest one above the BOM.",
        ),
    ] = None,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict", help="Refuse every unknown column, not only those that look like one."
        ),
    ] = False,
    quiet: Annotated[
        bool,
        typer.Option("--quiet", "-q", help="Print only the verdict line on standard output."),
    ] = False,
    color: Annotated[
        Color,
        typer.Option(
            "--color",
            help="Colour the table: auto (on a terminal, unless NO_COLOR is set; FORCE_COLOR "
            "forces it), always or never.",
        ),
    ] = Color.auto,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Also list ignored sheets and columns.")
    ] = False,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            metavar="N",
            help="Batch: workbooks checked in parallel, in processes (default: the CPU count; "
            "1 checks them in this process).",
            show_default=False,
        ),
    ] = None,
    output_dir: Annotated[
        Path | None,
        typer.Option(
            "--output-dir",
            metavar="DIR",
            help="Also write each workbook's JSON report (or error document) to DIR/<name>.json "
            "(and its audit workbook, with --output-dir-format).",
        ),
    ] = None,
    output_dir_format: Annotated[
        str,
        typer.Option(
            "--output-dir-format",
            metavar="FORMATS",
            help="What --output-dir writes per workbook: json (default), xlsx (the audit "
            "workbook, DIR/<name>.xlsx) or json,xlsx.",
        ),
    ] = "json",
    dask_scheduler: Annotated[
        str | None,
        typer.Option(
            "--dask-scheduler",
            metavar="ADDRESS",
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
            "as_of": parse_date(as_of) if as_of is not None else None,
            "today": date.today(),
            "core_reading": _reading(core_reading, core_roll_up),
            "config": config,
            "verbose": verbose,
            "strict": strict,
        }
        if output_dir is None and output_dir_format != "json":
            raise RvcError(
                "--output-dir-format", "is given without --output-dir", "--output-dir DIR"
            )
        if batch or output_dir is not None or dask_scheduler is not None:
            if output and len(output) > 1:
                raise RvcError(
                    "-o", f"is given {len(output)} times for a batch", "one report file a batch"
                )
            fmt = output_format.value if output_format is not None else "auto"
            code = run_batch(
                paths=paths,
                single=not batch,
                jobs=jobs,
                output_dir=output_dir,
                output_dir_format=output_dir_format,
                dask_scheduler=dask_scheduler,
                output_format=fmt,
                output=output[0] if output else None,
                fail_on=fail_on.value,
                quiet=quiet,
                **common,  # type: ignore[arg-type]
            )
        else:
            code = run_check(
                bom=paths[0],
                output_format=output_format.value if output_format is not None else None,
                outputs=output or [],
                fail_on=fail_on.value,
                quiet=quiet,
                color={"auto": None, "always": True, "never": False}[color.value],
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


@app.command(cls=RvcCommand)
def diff(
    old: Annotated[
        Path,
        typer.Argument(metavar="OLD", help="The BOM before the change (.xlsx, CSV or folder)."),
    ],
    new: Annotated[Path, typer.Argument(metavar="NEW", help="The BOM after the change.")],
    rules: RulesOption = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar="YYYY-MM-DD",
            help="Date whose thresholds apply to both (default: NEW's as_of, else today).",
        ),
    ] = None,
    output_format: Annotated[
        DiffFormat, typer.Option("--format", "-f", help="Report format.")
    ] = DiffFormat.table,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", metavar="FILE", help="Write the report to this file."),
    ] = None,
    core_reading: Annotated[
        Reading | None,
        typer.Option("--core-reading", help="us-cbp (default) or roll-up, as in check."),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            metavar="FILE",
            help="Settings file for both (default: the nearest one above each BOM).",
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
            as_of=parse_date(as_of) if as_of is not None else None,
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
    if not sep:
        raise RvcError(
            "--period", f"is {text!r}", "FROM..TO as two dates, e.g. 2024-07-01..2025-06-30"
        )
    first, last = parse_date(start, "--period"), parse_date(end, "--period")
    if last < first:
        raise RvcError("--period", f"ends ({last}) before it starts ({first})", "FROM <= TO")
    return first, last


@app.command(cls=RvcCommand)
def average(
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="PATH",
            readable=False,  # rvc says so in its own words (readers.paths)
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
            "workbook states in period_start and period_end). Its last day's thresholds apply.",
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
        typer.Option("--config", metavar="FILE", help="Settings file for every workbook."),
    ] = None,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict", help="Refuse every unknown column, not only those that look like one."
        ),
    ] = False,
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
            strict=strict,
        )
    except RvcError as error:
        raise _fail(error) from None
    raise typer.Exit(code)


@app.command(cls=RvcCommand)
def template(
    path: Annotated[
        Path | None,
        typer.Argument(metavar="FILE", help="Where to write the template workbook (.xlsx)."),
    ] = None,
    csv_dir: Annotated[
        Path | None,
        typer.Option(
            "--csv",
            metavar="DIR",
            help="Write the same template as CSV files (Vehicle.csv, BOM.csv, ...) into DIR.",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite existing files.")] = False,
) -> None:
    """Write an example workbook in the input format, ready to fill in."""
    from rvc.commands import write_templates

    try:
        written = write_templates(path, csv_dir, force=force)
    except RvcError as error:
        raise _fail(error) from None
    for name in written:
        print(f"wrote {escape(name)}")


class VehicleClass(StrEnum):
    """Vehicle classes, as typed on the command line."""

    passenger_vehicle = "passenger_vehicle"
    light_truck = "light_truck"
    heavy_truck = "heavy_truck"


@app.command(cls=RvcCommand)
def explain(
    requirement: Annotated[
        str,
        typer.Argument(
            metavar="REQUIREMENT",
            help="Requirement id: vehicle-rvc, core-parts, steel, aluminum, lvc.",
        ),
    ],
    rules: RulesOption = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar="YYYY-MM-DD",
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
            parse_date(as_of) if as_of is not None else date.today(),
            vehicle_class.value if vehicle_class else None,
        )
    except RvcError as error:
        raise _fail(error) from None


@rules_app.command(cls=RvcCommand, name="validate")
def rules_validate(
    directory: Annotated[
        Path | None,
        typer.Argument(metavar="DIR", help="Rule pack folder (default: the shipped pack)."),
    ] = None,
) -> None:
    """Check a rule pack folder; exit 0 when valid, 2 with the first problem otherwise."""
    from rvc.rulepack import default_rules_dir, load_rule_pack

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
    str | None,
    typer.Option(
        "--as-of", metavar="YYYY-MM-DD", help="Date whose thresholds are shown (default: today)."
    ),
]
RulesFormatOption = Annotated[
    RulesFormat, typer.Option("--format", "-f", help="table, or json (rules-output.schema.json).")
]


@rules_app.command(cls=RvcCommand, name="list")
def rules_list(
    rules: RulesOption = None,
    as_of: AsOfOption = None,
    output_format: RulesFormatOption = RulesFormat.table,
) -> None:
    """List requirements per vehicle class with the threshold in force on a date."""
    from rvc.commands import list_rules

    try:
        list_rules(
            rules, parse_date(as_of) if as_of is not None else date.today(), output_format.value
        )
    except RvcError as error:
        raise _fail(error) from None


@rules_app.command(cls=RvcCommand, name="show")
def rules_show(
    requirement: Annotated[
        str, typer.Argument(metavar="REQUIREMENT", help="Requirement id, e.g. vehicle-rvc.")
    ],
    rules: RulesOption = None,
    as_of: AsOfOption = None,
    output_format: RulesFormatOption = RulesFormat.table,
) -> None:
    """Show a requirement: text, every dated threshold (the one in force marked), citation
    and source status, and the rule pack it comes from."""
    from rvc.commands import show_rule

    try:
        show_rule(
            rules,
            requirement,
            parse_date(as_of) if as_of is not None else date.today(),
            output_format.value,
        )
    except RvcError as error:
        raise _fail(error) from None


@rules_app.command(cls=RvcCommand, name="schema")
def rules_schema() -> None:
    """Print the JSON Schema of rule files (rules/schema.json is this output)."""
    from rvc.rulepack.json_schema import schema_text

    sys.stdout.write(schema_text())


def main() -> None:
    """Entry point of the `rvc` script: a crash never looks like a verdict.

    Exit codes: 0 pass, 1 fail or incomplete, 2 bad input or usage, 3 an internal error of
    rvc (one line asking for a report; the traceback only with ``--debug``), 130 interrupted,
    141 standard output closed before a command other than a check finished writing.
    """
    from rvc.crash import run

    sys.exit(run(app))
