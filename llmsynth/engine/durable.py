"""Generate into a file durably: finished chunks go to a run folder beside the output and are committed
at least once a second; the output appears only when the run is complete. A run that is stopped,
killed or fails keeps what it committed, and ``resume`` continues from there with the same chunks an
uninterrupted run would have made, so the table is the same.

The same folder serves every way of running: chunks made here or on Ray workers (``produce``), or one
shard's range of chunks (``shard``); ``RunFolder.finish`` assembles a folder into the output.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from llmsynth.engine.fingerprint import describe_changes, options_digest, run_options
from llmsynth.engine.interrupt import stop_after_chunk
from llmsynth.engine.run_record import RunStats, record_text, sidecar_paths
from llmsynth.engine.runner import ChunkResult, Produce, Runner, RunProgress
from llmsynth.engine.shards import Shard
from llmsynth.errors import LLMSynthError, OutputError, RunInterrupted
from llmsynth.io import table_format
from llmsynth.io.paths import check_output_path, output_errors
from llmsynth.io.run_folder import RunFolder, remove_trash, run_folder_for

REJECTS = "rejects.jsonl"
CARRIED = "carried.jsonl"  # values of unique LLM columns, which later chunks must not repeat
RECORD = "run.json"
RESUME_HINT = "continue with --resume (Python: resume=True)"


def commit_seconds() -> float:
    """Seconds between commits (LLMSYNTH_COMMIT_SECONDS; 0 commits after every chunk)."""
    try:
        return max(0.0, float(os.environ.get("LLMSYNTH_COMMIT_SECONDS", "1")))
    except ValueError:
        return 1.0


def generate_to_file(
    runner: Runner,
    output: Path,
    rows: int | None = None,
    *,
    resume: bool = False,
    force: bool = False,
    progress: Callable[[int, int], None] | None = None,
    produce: Produce | None = None,
    shard: Shard | None = None,
) -> RunStats:
    """Run ``runner`` into ``output`` through its run folder; returns the whole run's counters.

    ``produce`` makes the chunks elsewhere (the Ray engine); ``shard`` writes one shard's chunks only.
    """
    fmt = table_format(output)
    if fmt == "json":
        raise OutputError(f"{output}: write JSON Lines (.jsonl) instead of .json")
    target = runner.target_rows(rows)
    check_output_path(output)
    options = run_options(runner.spec, target, fmt)
    extra: dict[str, Any] = {}
    if shard is not None:
        extra = shard.record(runner, target, options)
        options = {**options, "shard": str(shard)}
    record_path, rejects_path = sidecar_paths(output)
    if resume and _already_complete(output, record_path, options):
        return RunStats.from_record(json.loads(record_path.read_text(encoding="utf-8")))
    folder, resumed = _folder(output, options, runner.spec.column_names, resume=resume, force=force)
    session = _Session(runner, folder, target, options_digest(options), extra)
    session.produce = produce
    session.only = None if shard is None else shard.chunks(target, runner.chunk_size)
    if resumed:
        try:
            session.restore()
        except BaseException:
            folder.close()
            raise
    if not folder.complete:
        session.run(rows, progress, fresh=not resumed)
    with output_errors(output):
        folder.finish(output, {RECORD: record_path, REJECTS: rejects_path})
    return session.stats


class _Session:
    """One process's stretch of work on a run folder."""

    def __init__(
        self, runner: Runner, folder: RunFolder, target: int, fingerprint: str, extra: dict[str, Any] | None = None
    ) -> None:
        self.runner = runner
        self.fingerprint = fingerprint
        self.extra = extra or {}  # what a shard's run record adds (merge reads it)
        self.produce: Produce | None = None
        self.only: range | None = None
        self.folder = folder
        self.target = target
        self.stats = runner.stats
        self.start: RunProgress | None = None
        self._saved: dict[tuple[str, str], set[Any]] = {}

    def restore(self) -> None:
        """Counters, position and carried state as of the folder's last commit."""
        state = self.folder.state
        if "stats" in state:
            self.stats = RunStats.from_state(state["stats"])
            self.stats.resumed += 1
        first = self.only.start if self.only is not None else 0
        indices = sorted(entry.index for entry in self.folder.chunks)
        if indices != list(range(first, first + len(indices))):
            raise OutputError(f"{self.folder.path}: its chunks are not a sequence from {first}; "
                              "pass --force to start over")
        self.start = RunProgress(next_chunk=first + len(indices), rows_done=self.folder.rows,
                                 empty_top_ups=self._empty_top_ups())
        carried: dict[tuple[str, str], set[Any]] = {}
        for line in self.folder.read_log(CARRIED):
            item = json.loads(line)
            carried.setdefault((item["group"], item["column"]), set()).update(item["values"])
        self.runner.restore_carried_state(carried)
        self._saved = {key: set(values) for key, values in carried.items()}

    def _empty_top_ups(self) -> int:
        """Top-up chunks at the end of the folder that yielded nothing: the runner stops after several."""
        planned = -(-self.target // self.runner.chunk_size)
        count = 0
        for entry in sorted(self.folder.chunks, key=lambda e: e.index, reverse=True):
            if entry.index < planned or entry.rows:
                break
            count += 1
        return count

    def run(self, rows: int | None, progress: Callable[[int, int], None] | None, *, fresh: bool) -> None:
        chunks = self.runner.run(rows, progress, start=self.start, stats=self.stats if self.start else None,
                                 produce=self.produce, only=self.only)
        try:
            self.write_all(chunks)
        except BaseException as exc:
            if not (fresh and not self.folder.chunks):
                raise
            self.folder.discard()  # nothing was kept: leave no folder that asks for --resume
            if isinstance(exc, RunInterrupted):
                raise RunInterrupted("interrupted before the first chunk was complete; nothing was written") from None
            raise

    def write_all(self, chunks: Iterator[ChunkResult] | Iterable[ChunkResult]) -> None:
        interval = commit_seconds()
        last = time.monotonic()
        iterator = iter(chunks)
        with stop_after_chunk() as stop_asked:
            while True:
                try:
                    result = next(iterator)
                except StopIteration:
                    break
                except KeyboardInterrupt:  # a second Ctrl-C: the last commit stands
                    self.folder.close()
                    raise self._interrupted("stopped at once") from None
                except BaseException as exc:  # the chunk failed; the chunks before it are complete
                    self._keep_and_close(exc)
                    raise
                try:
                    self._write(result)
                    if stop_asked() or time.monotonic() - last >= interval:
                        self._commit()
                        last = time.monotonic()
                except KeyboardInterrupt:
                    self.folder.close()
                    raise self._interrupted("stopped at once") from None
                except BaseException:
                    self.folder.close()
                    raise
                if stop_asked():
                    self.folder.close()
                    raise self._interrupted("stopped after a complete chunk")
            self._commit()

    def _write(self, result: ChunkResult) -> None:
        with output_errors(self.folder.path):
            self.folder.write_chunk(result.index, result.data)
            lines = [json.dumps(r, ensure_ascii=False, default=str) for r in result.rejects]
            self.folder.append_log(REJECTS, lines)

    def _commit(self) -> None:
        self.stats = self.runner.stats
        with output_errors(self.folder.path):
            self.folder.append_log(CARRIED, self._carried_lines())
            record = record_text(self.stats, self.fingerprint, self.extra)
            self.folder.commit({"stats": self.stats.to_state()}, {RECORD: record})

    def _carried_lines(self) -> list[str]:
        lines = []
        for (group, column), values in self.runner.carried_state().items():
            saved = self._saved.setdefault((group, column), set())
            new = values - saved
            if new:
                lines.append(json.dumps({"group": group, "column": column, "values": list(new)}, default=str))
                saved.update(new)
        return lines

    def _keep_and_close(self, exc: BaseException) -> None:
        """After a failed chunk, commit the complete chunks before it and say how to continue."""
        try:
            if self.folder.pending:
                self._commit()
        except LLMSynthError:
            pass
        self.folder.close()
        if self.folder.chunks and isinstance(exc, Exception):
            exc.add_note(f"{self.folder.rows} of {self.target} rows are saved in {self.folder.path}; "
                         f"fix the cause and {RESUME_HINT}")

    def _interrupted(self, how: str) -> RunInterrupted:
        return RunInterrupted(f"interrupted ({how}): {self.folder.rows} of {self.target} rows are saved in "
                              f"{self.folder.path}; {RESUME_HINT}")


def _folder(
    output: Path, options: dict[str, Any], columns: list[str], *, resume: bool, force: bool
) -> tuple[RunFolder, bool]:
    """The run folder to write: the previous one (resume), or a new one; refuses to lose anything."""
    path = run_folder_for(output)
    with output_errors(path):
        remove_trash(path)
        if path.exists() or path.is_symlink():
            if not path.is_dir():
                raise OutputError(f"{path} is in the way: a file where this output's run folder goes")
            if resume:
                return _resumed(path, output, options, force=force), True
            if not force:
                raise OutputError(f"{path} holds an unfinished run of {output} ({_progress(path)}); "
                                  "continue it with --resume, or pass --force to discard it")
            RunFolder.remove(path)
        if output.exists() and not force:
            raise OutputError(f"{output} already exists; pass --force to replace it "
                              "(the old file stays until the new run is complete)")
        output.parent.mkdir(parents=True, exist_ok=True)
        header = {"options": options, "replace": force}
        return RunFolder.create(path, table_format(output), columns, header, [REJECTS, CARRIED]), False


def _resumed(path: Path, output: Path, options: dict[str, Any], *, force: bool) -> RunFolder:
    folder = RunFolder.open(path)
    changes = describe_changes(folder.header.get("options", {}), options)
    if changes:
        folder.close()
        raise OutputError(f"cannot resume {output}: the run changed since it started ({'; '.join(changes)}); "
                          "run it as it was, or pass --force without --resume to start over")
    renamed = folder.complete and not (path / folder.assembled_name).exists()
    if output.exists() and not (force or folder.header.get("replace") or renamed):
        folder.close()
        raise OutputError(f"{output} already exists; pass --force to replace it")
    return folder


def _already_complete(output: Path, record_path: Path, options: dict[str, Any]) -> bool:
    """A resume of a run that finished (e.g. killed just after its last step): nothing is left to do."""
    if run_folder_for(output).exists() or not output.is_file():
        return False
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(record, dict) and record.get("fingerprint") == options_digest(options)


def _progress(path: Path) -> str:
    try:
        manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
        rows = sum(entry["rows"] for entry in manifest["chunks"])
        return f"{rows} of {manifest['header']['options']['rows']} rows"
    except (OSError, ValueError, KeyError, TypeError):
        return "its manifest is unreadable"
