"""What a sampler promises about its output, as data the evals can check (KS, TVD, correlation, ...).

Samplers return these from ``promises()``; ``llmsynth.evals.spec_fidelity`` checks each kind.
Keeping the promise as data (not as a test function) lets one eval module check every sampler.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class DistributionPromise:
    """Column values follow a scipy.stats distribution (``dist`` name and keyword ``params``)."""

    column: str
    dist: str
    params: dict[str, float]
    discrete: bool = False
    rounded: bool = False  # values were rounded/clipped after drawing: compare loosely
    # truncated to [low, high] (None = open side): compare with (F(x) - F(low)) / (F(high) - F(low))
    bounds: tuple[float | None, float | None] | None = None


@dataclass(frozen=True)
class CategoricalPromise:
    """Column values follow the given category weights (normalised to sum to 1)."""

    column: str
    weights: dict[str, float]


@dataclass(frozen=True)
class CorrelationPromise:
    """Pearson (or Spearman, for copulas) correlation matrix of ``columns``."""

    columns: tuple[str, ...]
    matrix: tuple[tuple[float, ...], ...]
    method: str = "pearson"


@dataclass(frozen=True)
class SumPromise:
    """``columns`` add up to ``total`` (or to the ``total_column``) in every row."""

    columns: tuple[str, ...]
    total: float | None = None
    total_column: str | None = None
    decimals: int | None = None  # parts rounded to this many decimals: the sum is exact in decimal


@dataclass(frozen=True)
class ArmaPromise:
    """``column`` is an ARMA process with these coefficients (statsmodels sign convention: phi, theta)."""

    column: str
    ar: tuple[float, ...]
    ma: tuple[float, ...]
    group_column: str | None = None  # several series stacked, one per value of this column
    # deterministic part to subtract before fitting: mean + trend * t + amplitude * sin(2 pi t / period)
    mean: float = 0.0
    trend: float = 0.0
    season_period: int | None = None
    season_amplitude: float = 0.0
    sd: float = 1.0  # innovation standard deviation


@dataclass(frozen=True)
class TabulatedPromise:
    """Column values follow the CDF tabulated at ``xs`` (linear in between): Monte Carlo samplers."""

    column: str
    xs: tuple[float, ...]
    cdf: tuple[float, ...]


@dataclass(frozen=True)
class LinearPromise:
    """``column`` = sum(coef * predictor) + intercept + noise with ``noise_sd``."""

    column: str
    coefficients: dict[str, float]
    intercept: float
    noise_sd: float


@dataclass(frozen=True)
class GraphPromise:
    """Edge table (``source``, ``target``) from a random-graph model with these parameters."""

    source: str
    target: str
    model: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class MissingPromise:
    """A share ``rate`` of ``column``'s values is missing, completely at random."""

    column: str
    rate: float


Promise = (
    DistributionPromise
    | CategoricalPromise
    | CorrelationPromise
    | SumPromise
    | ArmaPromise
    | LinearPromise
    | GraphPromise
    | TabulatedPromise
    | MissingPromise
)
