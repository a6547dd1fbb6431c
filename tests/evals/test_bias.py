"""Bias: class balance vs the spec or the reference, and the target's gap across groups."""

from __future__ import annotations

import pandas as pd
import pytest

from llmsynth.evals.bias import bias_scores, group_rates, positive_label
from llmsynth.scaffold.promises import CategoricalPromise


def test_balance_against_spec_weights() -> None:
    data = pd.DataFrame({"sex": ["f"] * 3 + ["m"] * 7})
    scores = bias_scores(data, ["sex"], [CategoricalPromise("sex", {"f": 0.5, "m": 0.5})])
    entry = scores["columns"]["sex"]
    assert entry["source"] == "spec"
    assert entry["tvd"] == pytest.approx(0.2)
    assert entry["max_share_error"] == pytest.approx(0.2)
    assert scores["max_tvd"] == pytest.approx(0.2)


def test_target_gap_against_reference() -> None:
    # reference: f 50% approved, m 50% -> gap 0; synthetic: f 25%, m 75% -> gap 0.5
    reference = pd.DataFrame({"sex": list("ffffmmmm"), "approved": [1, 1, 0, 0, 1, 1, 0, 0]})
    data = pd.DataFrame({"sex": list("ffffmmmm"), "approved": [1, 0, 0, 0, 1, 1, 1, 0]})
    scores = bias_scores(data, ["sex"], [], reference, target="approved")
    relation = scores["target_relation"]["sex"]
    assert relation["positive"] == "1"
    assert relation["synthetic_rates"] == {"f": 0.25, "m": 0.75}
    assert relation["reference_gap"] == 0.0
    assert relation["gap_error"] == pytest.approx(0.5)
    assert scores["max_gap_error"] == pytest.approx(0.5)
    assert scores["columns"]["sex"]["source"] == "reference"
    assert scores["columns"]["sex"]["tvd"] == 0.0


def test_positive_label_and_numeric_target() -> None:
    assert positive_label(pd.Series(["no", "yes", "no"]), None) == "yes"
    assert positive_label(pd.Series(["low", "low", "high"]), None) == "high"  # the rarer class
    rates = group_rates(pd.Series(list("aabb")), pd.Series([1.0, 1.0, 3.0, 3.0]), None)
    assert rates["b"] - rates["a"] == pytest.approx(2 / pd.Series([1.0, 1.0, 3.0, 3.0]).std())
