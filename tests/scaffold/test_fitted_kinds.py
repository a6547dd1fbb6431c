"""The spec kinds fit writes, used by hand: quantiles, discrete, conditional (and as copula marginals)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import llmsynth
from llmsynth import spec_from_dict
from llmsynth.errors import SpecError


def generate(columns: list[dict[str, object]], rows: int = 4000, seed: int = 0) -> pd.DataFrame:
    return llmsynth.generate(spec_from_dict({"rows": rows, "seed": seed, "columns": columns}))


def test_quantiles_follow_their_quantile_function() -> None:
    knots = stats.gamma(3).ppf(np.linspace(0.001, 0.999, 200))
    data = generate([{"kind": "quantiles", "name": "x", "values": knots.tolist()}])
    assert stats.kstest(data["x"], stats.gamma(3).cdf).statistic < 0.03
    assert data["x"].between(knots[0], knots[-1]).all()
    report = llmsynth.evaluate(data, spec_from_dict({"columns": [{"kind": "quantiles", "name": "x",
                                                                  "values": knots.tolist()}]}))
    assert report.scores["spec"]["passed"] == 1


def test_quantiles_of_integers_dates_and_bounds() -> None:
    data = generate([
        {"kind": "quantiles", "name": "n", "values": [0, 10, 100], "type": "integer"},
        {"kind": "quantiles", "name": "d", "values": ["2020-01-01", "2020-12-31"], "type": "date"},
        {"kind": "quantiles", "name": "b", "values": [0, 100], "bounds": [25, 50], "round": 1},
    ])
    assert data["n"].dtype == np.int64
    assert abs((data["n"] <= 10).mean() - 0.5) < 0.03  # half the mass lies below the middle knot
    assert (data["d"] == data["d"].dt.normalize()).all()
    assert data["d"].between("2020-01-01", "2020-12-31").all()
    assert data["b"].between(25, 50).all()
    assert abs(data["b"].mean() - 37.5) < 0.5


def test_discrete_keeps_exact_frequencies_and_numbers() -> None:
    data = generate([{"kind": "discrete", "name": "k", "probabilities": {0: 0.5, 2: 0.3, 5: 0.2}}])
    assert data["k"].dtype == np.int64
    shares = data["k"].value_counts(normalize=True)
    assert abs(shares[0] - 0.5) < 0.03
    assert abs(shares[5] - 0.2) < 0.03
    floats = generate([{"kind": "discrete", "name": "k", "probabilities": {1: 1.0}, "type": "number"}], rows=3)
    assert floats["k"].tolist() == [1.0, 1.0, 1.0]
    assert floats["k"].dtype == float


def test_copula_joins_fitted_marginals_by_rank() -> None:
    data = generate([{
        "kind": "copula",
        "columns": {
            "q": {"kind": "quantiles", "values": [0, 1, 2, 10]},
            "k": {"kind": "discrete", "probabilities": {1: 0.25, 2: 0.25, 3: 0.25, 4: 0.25}},
        },
        "corr": [[1, 0.9], [0.9, 1]],
    }])
    assert stats.spearmanr(data["q"], data["k"]).statistic > 0.8


CONDITIONAL = {
    "kind": "conditional",
    "by": "group",
    "columns": ["x"],
    "cases": {
        "a": {"kind": "normal", "mean": 0, "sd": 1},
        "b": {"kind": "normal", "mean": 10, "sd": 1},
    },
}


def test_conditional_draws_each_case_from_its_own_sampler() -> None:
    data = generate([{"kind": "categorical", "name": "group", "categories": {"a": 0.3, "b": 0.7}}, CONDITIONAL])
    means = data.groupby("group")["x"].mean()
    assert abs(means["a"]) < 0.1
    assert abs(means["b"] - 10) < 0.1
    assert abs((data["group"] == "a").mean() - 0.3) < 0.03


def test_conditional_matches_number_labels_and_uses_the_default() -> None:
    spec = {**CONDITIONAL, "by": "k", "cases": {1: {"kind": "normal", "mean": 5}},
            "default": {"kind": "normal", "mean": -5}}
    data = generate([{"kind": "discrete", "name": "k", "probabilities": {1: 0.5, 2: 0.5}, "type": "number"}, spec])
    means = data.groupby("k")["x"].mean()
    assert abs(means[1.0] - 5) < 0.1
    assert abs(means[2.0] + 5) < 0.1


def test_conditional_without_a_case_or_default_names_the_value() -> None:
    spec = spec_from_dict({"rows": 20, "columns": [
        {"kind": "categorical", "name": "group", "categories": ["a", "c"]}, CONDITIONAL]})
    with pytest.raises(SpecError, match="no case for group = 'c' and no default"):
        llmsynth.generate(spec)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"kind": "quantiles", "name": "x", "values": [3, 1]}, "quantile values must not decrease"),
        ({"kind": "quantiles", "name": "x", "values": [1, 1]}, "quantile values are all equal"),
        ({"kind": "quantiles", "name": "x", "values": ["2020-01-01", "2021-01-01"]}, "type 'number' does not match"),
        ({"kind": "discrete", "name": "x", "probabilities": {1: 0.5}}, "probabilities sum to 0.5, not 1"),
        ({**CONDITIONAL, "cases": {"a": {"kind": "normal", "name": "y"}}}, "every case must write exactly \\['x'\\]"),
        ({**CONDITIONAL, "by": "x"}, "'x' cannot pick the case of its own value"),
    ],
    ids=["decreasing", "constant", "dates-as-numbers", "sum", "case-columns", "self"],
)
def test_bad_entries_are_spec_errors_naming_the_field(entry: dict[str, object], message: str) -> None:
    columns = [{"kind": "categorical", "name": "group", "categories": ["a"]}, entry]
    with pytest.raises(SpecError, match=message):
        spec_from_dict({"columns": columns})
