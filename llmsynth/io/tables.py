"""Read and write tables by file suffix: .csv, .parquet, .jsonl (and .json for reading)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pandas as pd

from llmsynth.errors import InputDataError

SUFFIXES = (".csv", ".parquet", ".jsonl")


def table_format(path: str | Path) -> str:
    """The format a path's suffix selects; an unsupported suffix is a clear error."""
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIXES and suffix != ".json":
        raise InputDataError(f"{path}: unsupported file type '{suffix or '(none)'}'; use one of {', '.join(SUFFIXES)}")
    return suffix.lstrip(".")


def read_table(path: str | Path) -> pd.DataFrame:
    """Load a table; errors name the file and what is wrong with it."""
    path = Path(path)
    fmt = table_format(path)
    if not path.exists():
        raise InputDataError(f"{path}: file not found")
    try:
        if fmt == "csv":
            return pd.read_csv(path)
        if fmt == "parquet":
            return pd.read_parquet(path)
        return pd.read_json(path, lines=(fmt == "jsonl"))
    except (ValueError, OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise InputDataError(f"{path}: cannot read as {fmt}: {exc}") from exc


def write_table(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a whole table in the format its suffix selects, creating parent folders."""
    path = Path(path)
    writer = TableWriter(path)
    writer.write(frame)
    writer.close()
    return path


def _plain_times(column: Any) -> Any:
    """A timestamp column as dates when every value is midnight, else whole seconds when there are no
    fractions (what ``DataFrame.to_csv`` writes; Arrow would add nine zero decimals)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    seconds = pc.cast(column, pa.timestamp("s", column.type.tz), safe=False)
    if not pc.all(pc.equal(pc.cast(seconds, column.type), column).fill_null(True)).as_py():
        return column
    if pc.all(pc.equal(pc.cast(pc.cast(seconds, pa.date32()), pa.timestamp("s")), seconds).fill_null(True)).as_py():
        return pc.cast(seconds, pa.date32())
    return seconds


class TableWriter:
    """Appends chunks to one output file, so a long run never holds the whole table in memory."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.format = table_format(self.path)
        if self.format == "json":
            raise InputDataError(f"{self.path}: write JSON Lines (.jsonl) instead of .json")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.rows = 0
        self._parquet: Any = None  # pyarrow ParquetWriter, opened on the first chunk
        self._started = False

    def write(self, frame: pd.DataFrame) -> None:
        mode = "a" if self._started else "w"
        if self.format == "csv":
            # pyarrow's CSV writer formats numbers ~20x faster than DataFrame.to_csv; pandas remains the
            # fallback for columns Arrow cannot type (mixed Python objects)
            import pyarrow as pa
            import pyarrow.csv as pa_csv

            try:
                table = pa.Table.from_pandas(frame, preserve_index=False)
            except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
                frame.to_csv(self.path, mode=mode, header=not self._started, index=False)
            else:
                for i, field in enumerate(table.schema):
                    if pa.types.is_timestamp(field.type):  # as pandas writes them: dates alone, whole seconds
                        table = table.set_column(i, field.name, _plain_times(table.column(i)))
                with self.path.open(mode + "b") as handle:
                    if not self._started:  # the header as pandas writes it: names quoted only where needed
                        header = io.StringIO()
                        csv.writer(header, lineterminator="\n").writerow([str(c) for c in frame.columns])
                        handle.write(header.getvalue().encode("utf-8"))
                    pa_csv.write_csv(table, handle, pa_csv.WriteOptions(include_header=False))
        elif self.format == "jsonl":
            text = frame.to_json(orient="records", lines=True, date_format="iso", force_ascii=False)
            with self.path.open(mode, encoding="utf-8") as handle:
                handle.write(text if text.endswith("\n") or not text else text + "\n")
        else:
            import pyarrow as pa
            import pyarrow.parquet as pq

            table = pa.Table.from_pandas(frame, preserve_index=False)
            if self._parquet is None:
                self._parquet = pq.ParquetWriter(self.path, table.schema)
            else:
                table = table.cast(self._parquet.schema)
            self._parquet.write_table(table)
        self._started = True
        self.rows += len(frame)

    def close(self) -> None:
        if self._parquet is not None:
            self._parquet.close()
            self._parquet = None
        if not self._started:  # an empty run still leaves a valid, empty file
            self._started = True
            if self.format != "parquet":
                self.path.write_text("", encoding="utf-8")
