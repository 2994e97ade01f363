"""Each bad rule file gives one error naming the file, the line or key path, and the fix.

The cases live in tests/rules/bad/*.yaml; each file's first line lists, after `# expect:`,
fragments the message must contain (separated by ' | ').
"""

from __future__ import annotations

from pathlib import Path

import pytest

from rvc.errors import RuleFileError
from rvc.rulepack import load_rule_file, load_rule_pack

BAD = Path(__file__).resolve().parent / "bad"
CASES = sorted(BAD.glob("*.yaml"))


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_bad_rule_file(path):
    expected = path.read_text().splitlines()[0].removeprefix("# expect:").split(" | ")
    with pytest.raises(RuleFileError) as caught:
        load_rule_file(path)
    message = str(caught.value)
    assert path.name in message
    for fragment in expected:
        assert fragment.strip() in message, f"{fragment!r} not in {message!r}"


def test_there_are_bad_cases():
    assert len(CASES) >= 12


def _pack(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return tmp_path


PACK = "pack: {id: p, version: '1', title: t, reference: r}\n"
CLASSES = (
    "vehicle_classes:\n  - id: passenger_vehicle\n    title: PV\n"
    "    hs: [{hs: ['8703.21-8703.90'], citation: c, status: C}]\n"
)
RVC = (
    "requirements:\n  - id: vehicle-rvc\n    kind: vehicle_rvc\n    title: t\n"
    "    applies_to: [passenger_vehicle]\n"
    "    thresholds: [{from: 2020-07-01, min_percent: 66, citation: c, status: C}]\n"
)


def test_pack_needs_exactly_one_pack_section(tmp_path):
    with pytest.raises(
        RuleFileError, match=r"exactly one file with a 'pack:' section \(found: none\)"
    ):
        load_rule_pack(_pack(tmp_path, {"a.yaml": CLASSES}))


def test_requirement_for_undefined_class(tmp_path):
    with pytest.raises(
        RuleFileError, match="applies to 'passenger_vehicle', which no vehicle_classes"
    ):
        load_rule_pack(_pack(tmp_path, {"pack.yaml": PACK, "r.yaml": RVC}))


def test_requirement_defined_twice_for_a_class(tmp_path):
    twice = RVC + RVC.removeprefix("requirements:\n")
    with pytest.raises(
        RuleFileError, match="'vehicle-rvc' is defined twice for 'passenger_vehicle'"
    ):
        load_rule_pack(_pack(tmp_path, {"pack.yaml": PACK + CLASSES, "r.yaml": twice}))


def test_minimal_pack_loads(tmp_path):
    pack = load_rule_pack(_pack(tmp_path, {"pack.yaml": PACK + CLASSES, "r.yaml": RVC}))
    assert pack.pack.id == "p" and len(pack.requirements) == 1
    assert len(pack.sha256) == 64


def test_not_a_directory(tmp_path):
    with pytest.raises(RuleFileError, match="is not a directory"):
        load_rule_pack(tmp_path / "missing")
