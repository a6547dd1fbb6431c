"""Categories, booleans, integer ranges, dates and ids (the kinds of ``spec/kinds/basic.py``)."""

from __future__ import annotations

import uuid

import numpy as np
import pandas as pd
from typing_extensions import override

from llmsynth.scaffold.base import Material, Sampler, rows_of
from llmsynth.scaffold.distributions import UniformDrawSampler
from llmsynth.scaffold.promises import CategoricalPromise, DistributionPromise, Promise
from llmsynth.spec.kinds.basic import BooleanSpec, CategoricalSpec, DateSpec, IdSpec, IntegerSpec


class CategoricalSampler(UniformDrawSampler[CategoricalSpec]):
    """Categories with declared weights (or weights per value of another column)."""
    @override
    def promises(self) -> list[Promise]:
        if self.spec.by is not None:
            return []  # the marginal mixes the per-value tables by the other column's frequencies
        return [CategoricalPromise(self.spec.name, self.spec.weights())]


class BooleanSampler(UniformDrawSampler[BooleanSpec]):
    """True with a declared probability."""
    @override
    def promises(self) -> list[Promise]:
        if not isinstance(self.spec.p, float | int):
            return []
        return [DistributionPromise(self.spec.name, "bernoulli", {"p": float(self.spec.p)}, discrete=True)]


class IntegerSampler(Sampler[IntegerSpec]):
    """Whole numbers drawn uniformly from a range."""
    @override
    def draw(self, n: int, rng: np.random.Generator) -> Material:
        return {"value": rng.integers(self.spec.low, self.spec.high, size=n, endpoint=True, dtype=np.int64)}

    @override
    def finish(self, material: Material, context: pd.DataFrame | None) -> pd.DataFrame:
        return pd.DataFrame({self.spec.name: material["value"]})

    @override
    def promises(self) -> list[Promise]:
        params = {"low": float(self.spec.low), "high": float(self.spec.high + 1)}
        return [DistributionPromise(self.spec.name, "randint", params, discrete=True)]


class DateSampler(Sampler[DateSpec]):
    """Uniform over whole days (``date``) or seconds (``datetime``) from start to end, both included."""

    def _range(self) -> tuple[pd.Timestamp, int, str]:
        start, end = pd.Timestamp(self.spec.start), pd.Timestamp(self.spec.end)
        unit = "D" if self.spec.kind == "date" else "s"
        if unit == "D":
            start, end = start.normalize(), end.normalize()
        return start, int((end - start) / pd.Timedelta(1, unit=unit)), unit

    @override
    def draw(self, n: int, rng: np.random.Generator) -> Material:
        return {"offset": rng.integers(0, self._range()[1], size=n, endpoint=True)}

    @override
    def finish(self, material: Material, context: pd.DataFrame | None) -> pd.DataFrame:
        start, _, unit = self._range()
        values = start.to_datetime64() + material["offset"].astype(f"timedelta64[{unit}]")
        return pd.DataFrame({self.spec.name: values.astype("datetime64[ns]")})


class IdSampler(Sampler[IdSpec]):
    """Unique ids; a sequence numbers rows by their global position (the context's index), so ids stay
    unique across chunks and the table can still be topped up chunk by chunk."""

    @override
    def draw(self, n: int, rng: np.random.Generator) -> Material:
        if self.spec.style == "uuid":
            return {"bytes": rng.integers(0, 256, size=(n, 16), dtype=np.uint8)}
        return {"rows": np.empty((n, 0))}  # nothing random: a sequence only needs the row count

    @override
    def finish(self, material: Material, context: pd.DataFrame | None) -> pd.DataFrame:
        spec, n = self.spec, rows_of(material)
        if spec.style == "uuid":
            raw = material["bytes"]
            values = [str(uuid.UUID(bytes=raw[i].tobytes(), version=4)) for i in range(n)]
            return pd.DataFrame({spec.name: pd.Series(values, dtype=object)})
        numbered = context is not None and len(context.index) == n
        positions = np.asarray(context.index, dtype=np.int64) if numbered else np.arange(n)  # type: ignore[union-attr]
        numbers = spec.start + positions
        if spec.integer_output:
            return pd.DataFrame({spec.name: numbers})
        width = spec.width or 0
        return pd.DataFrame({spec.name: pd.Series([f"{spec.prefix}{i:0{width}d}" for i in numbers], dtype=object)})
