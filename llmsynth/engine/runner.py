"""Run a spec chunk by chunk: samplers, expressions and LLM groups in dependency order, then the
table validator; only valid rows leave a chunk.

Chunks have a fixed size (``generation.chunk_size``; by default 256 rows with LLM columns and
``SCAFFOLD_CHUNK_ROWS`` for scaffold-only specs). Samplers draw from streams keyed by (seed, column,
fixed block of row indices) (``llmsynth.engine.scaffold_step``), so a chunk's rows do not depend on
its size nor on which chunks ran before it: the basis for resume and scale-out.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from llmsynth.engine.run_record import RunStats
from llmsynth.engine.scaffold_step import ScaffoldStep
from llmsynth.errors import SpecError
from llmsynth.scaffold.blocks import pool
from llmsynth.seeding import BLOCK_ROWS
from llmsynth.spec import DatasetSpec, LLMGroup, order_columns

# when rows are rejected, extra chunks top the table up until it has the rows asked for; the top-up
# chunks stop after several yield nothing in a row, and this factor of the planned chunks bounds the work
MAX_TOPUP_FACTOR = 50
LLM_CHUNK_ROWS = 256
# scaffold-only: four blocks a chunk keep numpy on long vectors; memory stays flat in rows
SCAFFOLD_CHUNK_ROWS = 4 * BLOCK_ROWS
# the most rows one run may ask for: far beyond what a run writes in a day, small enough for int64 row numbers
MAX_ROWS = 1_000_000_000


# makes the given (chunk index, rows) chunks and yields them in that order
Produce = Callable[[Iterable[tuple[int, int]]], Iterator["ChunkResult"]]


def chunk_rows(spec: DatasetSpec) -> int:
    """Rows per chunk: the spec's ``generation.chunk_size``, else a default for its kind of work."""
    if spec.generation.chunk_size is not None:
        return spec.generation.chunk_size
    return LLM_CHUNK_ROWS if spec.llm_groups() else SCAFFOLD_CHUNK_ROWS


@dataclass
class RunProgress:
    """Where a run stands: the next chunk index and the valid rows before it (what resume needs)."""

    next_chunk: int = 0
    rows_done: int = 0
    empty_top_ups: int = 0  # top-up chunks in a row, just before next_chunk, that yielded no row


@dataclass
class ChunkResult:
    """One chunk's valid rows, its rejects (as JSON-able dicts) and counters."""

    index: int
    data: pd.DataFrame
    rejects: list[dict[str, Any]] = field(default_factory=list)


class Runner:
    """Compiles a spec into samplers once, then produces chunks on demand."""

    def __init__(self, spec: DatasetSpec, *, backend: Any = None) -> None:
        self.spec = spec
        self.chunk_size = chunk_rows(spec)
        self.order = order_columns(spec)
        self.scaffold = ScaffoldStep(spec, self.order)
        self.samplers = self.scaffold.samplers
        self.stats = RunStats(rows_requested=spec.rows)
        self._backend = backend
        self._filler: Any = None

    def target_rows(self, rows: int | None) -> int:
        """Rows to produce: the request, unless a sampler fixes the table length (an edge list)."""
        fixed = {s.fixed_rows() for s in self.samplers.values()} - {None}
        if len(fixed) > 1:
            raise SpecError(f"samplers fix different table lengths: {sorted(fixed)}")  # type: ignore[type-var]
        if fixed:
            return check_rows(int(fixed.pop()), "the table length a sampler fixes")  # type: ignore[arg-type]
        return check_rows(rows) if rows is not None else check_rows(self.spec.rows, "the spec's 'rows'")

    def _prepare_whole_table(self, total: int) -> None:
        self.scaffold.prepare_whole_table(total)

    def warm_up(self, total: int) -> None:
        """Do now what the first chunk would: draw whole-table samplers, load the model (a worker that
        starts before its first chunk arrives)."""
        self._prepare_whole_table(total)
        if self.spec.llm_groups():
            self._llm_filler().backend  # noqa: B018 - loading the model is the point

    def _llm_filler(self) -> Any:
        if self._filler is None:
            from llmsynth.engine.llm_step import LLMFiller

            self._filler = LLMFiller(self.spec, backend=self._backend)
        return self._filler

    def chunk(self, index: int, n: int) -> ChunkResult:
        """Rows [index * chunk_size, index * chunk_size + n) of the table, validated."""
        start = index * self.chunk_size
        rejects: list[dict[str, Any]] = []
        alive = np.ones(n, dtype=bool)
        if not self.spec.llm_groups():
            return self._validate(index, self.scaffold.rows(start, n), alive, rejects)
        # the index holds global row numbers, so samplers that number rows (ids) stay unique across chunks
        frame = pd.DataFrame(index=pd.RangeIndex(start, start + n))
        drawn = self.scaffold.material(start, n, pool())
        for column in self.order:
            if isinstance(column, LLMGroup):
                values, group_rejects = self._fill_llm(column, frame, alive, index)
                for name in values.columns:
                    frame[name] = values[name].to_numpy()
                for reject in group_rejects:
                    alive[reject["row"]] = False
                    reject["row"] += start
                    rejects.append(reject)
                continue
            self.scaffold.add(frame, column, drawn, start, n)
        return self._validate(index, frame, alive, rejects)

    def _fill_llm(
        self, group: LLMGroup, frame: pd.DataFrame, alive: np.ndarray, index: int
    ) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
        filler = self._llm_filler()
        live = frame[alive].reset_index(drop=True)
        positions = np.flatnonzero(alive)
        start = index * self.chunk_size
        values, rejects, stats = filler.fill(group, live, chunk=index, rows=(start + positions).tolist())
        self.stats.add_llm(stats)
        full = pd.DataFrame(index=pd.RangeIndex(len(frame)), columns=list(values.columns), dtype=object)
        for name in values.columns:
            full.loc[positions, name] = values[name].to_numpy()
        out = []
        for reject in rejects:
            out.append({"row": int(positions[reject.row]), "group": reject.group, "raw": reject.raw,
                        "reason": reject.reason, "attempts": reject.attempts})
        return full.infer_objects(), out

    def _validate(
        self, index: int, frame: pd.DataFrame, alive: np.ndarray, rejects: list[dict[str, Any]]
    ) -> ChunkResult:
        from llmsynth.parsers import validate_table

        start = index * self.chunk_size
        frame = frame.reset_index(drop=True)
        check = validate_table(frame, self.spec.column_schemas(), self.spec.row_constraints())
        invalid = alive & ~np.asarray(check.valid, dtype=bool)
        if invalid.any():
            errors = check.errors
            for row in np.flatnonzero(invalid):
                reasons = errors.loc[errors["row"] == row]
                reason = "; ".join(f"{c}: {r}" for c, r in zip(reasons["column"], reasons["reason"], strict=True))
                rejects.append({"row": start + int(row), "group": "table", "raw": "", "reason": reason,
                                "attempts": 1})
        keep = alive & ~invalid
        data = (frame if keep.all() else frame[keep].reset_index(drop=True))[self.spec.column_names]
        return ChunkResult(index=index, data=data, rejects=rejects)

    def run(
        self,
        rows: int | None = None,
        progress: Callable[[int, int], None] | None = None,
        *,
        start: RunProgress | None = None,
        stats: RunStats | None = None,
        produce: Produce | None = None,
        only: range | None = None,
    ) -> Iterator[ChunkResult]:
        """Yield chunks until ``rows`` valid rows exist (topping up rejected rows where possible).

        ``start`` and ``stats`` continue a run where it stopped (resume): the chunks that follow are
        the ones an uninterrupted run would have produced. ``produce`` makes given (index, rows) chunks
        and yields them in that order (default: here, one after another; the Ray engine: on workers).
        ``only`` restricts the run to a range of planned chunks and no top-ups (one shard).
        """
        target = self.target_rows(rows)
        self.stats = stats if stats is not None else RunStats(rows_requested=target)
        started = time.perf_counter() - self.stats.seconds  # time accumulates across resumed sessions
        self._prepare_whole_table(target)
        size = self.chunk_size
        produce = produce or self._produce_here
        planned = planned_count(target, size)
        span = only if only is not None else range(planned)
        goal = min(target, span.stop * size) - span.start * size if span else 0
        start = start or RunProgress(next_chunk=span.start)
        index, done, empty_top_ups = start.next_chunk, start.rows_done, start.empty_top_ups
        if progress is not None:
            progress(done, goal)
        # planned chunks have fixed sizes, so each is independent of the others and may run anywhere
        pairs = ((i, min(size, target - i * size)) for i in range(max(index, span.start), span.stop))
        for result in produce(pairs):
            done += self._account(result, goal - done, started)
            if progress is not None:
                progress(done, goal)
            yield result
            index = result.index + 1
        if only is not None:
            self.stats.seconds = time.perf_counter() - started
            return
        can_top_up = all(s.per_chunk for s in self.samplers.values())
        max_chunks = planned * (MAX_TOPUP_FACTOR if can_top_up else 1)
        index = max(index, planned)
        while done < target and index < max_chunks:  # top-ups fill the gap rejected rows left
            for result in produce([(index, self._top_up_size(size, target - done))]):
                done += self._account(result, target - done, started)
                if progress is not None:
                    progress(done, target)
                yield result
                empty_top_ups = empty_top_ups + 1 if result.data.empty else 0
            index += 1
            if empty_top_ups >= max(3, planned):
                break  # top-ups keep yielding nothing: more of them would not either
        self.stats.seconds = time.perf_counter() - started

    def _produce_here(self, pairs: Iterable[tuple[int, int]]) -> Iterator[ChunkResult]:
        for index, n in pairs:
            yield self.chunk(index, n)

    def _account(self, result: ChunkResult, room: int, started: float) -> int:
        """Count a finished chunk in the run's counters (keeping at most ``room`` rows); its valid rows."""
        result.data = result.data.iloc[:room]
        self.stats.add_chunk(result)
        self.stats.seconds = time.perf_counter() - started
        return len(result.data)

    def _top_up_size(self, size: int, missing: int) -> int:
        """Rows for a top-up chunk: enough for the missing rows at the run's yield so far (from the run's
        counters, which a resumed run restores, so a resumed run tops up exactly as an uninterrupted one)."""
        tried = self.stats.rows_written + self.stats.rejected
        yield_ = self.stats.rows_written / tried if tried and self.stats.rows_written else 1.0 / size
        return max(1, min(size, math.ceil(missing / yield_)))

    def carried_state(self) -> dict[tuple[str, str], set[Any]]:
        """State that carries from one chunk to the next: values LLM unique columns already hold,
        per (group, column). A resumed run restores it so later chunks make the same choices."""
        return {} if self._filler is None else self._filler._seen

    def restore_carried_state(self, state: dict[tuple[str, str], set[Any]]) -> None:
        """Take the carried state a resumed run saved, so later chunks make the same choices."""
        if not state:
            return
        filler = self._llm_filler()
        for key, values in state.items():
            filler._seen.setdefault(key, set()).update(values)


def planned_count(target: int, size: int) -> int:
    """A run's planned chunks: ``size`` rows each, the last one shorter; top-ups come after them."""
    return -(-target // size)


def check_rows(rows: int, what: str = "the requested row count (-n / rows=)") -> int:
    """A row count a run can honour: 1 to MAX_ROWS."""
    if isinstance(rows, bool) or not isinstance(rows, int | np.integer) or not 1 <= rows <= MAX_ROWS:
        raise SpecError(f"{what} is {rows}; a run makes 1 to {MAX_ROWS:,} rows")
    return int(rows)
