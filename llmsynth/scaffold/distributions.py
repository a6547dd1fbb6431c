"""Named distributions through scipy.stats (one sampler for every family), plus categories,
booleans, integer ranges, dates and ids."""

from __future__ import annotations

import uuid

import numpy as np
import pandas as pd

from llmsynth.scaffold.base import Sampler
from llmsynth.scaffold.conditioning import resolve
from llmsynth.scaffold.numeric import finish, marginal_values, quantiles
from llmsynth.scaffold.promises import CategoricalPromise, DistributionPromise, Promise


class DistributionSampler(Sampler):
    """Every scipy-backed kind (normal, lognormal, poisson, ..., scipy): inverse CDF of uniforms."""

    def sample(self, n: int, rng: np.random.Generator, context: pd.DataFrame) -> pd.DataFrame:
        values = quantiles(self.spec, rng.random(n), context)
        return pd.DataFrame({self.spec.name: finish(self.spec, values)})

    def promises(self) -> list[Promise]:
        args = self.spec.constant_args()
        if args is None:
            return []  # parameters vary per row: no single marginal to promise
        name, params = args
        return [
            DistributionPromise(
                self.spec.name,
                name,
                {k: float(v) for k, v in params.items()},
                discrete=self.spec.discrete,
                rounded=self.spec.clip is not None
                or (self.spec.round is not None and not self.spec.discrete),
                bounds=self.spec.truncation(),
            )
        ]


class CategoricalSampler(Sampler):
    def sample(self, n: int, rng: np.random.Generator, context: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame({self.spec.name: marginal_values(self.spec, rng.random(n), context)})

    def promises(self) -> list[Promise]:
        if self.spec.by is not None:
            return []  # the marginal mixes the per-value tables by the other column's frequencies
        return [CategoricalPromise(self.spec.name, self.spec.weights())]


class BooleanSampler(Sampler):
    def sample(self, n: int, rng: np.random.Generator, context: pd.DataFrame) -> pd.DataFrame:
        p = resolve(self.spec.p, context, self.spec.name, "p")
        return pd.DataFrame({self.spec.name: rng.random(n) < p})

    def promises(self) -> list[Promise]:
        if not isinstance(self.spec.p, float | int):
            return []
        return [DistributionPromise(self.spec.name, "bernoulli", {"p": float(self.spec.p)}, discrete=True)]


class IntegerSampler(Sampler):
    def sample(self, n: int, rng: np.random.Generator, context: pd.DataFrame) -> pd.DataFrame:
        values = rng.integers(self.spec.low, self.spec.high, size=n, endpoint=True, dtype=np.int64)
        return pd.DataFrame({self.spec.name: values})

    def promises(self) -> list[Promise]:
        params = {"low": float(self.spec.low), "high": float(self.spec.high + 1)}
        return [DistributionPromise(self.spec.name, "randint", params, discrete=True)]


class DateSampler(Sampler):
    """Uniform over whole days (``date``) or seconds (``datetime``) from start to end, both included."""

    def sample(self, n: int, rng: np.random.Generator, context: pd.DataFrame) -> pd.DataFrame:
        start, end = pd.Timestamp(self.spec.start), pd.Timestamp(self.spec.end)
        unit = "D" if self.spec.kind == "date" else "s"
        if unit == "D":
            start, end = start.normalize(), end.normalize()
        span = int((end - start) / pd.Timedelta(1, unit=unit))
        offsets = rng.integers(0, span, size=n, endpoint=True)
        values = start.to_datetime64() + offsets.astype(f"timedelta64[{unit}]")
        return pd.DataFrame({self.spec.name: values.astype("datetime64[ns]")})


class IdSampler(Sampler):
    """Unique ids; a sequence numbers rows by their global position (the context's index), so ids stay
    unique across chunks and the table can still be topped up chunk by chunk."""

    def sample(self, n: int, rng: np.random.Generator, context: pd.DataFrame) -> pd.DataFrame:
        spec = self.spec
        if spec.style == "uuid":
            raw = rng.bytes(16 * n)
            values = [str(uuid.UUID(bytes=raw[16 * i : 16 * i + 16], version=4)) for i in range(n)]
            return pd.DataFrame({spec.name: pd.Series(values, dtype=object)})
        positions = np.asarray(context.index, dtype=np.int64) if len(context.index) == n else np.arange(n)
        numbers = spec.start + positions
        if spec.integer_output:
            return pd.DataFrame({spec.name: numbers})
        width = spec.width or 0
        return pd.DataFrame({spec.name: pd.Series([f"{spec.prefix}{i:0{width}d}" for i in numbers], dtype=object)})
