"""Values missing completely at random (``null_rate``): one uniform per row and column from a stream of
the column's own, so the values that stay are exactly those drawn without ``null_rate``.

Missing values take the dtype's own marker: NaN for floats and text, NaT for dates, pandas' nullable
``Int64`` / ``boolean`` for integers and booleans (so integers stay integers).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from typing_extensions import override

from llmsynth.scaffold.base import Material, Sampler
from llmsynth.scaffold.promises import MissingPromise, Promise
from llmsynth.spec.kinds.base import SamplerColumn


class MissingMask(Sampler[SamplerColumn]):
    """Draws the missing-value masks of one spec entry's columns (a sampler in the engine's eyes)."""

    def __init__(self, spec: SamplerColumn, key: str) -> None:
        super().__init__(spec, None)
        self.rates: dict[str, float] = spec.null_rates()
        self._key = key

    @property
    def stream_key(self) -> str:
        """Keyed apart from the values' stream, so adding null_rate leaves the kept values unchanged."""
        return f"missing:{self._key}"

    @override
    def draw(self, n: int, rng: np.random.Generator) -> Material:
        return {name: rng.random(n) for name in self.rates}

    def apply(self, values: pd.DataFrame, material: Material) -> pd.DataFrame:
        """``values`` with each column blanked where its uniform falls below its rate."""
        out = values.copy(deep=False)
        for name, rate in self.rates.items():
            out[name] = blank(values[name], material[name] < rate)
        return out

    @override
    def promises(self) -> list[Promise]:
        return [MissingPromise(name, rate) for name, rate in self.rates.items()]


def blank(series: pd.Series, mask: np.ndarray) -> Any:
    """The column's values with ``mask`` rows missing, in a dtype that can say so."""
    if not mask.any():
        return series.array
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        array: Any = pd.array(series.to_numpy(), dtype="boolean")
    elif pd.api.types.is_integer_dtype(dtype):
        array = pd.array(series.to_numpy(), dtype="Int64")
    else:
        array = series.array.copy()
    array[mask] = None
    return array
