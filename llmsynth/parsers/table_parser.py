"""Rows from delimited text: pipe/Markdown tables and CSV (comma or tab), one or several tables per output.

A table is a run of consecutive lines that contain the delimiter; anything else (prose, blank
lines) ends it. A line whose cells mostly name schema columns is a header and sets the column order
of the rows below it (a second header starts a second table); rows before any header use the given
``columns`` order, else the schema's. A row with the wrong number of cells is a reject, never a
shifted row. Markdown separator lines (``|---|:--:|``) are skipped.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Sequence

from llmsynth.parsers.keys import KeyMap
from llmsynth.parsers.result import MAX_ROW_CHARS, Candidate, ParseReject, clip_raw, too_long

NAME = "table"
_PIPE_SPLIT = re.compile(r"(?<!\\)\|")
_SEPARATOR_CELL = re.compile(r":?-+:?")


_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)(?P<inner>\S(?:.*\S)?)\1")


def unwrap_emphasis(cell: str) -> str:
    """A cell wholly wrapped in Markdown emphasis or code marks (``**Chef**``, `` `x` ``) -> its text;
    models bold table cells and key-value answers. JSON string values are never unwrapped."""
    m = _EMPHASIS.fullmatch(cell)
    return m.group("inner") if m else cell


def split_pipe(line: str) -> list[str]:
    """Cells of a pipe-table line; outer pipes are optional and ``\\|`` is a literal pipe."""
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    return [unwrap_emphasis(cell.strip().replace("\\|", "|")) for cell in _PIPE_SPLIT.split(body)]


def split_csv(line: str, delimiter: str) -> list[str]:
    """Cells of one CSV line (quotes honoured, spaces after delimiters dropped); a line the csv module
    cannot read (a bare carriage return inside a cell) raises ValueError with the reason."""
    try:
        row = next(csv.reader([line], delimiter=delimiter, skipinitialspace=True), [])
    except csv.Error as exc:
        reason = str(exc)
        if "new-line character" in reason:
            reason = "a bare carriage return inside an unquoted cell"
        raise ValueError(f"malformed CSV line ({reason})") from None
    return [cell.strip() for cell in row]


def _is_separator(cells: Sequence[str]) -> bool:
    return all(_SEPARATOR_CELL.fullmatch(c.replace(" ", "")) for c in cells) and any(cells)


def _delimiter(lines: Sequence[str]) -> str:
    if any("|" in line for line in lines):
        return "|"
    if any("\t" in line for line in lines):
        return "\t"
    return ","


def scan(
    text: str,
    keys: KeyMap,
    *,
    regex: str | None = None,
    columns: Sequence[str] | None = None,
    single: bool = False,
) -> Iterator[Candidate | ParseReject]:
    """Candidate rows of every table in the text, in order, with rejects for ragged lines."""
    lines = text.split("\n")
    delimiter = _delimiter(lines)
    default: list[str | None] = list(columns) if columns else list(keys.names)
    header: list[str | None] | None = None
    for number, line in enumerate(lines, start=1):
        if delimiter not in line:
            header = None  # a non-table line ends the table; the next one brings its own header
            continue
        if len(line) > MAX_ROW_CHARS:
            yield ParseReject(clip_raw(line), NAME, too_long(line) or "", number)
            continue
        try:
            cells = split_pipe(line) if delimiter == "|" else split_csv(line, delimiter)
        except ValueError as exc:
            yield ParseReject(clip_raw(line), NAME, str(exc), number)
            continue
        if _is_separator(cells):
            continue
        mapped = keys.map_header(cells)
        if mapped is not None:
            header = mapped
            continue
        order = header if header is not None else default
        if len(cells) != len(order):
            reason = f"expected {len(order)} cells, found {len(cells)}"
            yield ParseReject(clip_raw(line), NAME, reason, number)
            continue
        yield Candidate({name: cell for name, cell in zip(order, cells, strict=True) if name}, line, number)
