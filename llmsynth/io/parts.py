"""Part files of a run folder, and the assembly of their chunks into one output file.

A part holds consecutive chunks in the output's own format (CSV without its header, JSON Lines, or
Parquet with one row group per chunk), so assembling is copying: byte ranges for text, row groups
for Parquet. Memory stays at one chunk whatever the table's size.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd

COPY_BLOCK = 1 << 20
# rows per row group of an assembled Parquet file: chunks are joined up to this size, which keeps the
# footer small and reads fast, whatever the chunk size (and memory bounded by one row group)
ROW_GROUP_ROWS = 16_384


@dataclass
class ChunkEntry:
    """Where one chunk's rows are: a byte range of a text part, or a row group of a Parquet part."""

    index: int
    part: str
    rows: int
    offset: int = 0
    length: int = 0
    row_group: int = -1

    def to_json(self) -> dict[str, Any]:
        """The entry as it is stored in the manifest."""
        return asdict(self)


class PartWriter:
    """Appends chunks to one part file; ``close`` makes it durable (fsync)."""

    def __init__(self, path: Path, fmt: str, schema: Any = None) -> None:
        self.path = path
        self.format = fmt
        self.schema = schema  # pyarrow schema every Parquet chunk is cast to (that of the run's first rows)
        self._handle: Any = None
        self._parquet: Any = None
        self._row_groups = 0

    def write(self, index: int, frame: pd.DataFrame) -> ChunkEntry:
        """Append one chunk; the returned entry says where its rows are."""
        if frame.empty:
            return ChunkEntry(index, self.path.name, 0)
        if self.format == "parquet":
            return self._write_parquet(index, frame)
        if self.format == "csv":
            text = frame.to_csv(index=False, header=False)
        else:
            text = frame.to_json(orient="records", lines=True, date_format="iso", force_ascii=False)
            text = text if text.endswith("\n") else text + "\n"
        if self._handle is None:
            self._handle = self.path.open("wb")
        payload = text.encode("utf-8")
        offset = self._handle.tell()
        self._handle.write(payload)
        return ChunkEntry(index, self.path.name, len(frame), offset=offset, length=len(payload))

    def _write_parquet(self, index: int, frame: pd.DataFrame) -> ChunkEntry:
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pandas(frame, preserve_index=False)
        if self.schema is None:
            self.schema = table.schema
        table = table.cast(self.schema)
        if self._parquet is None:
            self._parquet = pq.ParquetWriter(self.path, self.schema)
        self._parquet.write_table(table, row_group_size=len(table))
        self._row_groups += 1
        return ChunkEntry(index, self.path.name, len(frame), row_group=self._row_groups - 1)

    @property
    def opened(self) -> bool:
        """Whether a file handle or Parquet writer is open."""
        return self._handle is not None or self._parquet is not None

    def close(self) -> None:
        """Flush and fsync the part, so the manifest can point at it."""
        if self._handle is not None:
            self._handle.flush()
            os.fsync(self._handle.fileno())
            self._handle.close()
            self._handle = None
        if self._parquet is not None:
            self._parquet.close()
            self._parquet = None
            with self.path.open("rb") as handle:
                os.fsync(handle.fileno())


def parquet_schema(path: Path) -> Any:
    """The schema of a Parquet part, which later chunks of a run are cast to."""
    import pyarrow.parquet as pq

    return pq.read_schema(path)


def assemble(folder: Path, entries: Iterable[ChunkEntry], fmt: str, columns: list[str], target: Path) -> int:
    """Write the chunks, in index order, as one complete file at ``target`` (fsynced); returns its rows."""
    ordered = sorted((e for e in entries if e.rows), key=lambda e: e.index)
    if fmt == "parquet":
        rows = _assemble_parquet(folder, ordered, columns, target)
    else:
        rows = 0
        with target.open("wb") as out:
            if fmt == "csv":
                out.write(pd.DataFrame(columns=columns).to_csv(index=False).encode("utf-8"))
            for part, group in _by_part(ordered):
                with (folder / part).open("rb") as source:
                    for entry in group:
                        source.seek(entry.offset)
                        _copy_range(source, out, entry.length)
                        rows += entry.rows
            out.flush()
            os.fsync(out.fileno())
    return rows


def _assemble_parquet(folder: Path, ordered: list[ChunkEntry], columns: list[str], target: Path) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    if ordered:
        schema = pq.read_schema(folder / ordered[0].part)
    else:  # a run without rows still leaves a readable file with its columns
        schema = pa.Table.from_pandas(pd.DataFrame(columns=columns), preserve_index=False).schema
    rows = 0
    pending: list[Any] = []
    with pq.ParquetWriter(target, schema) as writer:
        for part, group in _by_part(ordered):
            source = pq.ParquetFile(folder / part)
            for entry in group:
                pending.append(source.read_row_group(entry.row_group).cast(schema))
                rows += pending[-1].num_rows
                if sum(t.num_rows for t in pending) >= ROW_GROUP_ROWS:
                    _write_row_group(writer, pending)
                    pending = []
            source.close()
        if pending:
            _write_row_group(writer, pending)
    with target.open("rb") as handle:
        os.fsync(handle.fileno())
    return rows


def _write_row_group(writer: Any, tables: list[Any]) -> None:
    import pyarrow as pa

    table = pa.concat_tables(tables)
    writer.write_table(table, row_group_size=table.num_rows)


def _by_part(entries: list[ChunkEntry]) -> list[tuple[str, list[ChunkEntry]]]:
    """Runs of consecutive entries in the same part, so each part is opened once per run of chunks."""
    groups: list[tuple[str, list[ChunkEntry]]] = []
    for entry in entries:
        if groups and groups[-1][0] == entry.part:
            groups[-1][1].append(entry)
        else:
            groups.append((entry.part, [entry]))
    return groups


def _copy_range(source: Any, out: Any, length: int) -> None:
    remaining = length
    while remaining > 0:
        block = source.read(min(COPY_BLOCK, remaining))
        if not block:
            raise OSError(f"{source.name}: part file is shorter than its manifest says")
        out.write(block)
        remaining -= len(block)


