"""The sampler contract, in scikit-learn manners: parameters at construction, learning in ``fit``,
drawing in ``sample`` with an explicit ``numpy.random.Generator`` (never the global state)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from llmsynth.scaffold.promises import Promise


class Sampler(ABC):
    """Draws the columns of one spec entry.

    ``per_chunk`` samplers are called once per fixed chunk with that chunk's stream and the columns
    generated so far (``context``). Samplers whose rows depend on each other (time series, graphs)
    set it False: the engine calls them once for the whole table and slices the result.
    """

    per_chunk: ClassVar[bool] = True

    def __init__(self, spec: Any, dataset: Any) -> None:
        self.spec = spec
        self.dataset = dataset

    def fit(self) -> Sampler:
        """Learn from data files named in the spec (GMM, tree); a no-op for parametric samplers."""
        return self

    def fixed_rows(self) -> int | None:
        """Rows this sampler forces on the table (an edge list has as many rows as edges), else None."""
        return None

    @abstractmethod
    def sample(self, n: int, rng: np.random.Generator, context: pd.DataFrame) -> pd.DataFrame:
        """Return ``n`` rows with exactly the spec entry's output columns (RangeIndex, int64 integers)."""

    def promises(self) -> list[Promise]:
        """What the output is guaranteed to follow, for the evals to check."""
        return []

    def diagnostics(self) -> dict[str, float]:
        """Figures worth reporting about the sampling itself (e.g. a rejection sampler's acceptance rate)."""
        return {}
