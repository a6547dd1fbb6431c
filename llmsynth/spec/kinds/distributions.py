"""Named distributions (scipy.stats underneath) and the generic ``kind: scipy`` escape hatch.

Each spec maps its user-facing parameters to a scipy distribution with ``scipy_args``; the
parameters may be per-row arrays (conditioning), so the mapping uses only arithmetic.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Literal

from pydantic import Field, model_validator
from typing_extensions import override

from llmsynth.spec.kinds.base import (
    AnyParam,
    Bounds,
    ByColumn,
    CountParam,
    NumericColumn,
    Param,
    PositiveParam,
    ProbParam,
    constant,
    intersect,
    invalid,
)

Resolve = Callable[[Param], Any]


class DistributionColumn(NumericColumn):
    """A column drawn from one scipy.stats distribution."""

    def scipy_args(self, p: Resolve) -> tuple[str, dict[str, Any]]:
        """scipy name and keyword parameters, with ``p`` turning each Param into numbers or arrays."""
        raise TypeError(f"{type(self).__name__} must define scipy_args()")

    def truncation(self) -> Bounds | None:
        """Range the distribution is exactly truncated to (``bounds``, or the family's own limits)."""
        return self.bounds

    def constant_args(self) -> tuple[str, dict[str, float]] | None:
        """scipy name and parameters when none varies per row (what the promise states)."""
        params = [getattr(self, f) for f in type(self).model_fields]
        if any(isinstance(v, ByColumn) for v in params):
            return None
        return self.scipy_args(lambda v: constant(v))


class NormalSpec(DistributionColumn):
    """Normal distribution N(mean, sd)."""

    kind: Literal["normal"]
    mean: AnyParam = 0.0
    sd: PositiveParam = 1.0

    @override
    def scipy_args(self, p: Resolve) -> tuple[str, dict[str, Any]]:
        return "norm", {"loc": p(self.mean), "scale": p(self.sd)}


class TruncNormalSpec(NormalSpec):
    """Normal distribution truncated to [low, high] (drawn exactly by inverse CDF, no rejection)."""

    kind: Literal["truncnormal"]  # type: ignore[assignment]
    low: float | None = None
    high: float | None = None

    @model_validator(mode="after")
    def _check_limits(self) -> TruncNormalSpec:
        if self.low is None and self.high is None:
            raise invalid("low", "truncnormal needs 'low', 'high' or both")
        if self.low is not None and self.high is not None and self.low >= self.high:
            raise invalid("low", f"low ({self.low}) must be below high ({self.high})")
        return self

    @override
    def support(self) -> Bounds:
        return (self.low, self.high)

    @override
    def truncation(self) -> Bounds | None:
        return intersect(self.support(), self.bounds)


class UniformSpec(DistributionColumn):
    """Uniform distribution on [low, high)."""

    kind: Literal["uniform"]
    low: AnyParam = 0.0
    high: AnyParam = 1.0

    @model_validator(mode="after")
    def _check(self) -> UniformSpec:
        low, high = constant(self.low), constant(self.high)
        if low is not None and high is not None and low >= high:
            raise invalid("low", f"low ({low}) must be below high ({high})")
        return self

    @override
    def support(self) -> Bounds:
        return (constant(self.low), constant(self.high))

    @override
    def scipy_args(self, p: Resolve) -> tuple[str, dict[str, Any]]:
        low = p(self.low)
        return "uniform", {"loc": low, "scale": p(self.high) - low}


class LogNormalSpec(DistributionColumn):
    """Log-normal: log(value) ~ N(mu, sigma), e.g. incomes."""

    kind: Literal["lognormal"]
    mu: AnyParam = 0.0
    sigma: PositiveParam = 1.0

    @override
    def support(self) -> Bounds:
        return (0.0, None)

    @override
    def scipy_args(self, p: Resolve) -> tuple[str, dict[str, Any]]:
        return "lognorm", {"s": p(self.sigma), "scale": math.e ** p(self.mu)}


class ExponentialSpec(DistributionColumn):
    """Exponential with the given mean (``scale`` = 1 / rate), e.g. waiting times."""

    kind: Literal["exponential"]
    scale: PositiveParam = 1.0

    @override
    def support(self) -> Bounds:
        return (0.0, None)

    @override
    def scipy_args(self, p: Resolve) -> tuple[str, dict[str, Any]]:
        return "expon", {"scale": p(self.scale)}


class GammaSpec(DistributionColumn):
    """Gamma with ``shape`` k and ``scale`` theta (mean k * theta)."""

    kind: Literal["gamma"]
    shape: PositiveParam
    scale: PositiveParam = 1.0

    @override
    def support(self) -> Bounds:
        return (0.0, None)

    @override
    def scipy_args(self, p: Resolve) -> tuple[str, dict[str, Any]]:
        return "gamma", {"a": p(self.shape), "scale": p(self.scale)}


class BetaSpec(DistributionColumn):
    """Beta(a, b) on [0, 1], e.g. scores and rates."""

    kind: Literal["beta"]
    a: PositiveParam
    b: PositiveParam

    @override
    def support(self) -> Bounds:
        return (0.0, 1.0)

    @override
    def scipy_args(self, p: Resolve) -> tuple[str, dict[str, Any]]:
        return "beta", {"a": p(self.a), "b": p(self.b)}


class DiscreteColumn(DistributionColumn):
    """Laws on the integers: values are whole numbers and promises use the pmf."""
    @property
    def discrete(self) -> bool:
        """Always true: these laws live on the integers."""
        return True


class PoissonSpec(DiscreteColumn):
    """Poisson counts with mean ``lam``."""

    kind: Literal["poisson"]
    lam: PositiveParam

    @override
    def support(self) -> Bounds:
        return (0.0, None)

    @override
    def scipy_args(self, p: Resolve) -> tuple[str, dict[str, Any]]:
        return "poisson", {"mu": p(self.lam)}


class BinomialSpec(DiscreteColumn):
    """Successes in ``n`` trials with probability ``p``."""

    kind: Literal["binomial"]
    n: CountParam
    p: ProbParam

    @override
    def support(self) -> Bounds:
        return (0.0, constant(self.n))

    @override
    def scipy_args(self, p: Resolve) -> tuple[str, dict[str, Any]]:
        return "binom", {"n": p(self.n), "p": p(self.p)}


class NegBinomialSpec(DiscreteColumn):
    """Failures before ``n`` successes with success probability ``p`` (over-dispersed counts)."""

    kind: Literal["negbinomial"]
    n: PositiveParam
    p: ProbParam

    @model_validator(mode="after")
    def _check_p(self) -> NegBinomialSpec:
        if constant(self.p) == 0:
            raise invalid("p", "p must be greater than 0")
        return self

    @override
    def support(self) -> Bounds:
        return (0.0, None)

    @override
    def scipy_args(self, p: Resolve) -> tuple[str, dict[str, Any]]:
        return "nbinom", {"n": p(self.n), "p": p(self.p)}


class ScipySpec(DistributionColumn):
    """Any scipy.stats distribution by name, e.g. ``dist: weibull_min, params: {c: 1.5}``."""

    kind: Literal["scipy"]
    dist: str = Field(description="Name in scipy.stats (norm, weibull_min, zipf, ...).")
    params: dict[str, AnyParam] = Field(
        default_factory=dict, description="Keyword parameters of that distribution."
    )

    @model_validator(mode="after")
    def _check_dist(self) -> ScipySpec:
        import scipy.stats  # lazy: only specs that use kind scipy pay for it

        family = getattr(scipy.stats, self.dist, None)
        if not isinstance(family, scipy.stats.rv_continuous | scipy.stats.rv_discrete):
            raise invalid("dist", f"dist '{self.dist}' is not a scipy.stats distribution")
        probe = {k: v.values()[0] if isinstance(v, ByColumn) else v for k, v in self.params.items()}
        from llmsynth.spec.limits_families import FamilyProblem, probe_quantiles  # time-limited: see there

        try:
            (middle,) = probe_quantiles(self.dist, probe, (0.5,))
        except FamilyProblem as exc:
            raise invalid("params", str(exc)) from exc
        if math.isinf(float(middle)):
            raise invalid("params", f"params {self.params} put the median of scipy.stats.{self.dist} beyond "
                          "float64 (a tail too heavy to sample)")
        if not math.isfinite(float(middle)):
            raise invalid("params", f"params {self.params} are outside the domain of scipy.stats.{self.dist}")
        return self

    @property
    def discrete(self) -> bool:
        """Whether the scipy distribution is discrete (it has a pmf)."""
        import scipy.stats

        return isinstance(getattr(scipy.stats, self.dist), scipy.stats.rv_discrete)

    @override
    def scipy_args(self, p: Resolve) -> tuple[str, dict[str, Any]]:
        return self.dist, {k: p(v) for k, v in self.params.items()}

    @override
    def constant_args(self) -> tuple[str, dict[str, float]] | None:
        if any(isinstance(v, ByColumn) for v in self.params.values()):
            return None
        return self.scipy_args(lambda v: constant(v))


DIST_SPECS = (
    NormalSpec,
    TruncNormalSpec,
    UniformSpec,
    LogNormalSpec,
    ExponentialSpec,
    GammaSpec,
    BetaSpec,
    PoissonSpec,
    BinomialSpec,
    NegBinomialSpec,
    ScipySpec,
)
