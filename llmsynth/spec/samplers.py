"""Scaffold sampler specs: one pydantic model per ``kind``; the scaffold package maps each kind to code.

The models live in topic modules (``sampler_dists``, ``sampler_basic``, ``sampler_montecarlo``,
``sampler_groups``, ``sampler_structure``); this module gathers them for the dataset spec's union.
"""

from __future__ import annotations

from llmsynth.spec.sampler_basic import (
    BASIC_SPECS,
    BooleanSpec,
    CategoricalSpec,
    DateSpec,
    IdSpec,
    IntegerSpec,
)
from llmsynth.spec.sampler_common import ByColumn, NumericColumn, SamplerColumn
from llmsynth.spec.sampler_conditional import CONDITIONAL_SPECS, ConditionalSpec
from llmsynth.spec.sampler_data import DATA_SPECS, DataSpec
from llmsynth.spec.sampler_dists import (
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
from llmsynth.spec.sampler_fitted import FITTED_SPECS, DiscreteSpec, QuantilesSpec
from llmsynth.spec.sampler_groups import (
    GROUP_SPECS,
    CopulaSpec,
    FixedSumSpec,
    MixtureSpec,
    MultivariateNormalSpec,
)
from llmsynth.spec.sampler_montecarlo import MONTE_CARLO_SPECS, DensitySpec, EmpiricalSpec
from llmsynth.spec.sampler_structure import STRUCTURE_SPECS, ArmaSpec, GraphSpec, TreeSpec

SAMPLER_SPECS = (
    *DIST_SPECS, *BASIC_SPECS, *MONTE_CARLO_SPECS, *GROUP_SPECS, *STRUCTURE_SPECS,
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
