"""Read and write tables by file suffix (.csv, .parquet, .jsonl; .json for reading).

The suffix picks a ``TableFormat`` from ``llmsynth.registry.TABLE_FORMATS``; this module only adds
the checks and messages every format shares.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from llmsynth.errors import InputDataError
from llmsynth.io.formats import TableFormat
from llmsynth.registry import TABLE_FORMATS

SUFFIXES = (".csv", ".parquet", ".jsonl")  # the built-in suffixes that can be written


def table_format(path: str | Path) -> str:
    """The format a path's suffix selects; an unsupported suffix is a clear error."""
    suffix = Path(path).suffix.lower()
    name = suffix.lstrip(".")
    if not name or name not in TABLE_FORMATS:
        writable = [f".{n}" for n in TABLE_FORMATS.names() if n != "json"]
        raise InputDataError(f"{path}: unsupported file type '{suffix or '(none)'}'; use one of {', '.join(writable)}")
    return name


def format_class(path: str | Path) -> type[TableFormat]:
    """The ``TableFormat`` that reads and writes files like ``path``."""
    return TABLE_FORMATS.get(table_format(path))


def read_table(path: str | Path) -> pd.DataFrame:
    """Load a table; errors name the file and what is wrong with it."""
    path = Path(path)
    fmt = format_class(path)
    if not path.exists():
        raise InputDataError(f"{path}: file not found")
    try:
        return fmt.read(path)
    except fmt.read_errors as exc:
        raise InputDataError(f"{path}: cannot read as {table_format(path)}: {exc}") from exc


def write_table(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a whole table in the format its suffix selects, creating parent folders."""
    path = Path(path)
    writer = TableWriter(path)
    writer.write(frame)
    writer.close()
    return path


class TableWriter:
    """Appends chunks to one output file, so a long run never holds the whole table in memory."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.format = table_format(self.path)
        fmt = format_class(self.path)
        if fmt.writable:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = fmt(self.path)
        self.rows = 0
        self._started = False

    def write(self, frame: pd.DataFrame) -> None:
        """Append one chunk."""
        self._file.write(frame, first=not self._started)
        self._started = True
        self.rows += len(frame)

    def close(self) -> None:
        """Finish the file; an empty run still leaves a valid, empty file."""
        self._file.close(wrote=self._started)
        self._started = True
