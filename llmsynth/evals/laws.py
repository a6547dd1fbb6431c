"""The law a distribution promise declares, frozen once for the checks and the plots alike.

A promise with ``bounds`` declares the distribution truncated to them (what ``bounds:`` and
``truncnormal`` draw from): the base law restricted to ``[low, high]`` and renormalised. Comparing a
truncated column with the untruncated law would fail a correct column.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import stats

from llmsynth.laws import frozen_law
from llmsynth.scaffold.promises import DistributionPromise


class TruncatedLaw:
    """A frozen scipy law restricted to ``[low, high]`` (None = open), with the frozen-law methods the evals use."""

    def __init__(self, base: Any, low: float | None, high: float | None, discrete: bool) -> None:
        self.base, self.dist, self.discrete = base, base.dist, discrete
        # discrete: the window holds the integers ceil(low)..floor(high)
        self.low = -math.inf if low is None else (math.ceil(low) if discrete else float(low))
        self.high = math.inf if high is None else (math.floor(high) if discrete else float(high))
        below_edge = self.low - 1 if discrete else self.low
        self.cdf_low = float(base.cdf(below_edge)) if low is not None else 0.0
        sf_low = float(base.sf(below_edge)) if low is not None else 1.0
        sf_high = float(base.sf(self.high)) if high is not None else 0.0
        # in the upper tail, survival functions keep the digits that cdf differences lose
        if self.cdf_low > 0.5:
            self.mass = sf_low - sf_high
        else:
            self.mass = (float(base.cdf(self.high)) if high is not None else 1.0) - self.cdf_low
        if not self.mass > 0:
            raise ValueError(f"bounds [{low}, {high}] hold no probability under {base.dist.name}")

    def _inside(self, x: Any) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        return np.asarray((x >= self.low) & (x <= self.high))

    def cdf(self, x: Any) -> np.ndarray:
        """P(X <= x) of the law renormalised to its bounds."""
        x = np.asarray(x, dtype=float)
        inner = (self.base.cdf(np.clip(x, self.low, self.high)) - self.cdf_low) / self.mass
        return np.where(x < self.low, 0.0, np.where(x >= self.high, 1.0, np.clip(inner, 0.0, 1.0)))

    def sf(self, x: Any) -> np.ndarray:
        """P(X > x), from the truncated cdf."""
        return 1.0 - self.cdf(x)

    def pdf(self, x: Any) -> np.ndarray:
        """Density renormalised to the bounds (zero outside them), so it integrates to 1 where values can fall."""
        return np.where(self._inside(x), self.base.pdf(x) / self.mass, 0.0)

    def pmf(self, k: Any) -> np.ndarray:
        """Probabilities renormalised to the bounds (zero outside them)."""
        return np.where(self._inside(k), self.base.pmf(k) / self.mass, 0.0)

    def ppf(self, q: Any) -> np.ndarray:
        """Quantiles of the truncated law: the base law's quantiles of the kept mass, clipped to the bounds."""
        values = self.base.ppf(self.cdf_low + np.asarray(q, dtype=float) * self.mass)
        return np.asarray(np.clip(values, self.low, self.high))


def frozen_distribution(promise: DistributionPromise) -> Any:
    """The promised ``scipy.stats`` law, frozen and truncated to the promise's bounds; an unknown name or
    parameter is a ValueError."""
    family = getattr(stats, promise.dist, None)
    if not isinstance(family, stats.rv_continuous | stats.rv_discrete):
        raise ValueError(f"scipy.stats has no distribution named {promise.dist!r}")
    try:
        frozen = frozen_law(promise.dist, promise.params)
    except TypeError as exc:
        raise ValueError(f"bad parameters for {promise.dist}: {exc}") from exc
    if promise.bounds is None or promise.bounds == (None, None):
        return frozen
    return TruncatedLaw(frozen, promise.bounds[0], promise.bounds[1], is_discrete(promise, frozen))


def is_discrete(promise: DistributionPromise, frozen: Any) -> bool:
    """Whether the promised law has a pmf (integer support) rather than a density."""
    scipy_family = getattr(frozen, "dist", None)  # laws.py's stand-ins say so themselves
    return promise.discrete or getattr(frozen, "discrete", False) or isinstance(scipy_family, stats.rv_discrete)
