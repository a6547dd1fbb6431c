"""Column kinds: one pydantic model per ``kind``, in a module named like the scaffold module that samples it.

``spec/kinds/<family>.py`` declares what a kind accepts; ``scaffold/<family>.py`` draws it (looked up
through ``llmsynth.registry.SAMPLERS``). The spec stays free of numpy and scipy, so validating a
spec never imports them. This module gathers the models for the dataset spec's discriminated union.
"""

from __future__ import annotations

from llmsynth.spec.kinds.base import ByColumn, NumericColumn, SamplerColumn
from llmsynth.spec.kinds.basic import (
    BASIC_SPECS,
    BooleanSpec,
    CategoricalSpec,
    DateSpec,
    IdSpec,
    IntegerSpec,
)
from llmsynth.spec.kinds.conditional import CONDITIONAL_SPECS, ConditionalSpec
from llmsynth.spec.kinds.data_rows import DATA_SPECS, DataSpec
from llmsynth.spec.kinds.distributions import (
    DIST_SPECS,
    BetaSpec,
    BinomialSpec,
    DistributionColumn,
    ExponentialSpec,
    GammaSpec,
    LogNormalSpec,
    NegBinomialSpec,
    NormalSpec,
    PoissonSpec,
    ScipySpec,
    TruncNormalSpec,
    UniformSpec,
)
from llmsynth.spec.kinds.fitted import FITTED_SPECS, DiscreteSpec, QuantilesSpec
from llmsynth.spec.kinds.fixed_sum import FIXED_SUM_SPECS, FixedSumSpec
from llmsynth.spec.kinds.graphs import GRAPH_SPECS, GraphSpec
from llmsynth.spec.kinds.mixture import MIXTURE_SPECS, MixtureSpec
from llmsynth.spec.kinds.montecarlo import MONTE_CARLO_SPECS, DensitySpec, EmpiricalSpec
from llmsynth.spec.kinds.multivariate import MULTIVARIATE_SPECS, CopulaSpec, MultivariateNormalSpec
from llmsynth.spec.kinds.timeseries import TIMESERIES_SPECS, ArmaSpec
from llmsynth.spec.kinds.tree import TREE_SPECS, TreeSpec

SAMPLER_SPECS = (
    *DIST_SPECS, *BASIC_SPECS, *MONTE_CARLO_SPECS, *MULTIVARIATE_SPECS, *FIXED_SUM_SPECS, *MIXTURE_SPECS,
    *TIMESERIES_SPECS, *GRAPH_SPECS, *TREE_SPECS,
    *FITTED_SPECS, *CONDITIONAL_SPECS, *DATA_SPECS,
)

__all__ = [
    "SAMPLER_SPECS",
    "ArmaSpec",
    "BetaSpec",
    "BinomialSpec",
    "BooleanSpec",
    "ByColumn",
    "CategoricalSpec",
    "ConditionalSpec",
    "CopulaSpec",
    "DataSpec",
    "DateSpec",
    "DensitySpec",
    "DiscreteSpec",
    "DistributionColumn",
    "EmpiricalSpec",
    "ExponentialSpec",
    "FixedSumSpec",
    "GammaSpec",
    "GraphSpec",
    "IdSpec",
    "IntegerSpec",
    "LogNormalSpec",
    "MixtureSpec",
    "MultivariateNormalSpec",
    "NegBinomialSpec",
    "NormalSpec",
    "NumericColumn",
    "PoissonSpec",
    "QuantilesSpec",
    "SamplerColumn",
    "ScipySpec",
    "TreeSpec",
    "TruncNormalSpec",
    "UniformSpec",
]
