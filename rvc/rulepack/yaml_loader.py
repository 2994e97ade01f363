"""A strict YAML loader for rule files.

- Duplicate keys are errors (PyYAML silently keeps the last one).
- Floats become `Decimal` from their source text, so 62.5 is exactly 62.5.
- Impossible dates (2021-13-01) are errors, not crashes.
- Every node's line is recorded, so a schema error can name the line it is on.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

Path_ = tuple[str | int, ...]


class YamlProblem(Exception):
    """A problem at a known line."""

    def __init__(self, line: int, text: str) -> None:
        self.line = line
        self.text = text
        super().__init__(text)


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Safe loading (libyaml when available) with rvc's strict constructors."""


def _mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    seen: dict[Any, int] = {}
    result: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, datetime.date):
            key = key.isoformat()
        try:
            hash(key)
        except TypeError as exc:
            raise YamlProblem(key_node.start_mark.line + 1, "a key must be a plain value") from exc
        if key in seen:
            raise YamlProblem(
                key_node.start_mark.line + 1,
                f"duplicate key {key!r} (first on line {seen[key]}); each key may appear once",
            )
        seen[key] = key_node.start_mark.line + 1
        result[key] = loader.construct_object(value_node, deep=True)
    return result


def _float(loader: _Loader, node: yaml.ScalarNode) -> Decimal:
    text = str(loader.construct_scalar(node)).replace("_", "")
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise YamlProblem(node.start_mark.line + 1, f"{text!r} is not a number") from exc
    if not value.is_finite():
        raise YamlProblem(node.start_mark.line + 1, f"{text!r} is not a finite number")
    return value


def _timestamp(loader: _Loader, node: yaml.ScalarNode) -> datetime.date:
    text = str(loader.construct_scalar(node))
    try:
        value = yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError as exc:
        raise YamlProblem(
            node.start_mark.line + 1, f"{text!r} is not a date (use YYYY-MM-DD, e.g. 2027-07-01)"
        ) from exc
    if isinstance(value, datetime.datetime):
        raise YamlProblem(node.start_mark.line + 1, f"{text!r}: write a date without a time")
    assert isinstance(value, datetime.date)
    return value


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_constructor("tag:yaml.org,2002:float", _float)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


def _lines(node: yaml.Node, path: Path_, out: dict[Path_, int]) -> None:
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node)
            out[(*path, key)] = key_node.start_mark.line + 1
            _lines(value_node, (*path, key), out)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _lines(item, (*path, index), out)


def load(text: str) -> tuple[Any, dict[Path_, int]]:
    """Parse one YAML document; return the data and a map from key paths to line numbers."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        lines: dict[Path_, int] = {}
        _lines(node, (), lines)
        return loader.construct_document(node), lines
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        raise YamlProblem(line, f"not valid YAML: {exc.problem or exc}") from exc
    except yaml.YAMLError as exc:
        raise YamlProblem(0, f"not valid YAML: {exc}") from exc
    finally:
        loader.dispose()
