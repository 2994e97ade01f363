"""What each command does, between the CLI's options and the library's layers."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from rvc import schedule
from rvc.engine import ORDER
from rvc.errors import NotInForce, RvcError
from rvc.results import DEFAULT_READING
from rvc.rules import default_rules_dir, load_rule_pack

if TYPE_CHECKING:
    from rvc.readers.config import Config


def run_check(
    *,
    bom: Path,
    rules: Path | None,
    as_of: date | None,
    today: date,
    output_format: str | None,
    output: Path | None,
    core_reading: str | None,
    config: Path | None,
    verbose: bool,
    strict: bool = False,
    quiet: bool = False,
    color: bool | None = None,
) -> int:
    """Read, evaluate, report; return the exit code (0 pass, 1 fail or incomplete).

    `output_format` and `output` left None come from the settings file (`format`, `output`),
    else table on standard output.
    """
    with _collector_paused():
        from rvc.engine import evaluate
        from rvc.readers import check_vehicle, paths, read_bom
        from rvc.readers import config as settings_file
        from rvc.reporters import RENDERERS

        paths.check_input(bom)
        if config is not None:
            paths.check_settings_file(config)
        settings = settings_file.load(config) if config else settings_file.discover(bom)
        settings.strict = strict
        output_format = output_format or _setting_format(settings, RENDERERS)
        output = output or settings.output_path()
        if output is not None:
            paths.check_output(output)
            if output.resolve() == bom.resolve():
                raise RvcError(str(output), "is the BOM itself", "another file for the report (-o)")
        if rules is not None:
            paths.check_rules_folder(rules)
        pack = load_rule_pack(rules or settings.rules_dir() or default_rules_dir())
        bill = read_bom(bom, settings, as_of=as_of, today=today)
        check_vehicle(bill, pack)
        reading = core_reading or settings.reading() or DEFAULT_READING
        assert bill.as_of is not None
        report = evaluate(bill, pack, bill.as_of, as_of_source=bill.as_of_source, reading=reading)
        if verbose and bill.provenance:
            for line in bill.provenance.mapping:
                sys.stderr.write(f"rvc: {line}\n")
            for name in bill.provenance.ignored_sheets:
                sys.stderr.write(f"rvc: ignored sheet: {name}\n")
            for name in bill.provenance.ignored_columns:
                sys.stderr.write(f"rvc: ignored column: {name}\n")
        render = RENDERERS[output_format]
        if output_format == "table":
            from rvc.reporters import terminal

            def render(report, stream):  # type: ignore[no-untyped-def]
                terminal.render(report, stream, color=color, quiet=quiet)

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


def _setting_format(settings: Config, renderers: Mapping[str, object]) -> str:
    """`format` from the settings file, checked against the formats there are."""
    name = settings.settings.format
    if name is None:
        return "table"
    if name not in renderers:
        raise RvcError(
            f"{settings.label}: format",
            f"{name!r} is not a report format",
            f"one of {', '.join(renderers)}",
        )
    return name


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
            shown = "; ".join(_in_words(k, v) for k, v in values.items())
            print(f"  from {entry.from_.isoformat()}: {shown}")
            print(f"      {entry.citation} [status {entry.status.value}]")
            if entry.note:
                print(f"      note: {entry.note}")
        print()


LABELS = {
    "min_percent": "minimum",
    "min_percent_tv": "minimum with the transaction value method",
    "melted_and_poured_required": "melted and poured in North America required",
    "available": "available",
    "min_rvc_percent": "minimum RVC",
    "points_above": "points above",
    "min_total_percent": "minimum total",
    "min_material_and_manufacturing_points": "minimum high-wage material and manufacturing",
    "technology_cap_points": "technology credit cap",
    "assembly_cap_points": "assembly credit cap",
    "high_wage_usd_per_hour": "high wage",
    "assembly_min_capacity": "assembly plant minimum annual capacity",
}


def _in_words(key: str, value: object) -> str:
    """A threshold field as a person reads it: `melted and poured in North America required: no`.

    Examples:
        >>> from decimal import Decimal
        >>> _in_words("min_percent", Decimal("70")), _in_words("technology_cap_points", 10)
        ('minimum: 70%', 'technology credit cap: 10 points')
        >>> _in_words("high_wage_usd_per_hour", Decimal("16"))
        'high wage: 16 USD per hour'
    """
    label = LABELS.get(key, key.replace("_", " "))
    if isinstance(value, bool):
        shown = "yes" if value else "no"
    elif isinstance(value, dict):
        shown = ", ".join(
            f"{str(k).replace('_', ' ')} {_plain(v, thousands=True)}" for k, v in value.items()
        )
    else:
        shown = _plain(value)
        if key.endswith("_percent"):
            shown += "%"
        elif key.endswith("_points"):
            shown += " points"
        elif key.endswith("_per_hour"):
            currency = key.removesuffix("_per_hour").rsplit("_", 1)[-1].upper()
            shown += f" {currency} per hour"
    return f"{label}: {shown}"


def _plain(value: object, *, thousands: bool = False) -> str:
    if thousands and isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_plain(v)}" for k, v in value.items()) + "}"
    if hasattr(value, "normalize"):
        return f"{value.normalize():f}"
    return str(value)
