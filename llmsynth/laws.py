"""scipy.stats laws by name, with closed-form stand-ins where scipy's generic methods never finish, and
a discrete law's tails over a range of integers in one pass.

scipy gives ``zipf`` only a pmf. Its cdf sums the pmf from 1 at every call (O(k) a value), its survival
function is ``1 - cdf`` and its quantile searches step by step with that cdf, so a heavy tail hangs or
runs out of memory: the 1 - 1e-12 quantile of zipf(a=2) is near 6e11, and a table of zipf(a=3)'s
thresholds (5.7e5 values) takes O(n^2) sums. The tail has a closed form,
``P(X > k) = zeta(a, k + 1) / zeta(a)`` (Hurwitz zeta), from which every method follows, the
quantiles by a search over integers in O(log k) evaluations.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from scipy import special


def frozen_law(name: str, params: dict[str, Any]) -> Any:
    """``scipy.stats.<name>(**params)``, or our stand-in for the laws scipy cannot invert in time."""
    if name == "zipf":
        return ZipfLaw(**params)
    import scipy.stats  # lazy: 0.6-1.4 s, paid only by laws that need it

    return getattr(scipy.stats, name)(**params)


def tails_between(law: Any, low: int, high: int) -> tuple[np.ndarray, np.ndarray]:
    """``cdf(k)`` and ``sf(k)`` of a discrete law for the integers ``low <= k < high``.

    scipy's generic discrete cdf sums the pmf from the support's start at every call, O(k) a value, so a
    table of n values costs O(n^2) sums (minutes for betabinom with n = 1e5 or logser with p = 0.9999).
    For such laws the pmf over the range is summed once, from each end, so both tails keep their digits.
    """
    ks = np.arange(low, high, dtype=float)
    if not _sums_its_pmf(law):
        return np.asarray(law.cdf(ks)), np.asarray(law.sf(ks))
    mass = np.asarray(law.pmf(np.arange(low, high + 1, dtype=float)))  # pmf(low), ..., pmf(high)
    below = float(law.cdf(low - 1)) + np.cumsum(mass[:-1])
    above = float(law.sf(high)) + np.cumsum(mass[:0:-1])[::-1]  # sf(k) = pmf(k + 1) + ... + pmf(high) + sf(high)
    return np.minimum(below, 1.0), np.minimum(above, 1.0)


def _sums_its_pmf(law: Any) -> bool:
    """Whether ``law`` is a frozen scipy discrete law that keeps scipy's generic, pmf-summing cdf."""
    family = getattr(law, "dist", None)
    if family is None:
        return False
    import scipy.stats  # the law is scipy's: already imported

    return isinstance(family, scipy.stats.rv_discrete) and type(family)._cdf is scipy.stats.rv_discrete._cdf


def first_integer(reached: Callable[[np.ndarray, np.ndarray], np.ndarray], start: np.ndarray) -> np.ndarray:
    """Per element, the first integer at which ``reached(values, elements)`` holds, for a predicate that holds
    from some point on (a cdf reaching a level, a survival falling to one). From ``start`` (walking down first
    where ``start`` already reaches), steps that double until it holds, then bisection; inf where no float
    does. ``reached`` is given candidate values and the indices of the elements they belong to."""
    everyone = np.arange(start.size)
    low = np.array(start, dtype=float)
    step = np.ones(start.size)
    above = everyone[reached(low, everyone)]
    while above.size:  # the answer lies below the start
        low[above] -= step[above]
        step[above] *= 2.0
        above = above[np.isfinite(low[above])]
        above = above[reached(low[above], above)]
    step = np.ones(start.size)
    high = low + step
    short = everyone[~reached(high, everyone)]
    while short.size:  # at most 1024 doublings before float64 runs out (inf: beyond any float)
        low[short] = high[short]
        step[short] *= 2.0
        with np.errstate(over="ignore"):
            high[short] = low[short] + step[short]
        short = short[np.isfinite(high[short])]
        short = short[~reached(high[short], short)]
    while True:  # invariant: reached at high, not at low; ends where no integer lies strictly between
        middle = np.floor((low + high) / 2.0)
        open_rows = everyone[(middle > low) & (middle < high)]
        if not open_rows.size:
            return high
        hit = reached(middle[open_rows], open_rows)
        high[open_rows[hit]] = middle[open_rows[hit]]
        low[open_rows[~hit]] = middle[open_rows[~hit]]


class ZipfLaw:
    """``scipy.stats.zipf(a, loc)`` (support ``loc + 1, loc + 2, ...``) with closed-form tails.

    Parameters broadcast against the values, as scipy's do, so one object serves per-row parameters.
    """

    discrete = True

    def __init__(self, a: Any, loc: Any = 0.0) -> None:
        self.a = np.asarray(a, dtype=float)
        self.loc = np.asarray(loc, dtype=float)
        if not np.all(self.a > 1):
            raise ValueError(f"zipf needs a > 1, got a = {a}")
        if not np.all(self.loc == np.floor(self.loc)):
            raise ValueError(f"zipf needs an integer loc, got loc = {loc}")
        self.norm = special.zeta(self.a, 1.0)

    def sf(self, k: Any) -> np.ndarray:
        """P(X > k)."""
        j = np.floor(np.asarray(k, dtype=float) - self.loc)
        with np.errstate(invalid="ignore"):
            tail = special.zeta(self.a, np.maximum(j, 1.0) + 1.0) / self.norm
        return np.asarray(np.where(j < 1, 1.0, tail))

    def cdf(self, k: Any) -> np.ndarray:
        """P(X <= k)."""
        return 1.0 - self.sf(k)

    def pmf(self, k: Any) -> np.ndarray:
        """P(X = k): ``k^-a / zeta(a)`` on the support, 0 off it."""
        j = np.asarray(k, dtype=float) - self.loc
        on_support = (j >= 1) & (j == np.floor(j))
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            mass = np.maximum(j, 1.0) ** -self.a / self.norm
        return np.asarray(np.where(on_support, mass, 0.0))

    def ppf(self, p: Any) -> np.ndarray:
        """The smallest support point with ``cdf >= p`` (scipy's convention: ``loc`` at p = 0)."""
        p = np.asarray(p, dtype=float)
        first = self._first(p, lambda tail, goal: 1.0 - tail >= goal, p)
        return np.asarray(np.where(p == 1, np.inf, first))

    def isf(self, q: Any) -> np.ndarray:
        """The smallest support point with ``sf <= q``, compared in survival space (no digits lost)."""
        q = np.asarray(q, dtype=float)
        first = self._first(1.0 - q, lambda tail, goal: tail <= goal, q)
        return np.asarray(np.where(q == 0, np.inf, np.where(q > 1, np.nan, first)))

    def _first(self, p: np.ndarray, reached: Callable[[np.ndarray, np.ndarray], np.ndarray], goal: np.ndarray
               ) -> np.ndarray:
        """The first ``j >= 1`` whose tail ``P(X - loc > j)`` has ``reached`` the goal (``first_integer``);
        ``p`` (the cdf level) decides the edges: 0 and below give ``loc``, above 1 NaN."""
        p, goal, a, norm, loc = np.broadcast_arrays(p, goal, self.a, self.norm, self.loc)
        todo = np.flatnonzero((p > 0) & (p <= 1))
        a, norm, goal = a.ravel()[todo], norm.ravel()[todo], goal.ravel()[todo]

        def done(j: np.ndarray, rows: np.ndarray) -> np.ndarray:
            with np.errstate(invalid="ignore"):
                tail = special.zeta(a[rows], j + 1.0) / norm[rows]
            return np.asarray(reached(tail, goal[rows]))

        high = first_integer(done, np.zeros(todo.size))
        out = np.where(p <= 0, 0.0, np.nan)
        out.ravel()[todo] = high
        return np.asarray(out + loc)
