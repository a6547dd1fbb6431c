"""TSTR vs TRTR: a synthetic table that keeps the feature-target rule is useful; one that breaks it is not."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from llmsynth.evals.usefulness import target_task, usefulness_scores


def _table(rng: np.random.Generator, n: int) -> pd.DataFrame:
    x = rng.normal(size=n)
    group = rng.choice(["a", "b"], n)
    label = np.where(x + (group == "a") * 1.0 + rng.normal(0, 0.3, n) > 0.5, "yes", "no")
    return pd.DataFrame({"x": x, "group": group, "label": label, "y": 3 * x + rng.normal(0, 0.5, n)})


def test_task_detection() -> None:
    assert target_task(pd.Series(["a", "b"]), "categorical") == "classification"
    assert target_task(pd.Series([0, 1, 1, 0]), "numeric") == "classification"
    assert target_task(pd.Series(np.linspace(0, 1, 50)), "numeric") == "regression"


def test_classification_ratio_near_one_for_faithful_data() -> None:
    rng = np.random.default_rng(5)
    reference, synthetic = _table(rng, 600), _table(rng, 600)
    scores = usefulness_scores(synthetic, reference, "label", seed=0)
    assert scores["task"] == "classification"
    assert scores["primary"] == "f1_macro"
    assert scores["trtr"]["accuracy"] > 0.8
    assert scores["ratio"] == pytest.approx(1.0, abs=0.1)

    broken = synthetic.assign(label=rng.permutation(synthetic["label"].to_numpy()))
    bad = usefulness_scores(broken, reference, "label", seed=0)
    assert bad["ratio"] < 0.8


def test_regression_uses_r2() -> None:
    rng = np.random.default_rng(6)
    reference, synthetic = _table(rng, 500), _table(rng, 500)
    scores = usefulness_scores(synthetic, reference, "y", seed=0)
    assert scores["task"] == "regression"
    assert scores["tstr"]["r2"] > 0.9
    assert scores["trtr"]["r2"] > 0.9
