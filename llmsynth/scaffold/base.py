"""The sampler contract, in scikit-learn manners: parameters at construction, learning in ``fit``,
drawing with an explicit ``numpy.random.Generator`` (never the global state).

Drawing is split in two so values never depend on how rows are chunked:

- ``draw(n, rng)`` makes the *material*: every random number the rows need, without looking at other
  columns, as arrays whose first axis is the row. The engine calls it once per fixed block of rows
  with that block's stream, and cuts any chunk's rows out of the blocks.
- ``finish(material, context)`` turns a chunk's material into values, reading the columns generated
  so far (conditional parameters, expressions, features). It draws nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Generic, TypeVar

import numpy as np
import pandas as pd

from llmsynth.scaffold.promises import Promise
from llmsynth.spec.base import ColumnBase

if TYPE_CHECKING:
    from llmsynth.spec.dataset import DatasetSpec

# random numbers for a run of rows: name -> array with one entry (or row) per table row
Material = dict[str, np.ndarray]

# the spec model a sampler draws (each sampler names its own, so ``self.spec`` is typed in it)
SpecT = TypeVar("SpecT", bound=ColumnBase)


def column_key(spec: ColumnBase) -> str:
    """The stream key of a spec entry: its kind's class and the columns it writes."""
    return f"{spec.__class__.__name__}:{spec.label}"


class Sampler(Generic[SpecT]):
    """Draws the columns of one spec entry.

    ``per_chunk`` samplers implement ``draw`` and ``finish``. Samplers whose rows depend on each other
    (time series, graphs) set it False and implement ``sample``: the engine calls them once for the
    whole table and slices the result.
    """

    per_chunk: ClassVar[bool] = True

    def __init__(self, spec: SpecT, dataset: DatasetSpec | None) -> None:
        self.spec = spec
        self.dataset = dataset

    @property
    def stream_key(self) -> str:
        """What the engine keys this sampler's streams by (the column entry, unless a sampler says otherwise)."""
        return column_key(self.spec)

    def fit_rng(self) -> np.random.Generator:
        """The stream for randomness at fit time (model initialisation, a graph), keyed like the columns."""
        from llmsynth.seeding import stream

        return stream(int(getattr(self.dataset, "seed", 0)), f"fit:{self.stream_key}")

    def fit(self) -> Sampler[SpecT]:
        """Learn from data files named in the spec (GMM, tree); a no-op for parametric samplers."""
        return self

    def fixed_rows(self) -> int | None:
        """Rows this sampler forces on the table (an edge list has as many rows as edges), else None."""
        return None

    def draw(self, n: int, rng: np.random.Generator) -> Material:
        """Random material for ``n`` rows, independent of every other column."""
        raise NotImplementedError(f"{type(self).__name__} draws the whole table in sample()")

    def finish(self, material: Material, context: pd.DataFrame | None) -> pd.DataFrame:
        """The entry's output columns for the rows of ``material`` (RangeIndex, int64 integers)."""
        raise NotImplementedError(f"{type(self).__name__} draws the whole table in sample()")

    def sample(self, n: int, rng: np.random.Generator, context: pd.DataFrame | None) -> pd.DataFrame:
        """``n`` rows in one go (tests, whole-table samplers): ``finish(draw(n, rng), context)``."""
        return self.finish(self.draw(n, rng), context)

    def promises(self) -> list[Promise]:
        """What the output is guaranteed to follow, for the evals to check."""
        return []

    def diagnostics(self) -> dict[str, float]:
        """Figures worth reporting about the sampling itself (e.g. a rejection sampler's acceptance rate)."""
        return {}


def rows_of(material: Material) -> int:
    """Rows the material covers."""
    return len(next(iter(material.values()))) if material else 0
