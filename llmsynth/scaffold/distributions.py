"""Named distributions through scipy.stats: one sampler for every family (``spec/kinds/distributions.py``)."""

from __future__ import annotations

from typing import TypeVar

import numpy as np
import pandas as pd
from typing_extensions import override

from llmsynth.scaffold.base import Material, Sampler
from llmsynth.scaffold.numeric import finish, quantiles, uniform_values
from llmsynth.scaffold.promises import DistributionPromise, Promise
from llmsynth.spec.kinds.basic import BooleanSpec, CategoricalSpec
from llmsynth.spec.kinds.distributions import DistributionColumn
from llmsynth.spec.kinds.fitted import DiscreteSpec, QuantilesSpec

# the kinds drawn from one uniform per row
UniformT = TypeVar("UniformT", bound=CategoricalSpec | BooleanSpec | QuantilesSpec | DiscreteSpec)


class DistributionSampler(Sampler[DistributionColumn]):
    """Every scipy-backed kind (normal, lognormal, poisson, ..., scipy): inverse CDF of normal scores."""

    @override
    def draw(self, n: int, rng: np.random.Generator) -> Material:
        return {"z": rng.standard_normal(n)}

    @override
    def finish(self, material: Material, context: pd.DataFrame | None) -> pd.DataFrame:
        values = quantiles(self.spec, material["z"], context)
        return pd.DataFrame({self.spec.name: finish(self.spec, values)}, copy=False)

    @override
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


class UniformDrawSampler(Sampler[UniformT]):
    """Kinds mapped from one uniform per row (categories, booleans)."""

    @override
    def draw(self, n: int, rng: np.random.Generator) -> Material:
        return {"u": rng.random(n)}

    @override
    def finish(self, material: Material, context: pd.DataFrame | None) -> pd.DataFrame:
        values = uniform_values(self.spec, material["u"], context)
        return pd.DataFrame({self.spec.name: values}, copy=False)
