"""The JSON report (shared/spec/report-json.md, schema version 1).

Decimals are written as JSON numbers in plain decimal notation (never an exponent), with up
to 20 decimals, by the small encoder below: numbers are emitted as number tokens and strings
through `json`'s own string encoder, so no input text can become a number. So
`jq '.requirements[0].value >= 75'` works and nothing is rounded to a float's 15 digits on
the way out. `status` is decided on the unrounded value and is the
authority. Fields beyond the contract are additions; none is renamed or removed.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from enum import Enum
from json.encoder import encode_basestring
from typing import Any, TextIO

from rvc.money import json_text
from rvc.results import Report, RequirementResult

SCHEMA_VERSION = 1


class _Number:
    """A Decimal to be written as a JSON number token."""

    __slots__ = ("text",)

    def __init__(self, value: Decimal) -> None:
        self.text = json_text(value)


class Raw:
    """JSON text already rendered by `dumps_data` (at the top level), embedded as is: a batch
    renders each workbook's part where it was evaluated, and the parent only splices it in."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return _Number(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


plain = _plain
"""JSON-ready data: decimals as number tokens, enums as values, dates as ISO text."""


def _requirement(result: RequirementResult) -> dict[str, Any]:
    return {
        "id": result.id,
        "kind": result.kind,
        "status": result.status.value,
        "value": _plain(result.value),
        "threshold": _plain(result.threshold),
        "citation": result.citation,
        "message": result.message,
        "details": _plain(result.details),
        "title": result.title,
        "source_status": result.source_status or None,
        "in_force_from": _plain(result.in_force_from),
        "margin_points": _plain(result.margin_points),
        "margin_amount": _plain(result.margin_amount),
        "what_it_would_take": (
            _plain(result.what_it_would_take.as_dict()) if result.what_it_would_take else None
        ),
        "drivers": [
            {
                "part_number": d.part_number,
                "row": d.row,
                "description": d.description,
                "amount": _plain(d.amount),
                "share_percent": _plain(d.share_percent),
                "reason": d.reason,
            }
            for d in result.drivers
        ],
    }


requirement_document = _requirement
"""A requirement result as the JSON report writes it (also for `rvc average`)."""


def document(report: Report) -> dict[str, Any]:
    """The report as a JSON-ready dict, keys in contract order."""
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "rvc", "version": report.tool_version},
        "rules": dict(report.rules),
        "input": dict(report.input),
        "vehicle": dict(report.vehicle),
        "as_of": report.as_of.isoformat(),
        "verdict": report.verdict.value,
        "requirements": [_requirement(r) for r in report.requirements],
        "assumptions": list(report.assumptions),
        "as_of_source": report.as_of_source,
        "core_part_reading": report.core_reading,
        "readings": {
            r.reading: {
                "verdict": r.verdict.value,
                "vehicle_rvc": _plain(r.vehicle_rvc),
                "vehicle_rvc_status": r.vehicle_rvc_status.value if r.vehicle_rvc_status else None,
            }
            for r in report.readings
        },
        "verdict_depends_on_reading": report.verdict_depends_on_reading,
        "notes": [
            {"code": n.code, "where": n.where, "text": n.text, "amount": _plain(n.amount)}
            for n in report.notes
        ],
        "currency": report.currency,
        "reconciliation": _plain(report.reconciliation),
    }


_STRING = encode_basestring  # json's own (C) string encoder, as json.dumps(ensure_ascii=False)
_CONSTANTS = {None: "null", True: "true", False: "false"}


def _float(value: float) -> str:
    """A float as `json.dumps` writes it (NaN and infinities included)."""
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    return float.__repr__(value)


def _encode(value: Any, indent: str, out: list[str]) -> None:
    """Write `value` as `json.dumps(indent=2, ensure_ascii=False)` would, numbers as tokens.

    The exact types a report holds are dispatched first, by type; anything else (a str or
    int subclass such as an enum, a Decimal not yet made a number token, a date) takes the
    general path below."""
    kind = type(value)
    if kind is str:
        out.append(_STRING(value))
    elif kind is _Number:
        out.append(value.text)
    elif kind is Raw:
        out.append(value.text.replace("\n", "\n" + indent))
    elif kind is dict:
        _encode_dict(value, indent, out)
    elif kind is list or kind is tuple:
        _encode_list(value, indent, out)
    elif value is None or kind is bool:
        out.append(_CONSTANTS[value])
    elif kind is int:
        out.append(int.__repr__(value))
    else:
        _encode_other(value, indent, out)


def _encode_dict(value: dict[Any, Any], indent: str, out: list[str]) -> None:
    if not value:
        out.append("{}")
        return
    inner = indent + "  "
    separator = "\n" + inner
    out.append("{")
    first = True
    for key, item in value.items():
        out.append(separator if first else "," + separator)
        first = False
        out.append(_STRING(key if type(key) is str else str(key)) + ": ")
        kind = type(item)
        if kind is str:  # the common leaves inline: no call per value
            out.append(_STRING(item))
        elif kind is _Number:
            out.append(item.text)
        elif item is None:
            out.append("null")
        else:
            _encode(item, inner, out)
    out.append("\n" + indent + "}")


def _encode_list(value: list[Any] | tuple[Any, ...], indent: str, out: list[str]) -> None:
    if not value:
        out.append("[]")
        return
    inner = indent + "  "
    separator = "\n" + inner
    out.append("[")
    first = True
    for item in value:
        out.append(separator if first else "," + separator)
        first = False
        if type(item) is str:
            out.append(_STRING(item))
        else:
            _encode(item, inner, out)
    out.append("\n" + indent + "]")


def _encode_other(value: Any, indent: str, out: list[str]) -> None:
    if isinstance(value, str):
        out.append(_STRING(value))
    elif isinstance(value, bool):
        out.append(_CONSTANTS[bool(value)])
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    elif isinstance(value, float):
        out.append(_float(value))
    elif isinstance(value, dict):
        _encode_dict(value, indent, out)
    elif isinstance(value, list | tuple):
        _encode_list(value, indent, out)
    elif isinstance(value, Decimal | Enum | date):
        _encode(_plain(value), indent, out)
    else:
        raise TypeError(f"{type(value).__name__} is not JSON serializable")


def dumps(report: Report) -> str:
    """The JSON text: decimals become plain JSON numbers, written as number tokens."""
    return dumps_data(document(report))


def dumps_data(data: Any) -> str:
    """Any JSON-ready data (the report, the error document, the rule pack) as JSON text:
    decimals become plain JSON number tokens (never strings input could forge), dates ISO
    strings, enums their values; see `inert` for the characters written as escapes."""
    out: list[str] = []
    _encode(data, "", out)
    return inert("".join(out))


_ACTIVE = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]")
"""What json's encoder leaves raw but a terminal, a log viewer or an editor acts on: DEL and
the C1 controls (U+009B is a one-character CSI), the line and paragraph separators, the
bidirectional overrides and isolates, lone surrogates and the two non-characters (the same
set as `rvc.text.escape`, less the C0 controls json escapes itself)."""


def inert(text: str) -> str:
    r"""JSON text with every `_ACTIVE` character written as a ``\uXXXX`` escape: the same
    strings to a JSON parser, nothing a terminal acts on when the document is printed.

    The JSON syntax itself is ASCII, so such a character can only be inside a string.

    Examples:
        >>> inert('{"part": "SE\u009b2J\u202eAT"}')
        '{"part": "SE\\u009b2J\\u202eAT"}'
        >>> import json; json.loads(inert(json.dumps("a\u2028b", ensure_ascii=False)))
        'a\u2028b'
    """
    if _ACTIVE.search(text) is None:
        return text
    return _ACTIVE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def render(report: Report, stream: TextIO) -> None:
    """Write the JSON document and a newline; nothing else goes to this stream."""
    stream.write(dumps(report))
    stream.write("\n")


def render_error(doc: dict[str, Any], stream: TextIO) -> None:
    """Write the bad-input document (rvc.reporters.input_error) and a newline."""
    stream.write(dumps_data(doc))
    stream.write("\n")
