"""``merge``: the shards of a run (``generate(..., shard="I/N")``) joined into the table one process makes."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from llmsynth.api.boundary import public

if TYPE_CHECKING:
    from llmsynth.engine.run_record import RunStats


@public
def merge(parts: Sequence[str | Path] | str | Path, output: str | Path, *, force: bool = False) -> RunStats:
    """Join the shards of a run (``generate(..., shard="I/N", output=...)``, files or folders of them) into
    ``output``: one file, or a folder of Parquet/CSV/JSONL files (a path ending in '/' or without a suffix),
    with exactly the rows, order and run record of a single-process run. Refuses parts of different runs,
    a shard given twice and missing shards; makes the run's top-up chunks if rows were rejected."""
    from llmsynth.engine.merge import merge_parts

    return merge_parts([parts] if isinstance(parts, str | Path) else list(parts), output, force=force)
