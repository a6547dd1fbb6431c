"""Choose a named distribution for a numeric column: fit each candidate family by maximum likelihood,
keep the lowest AIC, and accept it only when a Kolmogorov-Smirnov test does not reject it.

The KS p-value uses parameters estimated from the same data, so it is optimistic (Lilliefors): a
family it rejects is clearly wrong, and the caller then falls back to the column's quantile function.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

MAX_FIT_ROWS = 5000  # families are fitted on a seeded subsample beyond this (enough for 3 parameters)


@dataclass(frozen=True)
class FamilyFit:
    """A fitted family: its spec entry (without name), AIC, KS p-value and a short description."""

    entry: dict[str, Any]
    aic: float
    p_value: float
    label: str


def _sig(value: float, digits: int = 6) -> float:
    return float(f"{value:.{digits}g}")


Candidate = tuple[str, Any, dict[str, float], dict[str, Any]]  # label, scipy family, its parameters, spec entry


def _continuous_candidates(x: np.ndarray) -> list[Candidate]:
    """Families that suit the data's range, with closed-form or fast estimates (no generic optimiser:
    scipy's Nelder-Mead fits cost ~40 ms a column, more than the whole copula)."""
    low, high = float(x.min()), float(x.max())
    mean, sd = float(x.mean()), float(x.std(ddof=1))
    out: list[Candidate] = [
        ("normal", stats.norm, {"loc": mean, "scale": sd}, {"kind": "normal", "mean": _sig(mean), "sd": _sig(sd)}),
        ("uniform", stats.uniform, {"loc": low, "scale": high - low},
         {"kind": "uniform", "low": _sig(low), "high": _sig(high)}),
    ]
    if low > 0:
        logs = np.log(x)
        mu, sigma = float(logs.mean()), float(logs.std(ddof=1))
        if sigma > 0:
            out.append(("lognormal", stats.lognorm, {"s": sigma, "scale": math.exp(mu)},
                        {"kind": "lognormal", "mu": _sig(mu), "sigma": _sig(sigma)}))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            a, _, scale = stats.gamma.fit(x, floc=0)  # closed-form shape equation in scipy
        out.append(("gamma", stats.gamma, {"a": a, "scale": scale},
                    {"kind": "gamma", "shape": _sig(a), "scale": _sig(scale)}))
    if low >= 0:
        out.append(("exponential", stats.expon, {"scale": mean}, {"kind": "exponential", "scale": _sig(mean)}))
    variance = sd**2
    if low > 0 and high < 1 and 0 < variance < mean * (1 - mean):
        common = mean * (1 - mean) / variance - 1  # method of moments
        a, b = mean * common, (1 - mean) * common
        out.append(("beta", stats.beta, {"a": a, "b": b}, {"kind": "beta", "a": _sig(a), "b": _sig(b)}))
    return out


def _count_candidates(x: np.ndarray) -> list[Candidate]:
    mean, var = float(x.mean()), float(x.var(ddof=1))
    out: list[Candidate] = []
    if mean > 0:
        out.append(("poisson", stats.poisson, {"mu": mean}, {"kind": "poisson", "lam": _sig(mean)}))
    if var > mean > 0:
        n, p = mean**2 / (var - mean), mean / var
        out.append(("negbinomial", stats.nbinom, {"n": n, "p": p},
                    {"kind": "negbinomial", "n": _sig(n), "p": _sig(p)}))
    return out


def best_family(x: np.ndarray, *, counts: bool, rng: np.random.Generator) -> FamilyFit | None:
    """The lowest-AIC family among those suited to ``x`` (counts: Poisson and negative binomial)."""
    if len(x) > MAX_FIT_ROWS:
        x = rng.choice(x, MAX_FIT_ROWS, replace=False)
    if len(x) < 3 or x.min() == x.max():
        return None
    candidates = _count_candidates(x) if counts else _continuous_candidates(x)
    fits = []
    for label, family, params, entry in candidates:  # scipy's frozen objects cost ~3 ms each to build
        with np.errstate(all="ignore"):
            density = family.logpmf(x, **params) if counts else family.logpdf(x, **params)
        loglik = float(np.sum(density))
        if math.isfinite(loglik):
            fits.append((2 * len(params) - 2 * loglik, label, family, params, entry))
    if not fits:
        return None
    aic, label, family, params, entry = min(fits, key=lambda f: f[0])
    p_value = float(stats.kstest(x, lambda v: family.cdf(v, **params)).pvalue)
    return FamilyFit(entry=entry, aic=aic, p_value=p_value, label=label)
