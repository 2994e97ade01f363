"""`rvc rules list` and `rvc rules show`: the rule pack actually loaded, as text or JSON.

Both name the pack (id, version, the folder it was loaded from, its sha256 over every file,
the same digest the check report records) and take a date (`--as-of`, default today), so the
threshold shown is the one in force then. The JSON documents are described by
`rules-output.schema.json` beside this module. Rule text is printed as plain text, never as
markup.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from rvc import __version__, schedule
from rvc.engine import ORDER
from rvc.errors import NotInForce
from rvc.reporters.json_report import dumps_data
from rvc.rulepack.schema import RulePack

SCHEMA_VERSION = 1
_META = {"from_", "citation", "status", "note"}


def pack_info(pack: RulePack, directory: Path) -> dict[str, Any]:
    """The identity of the loaded pack: what a report's `rules` names, plus where from."""
    return {
        "id": pack.pack.id,
        "version": pack.pack.version,
        "title": pack.pack.title,
        "path": str(directory.resolve()),
        "sha256": pack.sha256,
        "files": list(pack.files),
    }


def figures(entry: Any) -> dict[str, Any]:
    """An entry's values without its date, citation, status and note."""
    return {k: v for k, v in entry.model_dump(exclude=_META).items() if v is not None}


def _entry(entry: Any, in_force: bool) -> dict[str, Any]:
    return {
        "from": entry.from_,
        **figures(entry),
        "citation": entry.citation,
        "status": entry.status.value,
        "note": entry.note,
        "in_force": in_force,
    }


def _in_force(thresholds: list[Any], on: date) -> Any | None:
    try:
        return schedule.at(thresholds, on)
    except NotInForce:
        return None


def _head(pack: RulePack, directory: Path, on: date) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "rvc", "version": __version__},
        "rules": pack_info(pack, directory),
        "as_of": on,
    }


def _sorted(requirements: list[Any]) -> list[Any]:
    return sorted(requirements, key=lambda r: ORDER.index(r.kind))


def list_document(pack: RulePack, directory: Path, on: date) -> dict[str, Any]:
    """Each vehicle class with its requirements and the threshold in force on `on`."""
    classes = []
    for cls in pack.vehicle_classes:
        requirements = []
        for req in _sorted(pack.requirements_for(cls.id)):
            entry = _in_force(req.thresholds, on)
            requirements.append(
                {
                    "id": req.id,
                    "kind": req.kind,
                    "title": req.title,
                    "in_force": _entry(entry, True) if entry is not None else None,
                    "first_in_force": req.thresholds[0].from_,
                }
            )
        classes.append({"id": cls.id, "title": cls.title, "requirements": requirements})
    return {**_head(pack, directory, on), "vehicle_classes": classes}


def show_document(pack: RulePack, directory: Path, requirement: str, on: date) -> dict[str, Any]:
    """Every definition of one requirement id (one per group of classes), all dated entries."""
    definitions = []
    for req in [r for r in pack.requirements if r.id == requirement]:
        current = _in_force(req.thresholds, on)
        definitions.append(
            {
                "applies_to": list(req.applies_to),
                "kind": req.kind,
                "title": req.title,
                "description": req.description,
                "thresholds": [_entry(e, e is current) for e in req.thresholds],
            }
        )
    return {**_head(pack, directory, on), "requirement": requirement, "definitions": definitions}


def render_json(document: dict[str, Any], stream: TextIO) -> None:
    """Write a list or show document as JSON."""
    stream.write(dumps_data(document))
    stream.write("\n")


def _pack_lines(document: dict[str, Any]) -> list[str]:
    rules = document["rules"]
    return [
        f"{rules['id']} {rules['version']}: {rules['title']}",
        f"Loaded from {rules['path']} (sha256 {rules['sha256']})",
        f"As of {document['as_of'].isoformat()}",
    ]


def figure(values: dict[str, Any]) -> str:
    """The headline figure of an entry: `75%`."""
    for name in ("min_percent", "min_total_percent"):
        value = values.get(name)
        if value is not None:
            return f"{value.normalize():f}%"
    return ""


def render_list(document: dict[str, Any], stream: TextIO) -> None:
    """Each class's requirements with the threshold in force on the date."""
    lines = _pack_lines(document)
    on = document["as_of"].isoformat()
    for cls in document["vehicle_classes"]:
        lines += ["", f"{cls['title']} ({cls['id']})"]
        for req in cls["requirements"]:
            entry = req["in_force"]
            if entry is not None:
                now, since = figure(entry), f"since {entry['from'].isoformat()}"
            else:
                now, since = f"not in force on {on}", f"from {req['first_in_force'].isoformat()}"
            lines.append(f"  {req['id']:<12} {now:<28} {since}  [{req['kind']}] {req['title']}")
    stream.write("\n".join(lines) + "\n")


def plain(value: object, *, thousands: bool = False) -> str:
    """A figure as the rule file writes it: `75`, `{engine: 100000}`, `True`."""
    if thousands and isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {plain(v)}" for k, v in value.items()) + "}"
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value)


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
    "high_wage_per_hour": "high wage",
    "assembly_min_capacity": "assembly plant minimum annual capacity",
}


def in_words(key: str, value: object) -> str:
    """A threshold field as a person reads it: `melted and poured in North America required: no`.

    Examples:
        >>> from decimal import Decimal
        >>> in_words("min_percent", Decimal("70")), in_words("technology_cap_points", 10)
        ('minimum: 70%', 'technology credit cap: 10 points')
        >>> in_words("high_wage_per_hour", {"USD": Decimal("16"), "CAD": Decimal("20.88")})
        'high wage: 16 USD, 20.88 CAD per hour'
        >>> in_words("melted_and_poured_required", False)
        'melted and poured in North America required: no'
    """
    label = LABELS.get(key, key.replace("_", " "))
    if isinstance(value, bool):
        shown = "yes" if value else "no"
    elif isinstance(value, dict) and key.endswith("_per_hour"):
        shown = ", ".join(f"{plain(v)} {k}" for k, v in value.items()) + " per hour"
    elif isinstance(value, dict):
        shown = ", ".join(
            f"{str(k).replace('_', ' ')} {plain(v, thousands=True)}" for k, v in value.items()
        )
    else:
        shown = plain(value)
        if key.endswith("_percent"):
            shown += "%"
        elif key.endswith("_points"):
            shown += " points"
    return f"{label}: {shown}"


def render_show(document: dict[str, Any], stream: TextIO) -> None:
    """A requirement's description and every dated entry with citation and status."""
    lines = [*_pack_lines(document), ""]
    on = document["as_of"].isoformat()
    for definition in document["definitions"]:
        lines.append(
            f"{document['requirement']} ({', '.join(definition['applies_to'])}): "
            f"{definition['title']}"
        )
        if definition["description"]:
            lines.append(f"  {definition['description']}")
        for entry in definition["thresholds"]:
            shown = "; ".join(
                in_words(k, v)
                for k, v in entry.items()
                if k not in ("from", "citation", "status", "note", "in_force")
            )
            mark = f"   <- in force on {on}" if entry["in_force"] else ""
            lines.append(f"  from {entry['from'].isoformat()}: {shown}{mark}")
            lines.append(f"      {entry['citation']} [status {entry['status']}]")
            if entry["note"]:
                lines.append(f"      note: {entry['note']}")
        lines.append("")
    stream.write("\n".join(lines))
