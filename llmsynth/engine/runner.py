"""Run a spec chunk by chunk: samplers, expressions and LLM groups in dependency order, then the
table validator; only valid rows leave a chunk.

Chunks have a fixed size (``generation.chunk_size``; by default 256 rows with LLM columns, and
``SCAFFOLD_CHUNK_ROWS`` for scaffold-only specs). Samplers take their random numbers from streams keyed
by (seed, column, fixed block of row indices) (``llmsynth.scaffold.blocks``), so a row's values depend
neither on the chunk size nor on which chunks ran before: the basis for resume and scale-out.
Samplers whose rows depend on each other (time series, graphs) are drawn once for the whole table and
sliced.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from llmsynth.engine.run_record import RunStats
from llmsynth.errors import GenerationError, LLMSynthError, SpecError
from llmsynth.scaffold.base import Material, Sampler
from llmsynth.scaffold.blocks import BlockDraws, materials, pool
from llmsynth.scaffold.missing import MissingMask
from llmsynth.scaffold.registry import build_sampler
from llmsynth.seeding import BLOCK_ROWS, stream
from llmsynth.spec import DatasetSpec, LLMGroup, order_columns
from llmsynth.spec.base import ColumnBase
from llmsynth.spec.sampler_common import SamplerColumn

# when rows are rejected, extra chunks top the table up; this bounds the extra work
MAX_TOPUP_FACTOR = 3
LLM_CHUNK_ROWS = 256
# scaffold-only: four blocks per chunk keep numpy on long vectors and two cores busy, memory flat in rows
SCAFFOLD_CHUNK_ROWS = 4 * BLOCK_ROWS


def chunk_rows(spec: DatasetSpec) -> int:
    """Rows per chunk: the spec's ``generation.chunk_size``, else a default for its kind of work."""
    if spec.generation.chunk_size is not None:
        return spec.generation.chunk_size
    return LLM_CHUNK_ROWS if spec.llm_groups() else SCAFFOLD_CHUNK_ROWS


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
        self.samplers: dict[int, Sampler] = {}
        self._draws: dict[int, BlockDraws] = {}
        self._masks: dict[int, tuple[MissingMask, BlockDraws]] = {}
        for column in self.order:
            if isinstance(column, LLMGroup):
                continue
            sampler = self.samplers[id(column)] = _build(column, spec)
            if sampler.per_chunk:
                self._draws[id(column)] = BlockDraws(sampler, spec.seed)
            if isinstance(column, SamplerColumn) and column.null_rates():
                mask = MissingMask(column, sampler.stream_key)
                self._masks[id(column)] = (mask, BlockDraws(mask, spec.seed))
        self.stats = RunStats(rows_requested=spec.rows)
        self._backend = backend
        self._filler: Any = None
        self._whole: dict[int, pd.DataFrame] = {}
        self._waves = waves([c for c in self.order if not isinstance(c, LLMGroup)])

    def target_rows(self, rows: int | None) -> int:
        """Rows to produce: the request, unless a sampler fixes the table length (an edge list)."""
        fixed = {s.fixed_rows() for s in self.samplers.values()} - {None}
        if len(fixed) > 1:
            raise SpecError(f"samplers fix different table lengths: {sorted(fixed)}")  # type: ignore[type-var]
        if fixed:
            return int(fixed.pop())  # type: ignore[arg-type]
        return rows if rows is not None else self.spec.rows

    def _prepare_whole_table(self, total: int) -> None:
        for column in self.order:
            sampler = self.samplers.get(id(column))
            if sampler is not None and not sampler.per_chunk and id(column) not in self._whole:
                rng = stream(self.spec.seed, sampler.stream_key, -1)
                frame = sampler.sample(total, rng, pd.DataFrame(index=pd.RangeIndex(total)))
                self._whole[id(column)] = frame.reset_index(drop=True)

    def _material(self, start: int, n: int, executor: Executor | None) -> dict[tuple[int, str], Material]:
        """Every sampler's and mask's material for rows [start, start + n), drawn concurrently."""
        jobs = [(("values", key), draws) for key, draws in self._draws.items()]
        jobs += [(("mask", key), draws) for key, (_, draws) in self._masks.items()]
        drawn = materials([(draws, start, n) for _, draws in jobs], executor)
        return {(key, kind): material for ((kind, key), _), material in zip(jobs, drawn, strict=True)}

    def _values(
        self, column: ColumnBase, frame: pd.DataFrame, drawn: dict[tuple[int, str], Material], start: int, n: int
    ) -> pd.DataFrame:
        """One sampler entry's columns for rows [start, start + n); reads ``frame``, never writes it."""
        sampler = self.samplers[id(column)]
        if sampler.per_chunk:
            values = sampler.finish(drawn[(id(column), "values")], frame)
        else:
            values = self._whole[id(column)].iloc[start : start + n].reset_index(drop=True)
        _check_output(column, values, n)
        if id(column) in self._masks:
            values = self._masks[id(column)][0].apply(values, drawn[(id(column), "mask")])
        return values

    def _sampled(
        self, column: ColumnBase, frame: pd.DataFrame, drawn: dict[tuple[int, str], Material], start: int, n: int
    ) -> None:
        _add(frame, column, self._values(column, frame, drawn, start, n))

    def _scaffold_rows(self, start: int, n: int) -> pd.DataFrame:
        """Rows [start, start + n) of a spec without LLM columns, unvalidated. Entries that do not read
        each other are finished side by side on the thread pool (numpy releases the GIL)."""
        executor = pool()
        frame = pd.DataFrame(index=pd.RangeIndex(start, start + n))
        drawn = self._material(start, n, executor)
        for wave in self._waves:
            if executor is None or len(wave) < 2:
                results = [self._values(column, frame, drawn, start, n) for column in wave]
            else:
                results = list(executor.map(lambda column: self._values(column, frame, drawn, start, n), wave))
            for column, values in zip(wave, results, strict=True):
                _add(frame, column, values)
        return frame

    def chunk(self, index: int, n: int) -> ChunkResult:
        """Rows [index * chunk_size, index * chunk_size + n) of the table, validated."""
        start = index * self.chunk_size
        rejects: list[dict[str, Any]] = []
        alive = np.ones(n, dtype=bool)
        if not self.spec.llm_groups():
            return self._validate(index, self._scaffold_rows(start, n), alive, rejects)
        # the index holds global row numbers, so samplers that number rows (ids) stay unique across chunks
        frame = pd.DataFrame(index=pd.RangeIndex(start, start + n))
        drawn = self._material(start, n, pool())
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
            self._sampled(column, frame, drawn, start, n)
        return self._validate(index, frame, alive, rejects)

    def _fill_llm(
        self, group: LLMGroup, frame: pd.DataFrame, alive: np.ndarray, index: int
    ) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
        if self._filler is None:
            from llmsynth.engine.llm_step import LLMFiller

            self._filler = LLMFiller(self.spec, backend=self._backend)
        live = frame[alive].reset_index(drop=True)
        positions = np.flatnonzero(alive)
        start = index * self.chunk_size
        values, rejects, stats = self._filler.fill(group, live, chunk=index, rows=(start + positions).tolist())
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
        self, rows: int | None = None, progress: Callable[[int, int], None] | None = None
    ) -> Iterator[ChunkResult]:
        """Yield chunks until ``rows`` valid rows exist (topping up rejected rows where possible)."""
        target = self.target_rows(rows)
        self.stats = RunStats(rows_requested=target)
        started = time.perf_counter()
        self._prepare_whole_table(target)
        size = self.chunk_size
        can_top_up = all(s.per_chunk for s in self.samplers.values())
        planned_chunks = -(-target // size)
        max_chunks = planned_chunks * (MAX_TOPUP_FACTOR if can_top_up else 1)
        done = 0
        index = 0
        if progress is not None:
            progress(0, target)
        while done < target and index < max_chunks:
            # planned chunks have fixed sizes (so each is independent of the others); top-ups fill the gap
            planned = min(size, target - index * size) if index < planned_chunks else min(size, target - done)
            result = self.chunk(index, planned)
            result.data = result.data.iloc[: target - done]
            done += len(result.data)
            self.stats.add_chunk(result)
            self.stats.seconds = time.perf_counter() - started
            if progress is not None:
                progress(done, target)
            yield result
            index += 1
        self.stats.seconds = time.perf_counter() - started


def _add(frame: pd.DataFrame, column: ColumnBase, values: pd.DataFrame) -> None:
    for name in column.output_names():
        frame[name] = _column(values[name])


def waves(order: list[ColumnBase]) -> list[list[ColumnBase]]:
    """The entries in groups whose members read only columns made by earlier groups (plan order kept)."""
    level: dict[str, int] = {}
    groups: list[list[ColumnBase]] = []
    for column in order:
        depth = max((level[name] + 1 for name in column.dependencies() if name in level), default=0)
        for name in column.output_names():
            level[name] = depth
        while len(groups) <= depth:
            groups.append([])
        groups[depth].append(column)
    return groups


def _column(series: pd.Series) -> Any:
    """A column's values without their index and without conversion (Arrow strings stay Arrow strings)."""
    return series.array if isinstance(series.dtype, pd.api.extensions.ExtensionDtype) else series.to_numpy()


def _build(column: ColumnBase, spec: DatasetSpec) -> Sampler:
    try:
        return build_sampler(column, spec)
    except LLMSynthError:
        raise
    except (ValueError, KeyError, OSError) as exc:
        raise SpecError(str(exc), column=column.label) from exc


def _check_output(column: ColumnBase, values: pd.DataFrame, n: int) -> None:
    missing = [name for name in column.output_names() if name not in values.columns]
    if missing or len(values) != n:
        raise GenerationError(
            f"sampler for '{column.label}' returned {len(values)} rows and columns {list(values.columns)};"
            f" expected {n} rows of {column.output_names()}"
        )
