"""Reference fidelity: hand-computed metric values, and equality with the real SDMetrics QualityReport."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from llmsynth.evals.reference_fidelity import (
    contingency_similarity,
    correlation_similarity,
    ks_complement,
    reference_scores,
    tv_complement,
)

SDTYPES = {"numeric": "numerical", "datetime": "datetime", "categorical": "categorical"}


def _table(rng: np.random.Generator, n: int, strength: float, shift: float) -> pd.DataFrame:
    """Numbers with a strong and a weak pair, categories tied to a number, a boolean, a date, some gaps."""
    age = rng.normal(40 + shift, 12, n)
    income = strength * age + rng.normal(0, 8, n)
    city = np.where(age + rng.normal(0, 6, n) > 42, "Paris", rng.choice(["Lyon", "Nice", "Lille"], n))
    member = rng.random(n) < np.where(city == "Paris", 0.7, 0.2)
    frame = pd.DataFrame(
        {
            "age": age.round(1),
            "income": income,
            "noise": rng.gamma(2, 3, n),
            "visits": rng.poisson(3 + shift / 10, n),
            "city": city,
            "member": member,
            "joined": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 400, n), unit="D"),
        }
    )
    frame.loc[rng.random(n) < 0.05, "noise"] = np.nan
    frame.loc[rng.random(n) < 0.03, "city"] = None
    return frame


def _sdmetrics(real: pd.DataFrame, synthetic: pd.DataFrame) -> Any:
    reports = pytest.importorskip("sdmetrics.reports")
    kinds = reference_scores(synthetic, real)["columns"]
    metadata = {"columns": {c: {"sdtype": SDTYPES[kinds[c]["kind"]]} for c in real.columns}}
    metadata["columns"]["member"] = {"sdtype": "boolean"}
    report = reports.QualityReport()
    report.generate({"t": real}, {"t": synthetic}, {"tables": {"t": metadata}}, verbose=False)
    return report


@pytest.mark.parametrize(
    ("strength", "shift", "n_real", "n_synthetic"),
    [(1.0, 0.0, 3000, 2500), (0.2, 5.0, 1500, 4000), (1.5, -8.0, 800, 800)],
    ids=["close", "weak-pairs-shifted", "small"],
)
def test_equals_the_sdmetrics_quality_report(strength: float, shift: float, n_real: int, n_synthetic: int) -> None:
    rng = np.random.default_rng(int(100 * strength + n_real))
    real = _table(rng, n_real, strength, 0.0)
    synthetic = _table(rng, n_synthetic, strength * 0.7, shift)
    ours = reference_scores(synthetic, real)
    report = _sdmetrics(real, synthetic)
    properties = dict(zip(*report.get_properties().to_dict("list").values(), strict=True))
    assert ours["overall"] == pytest.approx(report.get_score(), abs=1e-9)
    assert ours["column_shapes"] == pytest.approx(properties["Column Shapes"], abs=1e-9)
    assert ours["column_pair_trends"] == pytest.approx(properties["Column Pair Trends"], abs=1e-9, nan_ok=True)
    shapes = report.get_details("Column Shapes")
    for column, score in zip(shapes["Column"], shapes["Score"], strict=True):
        assert ours["columns"][column]["score"] == pytest.approx(score, abs=1e-9), column
    trends = report.get_details("Column Pair Trends")
    counted = 0
    for a, b, score, meets in zip(
        trends["Column 1"], trends["Column 2"], trends["Score"], trends["Meets Threshold?"], strict=True
    ):
        pair = ours["pairs"][f"{a}|{b}"]
        assert pair["contributes"] == bool(meets), (a, b)
        if meets:
            counted += 1
            assert pair["score"] == pytest.approx(score, abs=1e-9), (a, b)
    assert counted >= 2  # the tables hold pairs on both sides of the thresholds
    assert counted < len(trends)


def test_without_a_pair_worth_keeping_the_overall_is_column_shapes() -> None:
    rng = np.random.default_rng(7)
    real = pd.DataFrame({"x": rng.normal(size=500), "y": rng.normal(size=500), "c": rng.choice(["a", "b"], 500)})
    synthetic = pd.DataFrame({"x": rng.normal(size=400), "y": rng.normal(size=400), "c": rng.choice(["a", "b"], 400)})
    ours = reference_scores(synthetic, real)
    assert ours["column_pair_trends"] is None
    assert ours["overall"] == ours["column_shapes"]
    report = _sdmetrics(real.assign(member=True), synthetic.assign(member=True))
    assert reference_scores(synthetic.assign(member=True), real.assign(member=True))["overall"] == pytest.approx(
        report.get_score(), abs=1e-9
    )


def test_metric_values_hand_computed() -> None:
    # KS: real {1,2,3,4}, synthetic {3,4,5,6}: the CDFs differ by 0.5 at x in [2, 3)
    assert ks_complement(pd.Series([1, 2, 3, 4.0]), pd.Series([3, 4, 5, 6.0])) == pytest.approx(0.5)
    # TV: (a .5, b .5) vs (a .75, b .25) -> TVD 0.25
    assert tv_complement(pd.Series(list("ab")), pd.Series(list("aaab"))) == pytest.approx(0.75)
    # perfect positive vs perfect negative correlation: 1 - |1 - (-1)| / 2 = 0
    x = np.arange(10.0)
    result = correlation_similarity(pd.DataFrame({"a": x, "b": x}), pd.DataFrame({"a": x, "b": -x}))
    assert result["score"] == pytest.approx(0.0)
    # joint (a,x) .5 (b,y) .5 vs (a,y) .5 (b,y) .5: TVD 0.5
    real = pd.DataFrame({"p": ["a", "b"], "q": ["x", "y"]})
    synthetic = pd.DataFrame({"p": ["a", "b"], "q": ["y", "y"]})
    assert contingency_similarity(real, synthetic) == pytest.approx(0.5)


def test_identical_tables_score_one_and_text_is_left_out() -> None:
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(
        {
            "x": rng.normal(size=200),
            "y": rng.normal(size=200),
            "c": rng.choice(["u", "v"], 200),
            "note": [f"text {i}" for i in range(200)],
        }
    )
    scores = reference_scores(frame, frame)
    assert scores["overall"] == pytest.approx(1.0)
    assert scores["excluded"] == {"note": "free text"}


def test_broken_correlation_lowers_pair_trends() -> None:
    rng = np.random.default_rng(4)
    values = rng.multivariate_normal([0, 0], [[1, 0.9], [0.9, 1]], 1000)
    real = pd.DataFrame(values, columns=["a", "b"])
    broken = pd.DataFrame({"a": values[:, 0], "b": rng.permutation(values[:, 1])})
    scores = reference_scores(broken, real)
    assert scores["column_shapes"] == pytest.approx(1.0)
    assert scores["pairs"]["a|b"]["score"] == pytest.approx(1 - 0.9 / 2, abs=0.05)
