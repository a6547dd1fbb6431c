"""Examples 8 (fixed total), 10 (random graph) and 11 (ARMA time series)."""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
from scipy import stats

import llmsynth
from llmsynth.spec import DatasetSpec

Loader = Callable[[str], DatasetSpec]


def test_fixed_total_is_exact(load: Loader) -> None:
    data = llmsynth.generate(load("08_fixed_total.yaml"))

    assert list(data.columns) == ["A", "B", "C", "Total"]
    assert len(data) == 100
    assert (data["Total"] == 100).all()
    assert np.abs(data[["A", "B", "C"]].sum(axis=1) - data["Total"]).max() <= 1e-9
    assert (data[["A", "B", "C"]] >= 0).all().all()
    # Dirichlet(1, 1, 1) shares are Beta(1, 2): scaled to 100, each column has mean 100/3
    for name in ("A", "B", "C"):
        assert stats.kstest(data[name] / 100, stats.beta(1, 2).cdf).pvalue > 0.01, name


def _edge_count(spec: DatasetSpec, seed: int) -> int:
    edges = llmsynth.generate(spec, seed=seed)
    assert (edges["source"] < edges["target"]).all()
    assert edges[["source", "target"]].isin(range(10)).all().all()
    assert not edges.duplicated().any()
    return len(edges)


def test_random_graph_edge_count_is_binomial(load: Loader) -> None:
    spec = load("10_random_graph.yaml")
    counts = np.array([_edge_count(spec, seed) for seed in range(300)])

    expected = stats.binom(45, 0.3)
    assert abs(counts.mean() - expected.mean()) < 3 * expected.std() / np.sqrt(len(counts))
    assert 0.75 < counts.var(ddof=1) / expected.var() < 1.3
    # chi-square goodness of fit on bins with enough expected counts
    edges = [0, 10, 12, 13, 14, 15, 17, 46]
    observed = np.histogram(counts, bins=edges)[0]
    probabilities = np.diff(expected.cdf(np.array(edges) - 1))
    assert stats.chisquare(observed, probabilities * len(counts)).pvalue > 0.01


def test_arma_coefficients_are_recovered(load: Loader) -> None:
    from statsmodels.tsa.arima.model import ARIMA

    data = llmsynth.generate(load("11_arma.yaml"))

    assert len(data) == 200
    assert data["day"].is_monotonic_increasing
    with warnings.catch_warnings():
        # statsmodels' optimiser may warn about its own convergence; the estimates are checked below
        warnings.simplefilter("ignore", UserWarning)
        fitted = ARIMA(data["value"].to_numpy(), order=(1, 0, 1)).fit()
    phi, theta = fitted.arparams[0], fitted.maparams[0]
    assert abs(phi - 0.5) <= 0.15, phi
    assert abs(theta - 0.4) <= 0.15, theta
