"""Declared choice weights: IPF factors reach the target marginal and keep the rows' own preferences."""

from __future__ import annotations

import numpy as np
import pandas as pd

from llmsynth.engine.calibration import calibrated, dependence_report, expected_cramers_v, fit_factors


def test_factors_give_the_declared_marginal_and_keep_row_order() -> None:
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(500, 3)) + np.array([3.0, 0.0, -1.0])  # the model collapses onto option 0
    probabilities = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    target = np.array([0.3, 0.5, 0.2])
    factors = fit_factors(probabilities, target)
    adjusted = calibrated(probabilities, factors)
    np.testing.assert_allclose(adjusted.mean(0), target, atol=1e-6)
    # a row that preferred option 1 over 2 still does: one factor per option cannot reorder a pair across rows
    ratio_before = probabilities[:, 1] / probabilities[:, 2]
    ratio_after = adjusted[:, 1] / adjusted[:, 2]
    np.testing.assert_allclose(ratio_after / ratio_before, factors[1] / factors[2])


def test_cramers_v_on_expected_counts() -> None:
    independent = np.tile([0.5, 0.5], (100, 1))
    assert expected_cramers_v(["a", "b"] * 50, independent) == 0.0
    determined = np.array([[1.0, 0.0], [0.0, 1.0]] * 50)
    assert abs(expected_cramers_v(["a", "b"] * 50, determined) - 1.0) < 1e-9
    assert expected_cramers_v(["a"] * 100, determined) is None


def test_dependence_survives_calibration() -> None:
    rng = np.random.default_rng(1)
    city = rng.choice(["Lima", "Oslo"], size=400)
    base = np.where((city == "Lima")[:, None], [0.9, 0.08, 0.02], [0.6, 0.1, 0.3])
    factors = fit_factors(base, np.array([0.3, 0.4, 0.3]))
    report = dependence_report("segment", pd.DataFrame({"city": city}), ["city", "missing"], base,
                               calibrated(base, factors))
    v = report["cramers_v"]["city"]
    assert v["model"] > 0.2
    assert v["calibrated"] >= 0.5 * v["model"]
    assert "missing" not in report["cramers_v"]
