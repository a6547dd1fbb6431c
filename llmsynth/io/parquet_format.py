"""Parquet tables through pyarrow: each chunk becomes a row group of one file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from llmsynth.io.formats import TableFormat


class ParquetFormat(TableFormat):
    """Columnar and typed; the schema of the first chunk is the file's, later chunks are cast to it."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self._writer: Any = None  # pyarrow ParquetWriter, opened on the first chunk

    @classmethod
    def read(cls, path: Path) -> pd.DataFrame:
        """The whole Parquet file."""
        return pd.read_parquet(path)

    def write(self, frame: pd.DataFrame, first: bool) -> None:
        """Append ``frame`` as a row group."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pandas(frame, preserve_index=False)
        if self._writer is None:
            self._writer = pq.ParquetWriter(self.path, table.schema)
        else:
            table = table.cast(self._writer.schema)
        self._writer.write_table(table)

    def close(self, wrote: bool) -> None:
        """Write the footer; an empty run leaves no file (Parquet has no empty form without a schema)."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None
