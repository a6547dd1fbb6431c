from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from llmsynth.errors import GenerationError, SpecError
from llmsynth.scaffold.expression import evaluate
from llmsynth.scaffold.promises import LinearPromise


def test_derived_column_follows_the_declared_linear_rule(draw: Any) -> None:
    columns = [
        {"kind": "normal", "name": "height", "mean": 170, "sd": 10},
        {"kind": "expression", "name": "weight", "expr": "2.5 * height + 50 + normal(0, 5)"},
    ]
    frame, samplers, _ = draw(columns, 20_000)
    assert samplers["weight"].promises() == [LinearPromise("weight", {"height": 2.5}, 50.0, 5.0)]
    slope, intercept = np.polyfit(frame["height"], frame["weight"], 1)
    residual = frame["weight"] - (slope * frame["height"] + intercept)
    assert slope == pytest.approx(2.5, abs=0.02)
    assert intercept == pytest.approx(50, abs=4)
    assert residual.std() == pytest.approx(5, rel=0.03)


def test_conditions_strings_and_rounding(draw: Any) -> None:
    columns = [
        {"kind": "categorical", "name": "country", "categories": ["USA", "India"]},
        {"kind": "integer", "name": "age", "low": 10, "high": 80},
        {"kind": "expression", "name": "adult_us", "expr": "(age >= 18) & (country == 'USA')"},
        {"kind": "expression", "name": "label", "expr": "where(age < 30, 'young', 'older')"},
        {
            "kind": "expression",
            "name": "band",
            "expr": "age // 10 * 10 if True else 0",
            "round": 0,
            "clip": [20, 60],
        },
    ]
    frame, _, _ = draw(columns, 2000)
    expected = ((frame["age"] >= 18) & (frame["country"] == "USA")).astype(np.int64)
    assert (frame["adult_us"] == expected).all()
    assert set(frame.loc[frame["age"] < 30, "label"]) == {"young"}
    assert frame["band"].dtype == np.int64
    assert set(frame["band"]) == {20, 30, 40, 50, 60}


def test_random_functions_draw_from_the_passed_stream() -> None:
    rng = np.random.default_rng(5)
    values = evaluate("poisson(3) + uniform(0, 1) * 0 + choice(10, 20) * 0", {}, 50_000, rng, "c")
    assert values.mean() == pytest.approx(3, abs=0.05)
    again = evaluate(
        "poisson(3) + uniform(0, 1) * 0 + choice(10, 20) * 0", {}, 50_000, np.random.default_rng(5), "c"
    )
    assert np.array_equal(values, again)


def test_non_finite_results_name_the_column() -> None:
    with pytest.raises(GenerationError, match=r"column 'ratio'.*non-finite"):
        evaluate("1 / x", {"x": np.array([1.0, 0.0])}, 2, None, "ratio")


def test_bad_arguments_are_expression_errors() -> None:
    with pytest.raises(SpecError, match=r"column 'z': normal\(\) has no argument 'mu'"):
        evaluate("normal(mu=1)", {}, 3, np.random.default_rng(0), "z")
    with pytest.raises(SpecError, match="draws random numbers"):
        evaluate("normal(0, 1)", {}, 3, None, "z")


def test_nonlinear_expressions_promise_nothing(draw: Any) -> None:
    columns = [
        {"kind": "uniform", "name": "x", "low": 1, "high": 2},
        {"kind": "expression", "name": "y", "expr": "x * x + normal(0, 1)"},
    ]
    _, samplers, _ = draw(columns, 10)
    assert samplers["y"].promises() == []
