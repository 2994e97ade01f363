"""Text from input, made safe to show: one helper for every message and report.

Input text (part numbers, descriptions, file names, cell values) reaches terminals, CI logs,
GitHub annotations, JUnit XML and JSON. Control characters in it could move the cursor, change
colours, set a terminal's title (ESC/OSC sequences), end a line and forge the next one (a second
``rvc: error:`` or ``::error`` line), or make XML ill-formed (a vertical tab). `escape` shows
each such character as a visible escape (``\\n``, ``\\x1b``, ``\\u2028``) and leaves every
other character alone; `shorten` keeps long lists short.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# C0 controls (tab and newline included), DEL, C1 controls, Unicode line and paragraph
# separators, bidirectional overrides and isolates (which reorder what a reader sees), and the
# two XML non-characters U+FFFE and U+FFFF, and lone surrogates (not encodable at all).
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape(text: object) -> str:
    """The text with every control character shown as a visible escape, on one line.

    Examples:
        >>> escape("BRKT\\x1b]0;owned\\x07-1")
        'BRKT\\\\x1b]0;owned\\\\x07-1'
        >>> escape("bom\\nrvc: error: forged")
        'bom\\\\nrvc: error: forged'
        >>> escape("Dash-board [final]")
        'Dash-board [final]'
    """
    value = text if isinstance(text, str) else str(text)
    if _UNSAFE.search(value) is None:
        return value
    return _UNSAFE.sub(_visible, value)


def snippet(value: object, limit: int = 40) -> str:
    """A short quoted, escaped rendering of a cell value for a message (never a whole file).

    Examples:
        >>> snippet("Y")
        "'Y'"
        >>> snippet("x" * 100)
        "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...' (100 characters)"
    """
    if not isinstance(value, str):
        return escape(repr(value))[: limit + 20]
    if len(value) <= limit:
        return escape(repr(value))
    return escape(repr(value[:limit])[:-1]) + f"...' ({len(value):,} characters)"


def shorten(items: Iterable[object], keep: int = 5, sep: str = ", ") -> str:
    """The first few items joined, then "and N more": a message never lists 50,000 parts.

    Examples:
        >>> shorten(["a", "b"])
        'a, b'
        >>> shorten([f"P{i}" for i in range(50_000)], keep=3)
        'P0, P1, P2 and 49,997 more'
    """
    shown: list[str] = []
    more = 0
    for item in items:
        if len(shown) < keep:
            shown.append(escape(item))
        else:
            more += 1
    text = sep.join(shown)
    return f"{text} and {more:,} more" if more else text


def article(word: str) -> str:
    """The word with its indefinite article, as messages name a field or a category.

    Examples:
        >>> article("assembly_plant"), article("originating"), article("labor")
        ('an assembly_plant', 'an originating', 'a labor')
        >>> article("unit_cost")
        'a unit_cost'
    """
    lower = word.lower()
    vowel = lower[:1] in "aeiou" and not lower.startswith(("uni", "use", "usu", "eu", "one"))
    return f"{'an' if vowel else 'a'} {word}"
