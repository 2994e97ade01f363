"""One spelling per concept: the readings of core parts, statuses, verdicts, vehicle classes
and requirement kinds are written the same on the command line, in the settings file, in the
JSON schemas, in the report and in the audit workbook."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, get_args

from rvc import contract
from rvc.cli import Reading
from rvc.engine import EVALUATORS
from rvc.engine.readings import POLICIES
from rvc.readers.config import Settings
from rvc.reporters import audit_workbook, terminal
from rvc.results import READING_ALIASES, READINGS, ReadingName, Status, Verdict
from rvc.rulepack.in_force import ORDER
from rvc.rulepack.schema import VehicleClass
from tests.conftest import ROOT

SCHEMAS = ("report.schema.json", "diff.schema.json", "average.schema.json")


def _enums(node: Any, key: str = "") -> Iterator[tuple[str, list[Any]]]:
    """(property name, enum values) of every enum in a JSON Schema."""
    if isinstance(node, dict):
        for name, value in node.items():
            if name == "enum":
                yield key, [v for v in value if v is not None]
            else:
                yield from _enums(value, name)
    elif isinstance(node, list):
        for value in node:
            yield from _enums(value, key)


def _schema_enums() -> list[tuple[str, list[Any]]]:
    found = []
    for name in SCHEMAS:
        schema = json.loads((ROOT / "rvc" / "reporters" / name).read_text(encoding="utf-8"))
        found += list(_enums(schema))
    return found


def test_the_readings_are_spelt_alike_everywhere():
    names = get_args(ReadingName)
    assert tuple(r.value for r in Reading) == names == tuple(READING_ALIASES)
    assert get_args(Settings.model_fields["core_reading"].annotation) == (ReadingName, type(None))
    assert set(READING_ALIASES.values()) == set(READINGS)
    assert tuple(p.name for p in POLICIES) == READINGS
    assert tuple(terminal.READING) == READINGS
    assert tuple(audit_workbook.READING_TAG) == READINGS
    for key, values in _schema_enums():
        if key == "core_part_reading":
            assert tuple(values) == READINGS


def test_statuses_and_verdicts_are_spelt_alike_everywhere():
    assert {s: s.label for s in Status} == terminal.LABEL
    assert [s.label for s in Status] == ["PASS", "FAIL", "NOT EVALUATED"]
    for key, values in _schema_enums():
        if "incomplete" in values:
            assert values == [v.value for v in Verdict], key
        elif "pass" in values:
            assert set(values) <= {s.value for s in Status}, key


def test_classes_and_requirement_kinds_are_spelt_alike_everywhere():
    assert contract.CHOICES["vehicle_class"] == get_args(VehicleClass)
    assert tuple(EVALUATORS) == ORDER
    for key, values in _schema_enums():
        if key == "vehicle_class":
            assert tuple(values) == get_args(VehicleClass)
        if key == "kind" and "lvc" in values:
            assert tuple(values) == ORDER
