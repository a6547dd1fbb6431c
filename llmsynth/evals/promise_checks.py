"""Checks of marginal promises: a column follows a scipy.stats distribution or declared category weights.

A check passes when its test does not reject at ``ALPHA`` or when the effect is negligible
(KS statistic / total variation distance at most ``NEGLIGIBLE``): with many rows a test rejects
differences too small to matter, and with few rows the effect size alone is noise.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from llmsynth.evals.columns import frequencies, tvd
from llmsynth.evals.laws import frozen_distribution, is_discrete
from llmsynth.scaffold.promises import CategoricalPromise, DistributionPromise, MissingPromise, TabulatedPromise

__all__ = [
    "check_categorical",
    "check_distribution",
    "check_missing",
    "check_tabulated",
    "frozen_distribution",
    "is_discrete",
]

ALPHA = 0.001
NEGLIGIBLE = 0.03
_MAX_SUPPORT = 100_000  # discrete supports wider than this are compared on the observed values only


def check_distribution(promise: DistributionPromise, data: pd.DataFrame) -> dict[str, Any]:
    """KS (continuous) or chi-square (discrete) test of a column against its declared law, truncation included."""
    values = pd.to_numeric(data[promise.column], errors="coerce").dropna().to_numpy(dtype=float)
    if values.size == 0:
        raise ValueError(f"column '{promise.column}' has no numeric values")
    frozen = frozen_distribution(promise)
    if is_discrete(promise, frozen):
        return _check_discrete(values, frozen)
    statistic = grid_ks(values, frozen.cdf) if promise.rounded else float(stats.kstest(values, frozen.cdf).statistic)
    p_value = float(stats.kstwo.sf(statistic, values.size))
    return {
        "test": "ks_grid" if promise.rounded else "ks",
        "n": int(values.size),
        "ks_statistic": statistic,
        "p_value": p_value,
        "passed": p_value >= ALPHA or statistic <= NEGLIGIBLE,
    }


def check_tabulated(promise: TabulatedPromise, data: pd.DataFrame) -> dict[str, Any]:
    """KS test against a CDF tabulated on a grid (Monte Carlo samplers), linear between grid points."""
    values = pd.to_numeric(data[promise.column], errors="coerce").dropna().to_numpy(dtype=float)
    if values.size == 0:
        raise ValueError(f"column '{promise.column}' has no numeric values")
    xs, cdf = np.asarray(promise.xs, dtype=float), np.asarray(promise.cdf, dtype=float)

    def interpolated(x: np.ndarray) -> np.ndarray:
        return np.asarray(np.interp(x, xs, cdf, left=0.0, right=1.0))

    statistic = float(stats.kstest(values, interpolated).statistic)
    p_value = float(stats.kstwo.sf(statistic, values.size))
    return {
        "test": "ks_tabulated",
        "n": int(values.size),
        "ks_statistic": statistic,
        "p_value": p_value,
        "passed": p_value >= ALPHA or statistic <= NEGLIGIBLE,
    }


def grid_ks(values: np.ndarray, cdf: Any) -> float:
    """KS distance for rounded or clipped values, measured half-way between neighbouring observed values.

    Rounding moves every value to its grid point, so the empirical CDF is only comparable with the
    continuous one between grid points, where both count the same mass.
    """
    ordered = np.sort(values)
    unique = np.unique(ordered)
    if unique.size < 2:
        return 1.0
    mids = (unique[:-1] + unique[1:]) / 2
    empirical = np.searchsorted(ordered, mids, side="right") / ordered.size
    return float(np.max(np.abs(empirical - cdf(mids))))


def _check_discrete(values: np.ndarray, frozen: Any) -> dict[str, Any]:
    if not np.allclose(values, np.round(values)):
        raise ValueError("a discrete distribution was promised but the column has non-integer values")
    ints = np.round(values).astype(np.int64)
    low = int(min(ints.min(), frozen.ppf(1e-6)))
    high = int(max(ints.max(), frozen.ppf(1 - 1e-6)))
    support = np.arange(low, high + 1) if high - low <= _MAX_SUPPORT else np.unique(ints)
    observed = np.bincount(np.searchsorted(support, ints), minlength=support.size).astype(float)
    expected = frozen.pmf(support)
    share = observed / ints.size
    distance = 0.5 * (float(np.abs(share - expected).sum()) + max(0.0, 1.0 - float(expected.sum())))
    chi2, p_value = pooled_chisquare(observed, expected * ints.size)
    return {
        "test": "chi2_pmf",
        "n": int(ints.size),
        "tvd": distance,
        "chi2": chi2,
        "p_value": p_value,
        "passed": p_value >= ALPHA or distance <= NEGLIGIBLE,
    }


def pooled_chisquare(observed: np.ndarray, expected: np.ndarray, minimum: float = 5.0) -> tuple[float, float]:
    """Pearson chi-square after pooling neighbouring cells until each expects ``minimum`` counts."""
    pooled_obs: list[float] = []
    pooled_exp: list[float] = []
    acc_obs = acc_exp = 0.0
    for obs, exp in zip(observed, expected, strict=True):
        acc_obs += obs
        acc_exp += exp
        if acc_exp >= minimum:
            pooled_obs.append(acc_obs)
            pooled_exp.append(acc_exp)
            acc_obs = acc_exp = 0.0
    if pooled_exp:
        pooled_obs[-1] += acc_obs
        pooled_exp[-1] += acc_exp
    if len(pooled_exp) < 2:
        return 0.0, 1.0
    obs_arr, exp_arr = np.array(pooled_obs), np.array(pooled_exp)
    exp_arr = exp_arr * obs_arr.sum() / exp_arr.sum()  # the mass outside the support goes to every cell alike
    result = stats.chisquare(obs_arr, exp_arr)
    return float(result.statistic), float(result.pvalue)


def check_categorical(promise: CategoricalPromise, data: pd.DataFrame) -> dict[str, Any]:
    """Chi-square test and total variation distance of a column's shares against the declared weights."""
    observed = frequencies(data[promise.column])
    if not observed:
        raise ValueError(f"column '{promise.column}' has no values")
    declared = {str(k): float(v) for k, v in promise.weights.items()}
    total = sum(declared.values())
    declared = {k: v / total for k, v in declared.items()}
    n = int(data[promise.column].notna().sum())
    unexpected = sum(v for k, v in observed.items() if k not in declared)
    labels = list(declared)
    counts = np.array([observed.get(k, 0.0) * n for k in labels])
    expected = np.array([declared[k] * n for k in labels])
    keep = expected > 0
    if unexpected > 0 or keep.sum() < 2:
        p_value = 0.0 if unexpected > 0 else 1.0
    else:
        p_value = float(
            stats.chisquare(counts[keep], expected[keep] * counts[keep].sum() / expected[keep].sum()).pvalue
        )
    distance = tvd(observed, declared)
    return {
        "test": "chi2_categories",
        "n": n,
        "tvd": distance,
        "p_value": p_value,
        "unexpected_share": unexpected,
        "observed": observed,
        "passed": unexpected == 0 and (p_value >= ALPHA or distance <= NEGLIGIBLE),
    }


def check_missing(promise: MissingPromise, data: pd.DataFrame) -> dict[str, Any]:
    """The share of missing values against the declared rate: a two-sided binomial test."""
    n = len(data)
    if n == 0:
        raise ValueError(f"column '{promise.column}' has no rows")
    missing = int(data[promise.column].isna().sum())
    p_value = float(stats.binomtest(missing, n, promise.rate).pvalue)
    share = missing / n
    return {
        "test": "binomial",
        "n": n,
        "missing_share": share,
        "declared_rate": promise.rate,
        "p_value": p_value,
        "passed": p_value >= ALPHA or abs(share - promise.rate) <= NEGLIGIBLE * promise.rate,
    }
