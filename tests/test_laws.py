"""``llmsynth/laws.py``: zipf's closed-form tails, against sums of its pmf (scipy's own zipf methods hang or
give up in a heavy tail, so they cannot be the reference)."""

from __future__ import annotations

import time

import numpy as np
import pytest
import scipy.stats
from scipy import special

from llmsynth.laws import ZipfLaw, frozen_law, tails_between
from llmsynth.scaffold.numeric import law_values

SUPPORT = np.arange(1, 2_000_001, dtype=float)


def _summed_tails(a: float) -> tuple[np.ndarray, np.ndarray]:
    """P(X <= k) and P(X > k) for k = 1..2e6, by summing the pmf (the tail beyond 2e6 by the zeta)."""
    mass = SUPPORT**-a / special.zeta(a)
    beyond = special.zeta(a, SUPPORT[-1] + 1) / special.zeta(a)
    return np.cumsum(mass), np.cumsum(mass[::-1])[::-1] - mass + beyond


@pytest.mark.parametrize("a", [1.3, 2.0, 3.5])
def test_quantiles_and_tails_equal_the_summed_pmf(a: float) -> None:
    law = ZipfLaw(a)
    cdf, sf = _summed_tails(a)
    k = SUPPORT[:5000]
    assert np.allclose(law.cdf(k), cdf[:5000], rtol=1e-12, atol=1e-14)
    assert np.allclose(law.sf(k), sf[:5000], rtol=1e-9, atol=0)
    assert np.allclose(law.pmf(k), scipy.stats.zipf.pmf(k, a), rtol=1e-12, atol=0)
    p = np.random.default_rng(0).random(20_000)
    expected = np.searchsorted(cdf, p) + 1  # the first k with cdf(k) >= p
    inside = expected < SUPPORT.size
    assert np.array_equal(law.ppf(p)[inside], expected[inside])
    q = 10 ** np.random.default_rng(1).uniform(-9, -0.3, 20_000)
    expected = np.searchsorted(-sf, -q) + 1  # the first k with sf(k) <= q
    inside = expected < SUPPORT.size - 1
    assert inside.sum() > 1000
    assert np.array_equal(law.isf(q)[inside], expected[inside])


def test_edges_follow_scipys_conventions() -> None:
    law = ZipfLaw(2.0, loc=10)
    assert law.ppf(np.array([0.0, 1e-300, 1.0, 1.5])).tolist()[:3] == [10.0, 11.0, np.inf]
    assert np.isnan(law.ppf(1.5))
    assert law.isf(np.array([1.0, 0.0])).tolist() == [10.0, np.inf]
    assert np.isnan(law.isf(1.5))
    assert law.cdf(10).item() == 0.0
    assert law.sf(10).item() == 1.0
    assert law.pmf(np.array([10.0, 11.0, 11.5])).tolist() == [0.0, pytest.approx(6 / np.pi**2), 0.0]
    with pytest.raises(ValueError, match="a > 1"):
        ZipfLaw(1.0)


def test_parameters_broadcast_as_scipys_do() -> None:
    law = ZipfLaw(np.array([2.0, 3.0, 4.0]), loc=np.array([0, 5, -2]))
    q = np.array([0.01, 0.2, 0.5])
    expected = [ZipfLaw(a, loc).isf(v).item() for a, loc, v in zip([2.0, 3.0, 4.0], [0, 5, -2], q, strict=True)]
    assert law.isf(q).tolist() == expected
    assert frozen_law("zipf", {"a": 2.0}).isf(0.01).item() == 61.0
    assert isinstance(frozen_law("poisson", {"mu": 3.0}).dist, scipy.stats.rv_discrete)


@pytest.mark.parametrize("a", [1.5, 2.0, 3.0])
def test_a_heavy_zipf_column_draws_its_law_in_well_under_a_second(a: float) -> None:
    """scipy's zipf hung here (O(k) cdf sums for a table out to 5.7e5 at a = 3; 6e11 at a = 2, out of
    memory). Drawn now in a fraction of a second, with the law's frequencies."""
    z = np.random.default_rng(4).standard_normal(200_000)
    started = time.perf_counter()
    values = law_values("zipf", {"a": a}, None, True, z)
    assert time.perf_counter() - started < 10  # a guard against the hang, not a speed test
    counts = np.bincount(np.minimum(values, 51).astype(np.int64), minlength=52)[1:]
    law = ZipfLaw(a)
    expected = np.append(law.pmf(np.arange(1, 51)), law.sf(50)) * values.size
    assert scipy.stats.chisquare(counts, expected).pvalue > 1e-3
    far = law.isf(1e-3)  # the tail is drawn, not cut: as many rows beyond it as the law says
    expected_beyond = law.sf(far).item() * values.size
    assert abs((values > far).sum() - expected_beyond) < 5 * np.sqrt(expected_beyond)


@pytest.mark.parametrize(("name", "params", "low", "high"), [
    ("betabinom", {"n": 400, "a": 0.5, "b": 0.5}, 0, 400),  # scipy's cdf sums the pmf: summed once here
    ("logser", {"p": 0.99}, 3, 900),
    ("poisson", {"mu": 40.0}, 5, 120),  # scipy's own cdf: used as is
])
def test_tails_between_equal_scipys_cdf_and_sf(name: str, params: dict, low: int, high: int) -> None:
    law = frozen_law(name, params)
    cdf, sf = tails_between(law, low, high)
    k = np.arange(low, high)
    assert np.allclose(cdf, law.cdf(k), rtol=1e-12, atol=1e-15)
    assert np.allclose(sf, law.sf(k), rtol=1e-9, atol=1e-15)


@pytest.mark.parametrize(("name", "params", "start"), [
    ("logser", {"p": 0.9999}, 1),  # scipy's quantile search raises "updating stopped" at ordinary levels
    ("betabinom", {"n": 100_000, "a": 0.5, "b": 0.5}, 0),
])
def test_wide_pmf_summing_laws_draw_their_summed_pmf(name: str, params: dict, start: int) -> None:
    """These took minutes (an O(n^2) table of scipy cdf calls) and scipy's own quantiles can raise; each draw
    now equals the first k whose summed pmf reaches its probability."""
    z = np.random.default_rng(5).standard_normal(100_000)
    started = time.perf_counter()
    values = law_values(name, params, None, True, z)
    assert time.perf_counter() - started < 30  # a guard against the hang, not a speed test
    k = np.arange(start, 400_000)
    cdf = np.cumsum(frozen_law(name, params).pmf(k))
    expected = k[np.minimum(np.searchsorted(cdf, special.ndtr(z)), k.size - 1)]
    assert np.array_equal(values, expected)
