"""null_rate: values missing completely at random, in a dtype that can hold them, checked by the evals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import llmsynth
from llmsynth.errors import SpecError
from llmsynth.evals.spec_fidelity import collect_promises, spec_fidelity_scores
from llmsynth.scaffold.promises import MissingPromise
from llmsynth.spec import spec_from_dict

COLUMNS = [
    {"kind": "normal", "name": "height", "mean": 170, "sd": 10, "null_rate": 0.2},
    {"kind": "integer", "name": "seats", "low": 1, "high": 5, "null_rate": 0.1},
    {"kind": "boolean", "name": "vip", "p": 0.3, "null_rate": 0.1},
    {"kind": "categorical", "name": "plan", "categories": ["free", "pro"], "null_rate": 0.1},
    {"kind": "date", "name": "day", "start": "2024-01-01", "end": "2024-03-01", "null_rate": 0.1},
    {
        "kind": "copula",
        "columns": {"a": {"kind": "gamma", "shape": 2, "null_rate": 0.3}, "b": {"kind": "poisson", "lam": 2}},
        "corr": [[1, 0.5], [0.5, 1]],
    },
    {"kind": "expression", "name": "bmi", "expr": "70 / (height / 100) ** 2", "round": 0},
]


def _spec(columns: list, rows: int = 20_000) -> llmsynth.DatasetSpec:
    return spec_from_dict({"rows": rows, "seed": 4, "columns": columns})


def test_each_column_misses_its_share_in_its_own_dtype() -> None:
    data = llmsynth.generate(_spec(COLUMNS))
    shares = data.isna().mean()
    assert shares["height"] == pytest.approx(0.2, abs=0.015)
    assert shares["a"] == pytest.approx(0.3, abs=0.015)
    assert shares["b"] == 0  # only the marginal that asks for gaps has them
    for name in ("seats", "vip", "plan", "day"):
        assert shares[name] == pytest.approx(0.1, abs=0.01), name
    assert str(data["seats"].dtype) == "Int64"  # integers stay integers
    assert str(data["vip"].dtype) == "boolean"
    assert pd.api.types.is_datetime64_any_dtype(data["day"])
    # an expression over a missing value is missing, with no error, and integer where it exists
    assert data["bmi"].isna().equals(data["height"].isna())
    assert str(data["bmi"].dtype) == "Int64"


def test_the_values_that_stay_are_the_values_drawn_without_null_rate() -> None:
    with_gaps = llmsynth.generate(_spec(COLUMNS[:1], 3000))
    without = llmsynth.generate(_spec([{**COLUMNS[0], "null_rate": 0.0}], 3000))
    kept = with_gaps["height"].notna()
    assert np.array_equal(with_gaps["height"][kept], without["height"][kept])


def test_the_eval_checks_the_missing_share() -> None:
    spec = _spec(COLUMNS)
    promises, problems = collect_promises(spec)
    assert not problems
    assert MissingPromise("a", 0.3) in promises
    assert MissingPromise("height", 0.2) in promises
    data = llmsynth.generate(spec)
    scores = spec_fidelity_scores(data, promises, problems)
    assert scores["score"] == 1.0, {k: v for k, v in scores["checks"].items() if not v["passed"]}
    filled = data.assign(height=data["height"].fillna(170.0))
    broken = spec_fidelity_scores(filled, promises, problems)["checks"]["missing:height"]
    assert not broken["passed"]
    assert broken["missing_share"] == 0


@pytest.mark.parametrize(
    ("column", "message"),
    [
        ({"kind": "fixed_sum", "columns": ["a", "b"], "total": 10, "null_rate": 0.1}, "must add up"),
        ({"kind": "graph", "model": "erdos_renyi", "nodes": 10, "p": 0.2, "null_rate": 0.1}, "cannot be missing"),
        ({"kind": "normal", "name": "x", "null_rate": 1.0}, "less than 1"),
    ],
    ids=["fixed-sum", "graph", "all-missing"],
)
def test_null_rate_is_refused_where_it_makes_no_sense(column: dict, message: str) -> None:
    with pytest.raises((SpecError, ValueError), match=message):
        _spec([column])
