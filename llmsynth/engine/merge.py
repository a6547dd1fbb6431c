"""Join the shards of a run (``generate --shard I/N``) into the table a single-process run makes:
one file (chunks copied in order, as a run folder is assembled), or a dataset folder of one file per
shard that pandas, pyarrow, DuckDB and Spark read as it is.

Every shard's run record says which run it belongs to (the run's fingerprint and options) and which
chunks it holds, so merge refuses parts of different runs, a shard given twice and missing shards.
When rows were rejected, the single-process run ends with top-up chunks sized from the counters of all
planned chunks; merge makes those same chunks here (loading the model if the spec has LLM columns).
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from llmsynth.engine.fingerprint import describe_changes, options_digest, run_options
from llmsynth.engine.run_record import RunStats, record_text, sidecar_paths
from llmsynth.engine.runner import Runner, RunProgress, planned_count
from llmsynth.errors import InputDataError, LLMSynthError, OutputError
from llmsynth.io import table_format
from llmsynth.io.atomic import fsync_dir, fsync_file, move_durably
from llmsynth.io.parts import ChunkEntry, PartWriter, assemble
from llmsynth.io.paths import output_errors
from llmsynth.io.run_folder import run_folder_for
from llmsynth.io.tables import SUFFIXES

# inside a dataset folder: names starting with "_" are skipped by pyarrow, pandas, Spark and DuckDB globs
FOLDER_RECORD = "_run.json"
FOLDER_REJECTS = "_rejects.jsonl"


@dataclass
class Part:
    """One shard's finished file and its run record."""

    path: Path
    record: dict[str, Any]

    @property
    def shard(self) -> dict[str, Any]:
        """The part's shard as its run record stores it (index, count and chunk range)."""
        return dict(self.record["shard"])


def merge_parts(parts: list[str | Path], output: str | Path, *, force: bool = False) -> RunStats:
    """Merge shard files (or folders holding them) into ``output``: a file (.csv/.parquet/.jsonl, the
    shards' format) or a folder (a path ending in '/' or without a suffix). Returns the run's counters."""
    found = _ordered(_checked([_part(path) for path in _expand(parts)]))
    first = found[0]
    fmt = table_format(first.path)
    target = Path(output)
    as_folder = str(output).endswith(("/", "\\")) or target.is_dir() or not target.suffix
    if not as_folder and table_format(target) != fmt:
        raise OutputError(f"{target}: the shards are {fmt} files; write a .{fmt} file or a folder")
    if (target.exists() or target.is_symlink()) and not force:
        raise OutputError(f"{target} already exists; pass --force to replace it")
    stats = _stats(found)
    staging = target.with_name(target.name + ".merging")
    with output_errors(staging):
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        try:
            top_ups, rejects = _top_ups(found, stats, staging, fmt)
            built = staging / ("data" if as_folder else target.name)
            if as_folder:
                _write_folder(found, top_ups, staging, fmt, built)
            else:
                _write_file(found, top_ups, staging, fmt, built)
            sidecars = built if as_folder else staging
            record = record_text(stats, first.shard["run_fingerprint"])
            (sidecars / FOLDER_RECORD).write_text(record, encoding="utf-8")
            _write_rejects(found, rejects, sidecars / FOLDER_REJECTS)
            fsync_dir(sidecars)
            _move_into_place(staging, built, target, as_folder)
        finally:
            shutil.rmtree(staging, ignore_errors=True)  # what a failed merge left; never the output
    return stats


def _expand(paths: list[str | Path]) -> list[Path]:
    files: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            inside = sorted(p for p in path.iterdir() if p.suffix in SUFFIXES and not p.name.startswith(("_", "."))
                            and not p.name.endswith(".rejects.jsonl"))  # a shard's rejects, beside it
            if not inside:
                raise InputDataError(f"{path}: a folder without shard files (.csv, .parquet, .jsonl)")
            files.extend(inside)
        else:
            files.append(path)
    if not files:
        raise InputDataError("merge: give the shard files to merge")
    return files


def _part(path: Path) -> Part:
    record_path, _ = sidecar_paths(path)
    if not path.is_file():
        unfinished = run_folder_for(path).is_dir()
        why = "its shard run is unfinished (continue it with --resume)" if unfinished else "file not found"
        raise InputDataError(f"{path}: {why}")
    if path.parent.joinpath(FOLDER_RECORD).is_file():
        raise InputDataError(f"{path.parent}: a merged dataset already; read the folder as it is "
                             "(pandas.read_parquet, pyarrow.dataset, DuckDB, Spark)")
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputDataError(f"{path}: no readable run record ({record_path}: {exc}); merge needs the "
                             "record that generate --shard writes beside each part") from exc
    if not isinstance(record, dict) or not isinstance(record.get("shard"), dict) or "state" not in record:
        raise InputDataError(f"{path}: not a shard of a run (its run record has no shard); make parts with "
                             "llmsynth generate SPEC --shard I/N -o PART")
    if table_format(path) == "parquet":
        import pyarrow.parquet as pq

        if pq.ParquetFile(path).metadata.num_rows != record.get("rows_written"):
            raise InputDataError(f"{path}: holds a different number of rows than its run record says")
    return Part(path, record)


def _checked(found: list[Part]) -> list[Part]:
    first = found[0]
    for part in found[1:]:
        if part.shard["run_fingerprint"] != first.shard["run_fingerprint"]:
            changes = describe_changes(first.shard["run_options"], part.shard["run_options"])
            raise InputDataError(f"{part.path} is not from the same run as {first.path} "
                                 f"({'; '.join(changes) or 'different options'}); merge the shards of one run")
        if part.shard["count"] != first.shard["count"]:
            raise InputDataError(f"{part.path} is one of {part.shard['count']} shards, {first.path} one of "
                                 f"{first.shard['count']}; merge the shards of one split")
    by_index: dict[int, Part] = {}
    for part in found:
        index = part.shard["index"]
        if index in by_index:
            raise InputDataError(f"shard {index}/{part.shard['count']} is given twice: {by_index[index].path} "
                                 f"and {part.path}")
        by_index[index] = part
    count = first.shard["count"]
    missing = [f"{i}/{count}" for i in range(1, count + 1) if i not in by_index]
    if missing:
        shown = ", ".join(missing[:8]) + (f" and {len(missing) - 8} more" if len(missing) > 8 else "")
        raise InputDataError(f"shards missing: {shown}; merge needs all {count} shards of the run")
    return found


def _ordered(found: list[Part]) -> list[Part]:
    return sorted(found, key=lambda part: part.shard["index"])


def _stats(found: list[Part]) -> RunStats:
    """The run's counters: the shards' added in chunk order (time: the slowest shard's)."""
    total = RunStats(rows_requested=found[0].shard["rows_requested"])
    for part in found:
        stats = RunStats.from_state(part.record["state"])
        total.chunks += stats.chunks
        total.rows_written += stats.rows_written
        total.rejected += stats.rejected
        total.rejects_by_reason.update(stats.rejects_by_reason)
        total.llm.merge(stats.llm)
        total.seconds = max(total.seconds, stats.seconds)
    return total


def _top_ups(
    found: list[Part], stats: RunStats, staging: Path, fmt: str
) -> tuple[list[ChunkEntry], list[dict[str, Any]]]:
    """The top-up chunks the single-process run makes after its planned chunks, written to a part."""
    shard = found[0].shard
    target = shard["rows_requested"]
    if stats.rows_written >= target:
        return [], []
    runner = Runner(_spec(found[0], target, fmt))
    planned = planned_count(target, runner.chunk_size)
    start = RunProgress(next_chunk=planned, rows_done=stats.rows_written)
    writer = PartWriter(staging / f"top-ups.{fmt}", fmt, _schema(found[0].path, fmt))
    entries, rejects = [], []
    for result in runner.run(target, start=start, stats=stats):
        entries.append(writer.write(result.index, result.data))
        rejects.extend(result.rejects)
    writer.close()
    return entries, rejects


def _spec(part: Part, target: int, fmt: str) -> Any:
    """The spec the shards ran, rebuilt from the run record and checked against the run's fingerprint."""
    from llmsynth.spec.loader import spec_from_dict

    source = part.record.get("spec_source")
    try:
        spec = spec_from_dict(part.record["spec"], source=str(part.path),
                              path=Path(source) if source else None)
        same = options_digest(run_options(spec, target, fmt)) == part.shard["run_fingerprint"]
    except (LLMSynthError, KeyError, TypeError) as exc:
        same, spec = False, None
        reason = str(exc)
    else:
        reason = "a file it reads (template, sample data) changed or moved"
    if not same:
        raise InputDataError(f"{part.path}: the shards are short of rows (some were rejected), and making the "
                             f"top-up chunks needs the spec as the shards ran it, but {reason}")
    return spec


def _schema(path: Path, fmt: str) -> Any:
    if fmt != "parquet":
        return None
    import pyarrow.parquet as pq

    return pq.read_schema(path)


def _entries(part: Part, fmt: str, columns: list[str]) -> list[ChunkEntry]:
    """Where a shard's rows are in its file, as the chunk entries ``assemble`` copies."""
    rows = int(part.record["rows_written"])
    if fmt == "parquet":
        import pyarrow.parquet as pq

        meta = pq.ParquetFile(part.path).metadata
        return [ChunkEntry(0, str(part.path.resolve()), meta.row_group(i).num_rows, row_group=i)
                for i in range(meta.num_row_groups)]
    size = part.path.stat().st_size
    header = pd.DataFrame(columns=columns).to_csv(index=False).encode("utf-8") if fmt == "csv" else b""
    with part.path.open("rb") as handle:
        if handle.read(len(header)) != header:
            raise InputDataError(f"{part.path}: does not start with the run's header line")
    return [ChunkEntry(0, str(part.path.resolve()), rows, offset=len(header), length=size - len(header))]


def _columns(part: Part) -> list[str]:
    return [str(name) for name in part.shard["columns"]]


def _write_file(found: list[Part], top_ups: list[ChunkEntry], staging: Path, fmt: str, built: Path) -> None:
    columns = _columns(found[0])
    entries: list[ChunkEntry] = []
    for part in found:
        entries.extend(_entries(part, fmt, columns))
    entries.extend(top_ups)
    for number, entry in enumerate(entries):
        entry.index = number  # the order to copy in: shards by number, then the top-ups
    assemble(staging, entries, fmt, columns, built)


def _write_folder(found: list[Part], top_ups: list[ChunkEntry], staging: Path, fmt: str, built: Path) -> None:
    """One file per shard (and one for the top-ups), named so that sorting by name gives row order."""
    built.mkdir()
    for number, part in enumerate(found):
        shutil.copyfile(part.path, built / f"part-{number:05d}.{fmt}")
        fsync_file(built / f"part-{number:05d}.{fmt}")
    if any(entry.rows for entry in top_ups):
        assemble(staging, top_ups, fmt, _columns(found[0]), built / f"part-{len(found):05d}.{fmt}")


def _write_rejects(found: list[Part], extra: list[dict[str, Any]], target: Path) -> None:
    with target.open("wb") as out:
        for part in found:
            _, rejects_path = sidecar_paths(part.path)
            if rejects_path.is_file():
                out.write(rejects_path.read_bytes())
        for reject in extra:
            out.write((json.dumps(reject, ensure_ascii=False, default=str) + "\n").encode("utf-8"))


def _move_into_place(staging: Path, built: Path, target: Path, as_folder: bool) -> None:
    """Put the output in place with one rename; a file's record and rejects go first, so the output
    appears last, complete (a folder output that existed is removed just before)."""
    if as_folder:
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
        built.rename(target)
    else:
        record_path, rejects_path = sidecar_paths(target)
        move_durably(staging / FOLDER_RECORD, record_path)
        move_durably(staging / FOLDER_REJECTS, rejects_path)
        move_durably(built, target)
    fsync_dir(target.parent)
