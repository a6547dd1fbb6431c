"""How ``llmsynth preview`` prints rows: a table whose columns are never narrower than their longest
word (text wraps between words, never inside one), or, when such a table cannot fit the terminal,
one block per row with a "column  value" line per field."""

from __future__ import annotations

from typing import Any

import pandas as pd
from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

LONGEST_WORD = 24  # a longer word (a URL, an id) may still be folded


def cell(value: Any) -> str:
    """A value as a cell shows it: floats to 6 significant digits, missing values blank."""
    if isinstance(value, float):
        return f"{value:.6g}"
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value)


def _longest_word(texts: list[str]) -> int:
    return min(LONGEST_WORD, max((len(w) for t in texts for w in t.split()), default=1))


def _table_width(minimums: list[int]) -> int:
    return sum(minimums) + 3 * len(minimums) + 1  # padding 1+1 and a border per column, plus the last


def column_widths(cells: dict[str, list[str]], width: int) -> list[int] | None:
    """Each column as wide as its content, the widest narrowed first until the table fits ``width``;
    None when even the longest words cannot fit (rich's own shrinking would split them)."""
    minimums = [max(len(name), _longest_word(values)) for name, values in cells.items()]
    if _table_width(minimums) > width:
        return None
    widths = [max(len(name), *(len(v) for v in values), 1) for name, values in cells.items()]
    while _table_width(widths) > width:
        index = max(range(len(widths)), key=lambda i: (widths[i] > minimums[i], widths[i]))
        widths[index] -= 1
    return widths


def as_table(cells: dict[str, list[str]], widths: list[int]) -> Table:
    """The rows as one table with the given column widths."""
    table = Table(show_lines=False)
    for (name, _), column_width in zip(cells.items(), widths, strict=True):
        table.add_column(name, width=column_width, overflow="fold")
    for row in zip(*cells.values(), strict=True):
        table.add_row(*row)
    return table


def as_records(cells: dict[str, list[str]], rows: int) -> RenderableType:
    """One block per row, a 'column  value' line per field: for tables too wide for the terminal."""
    key_width = max(len(n) for n in cells)
    blocks: list[RenderableType] = []
    for index in range(rows):
        record = Table(box=box.SIMPLE_HEAD, show_header=True, show_edge=False, pad_edge=False)
        record.add_column(f"row {index + 1}", style="bold", no_wrap=True, min_width=key_width)
        record.add_column("", overflow="fold", ratio=1)
        for name, values in cells.items():
            record.add_row(name, Text(values[index]))
        blocks.append(record)
    return Group(*blocks)


def preview_renderable(data: pd.DataFrame, width: int) -> RenderableType:
    """The rows as a table when one fits ``width`` without splitting words, else as records."""
    cells = {str(name): [cell(v) for v in data[name].tolist()] for name in data.columns}
    if not cells:
        return Text("(no columns)")
    widths = column_widths(cells, width)
    return as_table(cells, widths) if widths is not None else as_records(cells, len(data))
