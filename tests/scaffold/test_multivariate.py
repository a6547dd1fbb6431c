from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import scipy.stats

from llmsynth.errors import SpecError
from llmsynth.scaffold.linalg import is_psd, nearest_correlation
from llmsynth.scaffold.promises import CorrelationPromise

N = 20_000


def test_multivariate_normal_from_corr_and_sd(draw: Any) -> None:
    corr = [[1, 0.6, -0.3], [0.6, 1, 0.1], [-0.3, 0.1, 1]]
    column = {
        "kind": "mvnormal",
        "columns": ["a", "b", "c"],
        "mean": [1, 2, 3],
        "corr": corr,
        "sd": [1, 2, 0.5],
    }
    frame, samplers, _ = draw([column], N)
    assert np.abs(frame.corr().to_numpy() - np.asarray(corr)).max() < 0.03
    assert np.allclose(frame.mean(), [1, 2, 3], atol=0.05)
    assert np.allclose(frame.std(), [1, 2, 0.5], rtol=0.03)
    promise = samplers["a, b, c"].promises()[-1]
    assert isinstance(promise, CorrelationPromise)
    assert np.allclose(promise.matrix, corr)


def test_non_psd_matrix_is_refused_unless_repair_is_asked(draw: Any) -> None:
    bad = [[1, 0.9, -0.9], [0.9, 1, 0.9], [-0.9, 0.9, 1]]
    with pytest.raises(
        SpecError, match=r"column 'a, b, c': field 'corr': is not positive semi-definite.*repair: true"
    ):
        draw([{"kind": "mvnormal", "columns": ["a", "b", "c"], "corr": bad}], 10)
    frame, samplers, _ = draw(
        [{"kind": "mvnormal", "columns": ["a", "b", "c"], "corr": bad, "repair": True}], N
    )
    sampler = samplers["a, b, c"]
    assert sampler.diagnostics() == {"repaired": 1.0}
    assert is_psd(sampler.cov_)
    assert np.allclose(np.diag(sampler.cov_), 1)
    assert np.abs(frame.corr().to_numpy() - sampler.cov_).max() < 0.03


def test_nearest_correlation_is_the_closest_valid_matrix() -> None:
    bad = np.array([[1, 0.9, -0.9], [0.9, 1, 0.9], [-0.9, 0.9, 1]])
    fixed = nearest_correlation(bad)
    assert is_psd(fixed)
    assert np.allclose(np.diag(fixed), 1)
    assert np.allclose(fixed, fixed.T)
    # Higham's result is closer than the simple eigenvalue-clip-and-rescale repair
    values, vectors = np.linalg.eigh(bad)
    clipped = (vectors * np.maximum(values, 1e-6)) @ vectors.T
    clipped /= np.sqrt(np.outer(np.diag(clipped), np.diag(clipped)))
    assert np.linalg.norm(fixed - bad) < np.linalg.norm(clipped - bad)


def test_copula_keeps_rank_correlation_and_marginals(draw: Any) -> None:
    corr = [[1, 0.6, 0.3], [0.6, 1, -0.2], [0.3, -0.2, 1]]
    column = {
        "kind": "copula",
        "columns": {
            "income": {"kind": "lognormal", "mu": 10, "sigma": 0.5},
            "visits": {"kind": "poisson", "lam": 30},
            "score": {"kind": "beta", "a": 2, "b": 5},
        },
        "corr": corr,
    }
    frame, samplers, _ = draw([column], N)
    spearman = frame.corr(method="spearman").to_numpy()
    assert np.abs(spearman - np.asarray(corr)).max() < 0.03
    assert frame["visits"].dtype == np.int64
    assert scipy.stats.kstest(frame["income"], scipy.stats.lognorm(s=0.5, scale=np.exp(10)).cdf).pvalue > 1e-3
    assert scipy.stats.kstest(frame["score"], scipy.stats.beta(2, 5).cdf).pvalue > 1e-3
    promise = samplers["income, visits, score"].promises()[-1]
    assert promise.method == "spearman"
    assert np.allclose(promise.matrix, corr)


def test_copula_with_categorical_and_boolean_marginals(draw: Any) -> None:
    column = {
        "kind": "copula",
        "columns": {
            "tier": {"kind": "categorical", "categories": {"low": 0.5, "mid": 0.3, "high": 0.2}},
            "spend": {"kind": "gamma", "shape": 2},
            "vip": {"kind": "boolean", "p": 0.1},
        },
        "corr": [[1, 0.7, 0.5], [0.7, 1, 0.5], [0.5, 0.5, 1]],
        "correlation": "latent",
    }
    frame, _, _ = draw([column], N)
    assert frame["tier"].value_counts(normalize=True)["low"] == pytest.approx(0.5, abs=0.015)
    assert frame["vip"].mean() == pytest.approx(0.1, abs=0.01)
    means = frame.groupby("tier")["spend"].mean()
    assert means["low"] < means["mid"] < means["high"]  # category order follows the latent rank


def test_wrong_shape_is_named(draw: Any) -> None:
    with pytest.raises(SpecError, match=r"column 'a, b': field 'corr': must be 2x2 .* got 3x3"):
        draw([{"kind": "mvnormal", "columns": ["a", "b"], "corr": [[1, 0, 0], [0, 1, 0], [0, 0, 1]]}], 10)
