"""Examples 3 (multivariate normal), 4 (linear relation with noise) and 9 (predefined correlation)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import llmsynth
from llmsynth.spec import DatasetSpec

Loader = Callable[[str], DatasetSpec]



def test_multivariate_normal_pairs(load: Loader) -> None:
    data = llmsynth.generate(load("03_mvnormal.yaml"))

    assert list(data.columns) == ["x", "y"]
    assert len(data) == 500
    assert abs(data["x"].corr(data["y"]) - 0.8) <= 0.06
    assert np.abs(data.mean().to_numpy()).max() < 0.15
    assert np.abs(data.cov().to_numpy() - [[1, 0.8], [0.8, 1]]).max() < 0.15


def test_linear_relation_slope_and_noise(load: Loader) -> None:
    spec = load("04_linear.yaml")
    data = llmsynth.generate(spec)

    assert spec.seed == 42
    assert len(data) == 1000
    slope, intercept = np.polyfit(data["height"], data["weight"], 1)
    residual_sd = np.std(data["weight"] - (slope * data["height"] + intercept), ddof=2)
    assert abs(slope - 2.5) <= 0.05
    assert abs(residual_sd - 5) <= 0.5
    assert abs(data["height"].mean() - 170) < 1.0
    assert abs(data["height"].std() - 10) < 0.7


def test_predefined_correlation_matrix(load: Loader) -> None:
    requested = np.array([[1, 0.8, 0.5], [0.8, 1, 0.3], [0.5, 0.3, 1]])
    data = llmsynth.generate(load("09_correlation.yaml"))

    assert list(data.columns) == ["a", "b", "c"]
    assert len(data) == 1000
    achieved = data.corr().to_numpy()
    assert np.abs(achieved - requested).max() <= 0.06, achieved
