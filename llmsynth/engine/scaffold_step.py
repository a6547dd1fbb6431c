"""The scaffold part of a chunk: every sampler entry's columns for a run of rows.

Random material comes from streams keyed by (seed, column, fixed block of row indices)
(``llmsynth.scaffold.blocks``), so a row's values do not depend on the chunk it falls in; missing
values (``null_rate``) come from streams of their own. Samplers whose rows depend on each other
(time series, graphs) are drawn once for the whole table and sliced.
"""

from __future__ import annotations

from concurrent.futures import Executor
from typing import Any

import pandas as pd

from llmsynth.errors import GenerationError, LLMSynthError, SpecError
from llmsynth.scaffold.base import Material, Sampler
from llmsynth.scaffold.blocks import BlockDraws, materials, pool
from llmsynth.scaffold.missing import MissingMask
from llmsynth.scaffold.registry import build_sampler
from llmsynth.seeding import stream
from llmsynth.spec import DatasetSpec, LLMGroup
from llmsynth.spec.base import ColumnBase
from llmsynth.spec.kinds.base import SamplerColumn

Drawn = dict[tuple[int, str], Material]


class ScaffoldStep:
    """The fitted samplers of a spec (keyed by ``id`` of their entry) and their block draws."""

    def __init__(self, spec: DatasetSpec, order: list[Any]) -> None:
        self.seed = spec.seed
        self.entries = [c for c in order if not isinstance(c, LLMGroup)]
        self.samplers: dict[int, Sampler[Any]] = {}
        self._draws: dict[int, BlockDraws] = {}
        self._masks: dict[int, tuple[MissingMask, BlockDraws]] = {}
        for column in self.entries:
            sampler = self.samplers[id(column)] = _build(column, spec)
            if sampler.per_chunk:
                self._draws[id(column)] = BlockDraws(sampler, spec.seed)
            if isinstance(column, SamplerColumn) and column.null_rates():
                mask = MissingMask(column, sampler.stream_key)
                self._masks[id(column)] = (mask, BlockDraws(mask, spec.seed))
        self._whole: dict[int, pd.DataFrame] = {}
        self._waves = waves(self.entries)

    def prepare_whole_table(self, total: int) -> None:
        """Draw the whole-table samplers (time series, graphs) for ``total`` rows, once."""
        for column in self.entries:
            sampler = self.samplers[id(column)]
            if not sampler.per_chunk and id(column) not in self._whole:
                rng = stream(self.seed, sampler.stream_key, -1)
                frame = sampler.sample(total, rng, pd.DataFrame(index=pd.RangeIndex(total)))
                self._whole[id(column)] = frame.reset_index(drop=True)

    def material(self, start: int, n: int, executor: Executor | None) -> Drawn:
        """Every sampler's and mask's material for rows [start, start + n), drawn concurrently."""
        jobs = [(("values", key), draws) for key, draws in self._draws.items()]
        jobs += [(("mask", key), draws) for key, (_, draws) in self._masks.items()]
        drawn = materials([(draws, start, n) for _, draws in jobs], executor)
        return {(key, kind): material for ((kind, key), _), material in zip(jobs, drawn, strict=True)}

    def values(self, column: ColumnBase, frame: pd.DataFrame, drawn: Drawn, start: int, n: int) -> pd.DataFrame:
        """One entry's columns for rows [start, start + n); reads ``frame`` (the columns so far), never writes it."""
        sampler = self.samplers[id(column)]
        if sampler.per_chunk:
            values = sampler.finish(drawn[(id(column), "values")], frame)
        else:
            values = self._whole[id(column)].iloc[start : start + n].reset_index(drop=True)
        _check_output(column, values, n)
        if id(column) in self._masks:
            values = self._masks[id(column)][0].apply(values, drawn[(id(column), "mask")])
        return values

    def add(self, frame: pd.DataFrame, column: ColumnBase, drawn: Drawn, start: int, n: int) -> None:
        """Add one entry's columns to ``frame``."""
        _add(frame, column, self.values(column, frame, drawn, start, n))

    def rows(self, start: int, n: int) -> pd.DataFrame:
        """Rows [start, start + n) of a spec without LLM columns. Entries that do not read each other
        are finished side by side on the thread pool (numpy releases the GIL)."""
        executor = pool()
        frame = pd.DataFrame(index=pd.RangeIndex(start, start + n))
        drawn = self.material(start, n, executor)
        for wave in self._waves:
            if executor is None or len(wave) < 2:
                results = [self.values(column, frame, drawn, start, n) for column in wave]
            else:
                results = list(executor.map(lambda column: self.values(column, frame, drawn, start, n), wave))
            for column, values in zip(wave, results, strict=True):
                _add(frame, column, values)
        return frame


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


def _add(frame: pd.DataFrame, column: ColumnBase, values: pd.DataFrame) -> None:
    for name in column.output_names():
        series = values[name]
        # no conversion and no index alignment: Arrow strings stay Arrow strings
        extension = isinstance(series.dtype, pd.api.extensions.ExtensionDtype)
        frame[name] = series.array if extension else series.to_numpy()


def _build(column: ColumnBase, spec: DatasetSpec) -> Sampler[Any]:
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
