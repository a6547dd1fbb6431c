"""JSON Lines tables (one record per line, read and written) and whole JSON arrays (read only)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from llmsynth.io.formats import TableFormat, refuse_write


class JsonLinesFormat(TableFormat):
    """One JSON record per line: appending a chunk is appending lines."""

    @classmethod
    def read(cls, path: Path) -> pd.DataFrame:
        """The whole JSON Lines file."""
        return pd.read_json(path, lines=True)

    def write(self, frame: pd.DataFrame, first: bool) -> None:
        """Append one line per row (ISO dates, UTF-8 kept as is)."""
        text = frame.to_json(orient="records", lines=True, date_format="iso", force_ascii=False)
        with self.path.open("w" if first else "a", encoding="utf-8") as handle:
            handle.write(text if text.endswith("\n") or not text else text + "\n")


class JsonFormat(TableFormat):
    """A JSON array of records: readable, but not written, because it cannot be appended to chunk by chunk."""

    writable = False

    def __init__(self, path: Path) -> None:
        raise refuse_write(path, "write JSON Lines (.jsonl) instead of .json")

    @classmethod
    def read(cls, path: Path) -> pd.DataFrame:
        """The whole JSON file."""
        return pd.read_json(path)
