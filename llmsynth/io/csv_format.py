"""CSV tables: pandas reads them; Arrow writes them (numbers ~20x faster than ``DataFrame.to_csv``)."""

from __future__ import annotations

import csv
import io
from typing import Any

import pandas as pd

from llmsynth.io.formats import TableFormat


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


class CsvFormat(TableFormat):
    """Comma-separated text with one header line, as pandas writes it."""

    read_errors = (*TableFormat.read_errors, pd.errors.ParserError)

    @classmethod
    def read(cls, path: Any) -> pd.DataFrame:
        """The whole CSV file."""
        return pd.read_csv(path)

    def write(self, frame: pd.DataFrame, first: bool) -> None:
        """Append rows; pandas remains the fallback for columns Arrow cannot type (mixed Python objects)."""
        import pyarrow as pa
        import pyarrow.csv as pa_csv

        mode = "w" if first else "a"
        try:
            table = pa.Table.from_pandas(frame, preserve_index=False)
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
            frame.to_csv(self.path, mode=mode, header=first, index=False)
            return
        for i, field in enumerate(table.schema):
            if pa.types.is_timestamp(field.type):  # as pandas writes them: dates alone, whole seconds
                table = table.set_column(i, field.name, _plain_times(table.column(i)))
        with self.path.open(mode + "b") as handle:
            if first:  # the header as pandas writes it: names quoted only where needed
                header = io.StringIO()
                csv.writer(header, lineterminator="\n").writerow([str(c) for c in frame.columns])
                handle.write(header.getvalue().encode("utf-8"))
            pa_csv.write_csv(table, handle, pa_csv.WriteOptions(include_header=False))
