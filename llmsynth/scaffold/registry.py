"""Spec ``kind`` -> sampler class, as lazy ``"module:Class"`` targets so registering imports nothing."""

from __future__ import annotations

import importlib
from typing import Any

from llmsynth.scaffold.base import Sampler

SAMPLERS: dict[str, str] = {
    "normal": "llmsynth.scaffold.distributions:DistributionSampler",
    "truncnormal": "llmsynth.scaffold.distributions:DistributionSampler",
    "uniform": "llmsynth.scaffold.distributions:DistributionSampler",
    "lognormal": "llmsynth.scaffold.distributions:DistributionSampler",
    "exponential": "llmsynth.scaffold.distributions:DistributionSampler",
    "gamma": "llmsynth.scaffold.distributions:DistributionSampler",
    "beta": "llmsynth.scaffold.distributions:DistributionSampler",
    "poisson": "llmsynth.scaffold.distributions:DistributionSampler",
    "binomial": "llmsynth.scaffold.distributions:DistributionSampler",
    "negbinomial": "llmsynth.scaffold.distributions:DistributionSampler",
    "scipy": "llmsynth.scaffold.distributions:DistributionSampler",
    "categorical": "llmsynth.scaffold.distributions:CategoricalSampler",
    "boolean": "llmsynth.scaffold.distributions:BooleanSampler",
    "integer": "llmsynth.scaffold.distributions:IntegerSampler",
    "date": "llmsynth.scaffold.distributions:DateSampler",
    "datetime": "llmsynth.scaffold.distributions:DateSampler",
    "id": "llmsynth.scaffold.distributions:IdSampler",
    "expression": "llmsynth.scaffold.expressions:ExpressionSampler",
    "density": "llmsynth.scaffold.montecarlo:DensitySampler",
    "empirical": "llmsynth.scaffold.montecarlo:EmpiricalSampler",
    "mvnormal": "llmsynth.scaffold.multivariate:MultivariateNormalSampler",
    "copula": "llmsynth.scaffold.multivariate:CopulaSampler",
    "fixed_sum": "llmsynth.scaffold.fixed_sum:FixedSumSampler",
    "mixture": "llmsynth.scaffold.mixture:MixtureSampler",
    "tree": "llmsynth.scaffold.tree:TreeSampler",
    "arma": "llmsynth.scaffold.timeseries:ArmaSampler",
    "graph": "llmsynth.scaffold.graphs:GraphSampler",
    "quantiles": "llmsynth.scaffold.fitted:QuantilesSampler",
    "discrete": "llmsynth.scaffold.fitted:DiscreteSampler",
    "conditional": "llmsynth.scaffold.conditional:ConditionalSampler",
    "data": "llmsynth.scaffold.data_rows:DataRowsSampler",
}


def sampler_class(kind: str) -> type[Sampler]:
    target = SAMPLERS.get(kind)
    if target is None:
        raise KeyError(f"no sampler registered for kind '{kind}'")
    module_name, attr = target.split(":")
    cls: type[Sampler] = getattr(importlib.import_module(module_name), attr)
    return cls


def build_sampler(spec: Any, dataset: Any) -> Sampler:
    """The fitted sampler for one spec entry."""
    return sampler_class(spec.kind)(spec, dataset).fit()
