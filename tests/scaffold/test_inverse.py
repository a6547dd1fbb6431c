"""Fast inverse CDFs: within their stated error bounds of scipy's, and no loss of accuracy at 1M rows."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import scipy.stats

from llmsynth.laws import frozen_law
from llmsynth.scaffold.inverse import (
    PROB_TOL,
    TABLE_Z,
    VALUE_TOL,
    ExactInverse,
    HermiteTable,
    ThresholdTable,
    compile_inverse,
)
from llmsynth.scaffold.lookup import StepLookup

CONTINUOUS = [
    ("gamma", {"a": 2.0, "scale": 500.0}, None),
    ("gamma", {"a": 0.2}, None),
    ("beta", {"a": 2.0, "b": 5.0}, None),
    ("beta", {"a": 0.3, "b": 0.5}, None),
    ("norm", {"loc": 41.0, "scale": 13.0}, (18.0, 75.0)),
    ("lognorm", {"s": 0.6, "scale": 36000.0}, (1000.0, None)),
    ("t", {"df": 3.0}, None),
    ("weibull_min", {"c": 1.5, "scale": 1000.0}, None),
]
DISCRETE = [
    ("poisson", {"mu": 3.0}, None),
    ("poisson", {"mu": 3.0}, (1.0, 12.0)),
    ("poisson", {"mu": 1e6}, None),
    ("nbinom", {"n": 2.0, "p": 0.3}, None),
    ("binom", {"n": 20.0, "p": 0.1}, (2.0, None)),
    ("zipf", {"a": 2.0}, None),  # tabled up to 2^20, exact above (its 7-sigma value is near 6e11)
    ("zipf", {"a": 3.0}, (2.0, 5000.0)),
    # scipy's cdf of these sums the pmf at every call: the table sums it once (laws.tails_between)
    ("logser", {"p": 0.999}, None),
    ("betabinom", {"n": 3000.0, "a": 0.5, "b": 0.5}, (10.0, None)),
]
SLOW_EXACT = ("logser", "betabinom")  # scipy's own quantile is slow for them: fewer values compared


def _ids(cases: list[Any]) -> list[str]:
    names = [f"{name}-{'-'.join(f'{v:g}' for v in params.values())}" for name, params, _ in cases]
    return [f"{name}{'-bounded' if case[2] else ''}" for name, case in zip(names, cases, strict=True)]


@pytest.mark.parametrize(("name", "params", "bounds"), CONTINUOUS, ids=_ids(CONTINUOUS))
def test_tables_meet_their_error_bounds_between_grid_points(name: str, params: dict, bounds: Any) -> None:
    table = compile_inverse(name, params, bounds, discrete=False)
    assert isinstance(table, HermiteTable), "each of these families is tabulated"
    exact = ExactInverse(frozen_law(name, params), bounds, discrete=False)
    # random scores over the whole grid, not only the midpoints the build checked
    z = np.random.default_rng(1).uniform(-TABLE_Z, TABLE_Z, 200_000)
    truth = exact(z)
    error = np.abs(table(z) - truth)
    spread = float(np.subtract(*exact(np.array([1.0, -1.0]))))
    assert np.max(error / np.maximum(np.abs(truth), spread)) <= VALUE_TOL
    beyond = np.maximum(error - 4 * np.spacing(np.abs(truth)), 0)
    with np.errstate(invalid="ignore"):  # an infinite density at a support end, with zero error there
        prob = np.nan_to_num(exact.law.pdf(truth) * beyond / exact.mass, nan=0.0)
    assert np.max(prob) <= PROB_TOL


@pytest.mark.parametrize(("name", "params", "bounds"), DISCRETE, ids=_ids(DISCRETE))
def test_discrete_tables_give_scipys_integers(name: str, params: dict, bounds: Any) -> None:
    table = compile_inverse(name, params, bounds, discrete=True)
    assert isinstance(table, ThresholdTable)
    # scipy's poisson.ppf is slow for a large mean, and its generic search for the pmf-summing laws
    n = 2_000 if params.get("mu", 0) > 1000 or name in SLOW_EXACT else 100_000
    z = np.random.default_rng(2).standard_normal(n) * 1.5  # more of the tails than plain draws
    z[:4] = [-9.0, 9.0, 0.0, 40.0]  # beyond the table: computed exactly (40: probability 0 in floats)
    exact = ExactInverse(frozen_law(name, params), bounds, discrete=True)
    assert np.array_equal(table(z), exact(z))


@pytest.mark.parametrize(
    ("name", "params", "bounds"),
    [("beta", {"a": 2.0, "b": 5.0}, None), ("gamma", {"a": 2.0, "scale": 500.0}, None),
     ("norm", {"loc": 41.0, "scale": 13.0}, (18.0, 75.0)), ("poisson", {"mu": 3.0}, None)],
    ids=["beta", "gamma", "truncnormal", "poisson"],
)
def test_a_million_values_pass_the_exact_law(name: str, params: dict, bounds: Any) -> None:
    """KS (chi-square for counts) at 1M rows against the exact law: the tables lose nothing a test can see.
    (Each value is within PROB_TOL of its exact quantile in probability, so the KS statistic moves by at
    most that: see the bound tests above.)"""
    z = np.random.default_rng(3).standard_normal(1_000_000)
    discrete = name == "poisson"
    values = compile_inverse(name, params, bounds, discrete)(z)
    exact = ExactInverse(frozen_law(name, params), bounds, discrete)
    law = exact.law
    if discrete:
        counts = np.bincount(values.astype(np.int64))
        expected = law.pmf(np.arange(len(counts))) * len(values)
        expected[-1] += law.sf(len(counts) - 1) * len(values)
        keep = expected > 5
        observed = np.append(counts[keep], counts[~keep].sum())
        expected = np.append(expected[keep], expected[~keep].sum())
        assert scipy.stats.chisquare(observed, expected * observed.sum() / expected.sum()).pvalue > 1e-3
        return
    result = scipy.stats.kstest(values, lambda x: (law.cdf(x) - exact.cdf_low) / exact.mass)
    assert result.pvalue > 1e-3
    assert result.statistic < 2e-3


def test_closed_forms_are_exact() -> None:
    z = np.linspace(-6, 6, 101)
    assert np.allclose(compile_inverse("norm", {"loc": 3, "scale": 2}, None, False)(z), 3 + 2 * z, rtol=0, atol=0)
    for name, params in (("lognorm", {"s": 0.5, "scale": 10.0}), ("expon", {"scale": 4.0}), ("uniform", {})):
        fast = compile_inverse(name, params, None, False)(z)
        exact = ExactInverse(frozen_law(name, params), None, False)(z)
        assert np.allclose(fast, exact, rtol=1e-12, atol=0), name


def test_an_empty_window_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="holds no probability"):
        compile_inverse("beta", {"a": 2.0, "b": 2.0}, (2.0, 3.0), discrete=False)


def test_step_lookup_equals_searchsorted() -> None:
    rng = np.random.default_rng(4)
    thresholds = np.sort(rng.normal(size=300))
    lookup = StepLookup(thresholds, -7, 7)
    x = np.concatenate([rng.normal(size=100_000), thresholds, np.nextafter(thresholds, np.inf)])
    assert np.array_equal(lookup(x), np.searchsorted(thresholds, x, side="left"))
