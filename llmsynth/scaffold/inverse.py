"""Fast inverse CDFs in normal-score space: ``x = Q(Phi(z))`` for standard normal scores ``z``.

Every marginal is driven by normal scores (a copula's correlated normals, or plain draws), so one
compiled inverse serves both. scipy's ``ppf`` costs about a microsecond a value for beta, gamma or
Poisson; these tables cost a few nanoseconds:

- **closed forms** where exact and cheap: normal, lognormal, uniform, exponential (untruncated).
- **continuous families**: a cubic Hermite interpolant of ``z -> x`` on a uniform grid over
  ``|z| <= TABLE_Z``, with the exact slopes ``phi(z) * mass / pdf(x)``. The grid is refined until, at
  every interval's midpoint (where the Hermite error peaks), the value is within ``VALUE_TOL`` of
  scipy's (relative to ``max(|x|, spread)``) and within ``PROB_TOL`` in probability
  (``pdf(x) * |error| / mass``). Beyond ``TABLE_Z`` (2.6e-12 of the draws) values are computed exactly.
- **discrete families**: the thresholds ``z_k = Phi^-1(F(k))`` in a sorted table and ``searchsorted``
  (exact: the same integer scipy's ``ppf`` gives, up to ties at a threshold), exact outside the table.
- anything else (a grid that never meets the bounds, a discrete law whose bulk lies beyond
  ``_MAX_SUPPORT`` values): scipy, exactly. A heavy discrete tail is tabled up to ``_MAX_SUPPORT``
  values and computed exactly above.
- ``zipf`` through ``llmsynth/laws.py``: scipy's own never finishes in a heavy tail.

Truncation to ``[low, high]`` is built in: the probability ``u = Phi(z)`` maps to
``F(low) + u * mass``, worked in survival space in the upper half where ``cdf`` loses digits.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np
from scipy import special

from llmsynth.laws import first_integer, frozen_law, tails_between
from llmsynth.scaffold import inverse_store
from llmsynth.scaffold.lookup import StepLookup

TABLE_Z = 7.0
VALUE_TOL = 1e-9
PROB_TOL = 1e-10
_FIRST_INTERVALS = 512
_MAX_INTERVALS = 65_536
_MAX_SUPPORT = 1 << 20
_TINY = 1e-300

Bounds = tuple[float | None, float | None]
Inverse = Callable[[np.ndarray], np.ndarray]


class ExactInverse:
    """The quantile function of a frozen law (scipy's, or ``laws.py``'s stand-in), truncated, evaluated in
    normal-score space."""

    kind = "scipy"

    def __init__(self, law: Any, bounds: Bounds | None, discrete: bool) -> None:
        self.law = law
        self.discrete = discrete
        low, high = bounds or (None, None)
        # discrete: P(X >= low) = sf(ceil(low) - 1); continuous: sf(low)
        self.low_edge = -math.inf if low is None else (math.ceil(low) - 1 if discrete else float(low))
        self.high_edge = math.inf if high is None else (math.floor(high) if discrete else float(high))
        self.cdf_low = float(self.law.cdf(self.low_edge)) if low is not None else 0.0
        self.sf_high = float(self.law.sf(self.high_edge)) if high is not None else 0.0
        if self.cdf_low > 0.5:
            self.mass = float(self.law.sf(self.low_edge)) - self.sf_high
        else:
            self.mass = (float(self.law.cdf(self.high_edge)) if high is not None else 1.0) - self.cdf_low
        if not self.mass > 0:
            raise ValueError(f"[{low}, {high}] holds no probability under this distribution")
        self.floor = self.low_edge + 1 if discrete else self.low_edge

    def __call__(self, z: np.ndarray) -> np.ndarray:
        """Values at standard-normal draws ``z``."""
        z = np.asarray(z, dtype=float)
        # probability below the value and above it; never exactly 0, where quantiles run off to infinity
        p = np.maximum(self.cdf_low + special.ndtr(z) * self.mass, _TINY)
        q = np.maximum(self.sf_high + special.ndtr(-z) * self.mass, _TINY)
        lower = p <= 0.5
        out = np.empty(z.shape)
        if lower.any():
            out[lower] = _quantiles(self.law.ppf, p[lower])
        if not lower.all():
            out[~lower] = _quantiles(self.law.isf, q[~lower])
        failed = np.flatnonzero(np.isnan(out))  # scipy gives up far in some tails (poisson.isf(1e-19))
        if self.discrete:
            out[failed] = self._first_integers(np.where(lower[failed], p[failed], q[failed]), ~lower[failed])
        else:
            for i in failed:
                out[i] = self._bisect(float(p[i]) if lower[i] else float(q[i]), upper=not lower[i])
        return np.clip(out, self.floor, self.high_edge)

    def _bisect(self, target: float, upper: bool) -> float:
        """The quantile at a tail probability scipy could not invert, by bisection on cdf / sf."""
        tail = self.law.sf if upper else self.law.cdf
        direction = 1.0 if upper else -1.0
        near = float(self.law.isf(1e-12) if upper else self.law.ppf(1e-12))
        step = max(abs(near), 1.0)
        far = near + direction * step
        while float(tail(far)) > target and math.isfinite(far):
            step *= 2
            far = near + direction * step
        low, high = (near, far) if upper else (far, near)
        for _ in range(200):
            middle = (low + high) / 2
            if self.discrete:
                middle = math.floor(middle)
            if middle in (low, high) or not low < middle < high:
                break
            # upper tail: the quantile is the first x with sf(x) <= target; lower: cdf(x) >= target
            if (float(tail(middle)) <= target) == upper:
                high = middle
            else:
                low = middle
        return high

    def _first_integers(self, targets: np.ndarray, upper: np.ndarray) -> np.ndarray:
        """The first integers whose sf falls to the target (``upper``) or whose cdf reaches it, searched from
        the truncation's lower edge (``laws.first_integer``). It assumes nothing of scipy's quantiles, whose
        generic search raises for ordinary levels of some laws (logser(p=0.999).isf(0.2137))."""
        out = np.empty(targets.shape)
        start = self.low_edge if math.isfinite(self.low_edge) else -1.0
        for side in (True, False):
            rows = np.flatnonzero(upper == side)
            if rows.size:
                out[rows] = first_integer(self._reaches(targets[rows], side), np.full(rows.size, start))
        return out

    def _reaches(self, goals: np.ndarray, upper: bool) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
        """Whether values have reached their element's goal: sf at or below it (``upper``), or cdf at or
        above it."""
        tail = self.law.sf if upper else self.law.cdf

        def reached(values: np.ndarray, elements: np.ndarray) -> np.ndarray:
            probabilities = np.asarray(tail(values), dtype=float)
            return np.asarray(probabilities <= goals[elements] if upper else probabilities >= goals[elements])

        return reached

    def slope(self, z: np.ndarray, x: np.ndarray) -> np.ndarray:
        """dx/dz of a continuous law: phi(z) * mass / pdf(x)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray(np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi) * self.mass / self.law.pdf(x))


def _quantiles(quantile: Callable[[np.ndarray], np.ndarray], levels: np.ndarray) -> np.ndarray:
    """scipy's quantiles at ``levels``, NaN where it gives up: its generic discrete search raises
    RuntimeError ("updating stopped") for a level within 1e-16 of 1 (logser.isf(1e-19)), and then
    every value is taken one by one, so one far draw does not lose the others."""
    with np.errstate(all="ignore"):
        try:
            return np.asarray(quantile(levels), dtype=float)
        except RuntimeError:
            return np.array([_one_quantile(quantile, level) for level in levels], dtype=float)


def _one_quantile(quantile: Callable[[np.ndarray], np.ndarray], level: float) -> float:
    try:
        return float(quantile(np.asarray(level)))
    except RuntimeError:
        return math.nan


class HermiteTable:
    """``z -> x`` as a cubic Hermite spline on a uniform grid; exact beyond it."""

    kind = "table"

    def __init__(self, exact: Inverse, coefficients: np.ndarray, z_max: float = TABLE_Z) -> None:
        self.exact = exact
        self.c0, self.c1, self.c2, self.c3 = coefficients  # [4, intervals]: x, d, 3dx - 2d - d', d + d' - 2dx
        self.intervals = coefficients.shape[1]
        self.z0 = -z_max
        self.h = 2 * z_max / self.intervals
        self.inv_h = 1 / self.h
        self.finite = bool(np.isfinite(coefficients).all())

    @classmethod
    def build(cls, exact: ExactInverse, intervals: int, z_max: float = TABLE_Z) -> HermiteTable:
        """The spline through the exact values and slopes at the grid points."""
        h = 2 * z_max / intervals
        z = -z_max + h * np.arange(intervals + 1)
        x = exact(z)
        d = exact.slope(z, x) * h
        dx = np.diff(x)
        table = cls(exact, np.stack([x[:-1], d[:-1], 3 * dx - 2 * d[:-1] - d[1:], d[:-1] + d[1:] - 2 * dx]), z_max)
        table.finite = bool(np.isfinite(x).all() and np.isfinite(d).all() and (dx >= 0).all())
        return table

    def arrays(self) -> dict[str, np.ndarray]:
        """What rebuilds the table (``restore``), for the inverse store."""
        return {"kind": np.array(self.kind), "coefficients": np.stack([self.c0, self.c1, self.c2, self.c3]),
                "z_max": np.array(-self.z0)}

    def errors(self) -> tuple[float, float]:
        """(largest value error relative to max(|x|, spread), largest probability error) at the midpoints."""
        mid = self.z0 + self.h * (np.arange(self.intervals) + 0.5)
        exact = self.exact(mid)
        error = np.abs(self(mid, exact_tails=False) - exact)
        spread = float(np.subtract(*self.exact(np.array([1.0, -1.0]))))
        value = float(np.max(error / np.maximum(np.abs(exact), spread)))
        # a few units in the last place are the float format's own limit, not the table's error
        beyond = np.maximum(error - 4 * np.spacing(np.abs(exact)), 0.0)
        law = self.exact
        assert isinstance(law, ExactInverse), "errors are measured while building, against scipy"
        with np.errstate(invalid="ignore", over="ignore"):
            prob = np.nan_to_num(law.law.pdf(exact) * beyond / law.mass, nan=0.0)
        return value, float(np.max(prob))

    def __call__(self, z: np.ndarray, exact_tails: bool = True) -> np.ndarray:
        """Values at standard-normal draws ``z``; ``exact_tails`` computes far tails with the law's own ppf."""
        t = (np.asarray(z, dtype=float) - self.z0) * self.inv_h
        index = t.astype(np.int64)
        np.clip(index, 0, self.intervals - 1, out=index)
        s = t - index
        x = self.c3[index]
        x *= s
        x += self.c2[index]
        x *= s
        x += self.c1[index]
        x *= s
        x += self.c0[index]
        if exact_tails:
            outside = (t < 0) | (t > self.intervals)
            if outside.any():
                x[outside] = self.exact(np.asarray(z)[outside])
        return np.asarray(x)


class ThresholdTable:
    """A discrete law: value = first support point whose threshold ``Phi^-1(F(k))`` is not below ``z``."""

    kind = "thresholds"

    def __init__(self, exact: Inverse, low: int, high: int, thresholds: np.ndarray, z_low: float, z_high: float
                 ) -> None:
        self.exact = exact
        self.low, self.high = low, high
        # z at or below the first value's own lower threshold, or above the last one's upper threshold,
        # belong to values off the table
        self.z_low, self.z_high = z_low, z_high
        self.lookup = StepLookup(thresholds, max(z_low, -TABLE_Z - 1), min(z_high, TABLE_Z + 1))

    @classmethod
    def build(cls, exact: ExactInverse, low: int, high: int) -> ThresholdTable:
        """The thresholds between ``k`` and ``k + 1`` for ``k`` in ``[low, high)``, from scipy's cdf and sf."""
        law, mass = exact.law, exact.mass
        cdf, sf = tails_between(law, low, high)
        below = np.clip((cdf - exact.cdf_low) / mass, 0, 1)
        above = np.clip((sf - exact.sf_high) / mass, 0, 1)
        thresholds = np.where(below <= 0.5, special.ndtri(below), -special.ndtri(above))
        first = (law.cdf(low - 1) - exact.cdf_low) / mass if low > exact.floor else 0.0
        z_low = float(special.ndtri(max(first, 0.0)))
        z_high = float(-special.ndtri(max((law.sf(high) - exact.sf_high) / mass, 0.0)))
        return cls(exact, low, high, thresholds, z_low, z_high)

    def arrays(self) -> dict[str, np.ndarray]:
        """What rebuilds the table (``restore``), for the inverse store."""
        return {"kind": np.array(self.kind), "thresholds": self.lookup.thresholds,
                "support": np.array([self.low, self.high], dtype=np.int64),
                "z_range": np.array([self.z_low, self.z_high])}

    def __call__(self, z: np.ndarray) -> np.ndarray:
        """Values at standard-normal draws ``z``."""
        z = np.asarray(z, dtype=float)
        x = (self.low + self.lookup(z)).astype(float)
        outside = (z <= self.lookup.low) | (z > self.lookup.high)
        if outside.any():
            x[outside] = self.exact(z[outside])
        return x


def closed_form(name: str, params: dict[str, float]) -> Inverse | None:
    """Exact, cheap inverses in normal-score space for families that have one."""
    loc, scale = float(params.get("loc", 0.0)), float(params.get("scale", 1.0))
    if name == "norm":
        return lambda z: loc + scale * z
    if name == "lognorm":
        s = float(params["s"])
        return lambda z: loc + scale * np.exp(s * z)
    if name == "uniform":
        return lambda z: loc + scale * special.ndtr(z)
    if name == "expon":
        return lambda z: loc - scale * special.log_ndtr(-z)
    return None


class LazyExact:
    """The exact inverse of a law whose table was read from the store: scipy.stats is imported only if a
    draw falls off the table."""

    kind = "scipy"

    def __init__(self, name: str, params: dict[str, float], bounds: Bounds | None, discrete: bool) -> None:
        self.law = (name, params, bounds, discrete)
        self._exact: ExactInverse | None = None

    def __call__(self, z: np.ndarray) -> np.ndarray:
        """Values at standard-normal draws ``z``."""
        if self._exact is None:
            self._exact = exact_inverse(*self.law)
        return self._exact(z)


def exact_inverse(name: str, params: dict[str, float], bounds: Bounds | None, discrete: bool) -> ExactInverse:
    """scipy.stats ``name``'s exact (truncated) inverse (scipy is imported only here, and only when the law
    is not in closed form nor stored)."""
    return ExactInverse(frozen_law(name, params), bounds, discrete)


def restore(arrays: dict[str, np.ndarray], exact: Inverse) -> Inverse:
    """A table from the arrays its ``arrays()`` gave (``KeyError``/``ValueError`` when they do not fit)."""
    kind = str(arrays["kind"])
    if kind == HermiteTable.kind:
        coefficients = np.asarray(arrays["coefficients"], dtype=float)
        if coefficients.ndim != 2 or coefficients.shape[0] != 4 or coefficients.shape[1] == 0:
            raise ValueError(f"coefficients of shape {coefficients.shape}")
        return HermiteTable(exact, coefficients, float(arrays["z_max"]))
    if kind == ThresholdTable.kind:
        low, high = (int(v) for v in arrays["support"])
        z_low, z_high = (float(v) for v in arrays["z_range"])
        thresholds = np.asarray(arrays["thresholds"], dtype=float)
        if thresholds.shape != (high - low,):
            raise ValueError(f"{thresholds.shape} thresholds for support [{low}, {high}]")
        return ThresholdTable(exact, low, high, thresholds, z_low, z_high)
    raise ValueError(f"unknown table kind {kind!r}")


def build(exact: ExactInverse, discrete: bool) -> Inverse:
    """The cheapest table of the law that meets the error bounds, or the exact inverse itself."""
    if discrete:
        low, middle, high = exact(np.array([-TABLE_Z, 0.0, TABLE_Z]))
        if not (np.isfinite(low) and middle - low <= _MAX_SUPPORT):
            return exact
        # a heavy tail (zipf) reaches far beyond a table: the first _MAX_SUPPORT values are tabled, the
        # draws above them (few: 6e-7 of them for zipf(a=2)) computed exactly
        return ThresholdTable.build(exact, int(low), int(min(high, low + _MAX_SUPPORT)))
    intervals = _FIRST_INTERVALS
    while intervals <= _MAX_INTERVALS:
        table = HermiteTable.build(exact, intervals)
        if table.finite:
            value, prob = table.errors()
            if value <= VALUE_TOL and prob <= PROB_TOL:
                return table
        intervals *= 2
    return exact


@lru_cache(maxsize=512)
def _compiled(name: str, params: tuple[tuple[str, float], ...], bounds: Bounds | None, discrete: bool) -> Inverse:
    args = dict(params)
    if bounds is None or bounds == (None, None):
        bounds = None
        fast = closed_form(name, args)
        if fast is not None:
            return fast
    key = inverse_store.law_key(name, params, bounds, discrete)
    stored = inverse_store.read(key)
    if stored is not None:
        with contextlib.suppress(KeyError, ValueError, TypeError):  # an entry that does not fit: computed again
            return restore(stored, LazyExact(name, args, bounds, discrete))
    compiled = build(exact_inverse(name, args, bounds, discrete), discrete)
    if isinstance(compiled, HermiteTable | ThresholdTable):
        inverse_store.write(key, compiled.arrays())
    return compiled


def compile_inverse(name: str, params: dict[str, float], bounds: Bounds | None, discrete: bool) -> Inverse:
    """The fastest inverse of scipy.stats ``name`` with ``params``, truncated to ``bounds``, that meets the
    error bounds; built once per distinct law (cached)."""
    key = tuple(sorted((k, float(v)) for k, v in params.items()))
    return _compiled(name, key, bounds, discrete)
