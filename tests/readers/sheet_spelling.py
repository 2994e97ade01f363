"""Re-spelling worksheet XML in other legal spellings, and a reference reading of it.

`respell` parses a sheet with a real XML parser and writes it again with other quoting,
whitespace around ``=``, namespace prefixes, cells and rows without ``r`` where their position
follows from the previous one, and another attribute order: the same document to any XML
reader. `reference` reads a sheet with ElementTree and positions cells as python-calamine
does, giving what the guard must find: error cells, formulas without a saved value, cells
written twice, the extent and percent-formatted cells.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REF = re.compile(r"([A-Z]+)([0-9]+)")


def column_number(letters: str) -> int:
    number = 0
    for char in letters:
        number = number * 26 + ord(char) - 64
    return number


def local(tag: str) -> str:
    return tag.rpartition("}")[2]


@dataclass
class Spelling:
    """How to write each piece; callables let a fuzz test vary it per element."""

    quote: str = '"'
    equals: str = "="
    prefix: str = ""  # "" = default namespace; "x" = every element as x:name
    drop_cell_r: bool = False
    drop_row_r: bool = False
    r_last: bool = False  # write r after the other attributes
    gap: str = " "  # between attributes

    def choose(self, value: object, index: int) -> object:
        return value(index) if callable(value) else value


def _escape(text: str, quote: str) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if quote == '"':
        return text.replace('"', "&quot;")
    return text.replace("'", "&apos;")


class _Writer:
    def __init__(self, spelling: Spelling | list[Spelling]) -> None:
        self.spellings = spelling if isinstance(spelling, list) else [spelling]
        self.count = 0
        self.out: list[str] = []
        self.namespaces: dict[str, str] = {}

    def spelling(self) -> Spelling:
        self.count += 1
        return self.spellings[self.count % len(self.spellings)]

    def name(self, tag: str, spell: Spelling) -> str:
        if tag.startswith("{"):
            uri, _, name = tag[1:].partition("}")
            if uri == MAIN:
                return f"{spell.prefix}:{name}" if spell.prefix else name
            return f"{self.namespaces.setdefault(uri, f'ns{len(self.namespaces)}')}:{name}"
        return tag

    def attributes(self, attrs: list[tuple[str, str]], spell: Spelling) -> str:
        parts = []
        for key, value in attrs:
            name = self.name(key, spell) if key.startswith("{") else key
            parts.append(
                f"{name}{spell.equals}{spell.quote}{_escape(value, spell.quote)}{spell.quote}"
            )
        return "".join(spell.gap + p for p in parts)

    def element(self, element: ET.Element, context: dict[str, int], root: bool = False) -> None:
        spell = self.spelling()
        attrs = list(element.attrib.items())
        kind = local(element.tag)
        if kind == "row" and "r" in element.attrib:
            number = int(element.attrib["r"])
            if spell.drop_row_r and number == context["row"] + 1:
                attrs = [(k, v) for k, v in attrs if k != "r"]
            context["row"], context["col"] = number, 0
        elif kind == "row":
            context["row"], context["col"] = context["row"] + 1, 0
        if kind == "c" and "r" in element.attrib:
            match = _REF.fullmatch(element.attrib["r"])
            assert match
            row, col = int(match.group(2)), column_number(match.group(1))
            if spell.drop_cell_r and row == context["row"] and col == context["col"] + 1:
                attrs = [(k, v) for k, v in attrs if k != "r"]
            context["col"] = col
        elif kind == "c":
            context["col"] += 1
        if spell.r_last:
            attrs = [a for a in attrs if a[0] != "r"] + [a for a in attrs if a[0] == "r"]
        start = len(self.out)
        name = self.name(element.tag, spell)
        self.out.append(f"<{name}{self.attributes(attrs, spell)}")
        self.out.append(">")
        if element.text:
            self.out.append(_escape(element.text, '"'))
        for child in element:
            self.element(child, context)
            if child.tail:
                self.out.append(_escape(child.tail, '"'))
        if len(self.out) == start + 2:
            self.out[-1] = "/>"
        else:
            self.out.append(f"</{name}>")
        if root:
            declarations = ""
            prefix = self.spellings[0].prefix
            declarations += f' xmlns:{prefix}="{MAIN}"' if prefix else f' xmlns="{MAIN}"'
            for uri, short in self.namespaces.items():
                declarations += f' xmlns:{short}="{uri}"'
            self.out[start] += declarations


def respell(xml: bytes, spelling: Spelling | list[Spelling]) -> bytes:
    """The same sheet in another spelling (one Spelling, or a list used element by element)."""
    root = ET.fromstring(xml)
    writer = _Writer(spelling)
    writer.element(root, {"row": 0, "col": 0}, root=True)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + "".join(writer.out).encode()


@dataclass
class View:
    """What a sheet holds that the guard must see, with 1-based (row, column) positions."""

    errors: set[tuple[int, int]] = field(default_factory=set)
    no_cached_value: set[tuple[int, int]] = field(default_factory=set)
    percent: set[tuple[int, int]] = field(default_factory=set)
    duplicate: tuple[int, int] | None = None
    max_row: int = 0
    max_col: int = 0


def reference(xml: bytes, percent_styles: frozenset[int] = frozenset()) -> View:
    """Read a sheet with ElementTree, positioning cells as python-calamine does."""
    view = View()
    root = ET.fromstring(xml)
    data = next(e for e in root.iter() if local(e.tag) == "sheetData")
    row_index = 0
    seen: set[tuple[int, int]] = set()
    for row in data:
        if local(row.tag) != "row":
            continue
        if "r" in row.attrib:
            row_index = int(row.attrib["r"]) - 1
        col_index = 0
        for cell in row:
            if local(cell.tag) != "c":
                continue
            if "r" in cell.attrib:
                match = _REF.fullmatch(cell.attrib["r"])
                assert match
                position = (int(match.group(2)), column_number(match.group(1)))
                col_index = position[1] - 1
            else:
                position = (row_index + 1, col_index + 1)
            col_index += 1
            children = [
                "v/"
                if local(c.tag) == "v" and not c.text and cell.attrib.get("t") != "str"
                else local(c.tag)
                for c in cell
                if local(c.tag) in ("v", "f", "is")
            ]
            if any(c != "v/" for c in children) or "v/" in children:
                if position in seen and view.duplicate is None:
                    view.duplicate = position
                seen.add(position)
            if cell.attrib.get("t") == "e":
                view.errors.add(position)
            if "f" in children:
                last = len(children) - 1 - children[::-1].index("f")
                if not any(c in ("v", "is") for c in children[last + 1 :]):
                    view.no_cached_value.add(position)
            style = cell.attrib.get("s")
            if style is not None and int(style) in percent_styles:
                view.percent.add(position)
            view.max_row = max(view.max_row, position[0])
            view.max_col = max(view.max_col, position[1])
        row_index += 1
    return view
