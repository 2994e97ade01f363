"""Loading rule packs: YAML files -> validated, cross-checked `RulePack`.

`load_rule_pack(directory)` is the only entry point the rest of rvc needs.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from rvc.errors import RuleFileError
from rvc.rulepack import yaml_loader
from rvc.rulepack.schema import RuleFile, RulePack

__all__ = ["RulePack", "default_rules_dir", "load_rule_pack"]


def default_rules_dir() -> Path:
    """The shipped rule pack: `rules/` beside the package in a checkout, else the wheel copy."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package.parent / "rules", package / "_rules"):
        if (candidate / "pack.yaml").is_file():
            return candidate
    raise RuleFileError(str(package), "the shipped rule pack is missing", "a rules/ folder")


def _dotted(loc: tuple[Any, ...], data: Any) -> tuple[str, tuple[Any, ...]]:
    """Turn a pydantic error location into `a.b[2].c`, dropping union tags absent from data."""
    text, path, node = "", [], data
    for part in loc:
        if isinstance(part, int) and isinstance(node, list) and 0 <= part < len(node):
            text += f"[{part}]"
        elif isinstance(node, dict) and part in node:
            text += f".{part}" if text else str(part)
        elif isinstance(node, dict) and part == "from_" and "from" in node:
            part = "from"
            text += f".{part}" if text else str(part)
        else:
            continue
        path.append(part)
        node = node[part]
    return text, tuple(path)


def _schema_error(
    name: str, exc: ValidationError, data: Any, lines: dict[Any, Any]
) -> RuleFileError:
    error = exc.errors()[0]
    where, path = _dotted(tuple(error["loc"]), data)
    line = lines.get(path)
    place = f"{name}:{line}" if line else name
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown key (check its spelling; rule files accept only documented keys)"
    elif error["type"] == "union_tag_invalid":
        message = f"unknown kind; {message}"
    elif error["type"] == "missing":
        message = f"missing required key '{error['loc'][-1]}'"
    found = error.get("input")
    detail = f"{where}: {message}" if where else message
    if error["type"] not in ("missing", "extra_forbidden") and not isinstance(found, dict | list):
        detail += f" (found {found!r})"
    more = len(exc.errors()) - 1
    if more:
        detail += f" (and {more} more problem{'s' if more > 1 else ''})"
    return RuleFileError(place, detail)


def load_rule_file(path: Path) -> RuleFile:
    """Read and validate one rule file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleFileError(str(path), f"cannot be read ({exc})", "a UTF-8 YAML file") from exc
    try:
        data, lines = yaml_loader.load(text)
    except yaml_loader.YamlProblem as exc:
        where = f"{path}:{exc.line}" if exc.line else str(path)
        raise RuleFileError(where, exc.text) from exc
    if not isinstance(data, dict):
        raise RuleFileError(str(path), "is not a mapping of sections", "keys such as requirements:")
    try:
        return RuleFile.model_validate(data)
    except ValidationError as exc:
        raise _schema_error(str(path), exc, data, lines) from exc


def load_rule_pack(directory: Path) -> RulePack:
    """Load every ``*.yaml`` file of a directory into one cross-checked rule pack."""
    paths = _rule_files(directory)
    files = [load_rule_file(p) for p in paths]
    packs = [(p, f.pack) for p, f in zip(paths, files, strict=True) if f.pack]
    if len(packs) != 1:
        found = ", ".join(p.name for p, _ in packs) or "none"
        raise RuleFileError(
            str(directory), f"needs exactly one file with a 'pack:' section (found: {found})"
        )
    pack = RulePack(
        pack=packs[0][1],
        vehicle_classes=[c for f in files for c in f.vehicle_classes],
        part_tables=[t for f in files for t in f.part_tables],
        requirements=[r for f in files for r in f.requirements],
        sha256=_digest(paths),
        files=[p.name for p in paths],
    )
    _cross_check(directory, pack)
    return pack


def _rule_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        raise RuleFileError(str(directory), "is not a directory", "a folder of rule .yaml files")
    paths = sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    if not paths:
        raise RuleFileError(str(directory), "holds no .yaml rule files", "at least pack.yaml")
    return paths


def _digest(paths: list[Path]) -> str:
    """The pack's sha256: every file's name and bytes, in name order."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _cross_check(directory: Path, pack: RulePack) -> None:
    where = str(directory)
    classes = [c.id for c in pack.vehicle_classes]
    for name in set(classes):
        if classes.count(name) > 1:
            raise RuleFileError(where, f"vehicle class {name!r} is defined twice")
    seen: set[tuple[str, str]] = set()
    for req in pack.requirements:
        for cls in req.applies_to:
            if cls not in classes:
                raise RuleFileError(
                    where,
                    f"requirement {req.id!r} applies to {cls!r}, which no vehicle_classes "
                    "entry defines",
                )
            if (req.id, cls) in seen:
                raise RuleFileError(where, f"requirement {req.id!r} is defined twice for {cls!r}")
            seen.add((req.id, cls))
    tables = [t.id for t in pack.part_tables]
    for table_id in set(tables):
        if tables.count(table_id) > 1:
            raise RuleFileError(where, f"part table {table_id!r} is defined twice")
