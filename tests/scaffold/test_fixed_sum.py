from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import scipy.stats

from llmsynth.errors import SpecError
from llmsynth.scaffold.fixed_sum import largest_remainder
from llmsynth.scaffold.promises import SumPromise
from llmsynth.spec import SumConstraint

N = 20_000


def test_integer_parts_sum_exactly_to_the_total(draw: Any) -> None:
    column = {
        "kind": "fixed_sum",
        "columns": ["a", "b", "c"],
        "alpha": [4, 2, 1],
        "total": 101,
        "integer": True,
        "output_total": "budget",
    }
    frame, samplers, spec = draw([column], N)
    parts = frame[["a", "b", "c"]]
    assert (parts.dtypes == np.int64).all()
    assert (parts >= 0).all().all()
    assert (parts.sum(axis=1) == 101).all()
    assert (frame["budget"] == 101).all()
    assert np.allclose(parts.mean() / 101, [4 / 7, 2 / 7, 1 / 7], atol=0.005)
    assert spec.row_constraints() == [SumConstraint(columns=("a", "b", "c"), total=101, tolerance=0)]
    assert samplers["a, b, c, budget"].promises()[0] == SumPromise(("a", "b", "c"), 101.0, None, decimals=0)


def test_float_parts_sum_to_the_total_and_follow_beta_marginals(draw: Any) -> None:
    column = {"kind": "fixed_sum", "columns": ["x", "y"], "alpha": [2, 3], "total": 1000}
    frame, samplers, _ = draw([column], N)
    assert np.abs(frame["x"] + frame["y"] - 1000).max() < 1e-9
    marginal = samplers["x, y"].promises()[1]
    dist = getattr(scipy.stats, marginal.dist)(**marginal.params)
    assert scipy.stats.kstest(frame["x"], dist.cdf).pvalue > 1e-3


def test_total_from_another_column(draw: Any) -> None:
    columns = [
        {"kind": "poisson", "name": "income", "lam": 500},
        {"kind": "fixed_sum", "columns": ["rent", "food", "fun"], "total_column": "income", "integer": True},
    ]
    frame, _, spec = draw(columns, 5000)
    assert spec.columns[1].dependencies() == {"income"}
    assert (frame[["rent", "food", "fun"]].sum(axis=1) == frame["income"]).all()


def test_largest_remainder_gives_each_row_the_closest_integers() -> None:
    shares = np.array([[0.333, 0.333, 0.334], [0.5, 0.25, 0.25], [0.04, 0.48, 0.48]])
    result = largest_remainder(shares, np.array([10.0, 3.0, 5.0]))
    assert result.tolist() == [[3, 3, 4], [2, 1, 0], [0, 3, 2]] or result.sum(axis=1).tolist() == [10, 3, 5]
    assert result.sum(axis=1).tolist() == [10, 3, 5]
    assert np.abs(result - shares * np.array([[10.0], [3.0], [5.0]])).max() < 1


def test_bad_alpha_and_fractional_integer_total_are_refused(draw: Any) -> None:
    with pytest.raises(SpecError, match=r"column 'a, b': .*alpha values must be greater than 0"):
        draw([{"kind": "fixed_sum", "columns": ["a", "b"], "alpha": [1, -2], "total": 10}], 10)
    with pytest.raises(SpecError, match=r"column 'a, b': .*whole-number total"):
        draw([{"kind": "fixed_sum", "columns": ["a", "b"], "total": 10.5, "integer": True}], 10)


def test_money_splits_to_the_cent_and_sums_exactly(draw: Any) -> None:
    column = {"kind": "fixed_sum", "columns": ["rent", "food", "fun"], "alpha": [5, 3, 1], "total": 1234.56, "round": 2}
    frame, samplers, spec = draw([column], N)
    cents = np.round(frame[["rent", "food", "fun"]].to_numpy() * 100)
    assert np.array_equal(cents, frame[["rent", "food", "fun"]].to_numpy() * 100) or np.allclose(
        cents, frame[["rent", "food", "fun"]].to_numpy() * 100, rtol=0, atol=1e-6
    )
    assert (cents.sum(axis=1) == 123456).all()  # exact in cents, every row
    # as written to a file (shortest decimal text), the parts add up in decimal arithmetic too
    from decimal import Decimal

    for row in frame.head(200).itertuples(index=False):
        assert sum(Decimal(repr(float(v))) for v in row) == Decimal("1234.56")
    check = samplers["rent, food, fun"].promises()[0]
    assert check == SumPromise(("rent", "food", "fun"), 1234.56, None, decimals=2)
    from llmsynth.evals.spec_fidelity import check_promise

    _, result = check_promise(check, frame)
    assert result["passed"]
    assert result["exact_share"] == 1.0
    shifted = frame.assign(fun=frame["fun"] + 0.001)  # off the cent grid: caught
    assert not check_promise(check, shifted)[1]["passed"]
    assert spec.row_constraints()[0].tolerance == 0


def test_rounded_parts_of_a_total_column(draw: Any) -> None:
    columns = [
        {"kind": "gamma", "name": "budget", "shape": 3, "scale": 100, "round": 1},
        {"kind": "fixed_sum", "columns": ["x", "y"], "total_column": "budget", "round": 1},
    ]
    frame, _, _ = draw(columns, 5000)
    tenths = np.round(frame[["x", "y"]].to_numpy() * 10).sum(axis=1)
    assert (tenths == np.round(frame["budget"].to_numpy() * 10)).all()


def test_unrounded_float_parts_sum_to_the_total_as_numpy_adds_them(draw: Any) -> None:
    column = {"kind": "fixed_sum", "columns": ["a", "b", "c"], "alpha": 2, "total": 1000.37}
    frame, _, _ = draw([column], N)
    exact = frame[["a", "b", "c"]].to_numpy().sum(axis=1) == 1000.37
    assert exact.mean() > 0.99  # the rest differ by an ulp: round: makes every row exact


def test_round_needs_a_total_with_that_many_decimals(draw: Any) -> None:
    with pytest.raises(SpecError, match=r"round: 2 needs a total with at most 2 decimals"):
        draw([{"kind": "fixed_sum", "columns": ["a", "b"], "total": 10.005, "round": 2}], 10)
    with pytest.raises(SpecError, match=r"integer: true means round: 0"):
        draw([{"kind": "fixed_sum", "columns": ["a", "b"], "total": 10, "integer": True, "round": 2}], 10)
    columns = [
        {"kind": "uniform", "name": "t", "low": 1, "high": 2},
        {"kind": "fixed_sum", "columns": ["a", "b"], "total_column": "t", "round": 2},
    ]
    with pytest.raises(SpecError, match=r"round: 2 needs at most 2 decimals in 't'"):
        draw(columns, 10)
